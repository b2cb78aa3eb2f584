// Drives a PyodideDapSession as a page does, with node:worker_threads Workers standing in for Web
// Workers (test/support/pyodideDebugWorker.ts), so the browser session is tested under node:test
// with the real Pyodide. Requests and events are plain objects, as on a page.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { AGENT_PACKAGE_FILES } from '../../src/agent/agentFiles.js';
import { PyodideDapSession, type WorkerHandle } from '../../src/web/browserSession.js';
import { REPO_ROOT } from '../support/pythons.js';

type Waiter = { match: (e: DebugProtocol.Event) => boolean; resolve: (e: DebugProtocol.Event) => void };

export class BrowserClient {
  readonly events: DebugProtocol.Event[] = [];
  /** Every worker the session asked for, one per launch or restart. */
  readonly workers: Worker[] = [];
  private readonly session: PyodideDapSession;
  private readonly pending = new Map<number, (r: DebugProtocol.Response) => void>();
  private readonly consumed = new Set<DebugProtocol.Event>();
  private waiters: Waiter[] = [];
  private seq = 1;

  /** Every client not yet closed, so a failed test cannot leave a worker running. */
  static readonly open = new Set<BrowserClient>();

  constructor() {
    BrowserClient.open.add(this);
    this.session = new PyodideDapSession({
      createWorker: () => this.worker(),
      agentSources: Object.fromEntries(AGENT_PACKAGE_FILES.map((f) => [f, readFileSync(join(REPO_ROOT, 'src', 'agent', f), 'utf8')])),
      bootstrapSource: readFileSync(join(REPO_ROOT, 'src', 'pyodide', 'bootstrap.py'), 'utf8'),
    });
    this.session.onMessage((m) => this.receive(m));
  }

  private worker(): WorkerHandle {
    const w = new Worker(new URL('../support/pyodideDebugWorker.js', import.meta.url));
    this.workers.push(w);
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
      this.pending.get(r.request_seq)?.(r);
      this.pending.delete(r.request_seq);
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

  /** Sends a request; resolves with the response whatever its success. */
  raw(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    const answered = new Promise<DebugProtocol.Response>((res) => this.pending.set(seq, res));
    void this.session.handle({ seq, type: 'request', command, arguments: args });
    return answered;
  }

  /** Sends a request that must succeed; returns its body. */
  async request<T = Record<string, unknown>>(command: string, args?: unknown): Promise<T> {
    const r = await this.raw(command, args);
    if (!r.success) throw new Error(`${command} failed: ${r.message}`);
    return r.body as T;
  }

  /** The next not-yet-consumed event of that name; a session that ends first fails the wait. */
  async waitFor<T extends DebugProtocol.Event = DebugProtocol.Event>(event: string): Promise<T> {
    const match = (e: DebugProtocol.Event): boolean => e.event === event || e.event === 'terminated';
    const seen = this.events.find((e) => !this.consumed.has(e) && match(e));
    const e =
      seen ??
      (await new Promise<DebugProtocol.Event>((resolve) => {
        this.waiters.push({ match, resolve });
      }));
    if (e.event === 'terminated' && event !== 'terminated') throw new Error(`session terminated while waiting for "${event}"; output:\n${this.output()}`);
    this.consumed.add(e);
    return e as T;
  }

  /** initialize, launch, the breakpoints configure sets, configurationDone: as a page does. */
  async start(launch: Record<string, unknown>, configure: () => Promise<void> = async () => {}): Promise<void> {
    await this.request('initialize', { adapterID: 'pyscope-test', linesStartAt1: true, columnsStartAt1: true });
    await this.request('launch', launch);
    await this.waitFor('initialized');
    await configure();
    await this.request('configurationDone');
  }

  output(category?: string, events: DebugProtocol.Event[] = this.events): string {
    return events
      .filter((e) => e.event === 'output' && (!category || e.body.category === category))
      .map((e) => String(e.body.output))
      .join('');
  }

  async close(): Promise<void> {
    BrowserClient.open.delete(this);
    await this.raw('disconnect', {});
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** For afterEach: ends whatever a failed test left running. */
export async function closeAllBrowserClients(): Promise<void> {
  await Promise.all([...BrowserClient.open].map((c) => c.close()));
}
