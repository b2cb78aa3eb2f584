// The playground's Web Worker: Pyodide (from the installed npm package, served by pyscope) and the
// debug agent. Waits for the page's start message; runs one program.
import { loadPyodide } from '/pyodide/pyodide.mjs';
import { serveDebuggee } from '/pyscope/pyodide/debuggee.js';

const pyodide = await loadPyodide({ indexURL: '/pyodide/' });
serveDebuggee(pyodide, self);
