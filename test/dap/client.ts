// A small real DAP client for the tests: spawns `pyscope dap`, frames messages, matches
// responses to requests (RequestTracker), and records events so scenarios can wait for them.
// Every wait has a limit of its own (test/support/timeouts.ts) and fails with a diagnosis: the
// step, the events seen so far, and the tails of the adapter's and the debuggee's stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { RequestTracker } from '../../src/common/requests.js';
import { REPO_ROOT } from '../support/pythons.js';
import { Tail } from '../support/tail.js';
import { WAIT } from '../support/timeouts.js';
import { brief, until, withTimeout, WaitTimeout, type WaitOptions } from '../support/wait.js';

export const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export type { WaitOptions } from '../support/wait.js';

type Waiter = { event: string; match: (e: DebugProtocol.Event) => boolean; resolve: (e: DebugProtocol.Event) => void; reject: (e: Error) => void };

/** Requests that start or restart a program: they may wait for Pyodide to load. */
const STARTING = new Set(['launch', 'attach', 'restart', 'configurationDone']);
/** Events that need the program to start or to run to its end. */
const LONG_EVENTS = new Set(['initialized', 'exited', 'terminated', 'process']);

/** How many events a diagnosis lists (the last ones). */
const EVENTS_SHOWN = 30;

/** One line per event for a diagnosis: its name and a short summary of its body. */
export function eventLine(e: DebugProtocol.Event): string {
  const body = e.body as Record<string, unknown> | undefined;
  if (e.event === 'output' && body) return `output ${String(body.category ?? 'console')} ${brief(body.output, 120)}`;
  return body === undefined ? e.event : `${e.event} ${brief(body, 140)}`;
}

/** The events of a list, the last `n` of them, one per line, for a failure message. */
export function eventsSummary(events: DebugProtocol.Event[], n = EVENTS_SHOWN): string {
  if (events.length === 0) return '  (none)';
  const shown = events.slice(-n);
  return `${events.length > n ? `  ... ${events.length - n} earlier\n` : ''}${shown.map((e) => `  ${eventLine(e)}`).join('\n')}`;
}

function asOptions(o: WaitOptions | string | undefined): WaitOptions {
  return typeof o === 'string' ? { step: o } : (o ?? {});
}

export class DapClient {
  readonly proc: ChildProcess;
  readonly events: DebugProtocol.Event[] = [];
  private buffer = Buffer.alloc(0);
  private readonly tracker = new RequestTracker<DebugProtocol.Response>();
  private exitError?: Error;
  private waiters: Waiter[] = [];
  private consumed = new Set<DebugProtocol.Event>();
  readonly unanswered: DebugProtocol.Response[] = [];
  /** Requests of the adapter's to this client (startDebugging), in order; answer them with respond(). */
  readonly reverseRequests: DebugProtocol.Request[] = [];
  /** Checks waiting for a reverse request, run again at each one and at the session's end. */
  private reverseWaiters: ((r: DebugProtocol.Request | undefined) => void)[] = [];
  /** The adapter's own stderr, its last part (it is printed when a test fails). */
  readonly adapterStderr = new Tail();
  /** The last request sent, for the default name of a step ("after continue"). */
  private lastSent = '';
  /** How much adapter stderr the last diagnosis in an error showed (closeAll repeats only what is new). */
  private reportedAt = -1;
  private readonly label: string;

  /** Every client not yet closed, so a failed test cannot leave an adapter running. */
  static readonly open = new Set<DapClient>();
  static {
    // a file that ends without closeAll (no afterEach, a cancelled test) leaves no adapter or debuggee behind
    process.on('exit', () => {
      for (const c of DapClient.open) {
        const pid = debuggeePid(c);
        if (pid !== undefined) process.kill(pid, 'SIGKILL');
        if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
      }
    });
  }
  /** Every client since the last closeAll, closed or not: a failed test prints their diagnosis. */
  static readonly recent = new Set<DapClient>();

  /** `pyscope dap` by default; any other adapter command (the benchmark runs debugpy's). */
  constructor(extraArgs: string[] = [], command: [string, string[]] = [process.execPath, [CLI, 'dap']]) {
    DapClient.open.add(this);
    DapClient.recent.add(this);
    this.label = command[1][0] === CLI ? `pyscope dap${extraArgs.length ? ` ${extraArgs.join(' ')}` : ''}` : [command[0], ...command[1], ...extraArgs].join(' ');
    this.proc = spawn(command[0], [...command[1], ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (c: Buffer) => this.receive(c));
    this.proc.stderr!.on('data', (c: Buffer) => this.adapterStderr.push(c));
    // a write to an adapter that died fails the waits below, not the process with EPIPE
    this.proc.stdin!.on('error', () => undefined);
    // An adapter that dies fails whatever waits on it, instead of leaving the test hanging; its
    // last output is read first (stdout may still hold a response when 'exit' comes).
    let stdoutEnded = false;
    let exited: string | undefined;
    const fail = (): void => {
      if (this.exitError || exited === undefined) return;
      this.exitError = new Error(`the adapter exited (${exited})\n${this.diagnosis()}`);
      this.tracker.close(this.exitError);
      for (const w of this.waiters) w.reject(this.exitError);
      this.waiters = [];
    };
    this.proc.stdout!.on('end', () => {
      stdoutEnded = true;
      fail();
    });
    this.proc.on('exit', (code, signal) => {
      exited = `code ${code}, signal ${signal}`;
      // a debuggee that inherited stdout can keep it open after the adapter died
      if (stdoutEnded) fail();
      else setTimeout(fail, 500).unref();
    });
    this.proc.on('error', (e) => {
      exited = `could not run it: ${e.message}`;
      fail();
    });
  }

  /** Whether a failure message already showed everything this client knows. */
  reportedSoFar(): boolean {
    return this.reportedAt === this.adapterStderr.length + this.events.length;
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
      const text = this.buffer.subarray(end + 4, end + 4 + len).toString();
      this.buffer = this.buffer.subarray(end + 4 + len);
      let msg: DebugProtocol.ProtocolMessage;
      try {
        msg = JSON.parse(text) as DebugProtocol.ProtocolMessage;
      } catch {
        this.adapterStderr.push(`[test client] not JSON from the adapter: ${brief(text, 300)}\n`);
        continue;
      }
      if (msg.type === 'response') {
        const r = msg as DebugProtocol.Response;
        if (!this.tracker.resolve(r.request_seq, r)) this.unanswered.push(r);
      } else if (msg.type === 'request') {
        const r = msg as DebugProtocol.Request;
        this.reverseRequests.push(r);
        for (const w of this.reverseWaiters.splice(0)) w(r);
      } else if (msg.type === 'event') {
        const e = msg as DebugProtocol.Event;
        this.events.push(e);
        if (e.event === 'terminated') for (const w of this.reverseWaiters.splice(0)) w(undefined);
        this.waiters = this.waiters.filter((w) => {
          if ((this.consumed.has(e) && e.event !== 'terminated') || !w.match(e)) return true;
          if (e.event !== 'terminated' || w.event === 'terminated') this.consumed.add(e);
          w.resolve(e);
          return false;
        });
      }
    }
  }

  /**
   * What a failed wait prints: the requests still open, the events seen so far, and the tails of
   * the adapter's stderr and of the debuggee's (its `stderr` output events).
   */
  diagnosis(): string {
    this.reportedAt = this.adapterStderr.length + this.events.length;
    const waiting = this.tracker.waiting();
    const debuggeeErr = new Tail();
    for (const e of this.events) if (e.event === 'output' && e.body?.category === 'stderr') debuggeeErr.push(String(e.body.output));
    return [
      `adapter: ${this.label} (pid ${this.proc.pid ?? '?'}${this.proc.exitCode !== null || this.proc.signalCode !== null ? `, exited ${this.proc.exitCode ?? this.proc.signalCode}` : ''})`,
      `last request sent: ${this.lastSent || '(none)'}`,
      ...(waiting.length ? [`requests without an answer: ${waiting.join(', ')}`] : []),
      `events seen (${this.events.length}${this.events.length > EVENTS_SHOWN ? `, the last ${EVENTS_SHOWN}` : ''}):`,
      eventsSummary(this.events),
      'adapter stderr (tail):',
      this.adapterStderr.show(),
      'debuggee stderr (tail):',
      debuggeeErr.show(),
    ].join('\n');
  }

  /**
   * Sends a request; resolves with the response whatever its success. Fails when no answer
   * comes within the limit (30 s; 120 s for launch, attach, restart, configurationDone).
   */
  raw(command: string, args?: unknown, options?: WaitOptions | string): Promise<DebugProtocol.Response> {
    const o = asOptions(options);
    const ms = o.timeoutMs ?? (STARTING.has(command) ? WAIT.start : WAIT.request);
    const step = o.step ?? `request ${command} ${brief(args ?? {}, 100)}`;
    const { seq, answer } = this.tracker.start(step, {
      timeoutMs: ms,
      onTimeout: (label, after) => new WaitTimeout(label, after, `no response\n${this.diagnosis()}`),
    });
    if (this.exitError) return answer;
    this.lastSent = `${command} ${brief(args ?? {}, 100)}`;
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    this.proc.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return answer;
  }

  /** The next request of the adapter's with that command not yet answered (or already received). */
  waitForReverseRequest(command: string, options?: WaitOptions | string): Promise<DebugProtocol.Request> {
    const o = asOptions(options);
    const step = o.step ?? `waitForReverseRequest("${command}")`;
    const open = (): DebugProtocol.Request | undefined => this.reverseRequests.find((r) => r.command === command && !this.answered.has(r.seq));
    const found = new Promise<DebugProtocol.Request>((resolve, reject) => {
      const check = (): void => {
        const r = open();
        if (r) resolve(r);
        // a session that ended sends no more requests: fail now rather than at the limit
        else if (this.events.some((e) => e.event === 'terminated')) reject(new Error(`${step}: the session terminated first\n${this.diagnosis()}`));
        else this.reverseWaiters.push(check);
      };
      check();
    });
    return withTimeout(found, o.timeoutMs ?? WAIT.event, step, () => `no "${command}" request from the adapter\n${this.diagnosis()}`);
  }

  private readonly answered = new Set<number>();

  /** Answers a request of the adapter's. */
  respond(request: DebugProtocol.Request, success: boolean, message?: string): void {
    this.answered.add(request.seq);
    const body = JSON.stringify({ seq: 0, type: 'response', request_seq: request.seq, command: request.command, success, ...(message ? { message } : {}) });
    this.proc.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  /** Sends a request that must succeed; returns its body. */
  async request<T = Record<string, unknown>>(command: string, args?: unknown, options?: WaitOptions | string): Promise<T> {
    const r = await this.raw(command, args, options);
    if (!r.success) throw new Error(`${command} failed: ${r.message}`);
    return r.body as T;
  }

  /**
   * The next not-yet-consumed event of that name (and matching the predicate). A session that
   * ends first, an adapter that dies, or the limit (60 s for a stop, 120 s for events that wait
   * for the program to start or end) fails the wait with a diagnosis naming `options.step`, by
   * default `waitFor("stopped") after <the last request sent>`.
   */
  waitFor<T extends DebugProtocol.Event = DebugProtocol.Event>(event: string, pred: (e: T) => boolean = () => true, options?: WaitOptions | string): Promise<T> {
    const o = asOptions(options);
    const step = o.step ?? `waitFor("${event}")${this.lastSent ? ` after ${this.lastSent}` : ''}`;
    const ms = o.timeoutMs ?? (LONG_EVENTS.has(event) ? WAIT.event : WAIT.stop);
    const match = (e: DebugProtocol.Event) => (e.event === event && pred(e as T)) || e.event === 'terminated';
    const seen = this.events.find((e) => !this.consumed.has(e) && match(e));
    const check = (e: DebugProtocol.Event): T => {
      // a session that ends while we wait for something else fails the wait instead of hanging it
      if (e.event === 'terminated' && event !== 'terminated') throw new Error(`${step}: the session terminated first\n${this.diagnosis()}`);
      return e as T;
    };
    if (seen) {
      if (seen.event !== 'terminated' || event === 'terminated') this.consumed.add(seen);
      return Promise.resolve(seen).then(check);
    }
    if (this.exitError) return Promise.reject(new Error(`${step}: ${this.exitError.message}`));
    let waiter: Waiter | undefined;
    const found = new Promise<DebugProtocol.Event>((resolve, reject) => {
      waiter = { event, match, resolve, reject };
      this.waiters.push(waiter);
    });
    return withTimeout(found, ms, step, () => {
      // the waiter goes, so an event that comes later is left for the next wait
      this.waiters = this.waiters.filter((w) => w !== waiter);
      return `no "${event}" event\n${this.diagnosis()}`;
    }).then(check);
  }

  /** The next stop, or undefined when the session ends first. */
  async nextStop(options?: WaitOptions | string): Promise<DebugProtocol.StoppedEvent | undefined> {
    try {
      return await this.waitFor<DebugProtocol.StoppedEvent>('stopped', undefined, options);
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

  /** disconnect (terminating the debuggee), end stdin, and wait for the adapter to exit. */
  async close(options?: WaitOptions | string): Promise<void> {
    const o = asOptions(options);
    DapClient.open.delete(this);
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const done = new Promise((res) => this.proc.once('exit', res));
    await this.raw('disconnect', { terminateDebuggee: true }, { timeoutMs: o.timeoutMs ?? WAIT.request }).catch(() => undefined);
    this.proc.stdin!.end();
    const step = o.step ?? 'close: the adapter to exit after disconnect';
    try {
      await withTimeout(done, o.timeoutMs ?? WAIT.exit, step, () => this.diagnosis());
    } catch (e) {
      this.proc.kill('SIGKILL');
      throw e;
    }
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
  await c.waitFor('initialized', undefined, `startSession: waitFor("initialized") after launch ${brief(launch, 100)}`);
  const r = await launched;
  if (!r.success) throw new Error(`launch failed: ${r.message}\n${c.diagnosis()}`);
  await configure(c);
  await c.request('configurationDone');
  return c;
}

/** The debuggee's pid, from the `process` event, while it runs. */
function debuggeePid(c: DapClient): number | undefined {
  const e = c.events.find((x) => x.event === 'process') as DebugProtocol.ProcessEvent | undefined;
  const pid = e?.body.systemProcessId;
  if (pid === undefined || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * For afterEach: when the test failed, prints what each of its adapters said (stderr tail,
 * events) to the test's stderr, unless a failed wait already showed it; then ends whatever the
 * test left open: a disconnect first (so the adapter ends its debuggee), then SIGKILL, and the
 * debuggee too when it outlived its adapter, so that no failed test leaves a program running.
 */
export async function closeAll(t?: { name?: string; passed?: boolean }): Promise<void> {
  if (t?.passed === false) {
    for (const c of DapClient.recent) {
      if (c.reportedSoFar()) continue;
      process.stderr.write(`--- ${t.name ?? 'a test'} failed; DAP session of adapter pid ${c.proc.pid ?? '?'}:\n${c.diagnosis()}\n`);
    }
  }
  DapClient.recent.clear();
  const left = [...DapClient.open];
  await Promise.all(
    left.map(async (c) => {
      await c.close({ timeoutMs: Math.min(WAIT.exit, 5_000) }).catch(() => undefined);
      c.proc.kill('SIGKILL');
    }),
  );
  for (const c of left) {
    // an adapter that ended its debuggee may have exited a moment before the debuggee did
    const pid = await until(() => (debuggeePid(c) === undefined ? true : undefined), { timeoutMs: 2_000 }).then(
      () => undefined,
      () => debuggeePid(c),
    );
    if (pid !== undefined) {
      process.stderr.write(`--- the debuggee ${pid} outlived its adapter ${c.proc.pid ?? '?'}: killed\n`);
      process.kill(pid, 'SIGKILL');
    }
  }
}
