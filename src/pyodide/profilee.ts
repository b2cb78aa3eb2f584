// The worker side of a Pyodide profile: the program runs under profiler.py, which samples itself
// whenever the adapter side sets the interrupt buffer. Shared by `pyscope record --runtime pyodide`
// (a Node worker_thread) and the playground (a Web Worker); no node: imports.
import type { MessagePortLike, PyodideLike } from './debuggee.js';

/** Interrupt-buffer values: a tick asks for one sample, a stop ends the program (profile kept). */
export const TICK_SIGNAL = 2;
export const STOP_SIGNAL = 15;

export interface ProfileeOptions {
  /** Path of the program inside Pyodide's filesystem. */
  program: string;
  args: string[];
  /** Files to write into Pyodide's filesystem first (path -> text): a browser has no disk. */
  files?: Record<string, string>;
  /** Source of src/pyodide/profiler.py. */
  profilerSource: string;
}

/** Worker -> adapter. */
export type ProfileeMessage =
  | { kind: 'ready' }
  | { kind: 'started' }
  | { kind: 'stdout' | 'stderr'; text: string }
  | { kind: 'profile'; text: string }
  | { kind: 'exit'; code: number }
  | { kind: 'failed'; message: string };

/** Adapter -> worker, once, to start. */
export interface ProfileStartMessage {
  kind: 'profile';
  interrupt: SharedArrayBuffer;
  options: ProfileeOptions;
}

const HOME = '/pyscope';

/** Runs the program under the sampler; returns its exit status. Blocks the worker until it ends. */
export function runProfilee(py: PyodideLike, interrupt: SharedArrayBuffer, options: ProfileeOptions, post: (m: ProfileeMessage) => void): number {
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
  py.setInterruptBuffer(new Uint8Array(interrupt));
  for (const [path, text] of Object.entries(options.files ?? {})) {
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (dir) py.FS.mkdirTree(dir);
    py.FS.writeFile(path, text);
  }
  py.FS.mkdirTree(HOME);
  py.FS.writeFile(`${HOME}/pyscope_profiler.py`, options.profilerSource);
  py.registerJsModule('pyscope_js', {
    options: JSON.stringify({ program: options.program, args: options.args }),
    post: (text: string) => post({ kind: 'profile', text }),
    started: () => post({ kind: 'started' }),
  });
  try {
    const code = py.runPython(`import sys\nsys.path.insert(0, ${JSON.stringify(HOME)})\nimport pyscope_profiler\nsys.path.remove(${JSON.stringify(HOME)})\npyscope_profiler.main()`);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    post({ kind: 'stderr', text: `pyscope: the profiler failed: ${e instanceof Error ? e.message : String(e)}\n` });
    return 1;
  }
}

/**
 * Inside a Web Worker that has loaded Pyodide: waits for a profile start message, runs the
 * program under the sampler and posts its exit status. One program per worker. Posts no "ready"
 * of its own, so it can listen beside serveDebuggee in the same worker.
 */
export function serveProfilee(py: PyodideLike, scope: MessagePortLike): void {
  const post = (m: ProfileeMessage): void => scope.postMessage(m);
  scope.addEventListener('message', (event) => {
    const m = event.data as ProfileStartMessage;
    if (m?.kind !== 'profile') return;
    post({ kind: 'exit', code: runProfilee(py, m.interrupt, m.options, post) });
  });
}
