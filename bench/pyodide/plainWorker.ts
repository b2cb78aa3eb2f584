// Plain Pyodide in a worker_thread, no debugger: the baseline of the benchmark. Runs the script
// given in workerData with its arguments and posts what it printed and how long loading took.
import { parentPort, workerData } from 'node:worker_threads';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadPyodide } from 'pyodide';

const { script, args } = workerData as { script: string; args: string[] };
const t0 = performance.now();
const py = await loadPyodide();
const loadMs = performance.now() - t0;
let out = '';
py.setStdout({ batched: (s: string) => (out += `${s}\n`) });
const dir = dirname(script);
const fs = py.FS as unknown as { mkdirTree(p: string): void; mount(t: unknown, o: { root: string }, m: string): void; filesystems: { NODEFS: unknown } };
fs.mkdirTree(dir);
fs.mount(fs.filesystems.NODEFS, { root: dir }, dir);
py.runPython(`import sys\nsys.argv = ${JSON.stringify([script, ...args])}\nexec(compile(open(sys.argv[0]).read(), sys.argv[0], 'exec'), {'__name__': '__main__'})`);
parentPort!.postMessage({ out, loadMs });
