// A node:worker_threads worker for test/pyodide/interrupt.test.ts: Pyodide with pyscope's
// interrupt buffer, running a Python loop that only spins and counts the SIGINTs it handles.
import { parentPort, workerData } from 'node:worker_threads';
import { loadPyodide } from 'pyodide';
import type { PyodideLike } from '../../src/pyodide/debuggee.js';
import { setExchangingInterruptBuffer } from '../../src/pyodide/workerSetup.js';

const port = parentPort;
if (!port) throw new Error('interruptWorker runs as a worker thread');
const { interrupt, handled } = workerData as { interrupt: SharedArrayBuffer; handled: SharedArrayBuffer };
const count = new Int32Array(handled);
const py = (await loadPyodide()) as unknown as PyodideLike;
setExchangingInterruptBuffer(py, interrupt);
py.registerJsModule('counter', {
  ready: () => port.postMessage('ready'),
  handled: () => {
    Atomics.add(count, 0, 1);
    Atomics.notify(count, 0);
  },
});
py.runPython(`
import signal, counter
signal.signal(signal.SIGINT, lambda signum, frame: counter.handled())
counter.ready()
n = 0
while True:
    n += 1
`);
