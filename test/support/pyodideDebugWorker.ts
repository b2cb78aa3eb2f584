// A node:worker_threads stand-in for the page's Web Worker (src/playground's worker does the same
// in a browser): Pyodide from the npm package, then serveDebuggee on the parent port.
import { parentPort } from 'node:worker_threads';
import { loadPyodide } from 'pyodide';
import { serveDebuggee, type PyodideLike } from '../../src/pyodide/debuggee.js';

const port = parentPort;
if (!port) throw new Error('pyodideDebugWorker runs as a worker thread');
const py = await loadPyodide();
serveDebuggee(py as unknown as PyodideLike, {
  postMessage: (m) => port.postMessage(m),
  addEventListener: (_type, listener) => {
    port.on('message', (data: unknown) => listener({ data }));
  },
});
