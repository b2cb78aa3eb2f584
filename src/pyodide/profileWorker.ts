// Node worker_thread for `pyscope record --runtime pyodide`: mounts the program's folder and the
// working directory at their own paths, then runs the program under profiler.py (profilee.ts);
// the main thread ticks the interrupt buffer at the sampling rate.
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { loadPyodide } from 'pyodide';
import { mountHostFolders } from './hostMounts.js';
import type { PyodideLike } from './debuggee.js';
import { runProfilee, type ProfileeMessage } from './profilee.js';

export interface ProfileWorkerData {
  program: string;
  args: string[];
  mounts: string[];
  cwd: string;
  interrupt: SharedArrayBuffer;
  profilerFile: string;
}


const post = (m: ProfileeMessage): void => parentPort!.postMessage(m);
const data = workerData as ProfileWorkerData;

try {
  const py = await loadPyodide();
  mountHostFolders(py.FS, data.mounts, data.cwd);
  const options = { program: data.program, args: data.args, profilerSource: readFileSync(data.profilerFile, 'utf8') };
  post({ kind: 'exit', code: runProfilee(py as unknown as PyodideLike, data.interrupt, options, post) });
} catch (e) {
  post({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
}
