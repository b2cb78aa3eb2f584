// Runs a program under the agent in a native CPython child. The agent talks over the child's fds 3
// (adapter -> agent) and 4 (agent -> adapter); the program keeps stdin/stdout/stderr. The child
// leads a process group of its own, so ending it ends what it started too (a subprocess of the
// program), unless that put itself in another group.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { Hello } from '../agent/protocol.js';
import { agentFile } from './agentFile.js';
import { interpreterProblem } from './interpreterProbe.js';
import { libraryRoots } from './justMyCode.js';
import { ProgramEnding, type LaunchedProgram, type ProgramEnd, type ProgramLauncher } from './launcher.js';
import { untilEnded } from './liveChildren.js';
import { PipeTransport } from './pipeTransport.js';
import { FailureId, type UserError } from './userError.js';

export interface LaunchTarget {
  python: string;
  program?: string;
  module?: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  stopOnEntry: boolean;
}

/** A program that ignores SIGTERM gets SIGKILL this long after it. */
const TERMINATE_GRACE_MS = 2000;
/** After the child exited, how long its output may take to drain (a grandchild may hold the pipes). */
const DRAIN_MS = 1000;

/** The launch event's name and the process event, shared by the Node runtimes. */
export function processEventOf(target: { program?: string; module?: string }, hello: Hello): { name: string; systemProcessId: number; isLocalProcess: true; startMethod: 'launch' } {
  return { name: target.program ?? target.module ?? 'python', systemProcessId: hello.pid, isLocalProcess: true, startMethod: 'launch' };
}

export class NativeLauncher implements ProgramLauncher {
  readonly neverStarted = 'the interpreter exited before the debugger agent started';

  constructor(private readonly target: LaunchTarget) {}

  launch(): LaunchedProgram {
    const t = this.target;
    const argv = [agentFile(), '--fd-in', '3', '--fd-out', '4'];
    if (t.module !== undefined) argv.push('--module', t.module);
    else argv.push('--program', t.program ?? '');
    if (t.stopOnEntry) argv.push('--stopOnEntry', '1');
    argv.push('--', ...t.args);
    const child = spawn(t.python, argv, {
      cwd: t.cwd,
      // unbuffered: the program's output reaches the client in order with stops and log points
      env: { ...t.env, PYTHONUNBUFFERED: '1' },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      // a process group of its own: ending the program ends its children too
      detached: true,
    });
    return new NativeProgram(child, t.python);
  }

  libraryRoots(hello: Hello): string[] {
    return libraryRoots(hello);
  }

  whyNeverStarted(): Promise<UserError | undefined> {
    return interpreterProblem(this.target.python, this.target.env, this.target.cwd);
  }

  processEvent(hello: Hello): ReturnType<typeof processEventOf> {
    return processEventOf(this.target, hello);
  }
}

class NativeProgram implements LaunchedProgram {
  readonly transport: PipeTransport;
  private readonly outputListeners: ((category: 'stdout' | 'stderr', text: string) => void)[] = [];
  private readonly ending = new ProgramEnding();
  private readonly forget: () => void;

  constructor(
    private readonly child: ChildProcess,
    python: string,
  ) {
    this.transport = new PipeTransport(child.stdio[4] as Readable, child.stdio[3] as Writable);
    this.forget = untilEnded(() => this.signal('SIGKILL'));
    for (const category of ['stdout', 'stderr'] as const) {
      const stream = child[category]!;
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => {
        for (const l of this.outputListeners) l(category, text);
      });
    }
    child.once('error', (e: NodeJS.ErrnoException) => {
      // only a child that never started ends here; other errors (a failed kill) change nothing
      if (child.pid !== undefined) return;
      if (e.code === 'ENOENT') this.finish({ exitCode: null, failure: `python interpreter "${python}" was not found`, failureId: FailureId.interpreterNotFound });
      else this.finish({ exitCode: null, failure: `cannot start ${python}: ${e.message}` });
    });
    child.once('exit', (code, signal) => {
      const end = { exitCode: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0) };
      const timer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        this.finish(end);
      }, DRAIN_MS);
      child.once('close', () => {
        clearTimeout(timer);
        this.finish(end);
      });
    });
  }

  onOutput(listener: (category: 'stdout' | 'stderr', text: string) => void): void {
    this.outputListeners.push(listener);
  }

  onExit(listener: (end: ProgramEnd) => void): void {
    this.ending.listen(listener);
  }

  terminate(): Promise<void> {
    if (this.ending.value) return Promise.resolve();
    return new Promise<void>((res) => {
      this.onExit(() => res());
      this.signal('SIGTERM');
      // a program that ignores SIGTERM is killed; the timer only bounds the wait
      const t = setTimeout(() => this.signal('SIGKILL'), TERMINATE_GRACE_MS);
      t.unref();
      this.onExit(() => clearTimeout(t));
    });
  }

  kill(): void {
    this.transport.close();
    this.signal('SIGKILL');
  }

  release(): void {
    this.transport.close();
    this.forget();
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      // the whole group: the program and whatever it started in it
      process.kill(-pid, sig);
    } catch {
      // the group is gone: nothing left of ours
    }
  }

  private finish(end: ProgramEnd): void {
    if (!this.ending.record(end)) return;
    this.forget();
    this.transport.close();
    this.ending.tell();
  }
}
