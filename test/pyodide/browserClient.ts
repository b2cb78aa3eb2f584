// Drives a PyodideDapSession as a page does, with node:worker_threads Workers standing in for Web
// Workers (test/support/pyodideDebugWorker.ts), so the browser session is tested under node:test
// with the real Pyodide. Requests and events are plain objects, as on a page. Every wait has its
// own limit and fails naming the step, the events seen and the workers' output (as DapClient).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { AGENT_PACKAGE_FILES } from '../../src/agent/agentFiles.js';
import { RequestTracker } from '../../src/common/requests.js';
import { PyodideDapSession, type WorkerHandle } from '../../src/web/browserSession.js';
import { eventsSummary } from '../dap/client.js';
import { REPO_ROOT } from '../support/pythons.js';
import { Tail } from '../support/tail.js';
import { WAIT } from '../support/timeouts.js';
import { brief, withTimeout, WaitTimeout, type WaitOptions } from '../support/wait.js';

type Waiter = { match: (e: DebugProtocol.Event) => boolean; resolve: (e: DebugProtocol.Event) => void };

const STARTING = new Set(['launch', 'restart', 'configurationDone']);
const LONG_EVENTS = new Set(['initialized', 'exited', 'terminated']);

function asOptions(o: WaitOptions | string | undefined): WaitOptions {
  return typeof o === 'string' ? { step: o } : (o ?? {});
}

export class BrowserClient {
  readonly events: DebugProtocol.Event[] = [];
  /** Every worker the session asked for, one per launch or restart. */
  readonly workers: Worker[] = [];
  /** What the workers printed themselves (not the program's output, which comes as events) and how they ended. */
  readonly workerOutput = new Tail();
  private readonly session: PyodideDapSession;
  private readonly tracker = new RequestTracker<DebugProtocol.Response>();
  private readonly consumed = new Set<DebugProtocol.Event>();
  private waiters: Waiter[] = [];
  private lastSent = '';
  /** What the last diagnosis in an error showed (closeAllBrowserClients repeats only what is new). */
  private reportedAt = -1;

  /** Every client not yet closed, so a failed test cannot leave a worker running. */
  static readonly open = new Set<BrowserClient>();
  /** Every client since the last closeAllBrowserClients: a failed test prints their diagnosis. */
  static readonly recent = new Set<BrowserClient>();

  constructor() {
    BrowserClient.open.add(this);
    BrowserClient.recent.add(this);
    this.session = new PyodideDapSession({
      createWorker: () => this.worker(),
      agentSources: Object.fromEntries(AGENT_PACKAGE_FILES.map((f) => [f, readFileSync(join(REPO_ROOT, 'src', 'agent', f), 'utf8')])),
      bootstrapSource: readFileSync(join(REPO_ROOT, 'src', 'pyodide', 'bootstrap.py'), 'utf8'),
    });
    this.session.onMessage((m) => this.receive(m));
  }

  private worker(): WorkerHandle {
    const w = new Worker(new URL('../support/pyodideDebugWorker.js', import.meta.url), { stdout: true, stderr: true });
    const n = this.workers.push(w);
    w.stdout.on('data', (c: Buffer) => this.workerOutput.push(c));
    w.stderr.on('data', (c: Buffer) => this.workerOutput.push(c));
    w.on('error', (e) => this.workerOutput.push(`[worker ${n} failed: ${e.stack ?? e.message}]\n`));
    w.on('exit', (code) => this.workerOutput.push(`[worker ${n} exited with code ${code}]\n`));
    return {
      postMessage: (m) => w.postMessage(m),
      addEventListener: (_type, listener) => {
        w.on('message', (data: unknown) => listener({ data }));
      },
      terminate: () => void w.terminate(),
    };
  }

  private receive(m: DebugProtocol.ProtocolMessage): void {
    if (m.type === 'response') {
      const r = m as DebugProtocol.Response;
      this.tracker.resolve(r.request_seq, r);
      return;
    }
    const e = m as DebugProtocol.Event;
    this.events.push(e);
    this.waiters = this.waiters.filter((w) => {
      if (this.consumed.has(e) || !w.match(e)) return true;
      if (e.event !== 'terminated') this.consumed.add(e);
      w.resolve(e);
      return false;
    });
  }

  /** The state of the session for a failed wait: open requests, events, the workers' output. */
  diagnosis(): string {
    this.reportedAt = this.workerOutput.length + this.events.length;
    const waiting = this.tracker.waiting();
    const programErr = new Tail();
    for (const e of this.events) if (e.event === 'output' && e.body?.category === 'stderr') programErr.push(String(e.body.output));
    return [
      `session: PyodideDapSession in worker_threads (${this.workers.length} worker${this.workers.length === 1 ? '' : 's'})`,
      `last request sent: ${this.lastSent || '(none)'}`,
      ...(waiting.length ? [`requests without an answer: ${waiting.join(', ')}`] : []),
      `events seen (${this.events.length}):`,
      eventsSummary(this.events),
      'worker output (tail):',
      this.workerOutput.show(),
      'program stderr (tail):',
      programErr.show(),
    ].join('\n');
  }

  /** Whether a failure message already showed everything this client knows. */
  reportedSoFar(): boolean {
    return this.reportedAt === this.workerOutput.length + this.events.length;
  }

  /** Sends a request; resolves with the response whatever its success, within its limit. */
  raw(command: string, args?: unknown, options?: WaitOptions | string): Promise<DebugProtocol.Response> {
    const o = asOptions(options);
    const { seq, answer } = this.tracker.start(o.step ?? `request ${command} ${brief(args ?? {}, 100)}`, {
      timeoutMs: o.timeoutMs ?? (STARTING.has(command) ? WAIT.start : WAIT.request),
      onTimeout: (label, ms) => new WaitTimeout(label, ms, `no response\n${this.diagnosis()}`),
    });
    this.lastSent = `${command} ${brief(args ?? {}, 100)}`;
    this.session.handle({ seq, type: 'request', command, arguments: args }).catch((e: unknown) => {
      this.tracker.reject(seq, new Error(`${command}: the session threw ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n${this.diagnosis()}`));
    });
    return answer;
  }

  /** Sends a request that must succeed; returns its body. */
  async request<T = Record<string, unknown>>(command: string, args?: unknown, options?: WaitOptions | string): Promise<T> {
    const r = await this.raw(command, args, options);
    if (!r.success) throw new Error(`${command} failed: ${r.message}`);
    return r.body as T;
  }

  /** The next not-yet-consumed event of that name; a session that ends first, or the limit, fails the wait. */
  async waitFor<T extends DebugProtocol.Event = DebugProtocol.Event>(event: string, options?: WaitOptions | string): Promise<T> {
    const o = asOptions(options);
    const step = o.step ?? `waitFor("${event}")${this.lastSent ? ` after ${this.lastSent}` : ''}`;
    const match = (e: DebugProtocol.Event): boolean => e.event === event || e.event === 'terminated';
    const seen = this.events.find((e) => !this.consumed.has(e) && match(e));
    let waiter: Waiter | undefined;
    const e =
      seen ??
      (await withTimeout(
        new Promise<DebugProtocol.Event>((resolve) => {
          waiter = { match, resolve };
          this.waiters.push(waiter);
        }),
        o.timeoutMs ?? (LONG_EVENTS.has(event) ? WAIT.event : WAIT.stop),
        step,
        () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          return `no "${event}" event\n${this.diagnosis()}`;
        },
      ));
    if (e.event === 'terminated' && event !== 'terminated') throw new Error(`${step}: the session terminated first\n${this.diagnosis()}`);
    this.consumed.add(e);
    return e as T;
  }

  /** initialize, launch, the breakpoints configure sets, configurationDone: as a page does. */
  async start(launch: Record<string, unknown>, configure: () => Promise<void> = async () => {}): Promise<void> {
    await this.request('initialize', { adapterID: 'pyscope-test', linesStartAt1: true, columnsStartAt1: true });
    await this.request('launch', launch);
    await this.waitFor('initialized', `start: waitFor("initialized") after launch ${brief(launch, 100)}`);
    await configure();
    await this.request('configurationDone');
  }

  output(category?: string, events: DebugProtocol.Event[] = this.events): string {
    return events
      .filter((e) => e.event === 'output' && (!category || e.body.category === category))
      .map((e) => String(e.body.output))
      .join('');
  }

  /** disconnect, then end every worker; bounded, and the workers end even when disconnect does not answer. */
  async close(): Promise<void> {
    BrowserClient.open.delete(this);
    try {
      await this.raw('disconnect', {}, { step: 'close: disconnect' });
    } finally {
      await Promise.all(this.workers.map((w) => w.terminate()));
    }
  }
}

/** For afterEach: ends whatever a failed test left running, printing its sessions' diagnosis. */
export async function closeAllBrowserClients(t?: { name?: string; passed?: boolean }): Promise<void> {
  if (t?.passed === false) {
    for (const c of BrowserClient.recent) if (!c.reportedSoFar()) process.stderr.write(`--- ${t.name ?? 'a test'} failed; Pyodide session:\n${c.diagnosis()}\n`);
  }
  BrowserClient.recent.clear();
  await Promise.all([...BrowserClient.open].map((c) => c.close().catch(() => undefined)));
}
