// Runs a program under the agent in Pyodide, in a Node worker_thread (src/pyodide/nodeWorker.ts).
// The worker may block (a stopped program waits in Atomics.wait); the adapter stays on the main
// thread and reaches the agent through the shared-memory mailbox. A worker_thread cannot outlive
// the adapter's process, so nothing here needs ending at exit.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Hello } from '../agent/protocol.js';
import { agentFile } from './agentFile.js';
import { libraryRoots } from './justMyCode.js';
import { ProgramEnding, type LaunchedProgram, type ProgramEnd, type ProgramLauncher } from './launcher.js';
import { processEventOf, type LaunchTarget } from './nativeLauncher.js';
import { createMailbox } from '../pyodide/mailbox.js';
import { MailboxTransport } from '../pyodide/agentTransport.js';
import type { DebuggeeMessage } from '../pyodide/debuggee.js';
import { routeDebuggeeMessage } from '../pyodide/messageRouter.js';
import type { NodeWorkerData } from '../pyodide/nodeWorker.js';

/** What a native launch takes, less the interpreter: Pyodide brings its own. */
export type PyodideTarget = Omit<LaunchTarget, 'python'>;

/** Exit statuses of a worker ended by the session, as a process's would be (128 + signal). */
const TERMINATED = 128 + 15;
const KILLED = 128 + 9;

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

export class PyodideLauncher implements ProgramLauncher {
  readonly neverStarted = 'the interpreter exited before the debugger agent started';

  constructor(private readonly target: PyodideTarget) {}

  launch(): LaunchedProgram {
    const target = this.target;
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
    return new WorkerProgram(worker, new MailboxTransport(buffers));
  }

  libraryRoots(hello: Hello): string[] {
    return libraryRoots(hello);
  }

  processEvent(hello: Hello): ReturnType<typeof processEventOf> {
    return processEventOf(this.target, hello);
  }
}

class WorkerProgram implements LaunchedProgram {
  private readonly outputListeners: ((category: 'stdout' | 'stderr', text: string) => void)[] = [];
  private readonly ending = new ProgramEnding();

  constructor(
    private readonly worker: Worker,
    readonly transport: MailboxTransport,
  ) {
    worker.on('message', (m: DebuggeeMessage) =>
      routeDebuggeeMessage(m, transport, {
        output: (category, text) => {
          for (const l of this.outputListeners) l(category, text);
        },
        exit: (code) => this.finish(code),
      }),
    );
    worker.on('error', (e) => {
      for (const l of this.outputListeners) l('stderr', `pyscope: the Pyodide worker failed: ${e.message}\n`);
      this.finish(1);
    });
    worker.on('exit', () => this.finish(1));
  }

  onOutput(listener: (category: 'stdout' | 'stderr', text: string) => void): void {
    this.outputListeners.push(listener);
  }

  onExit(listener: (end: ProgramEnd) => void): void {
    this.ending.listen(listener);
  }

  /** The worker may be blocked in Atomics.wait: only terminating it stops the program. */
  async terminate(): Promise<void> {
    this.finish(TERMINATED);
  }

  kill(): void {
    this.finish(KILLED);
  }

  release(): void {
    // the agent detached: the program runs on in its worker, unheard
    this.transport.close();
  }

  private finish(exitCode: number): void {
    if (!this.ending.record({ exitCode })) return;
    this.transport.close();
    void this.worker.terminate();
    this.ending.tell();
  }
}
