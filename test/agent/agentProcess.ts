// The agent on its own, spoken to in its own protocol (docs/DEBUGGER.md) with no adapter between:
// for what the adapter hides (the `total` of a variables answer, errors for arguments the adapter
// would never send). Every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/pythons.js';

export const AGENT = join(REPO_ROOT, 'dist', 'src', 'agent', 'agent.py');

export interface Reply {
  id: number;
  ok: boolean;
  body?: Record<string, unknown>;
  error?: string;
}

export interface AgentEventMessage {
  event: string;
  body: Record<string, unknown>;
}

export class AgentProcess {
  readonly proc: ChildProcess;
  readonly events: AgentEventMessage[] = [];
  stderr = '';
  private readonly toAgent: Writable;
  private buffer = '';
  private seq = 1;
  private readonly pending = new Map<number, (r: Reply) => void>();
  private readonly eventWaiters: { name: string; resolve: (e: AgentEventMessage) => void }[] = [];

  constructor(python: string, program: string, extra: string[] = []) {
    this.proc = spawn(python, [AGENT, '--fd-in', '3', '--fd-out', '4', '--program', program, ...extra], { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
    this.toAgent = this.proc.stdio[3] as Writable;
    (this.proc.stdio[4] as Readable).on('data', (c: Buffer) => this.receive(c.toString('utf8')));
    this.proc.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString('utf8')));
    this.proc.stdout!.resume();
  }

  private receive(text: string): void {
    this.buffer += text;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      const m = JSON.parse(line) as Reply & AgentEventMessage;
      if (typeof m.event === 'string') {
        // an event handed to a waiter is consumed: a later wait for the same name wants the next one
        const i = this.eventWaiters.findIndex((w) => w.name === m.event);
        if (i >= 0) this.eventWaiters.splice(i, 1)[0]!.resolve(m);
        else this.events.push(m);
      } else this.pending.get(m.id)?.(m);
    }
  }

  private bounded<T>(p: Promise<T>, what: string, ms: number): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms; agent stderr: ${this.stderr.slice(-2000)}`)), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /** Sends a request with any command and arguments (for malformed requests). */
  send(cmd: unknown, args?: unknown, ms = 30_000): Promise<Reply> {
    const id = this.seq++;
    return this.sendLine(id, JSON.stringify({ id, cmd, args }), `${String(cmd)} ${JSON.stringify(args)}`, ms);
  }

  /** Sends one line as it is, expecting an answer to id (for lines that are not valid requests). */
  sendLine(id: number, line: string, what = line.slice(0, 80), ms = 30_000): Promise<Reply> {
    const answer = new Promise<Reply>((resolve) => this.pending.set(id, resolve));
    this.toAgent.write(`${line}\n`);
    return this.bounded(answer, what, ms);
  }

  async ok(cmd: string, args?: unknown, ms?: number): Promise<Record<string, unknown>> {
    const r = await this.send(cmd, args, ms);
    if (!r.ok) throw new Error(`${cmd} failed: ${r.error}`);
    return r.body ?? {};
  }

  waitEvent(name: string, ms = 60_000): Promise<AgentEventMessage> {
    const seen = this.events.find((e) => e.event === name);
    if (seen) {
      this.events.splice(this.events.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return this.bounded(new Promise<AgentEventMessage>((resolve) => this.eventWaiters.push({ name, resolve })), `event ${name}`, ms);
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}
