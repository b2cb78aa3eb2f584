// Starts a program under the agent in Pyodide, in a Node worker_thread (src/pyodide/nodeWorker.ts).
// The worker may block (a stopped program waits in Atomics.wait); the adapter stays on the main
// thread and reaches the agent through the shared-memory mailbox.
import { EventEmitter } from 'node:events';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { agentFile } from './agentFile.js';
import type { Debuggee } from './debuggee.js';
import type { LaunchTarget } from './nativeLauncher.js';
import { createMailbox } from '../pyodide/mailbox.js';
import { MailboxTransport } from '../pyodide/agentTransport.js';
import type { DebuggeeMessage } from '../pyodide/debuggee.js';
import { routeDebuggeeMessage } from '../pyodide/messageRouter.js';
import type { NodeWorkerData } from '../pyodide/nodeWorker.js';

/** What a native launch takes, less the interpreter: Pyodide brings its own. */
export type PyodideTarget = Omit<LaunchTarget, 'python'>;

class WorkerProcess extends EventEmitter {
  private done = false;

  constructor(private readonly worker: Worker) {
    super();
  }

  /** The program ended by itself: close once its output has been read. */
  finish(code: number | null, signal: NodeJS.Signals | null, streams: PassThrough[]): void {
    if (this.done) return;
    this.done = true;
    let open = streams.length;
    const closed = (): void => {
      if (--open === 0) this.emit('close', code, signal);
    };
    for (const s of streams) {
      s.once('end', closed);
      s.end();
      s.resume();
    }
    void this.worker.terminate();
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    // ending already: its 'close' is on the way, as a process's would be
    if (this.done) return true;
    this.emit('killed', signal);
    return true;
  }
}

export function bootstrapFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, '..', 'pyodide', 'bootstrap.py');
  return existsSync(built) ? built : join(here, '..', '..', '..', 'src', 'pyodide', 'bootstrap.py');
}

/** Folders to mount: the program's and the working directory, none inside another. */
export function mountsFor(dirs: string[]): string[] {
  const real = [...new Set(dirs.map((d) => realpathSync(d)))].sort((a, b) => a.length - b.length);
  const out: string[] = [];
  for (const d of real) if (!out.some((o) => d === o || d.startsWith(o.endsWith(sep) ? o : o + sep))) out.push(d);
  return out;
}

export function launchPyodide(target: PyodideTarget): Debuggee {
  const buffers = createMailbox();
  const program = target.program !== undefined ? realpathSync(target.program) : undefined;
  const cwd = realpathSync(target.cwd);
  const data: NodeWorkerData = {
    start: {
      kind: 'start',
      buffers,
      options: {
        ...(program !== undefined ? { program } : {}),
        ...(target.module !== undefined ? { module: target.module } : {}),
        args: target.args,
        stopOnEntry: target.stopOnEntry,
        agentSources: {},
        bootstrapSource: '',
      },
    },
    mounts: mountsFor(program !== undefined ? [dirname(program), cwd] : [cwd]),
    cwd,
    env: target.env,
    agentFile: agentFile(),
    bootstrapFile: bootstrapFile(),
  };
  const worker = new Worker(new URL('../pyodide/nodeWorker.js', import.meta.url), { workerData: data });
  const transport = new MailboxTransport(buffers);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const proc = new WorkerProcess(worker);
  const end = (code: number | null, signal: NodeJS.Signals | null): void => {
    transport.close();
    proc.finish(code, signal, [stdout, stderr]);
  };
  proc.on('killed', (signal: NodeJS.Signals) => end(null, signal));
  worker.on('message', (m: DebuggeeMessage) =>
    routeDebuggeeMessage(m, transport, {
      output: (category, text) => {
        (category === 'stdout' ? stdout : stderr).write(text);
      },
      exit: (code) => end(code, null),
    }),
  );
  worker.on('error', (e) => {
    stderr.write(`pyscope: the Pyodide worker failed: ${e.message}\n`);
    end(1, null);
  });
  worker.on('exit', () => end(1, null));
  return { transport, process: proc, stdout, stderr };
}
