// The worker side of a Pyodide profile: the program runs under profiler.py, which samples itself
// whenever the adapter side sets the interrupt buffer. Shared by `pyscope record --runtime pyodide`
// (a Node worker_thread) and the playground (a Web Worker); no node: imports.
import type { MessagePortLike, PyodideLike } from './debuggee.js';
import { postOutput, runMain, setExchangingInterruptBuffer, writeFiles } from './workerSetup.js';

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

/** Runs the program under the sampler; returns its exit status. Blocks the worker until it ends. */
export function runProfilee(py: PyodideLike, interrupt: SharedArrayBuffer, options: ProfileeOptions, post: (m: ProfileeMessage) => void): number {
  postOutput(py, post);
  setExchangingInterruptBuffer(py, interrupt);
  writeFiles(py, options.files ?? {});
  py.registerJsModule('pyscope_js', {
    options: JSON.stringify({ program: options.program, args: options.args }),
    post: (text: string) => post({ kind: 'profile', text }),
    started: () => post({ kind: 'started' }),
  });
  return runMain(py, { 'pyscope_profiler.py': options.profilerSource }, 'pyscope_profiler', 'the profiler', post);
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
