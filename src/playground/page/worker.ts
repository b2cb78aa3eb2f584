// The page's Web Worker: Pyodide (from the installed npm package, served by pyscope), ready to
// run one program, either under the debugger or under the sampling profiler.
import { serveDebuggee, serveProfilee, type MessagePortLike, type PyodideLike } from '../../web/index.js';

// a URL the server maps onto the npm package: Pyodide loads its own files from there, so it stays out of the bundle
const PYODIDE_URL: string = '/pyodide/pyodide.mjs';
const { loadPyodide } = (await import(PYODIDE_URL)) as typeof import('pyodide');
const pyodide = (await loadPyodide({ indexURL: '/pyodide/' })) as unknown as PyodideLike;
const scope = self as unknown as MessagePortLike;
// the profiler listens first and quietly: the debuggee's "ready" announces the worker to both
serveProfilee(pyodide, scope);
serveDebuggee(pyodide, scope);
