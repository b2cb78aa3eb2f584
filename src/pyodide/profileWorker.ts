// Node worker_thread for `pyscope record --runtime pyodide`: runs the program in Pyodide under
// profiler.py; the main thread ticks the interrupt buffer at the sampling rate.
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { loadPyodide } from 'pyodide';

export interface ProfileWorkerData {
  program: string;
  args: string[];
  mounts: string[];
  cwd: string;
  interrupt: SharedArrayBuffer;
  profilerFile: string;
}

/** Worker -> main thread. */
export type ProfileWorkerMessage =
  | { kind: 'started' }
  | { kind: 'stdout' | 'stderr'; text: string }
  | { kind: 'profile'; text: string }
  | { kind: 'exit'; code: number }
  | { kind: 'failed'; message: string };

interface NodeFs {
  mkdirTree(path: string): void;
  mount(type: unknown, options: { root: string }, mountpoint: string): void;
  chdir(path: string): void;
  writeFile(path: string, data: string): void;
  filesystems: { NODEFS: unknown };
}

const post = (m: ProfileWorkerMessage): void => parentPort!.postMessage(m);
const data = workerData as ProfileWorkerData;

try {
  const py = await loadPyodide();
  const fs = py.FS as unknown as NodeFs;
  for (const dir of data.mounts) {
    fs.mkdirTree(dir);
    fs.mount(fs.filesystems.NODEFS, { root: dir }, dir);
  }
  fs.chdir(data.cwd);
  fs.mkdirTree('/pyscope');
  fs.writeFile('/pyscope/pyscope_profiler.py', readFileSync(data.profilerFile, 'utf8'));
  for (const kind of ['stdout', 'stderr'] as const) {
    const decoder = new TextDecoder();
    const write = (b: Uint8Array): number => {
      const text = decoder.decode(b, { stream: true });
      if (text) post({ kind, text });
      return b.length;
    };
    if (kind === 'stdout') py.setStdout({ write });
    else py.setStderr({ write });
  }
  py.setInterruptBuffer(new Uint8Array(data.interrupt));
  py.registerJsModule('pyscope_js', {
    options: JSON.stringify({ program: data.program, args: data.args }),
    post: (text: string) => post({ kind: 'profile', text }),
    started: () => post({ kind: 'started' }),
  });
  const code = py.runPython('import sys\nsys.path.insert(0, "/pyscope")\nimport pyscope_profiler\nsys.path.remove("/pyscope")\npyscope_profiler.main()');
  post({ kind: 'exit', code: typeof code === 'number' ? code : 0 });
} catch (e) {
  post({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
}
