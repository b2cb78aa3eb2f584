// The worker side of a Pyodide debug session: the program and the agent run here, in a worker
// that may block. Shared by the Node worker_thread and a browser Web Worker; no node: imports.
import { MailboxReader, type MailboxBuffers } from './mailbox.js';
import { postOutput, runMain, setExchangingInterruptBuffer, writeFiles } from './workerSetup.js';

/** The few Pyodide calls used here (structural, so any Pyodide instance fits). */
export interface PyodideLike {
  setStdout(options: { write: (buffer: Uint8Array) => number }): void;
  setStderr(options: { write: (buffer: Uint8Array) => number }): void;
  setInterruptBuffer(buffer: Uint8Array): void;
  registerJsModule(name: string, module: object): void;
  runPython(code: string): unknown;
  FS: {
    mkdirTree(path: string): void;
    writeFile(path: string, data: string): void;
  };
}

export interface DebuggeeOptions {
  /** Path of the program inside Pyodide's filesystem (already there), or a module name. */
  program?: string;
  module?: string;
  args: string[];
  stopOnEntry: boolean;
  /** Files to write into Pyodide's filesystem first (path -> text): a browser has no disk to mount. */
  files?: Record<string, string>;
  /** The agent's package, path (src/agent/agentFiles.ts) -> source, and src/pyodide/bootstrap.py. */
  agentSources: Record<string, string>;
  bootstrapSource: string;
}

/** Worker -> adapter. */
export type DebuggeeMessage =
  | { kind: 'agent'; text: string }
  | { kind: 'stdout'; text: string }
  | { kind: 'stderr'; text: string }
  | { kind: 'taken' }
  /** A repr or an evaluation started that must end within ms; null: it ended. */
  | { kind: 'deadline'; ms: number | null }
  | { kind: 'ready' }
  /** A notebook kernel's answer (pyodide/notebook_kernel.py), JSON. */
  | { kind: 'notebook'; text: string }
  | { kind: 'exit'; code: number }
  | { kind: 'failed'; message: string };

/** Adapter -> worker, once, to start. */
export interface StartMessage {
  kind: 'start';
  buffers: MailboxBuffers;
  options: DebuggeeOptions;
}

/** Runs the program under the agent; returns its exit status. Blocks the worker until it ends. */
export function runDebuggee(py: PyodideLike, buffers: MailboxBuffers, options: DebuggeeOptions, post: (m: DebuggeeMessage) => void): number {
  postOutput(py, post);
  const interrupt = new Uint8Array(buffers.interrupt);
  setExchangingInterruptBuffer(py, buffers.interrupt);
  const reader = new MailboxReader(buffers, () => post({ kind: 'taken' }));
  writeFiles(py, options.files ?? {});
  py.registerJsModule('pyscope_js', {
    options: JSON.stringify({ program: options.program, module: options.module, args: options.args, stopOnEntry: options.stopOnEntry }),
    post: (text: string) => post({ kind: 'agent', text }),
    // undefined, not null: Pyodide turns undefined into None
    take: (timeoutMs: number) => reader.take(timeoutMs) ?? undefined,
    // a message whose interrupt was spent while the agent was busy gets a fresh one
    rearm: () => {
      if (reader.pending()) Atomics.store(interrupt, 0, 2);
    },
    // the worker is busy until the call ends, so only the adapter side can time it
    deadline: (ms: number | undefined) => post({ kind: 'deadline', ms: ms ?? null }),
    notebook: (text: string) => post({ kind: 'notebook', text }),
  });
  return runMain(py, { ...options.agentSources, 'pyscope_boot.py': options.bootstrapSource }, 'pyscope_boot', 'the debugger agent', post);
}

/** Something a worker can post to and hear from: a Web Worker's global scope, or a Worker. */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/**
 * Inside a Web Worker that has loaded Pyodide: waits for the adapter's start message, runs the
 * program under the agent, and posts its exit status. One program per worker.
 */
export function serveDebuggee(py: PyodideLike, scope: MessagePortLike): void {
  const post = (m: DebuggeeMessage): void => scope.postMessage(m);
  scope.addEventListener('message', (event) => {
    const m = event.data as StartMessage;
    if (m?.kind !== 'start') return;
    post({ kind: 'exit', code: runDebuggee(py, m.buffers, m.options, post) });
  });
  post({ kind: 'ready' });
}
