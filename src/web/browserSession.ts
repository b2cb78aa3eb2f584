// A DAP session for a program in Pyodide in a Web Worker, run on the page's main thread. DAP goes
// in and out as plain objects (no wire framing), so a web IDE or a teaching site can put its own
// UI on it. Browser-safe: no node: imports. The requests are answered by the same SessionBase as
// the Node adapter's; this adds what a page does differently: one worker per run, handed in by
// the page, and a program whose file may come with the launch.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { AgentClient, AgentError } from '../debugger/agentClient.js';
import { SessionBase, UserError, type CommonLaunchArguments } from '../debugger/sessionBase.js';
import { MailboxTransport } from '../pyodide/agentTransport.js';
import type { DebuggeeMessage, StartMessage } from '../pyodide/debuggee.js';
import { createMailbox } from '../pyodide/mailbox.js';
import { routeDebuggeeMessage } from '../pyodide/messageRouter.js';

/** A Web Worker as the session uses it. */
export interface WorkerHandle {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  terminate(): void;
}

export interface BrowserLaunchArguments extends CommonLaunchArguments {
  /** Path of the program in Pyodide's filesystem, e.g. /home/pyodide/main.py. */
  program: string;
  /** Its text, written to `program` before it runs. */
  source?: string;
  args?: string[];
  stopOnEntry?: boolean;
  justMyCode?: boolean;
  /** Seconds a repr or an evaluation may run before it is stopped and shown as an error (default 1). */
  reprTimeout?: number;
}

export interface BrowserSessionOptions {
  /** Starts a worker that loaded Pyodide and called serveDebuggee (one per launch or restart). */
  createWorker: () => WorkerHandle;
  /** The agent's package (AGENT_PACKAGE_FILES of src/agent/agentFiles.ts, path -> source) and src/pyodide/bootstrap.py. */
  agentSources: Record<string, string>;
  bootstrapSource: string;
}

/** Why SharedArrayBuffer is missing, or undefined when the page can run the debugger. */
export function isolationProblem(scope: { crossOriginIsolated?: boolean } = globalThis as { crossOriginIsolated?: boolean }): string | undefined {
  if (typeof SharedArrayBuffer !== 'undefined' && scope.crossOriginIsolated !== false) return undefined;
  return (
    'this page is not cross-origin isolated, so SharedArrayBuffer (which a stopped program waits on) is unavailable: ' +
    'serve it with the headers "Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp", over https or from localhost'
  );
}

export class PyodideDapSession extends SessionBase<BrowserLaunchArguments> {
  private readonly listeners: ((m: DebugProtocol.ProtocolMessage) => void)[] = [];
  private worker?: WorkerHandle;
  private transport?: MailboxTransport;
  private ended = false;

  constructor(private readonly options: BrowserSessionOptions) {
    super();
  }

  /** DAP responses and events. */
  onMessage(listener: (m: DebugProtocol.ProtocolMessage) => void): void {
    this.listeners.push(listener);
  }

  /** A DAP request; its response comes through onMessage. */
  handle(req: DebugProtocol.Request): Promise<void> {
    return this.dispatch(req);
  }

  protected override post(message: DebugProtocol.ProtocolMessage): void {
    for (const l of this.listeners) l(message);
  }

  protected override admit(args: BrowserLaunchArguments): void {
    const problem = isolationProblem();
    if (problem) throw new UserError(problem);
    if (!args.program) throw new UserError('launch needs "program"');
  }

  protected override async start(args: BrowserLaunchArguments): Promise<void> {
    this.justMyCode = args.justMyCode ?? true;
    this.ended = false;
    this.configured = false;
    this.launchError = undefined;
    const buffers = createMailbox();
    const transport = (this.transport = new MailboxTransport(buffers));
    const worker = (this.worker = this.options.createWorker());
    let stderrTail = '';
    const start: StartMessage = {
      kind: 'start',
      buffers,
      options: {
        program: args.program,
        args: args.args ?? [],
        stopOnEntry: args.stopOnEntry ?? false,
        ...(args.source !== undefined ? { files: { [args.program]: args.source } } : {}),
        agentSources: this.options.agentSources,
        bootstrapSource: this.options.bootstrapSource,
      },
    };
    worker.addEventListener('message', (event) => {
      // a worker ended by a restart or a terminate may have posted before it stopped: that run is over
      if (worker !== this.worker) return;
      routeDebuggeeMessage(event.data as DebuggeeMessage, transport, {
        ready: () => worker.postMessage(start),
        output: (category, text) => {
          if (category === 'stderr') stderrTail = (stderrTail + text).slice(-2000);
          this.event('output', { category, output: text });
        },
        exit: (code) => this.finish(code),
      });
    });
    const agent = (this.agent = new AgentClient(transport, (e) => this.onAgentEvent(e)));
    const hello = await this.helloFrom(transport);
    if (!hello) throw new UserError(this.launchError ?? (stderrTail.trim().split('\n').slice(-1)[0] || 'the program ended before the debugger agent started'));
    // Pyodide's paths are POSIX whatever the host
    const roots = hello.libraryPaths.map((p) => (p.endsWith('/') ? p : `${p}/`));
    await this.configureAgent(agent, roots, args.reprTimeout ?? 1);
    this.event('process', { name: args.program, isLocalProcess: false, startMethod: 'launch' });
  }

  /** The worker may be blocked in Atomics.wait: only terminating it stops the program. */
  private stopWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.agent = undefined;
    this.transport?.close();
    this.transport = undefined;
    worker?.terminate();
  }

  private finish(code: number | null): void {
    this.stopWorker();
    if (this.ended) return;
    this.ended = true;
    if (code !== null) this.event('exited', { exitCode: code });
    this.event('terminated');
  }

  protected override async endForRestart(): Promise<void> {
    this.stopWorker();
  }

  async on_terminate(): Promise<void> {
    this.finish(null);
  }

  async on_disconnect(): Promise<void> {
    this.finish(null);
  }
}

export { AgentError };
