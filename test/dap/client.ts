// A small real DAP client for the tests: spawns `pyscope dap`, frames messages, matches
// responses to requests, and records events so scenarios can wait for them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { REPO_ROOT } from '../support/pythons.js';

export const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

type Waiter = { event: string; match: (e: DebugProtocol.Event) => boolean; resolve: (e: DebugProtocol.Event) => void; reject: (e: Error) => void };

export class DapClient {
  readonly proc: ChildProcess;
  readonly events: DebugProtocol.Event[] = [];
  private seq = 1;
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, { resolve: (r: DebugProtocol.Response) => void; reject: (e: Error) => void }>();
  private exitError?: Error;
  private waiters: Waiter[] = [];
  private consumed = new Set<DebugProtocol.Event>();
  readonly unanswered: DebugProtocol.Response[] = [];

  /** Every client not yet closed, so a failed test cannot leave an adapter running. */
  static readonly open = new Set<DapClient>();

  /** `pyscope dap` by default; any other adapter command (the benchmark runs debugpy's). */
  constructor(extraArgs: string[] = [], command: [string, string[]] = [process.execPath, [CLI, 'dap']]) {
    DapClient.open.add(this);
    this.proc = spawn(command[0], [...command[1], ...extraArgs], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.proc.stdout!.on('data', (c: Buffer) => this.receive(c));
    // an adapter that dies fails whatever waits on it, instead of leaving the test hanging
    this.proc.on('exit', (code, signal) => {
      this.exitError = new Error(`the adapter exited (code ${code}, signal ${signal})`);
      for (const p of this.pending.values()) p.reject(this.exitError);
      this.pending.clear();
      for (const w of this.waiters) w.reject(this.exitError);
      this.waiters = [];
    });
  }

  /** Sends raw bytes, for the malformed-input scenarios. */
  writeRaw(data: string): void {
    this.proc.stdin!.write(data);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /Content-Length: (\d+)/.exec(this.buffer.subarray(0, end).toString());
      const len = Number(m?.[1] ?? 0);
      if (this.buffer.length < end + 4 + len) return;
      const msg = JSON.parse(this.buffer.subarray(end + 4, end + 4 + len).toString()) as DebugProtocol.ProtocolMessage;
      this.buffer = this.buffer.subarray(end + 4 + len);
      if (msg.type === 'response') {
        const r = msg as DebugProtocol.Response;
        const p = this.pending.get(r.request_seq);
        if (p) {
          this.pending.delete(r.request_seq);
          p.resolve(r);
        } else this.unanswered.push(r);
      } else if (msg.type === 'event') {
        const e = msg as DebugProtocol.Event;
        this.events.push(e);
        this.waiters = this.waiters.filter((w) => {
          if ((this.consumed.has(e) && e.event !== 'terminated') || !w.match(e)) return true;
          if (e.event !== 'terminated' || w.event === 'terminated') this.consumed.add(e);
          w.resolve(e);
          return false;
        });
      }
    }
  }

  /** Sends a request; resolves with the response whatever its success. */
  raw(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    if (this.exitError) return Promise.reject(this.exitError);
    this.proc.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return new Promise((resolve, reject) => this.pending.set(seq, { resolve, reject }));
  }

  /** Sends a request that must succeed; returns its body. */
  async request<T = Record<string, unknown>>(command: string, args?: unknown): Promise<T> {
    const r = await this.raw(command, args);
    if (!r.success) throw new Error(`${command} failed: ${r.message}`);
    return r.body as T;
  }

  /** The next not-yet-consumed event of that name (and matching the predicate). */
  waitFor<T extends DebugProtocol.Event = DebugProtocol.Event>(event: string, pred: (e: T) => boolean = () => true): Promise<T> {
    const match = (e: DebugProtocol.Event) => (e.event === event && pred(e as T)) || e.event === 'terminated';
    const seen = this.events.find((e) => !this.consumed.has(e) && match(e));
    const check = (e: DebugProtocol.Event): T => {
      // a session that ends while we wait for something else fails the wait instead of hanging it
      if (e.event === 'terminated' && event !== 'terminated') throw new Error(`session terminated while waiting for "${event}"; output:\n${this.output()}`);
      return e as T;
    };
    if (seen) {
      if (seen.event !== 'terminated' || event === 'terminated') this.consumed.add(seen);
      return Promise.resolve(seen).then(check);
    }
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise<DebugProtocol.Event>((resolve, reject) => this.waiters.push({ event, match, resolve, reject })).then(check);
  }

  /** The next stop, or undefined when the session ends first. */
  async nextStop(): Promise<DebugProtocol.StoppedEvent | undefined> {
    try {
      return await this.waitFor<DebugProtocol.StoppedEvent>('stopped');
    } catch (e) {
      if (this.events.some((x) => x.event === 'terminated')) return undefined;
      throw e;
    }
  }

  output(category?: string): string {
    return this.events
      .filter((e) => e.event === 'output' && (!category || e.body.category === category))
      .map((e) => String(e.body.output))
      .join('');
  }

  async close(): Promise<void> {
    DapClient.open.delete(this);
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const done = new Promise((res) => this.proc.once('exit', res));
    await this.raw('disconnect', { terminateDebuggee: true }).catch(() => undefined);
    this.proc.stdin!.end();
    await done;
  }
}

/** initialize + launch + optional configuration + configurationDone, the way editors do it. */
export async function startSession(
  python: string,
  launch: Record<string, unknown>,
  configure: (c: DapClient) => Promise<void> = async () => {},
): Promise<DapClient> {
  const c = new DapClient();
  await c.request('initialize', { adapterID: 'pyscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const launched = c.raw('launch', { python, ...launch });
  await c.waitFor('initialized');
  const r = await launched;
  if (!r.success) throw new Error(`launch failed: ${r.message}`);
  await configure(c);
  await c.request('configurationDone');
  return c;
}

/** For afterEach: closes whatever a failed test left open. */
export async function closeAll(): Promise<void> {
  for (const c of [...DapClient.open]) {
    DapClient.open.delete(c);
    c.proc.kill('SIGKILL');
  }
}
