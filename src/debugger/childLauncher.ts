// The launcher of a child process's session (an `attach` with subProcessId): it does not start
// anything, it claims the waiting child on the parent session's socket (childListener.ts), whose
// adapter joins the two connections, and from then on speaks the agent protocol with the child as
// with a launched program. The child's stdout and stderr are its parent's, shown in the parent's
// session. The session ends when the child does (its connection closes); ending the session ends
// the child, by its pid, which is safe while its agent's connection is open.
import { createConnection, type Socket } from 'node:net';
import type { Hello } from '../agent/protocol.js';
import { childName, isChildHello } from './childProcess.js';
import { libraryRoots } from './justMyCode.js';
import { ProgramEnding, type LaunchedProgram, type ProgramEnd, type ProgramLauncher } from './launcher.js';
import { untilEnded } from './liveChildren.js';
import { PipeTransport } from './pipeTransport.js';

/** A child that ignores SIGTERM gets SIGKILL this long after it. */
const TERMINATE_GRACE_MS = 2000;

export class ChildLauncher implements ProgramLauncher {
  readonly neverStarted = 'the child process ended before its debug session started';

  constructor(
    private readonly socketPath: string,
    private readonly id: number,
  ) {}

  launch(): LaunchedProgram {
    const socket = createConnection(this.socketPath);
    socket.once('connect', () => socket.write(`${JSON.stringify({ claim: this.id })}\n`));
    return new ChildProgram(socket, this.socketPath);
  }

  libraryRoots(hello: Hello): string[] {
    return libraryRoots(hello);
  }

  processEvent(hello: Hello): { name: string; systemProcessId: number; isLocalProcess: true; startMethod: 'attach' } {
    return { name: isChildHello(hello) ? childName(hello) : String(hello.pid), systemProcessId: hello.pid, isLocalProcess: true, startMethod: 'attach' };
  }
}

class ChildProgram implements LaunchedProgram {
  readonly transport: PipeTransport;
  private readonly ending = new ProgramEnding();
  private pid?: number;
  private forget: () => void = () => undefined;

  constructor(
    private readonly socket: Socket,
    socketPath: string,
  ) {
    this.transport = new PipeTransport(socket, socket);
    this.transport.onMessage((m) => {
      if (this.pid === undefined && 'event' in m && m.event === 'hello') {
        this.pid = m.body.pid;
        this.forget = untilEnded(() => this.signal('SIGKILL'));
      }
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (this.pid === undefined) this.finish({ exitCode: null, failure: `cannot reach the parent session at ${socketPath}: ${e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? 'it has ended' : e.message}` });
    });
    socket.once('close', () => this.finish({ exitCode: null }));
  }

  onOutput(): void {
    // the child writes to its parent's stdout and stderr
  }

  onExit(listener: (end: ProgramEnd) => void): void {
    this.ending.listen(listener);
  }

  terminate(): Promise<void> {
    if (this.ending.value) return Promise.resolve();
    return new Promise<void>((res) => {
      this.onExit(() => res());
      if (this.pid === undefined) {
        this.socket.destroy();
        return;
      }
      this.signal('SIGTERM');
      const t = setTimeout(() => this.signal('SIGKILL'), TERMINATE_GRACE_MS);
      t.unref();
      this.onExit(() => clearTimeout(t));
    });
  }

  kill(): void {
    this.signal('SIGKILL');
    this.transport.close();
  }

  release(): void {
    this.transport.close();
    this.forget();
  }

  private signal(sig: NodeJS.Signals): void {
    // only while its agent is connected: the pid is still this child's
    if (this.pid === undefined || this.ending.value) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // gone
    }
  }

  private finish(end: ProgramEnd): void {
    if (!this.ending.record(end)) return;
    this.forget();
    this.transport.close();
    this.ending.tell();
  }
}
