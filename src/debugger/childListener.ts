// Where the agents of followed child processes connect (docs/DEBUGGER.md, "Child processes"): a
// unix socket in a folder of its own (0700; the socket 0600; a random token in its name), never a
// TCP port, since whoever reaches an agent runs code as the user. A connection opens with one
// line: a child agent's hello, or a session's claim of a child ({"claim": id}). A claimed child's
// hello is replayed to the claimant and from then on the two connections are joined byte for byte,
// so the child's session may run in this adapter or in another one (an editor that starts one
// adapter process per session). A child nobody claims in time is released: it runs on untraced.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentMessage } from '../agent/protocol.js';
import { isChildHello, type ChildHello } from './childProcess.js';
import { untilEnded } from './liveChildren.js';

/** A child's first line, or a claim, longer than this is no such thing. */
const MAX_FIRST_LINE = 1 << 20;
/** How long a child waits, held, for a session to claim it. */
export const CLAIM_MS = 60_000;
/** sun_path holds 108 bytes; a long TMPDIR falls back to /tmp. */
const MAX_SOCKET_PATH = 100;

/** A child that said hello and waits for its session. */
export interface PendingChild {
  readonly id: number;
  readonly hello: ChildHello;
  /** Lets it run on untraced (no session will come). */
  release(): void;
}

interface Waiting {
  hello: ChildHello;
  socket: Socket;
  /** The hello line and whatever came after it. */
  replay: Buffer;
  timer: ReturnType<typeof setTimeout>;
}

/** Reads a connection's first line; the rest of what was read stays with it. */
function firstLine(socket: Socket, then: (line: string | undefined, rest: Buffer) => void): void {
  let buf = Buffer.alloc(0);
  const done = (line: string | undefined, rest: Buffer): void => {
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.pause();
    then(line, rest);
  };
  const onData = (chunk: Buffer): void => {
    buf = Buffer.concat([buf, chunk]);
    const nl = buf.indexOf(10);
    if (nl >= 0) done(buf.subarray(0, nl).toString('utf8'), buf.subarray(nl + 1));
    else if (buf.length > MAX_FIRST_LINE) done(undefined, Buffer.alloc(0));
  };
  const onEnd = (): void => done(undefined, Buffer.alloc(0));
  socket.on('data', onData);
  socket.on('end', onEnd);
}

function parse(line: string | undefined): unknown {
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

export class ChildListener {
  readonly path: string;
  private readonly dir: string;
  private readonly server: Server;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  /** Pids of children that were claimed and still run, ended with the session. */
  private readonly claimed = new Map<number, Socket>();
  private closed = false;
  private readonly forget: () => void;

  constructor(private readonly onChild: (child: PendingChild) => void) {
    const token = randomBytes(16).toString('hex');
    let base = tmpdir();
    if (join(base, 'pyscope-XXXXXX', `children-${token}.sock`).length > MAX_SOCKET_PATH) base = '/tmp';
    this.dir = mkdtempSync(join(base, 'pyscope-'));
    chmodSync(this.dir, 0o700);
    this.path = join(this.dir, `children-${token}.sock`);
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', () => this.close(false));
    // binding a path happens in listen() itself: the socket exists when it returns
    this.server.listen(this.path);
    chmodSync(this.path, 0o600);
    this.forget = untilEnded(() => this.close(true));
  }

  /**
   * Stops following: no new child connects. `kill` ends every child it knows (the parent's
   * session ended); otherwise the waiting ones are released and claimed ones left to their sessions.
   */
  close(kill: boolean): void {
    if (!this.closed) {
      this.closed = true;
      this.forget();
      this.server.close();
      rmSync(this.dir, { recursive: true, force: true });
    }
    for (const [id, w] of [...this.waiting]) {
      if (kill) this.killPid(w.hello.pid);
      this.releaseWaiting(id);
    }
    if (kill) {
      for (const [pid, socket] of [...this.claimed]) {
        this.killPid(pid);
        socket.destroy();
      }
      this.claimed.clear();
    }
  }

  private killPid(pid: number): void {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  private accept(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    firstLine(socket, (line, rest) => {
      const m = parse(line);
      if (typeof m !== 'object' || m === null || this.closed) {
        socket.destroy();
        return;
      }
      const msg = m as Record<string, unknown>;
      if (typeof msg.claim === 'number') this.claim(socket, msg.claim, rest);
      else if ((m as AgentMessage & { event?: string }).event === 'hello' && isChildHello((msg as { body: ChildHello }).body)) {
        this.waitFor(socket, (msg as { body: ChildHello }).body, Buffer.concat([Buffer.from(`${line ?? ''}\n`), rest]));
      } else socket.destroy();
    });
  }

  private waitFor(socket: Socket, hello: ChildHello, replay: Buffer): void {
    const id = this.nextId++;
    const timer = setTimeout(() => this.releaseWaiting(id), CLAIM_MS);
    timer.unref();
    this.waiting.set(id, { hello, socket, replay, timer });
    // a child that ends while it waits is forgotten
    socket.once('close', () => {
      const w = this.waiting.get(id);
      if (w?.socket === socket) {
        clearTimeout(w.timer);
        this.waiting.delete(id);
      }
    });
    this.onChild({ id, hello, release: () => this.releaseWaiting(id) });
  }

  private releaseWaiting(id: number): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    // the agent detaches, then sees the end of its channel and lets the program run
    w.socket.end(`${JSON.stringify({ id: 1, cmd: 'detach', args: {} })}\n`);
    w.socket.resume();
  }

  private claim(claimant: Socket, id: number, rest: Buffer): void {
    const w = this.waiting.get(id);
    if (!w) {
      const message = `child process session ${id} cannot start: its process ended, or it was released or claimed already`;
      // the error response says it: said on stderr too, it would be said twice
      claimant.end(`${JSON.stringify({ event: 'launchError', body: { message } })}\n`);
      return;
    }
    this.waiting.delete(id);
    clearTimeout(w.timer);
    const child = w.socket;
    const pid = w.hello.pid;
    this.claimed.set(pid, child);
    claimant.write(w.replay);
    if (rest.length) child.write(rest);
    const end = (): void => {
      this.claimed.delete(pid);
      child.destroy();
      claimant.destroy();
    };
    child.once('close', end);
    claimant.once('close', end);
    claimant.on('error', end);
    child.pipe(claimant);
    claimant.pipe(child);
  }
}
