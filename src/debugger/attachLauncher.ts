// Attaches the agent to a Python process that is already running (DAP's `attach` with a
// processId). The adapter listens on a unix socket in a fresh 0700 folder, its name carrying a
// random token; the injector (src/cpython/attach, handed in by the command that made the session,
// as this layer reads no process memory) makes the target run the bootstrap, which connects back;
// from then on the session proceeds as after a launch. Ending the session detaches: the agent
// takes itself out and the program runs on; only `terminate` or `terminateDebuggee: true` end it.
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ExitCode, PyscopeError } from '../common/errors.js';
import type { Hello } from '../agent/protocol.js';
import { agentFile } from './agentFile.js';
import { libraryRoots } from './justMyCode.js';
import { ProgramEnding, type LaunchedProgram, type ProgramEnd, type ProgramLauncher } from './launcher.js';
import { PipeTransport } from './pipeTransport.js';
import { MIN_VERSION } from './sessionBase.js';
import { AttachGaveUp, FailureId, UserError } from './userError.js';

/** How the target is made to run the bootstrap: src/cpython/attach/inject.ts. */
export interface AttachInjector {
  /** What runs in process `pid` and how it would be attached; throws a one-line error when it cannot be. */
  probe(pid: number): { version: [number, number, number]; method: string; commandLine: string };
  /** Makes the target run the bootstrap once; `everyThread` widens a request the main thread did not take. */
  inject(pid: number, script: { path: string; source: string }, everyThread: boolean): void;
  /** Withdraws requests no thread took, once the agent is connected. */
  settle(pid: number): void;
  /** What keeps the main thread from running Python code: "blocked in the system call futex (...), called from f (a.py:3)". */
  describeWait(pid: number): string;
}

/**
 * The agent must connect within this long after the injection (its main thread must run Python);
 * then the attach gives up, withdraws its request and leaves the process as it was (docs/DEBUGGER.md).
 */
export const ATTACH_CONNECT_MS = 20_000;
/** After this long without a connection, a PEP 768 request is put to every thread. */
const WIDEN_MS = 2_000;
/** After this long without a connection, the session says in one line what the attach waits for. */
const NOTICE_MS = 3_000;
const TERMINATE_GRACE_MS = 2000;

export class AttachLauncher implements ProgramLauncher {
  readonly neverStarted: string;
  private readonly probed: { version: [number, number, number]; method: string; commandLine: string };

  constructor(
    private readonly pid: number,
    private readonly injector: AttachInjector,
  ) {
    if (pid === process.pid) throw new UserError(`attach: process ${pid} is this debug adapter`);
    try {
      this.probed = injector.probe(pid);
    } catch (e) {
      throw new UserError(e instanceof Error ? e.message : String(e), failureOf(e));
    }
    const [major, minor] = this.probed.version;
    if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
      throw new UserError(`attach: process ${pid} runs Python ${this.probed.version.join('.')}; the debugger needs ${MIN_VERSION.join('.')} or newer`, FailureId.interpreterTooOld);
    }
    this.neverStarted = `the debugger agent did not start in process ${pid}`;
  }

  launch(): LaunchedProgram {
    return new AttachedProgram(this.pid, this.injector);
  }

  libraryRoots(hello: Hello): string[] {
    // the agent that connected must be the one we asked for: a process of our own socket's reader
    if (hello.pid !== this.pid) throw new UserError(`attach: the agent that connected runs in process ${hello.pid}, not ${this.pid}`);
    return libraryRoots(hello);
  }

  processEvent(hello: Hello): { name: string; systemProcessId: number; isLocalProcess: true; startMethod: 'attach' } {
    return { name: this.probed.commandLine || `process ${hello.pid}`, systemProcessId: hello.pid, isLocalProcess: true, startMethod: 'attach' };
  }
}

class AttachedProgram implements LaunchedProgram {
  readonly transport: PipeTransport;
  private readonly fromAgent = new PassThrough();
  private readonly toAgent = new PassThrough();
  private readonly ending = new ProgramEnding();
  private socket?: Socket;
  private server?: Server;
  private readonly folder: string;
  private readonly timers: ReturnType<typeof setTimeout>[] = [];
  private readonly outputListeners: ((category: 'console', text: string) => void)[] = [];

  constructor(
    private readonly pid: number,
    private readonly injector: AttachInjector,
  ) {
    this.transport = new PipeTransport(this.fromAgent, this.toAgent);
    this.transport.onClose(() => this.finish({ exitCode: null }));
    this.folder = mkdtempSync(join(tmpdir(), 'pyscope-attach-'));
    void this.start().catch((e: unknown) => this.finish({ exitCode: null, failure: e instanceof Error ? e.message : String(e), ...(e instanceof UserError ? { failureId: e.id } : {}) }));
  }

  private blockedIn(): string {
    try {
      return this.injector.describeWait(this.pid);
    } catch {
      return 'blocked in a C call';
    }
  }

  private say(text: string): void {
    for (const l of this.outputListeners) l('console', text);
  }

  private async start(): Promise<void> {
    chmodSync(this.folder, 0o700);
    const socketPath = join(this.folder, `${randomBytes(16).toString('hex')}.sock`);
    const server = (this.server = createServer({ allowHalfOpen: false }));
    server.maxConnections = 1;
    const connected = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    chmodSync(socketPath, 0o600);
    const bootstrap = join(dirname(agentFile()), 'attach_bootstrap.py');
    const source = [
      'try:',
      `    exec(compile(open(${pyString(bootstrap)}, 'rb').read(), ${pyString(bootstrap)}, 'exec'), {'__name__': '__pyscope_attach__', '__file__': ${pyString(bootstrap)}, 'SOCKET': ${pyString(socketPath)}})`,
      'except BaseException:',
      '    pass',
      '',
    ].join('\n');
    const scriptPath = join(this.folder, 'attach.py');
    writeFileSync(scriptPath, source, { mode: 0o600 });
    this.shareWithTarget([this.folder, socketPath, scriptPath]);
    const script = { path: scriptPath, source };
    try {
      this.injector.inject(this.pid, script, false);
    } catch (e) {
      throw new UserError(e instanceof Error ? e.message : String(e));
    }
    this.timers.push(
      setTimeout(() => {
        try {
          this.injector.inject(this.pid, script, true);
        } catch {
          // the first request stands
        }
      }, WIDEN_MS),
    );
    this.timers.push(
      setTimeout(() => {
        const left = Math.round((ATTACH_CONNECT_MS - NOTICE_MS) / 1000);
        this.say(`pyscope: attach: waiting for the main thread of process ${this.pid} to run Python code: it is ${this.blockedIn()}; giving up in ${left} s\n`);
      }, NOTICE_MS),
    );
    const timeout = new Promise<never>((_, reject) =>
      this.timers.push(
        setTimeout(
          () => reject(new AttachGaveUp(`attach: gave up after ${ATTACH_CONNECT_MS / 1000} s: the main thread of process ${this.pid} ran no Python code (it is ${this.blockedIn()}); it runs on as before, with nothing of the debugger in it`)),
          ATTACH_CONNECT_MS,
        ),
      ),
    );
    const socket = await Promise.race([connected, timeout]);
    this.clearTimers();
    server.close();
    this.socket = socket;
    rmSync(this.folder, { recursive: true, force: true });
    try {
      this.injector.settle(this.pid);
    } catch {
      // a request left over finds no socket and does nothing
    }
    socket.pipe(this.fromAgent);
    this.toAgent.pipe(socket);
    socket.on('error', () => this.fromAgent.end());
    socket.on('close', () => this.fromAgent.end());
  }

  /**
   * A target of another user (pyscope run as root) must be able to read the script and connect:
   * the folder, the socket and the script become its own, still closed to everyone else.
   */
  private shareWithTarget(paths: string[]): void {
    let uid: number;
    let gid: number;
    try {
      const st = statSync(`/proc/${this.pid}`);
      uid = st.uid;
      gid = st.gid;
    } catch {
      return;
    }
    if (uid === process.geteuid?.()) return;
    for (const p of paths) {
      try {
        chownSync(p, uid, gid);
      } catch {
        // not root: the target is ours or the injection was refused already
      }
    }
  }

  /** Only the attach's own progress: the program's output stays where it goes (its terminal, its log). */
  onOutput(listener: (category: 'console', text: string) => void): void {
    this.outputListeners.push(listener);
  }

  onExit(listener: (end: ProgramEnd) => void): void {
    this.ending.listen(listener);
  }

  /** Ends the process itself (terminateDebuggee): SIGTERM, then SIGKILL if it is still there. */
  terminate(): Promise<void> {
    if (this.ending.value) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.onExit(() => resolve());
      this.signal('SIGTERM');
      const t = setTimeout(() => {
        this.signal('SIGKILL');
        // its socket closes with it; this only bounds the wait should it not
        setTimeout(() => this.finish({ exitCode: null }), 1000).unref();
      }, TERMINATE_GRACE_MS);
      t.unref();
      this.onExit(() => clearTimeout(t));
    });
  }

  /** The client went away: the agent sees its socket close and detaches; the program runs on. */
  kill(): void {
    this.transport.close();
  }

  release(): void {
    this.transport.close();
  }

  private signal(sig: NodeJS.Signals): void {
    try {
      process.kill(this.pid, sig);
    } catch {
      // gone already
    }
  }

  private clearTimers(): void {
    for (const t of this.timers.splice(0)) clearTimeout(t);
  }

  private finish(end: ProgramEnd): void {
    if (!this.ending.record(end)) return;
    this.clearTimers();
    if (!this.socket) {
      try {
        this.injector.settle(this.pid);
      } catch {
        // gone
      }
    }
    this.server?.close();
    this.socket?.end();
    this.socket?.destroy();
    rmSync(this.folder, { recursive: true, force: true });
    this.transport.close();
    this.ending.tell();
  }
}

/** A Python string literal for a path (JSON's escapes are Python's for these characters). */
function pyString(s: string): string {
  return JSON.stringify(s);
}

/** The kind of a probe's failure, from the reading side's exit code, for the error response. */
function failureOf(e: unknown): FailureId {
  if (!(e instanceof PyscopeError)) return FailureId.other;
  if (e.exitCode === ExitCode.notPython) return FailureId.notPython;
  if (e.exitCode === ExitCode.noSuchProcess) return FailureId.noSuchProcess;
  return FailureId.other;
}
