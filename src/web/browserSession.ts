// A DAP session for a program in Pyodide in a Web Worker, run on the page's main thread. DAP goes
// in and out as plain objects (no wire framing), so a web IDE or a teaching site can put its own
// UI on it. Browser-safe: no node: imports. The requests are answered by the same SessionBase as
// the Node adapter's; this adds what a page does differently: its launcher (one worker per run,
// handed in by the page) and a program whose file may come with the launch.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Hello } from '../agent/protocol.js';
import { array, boolean, number, object, optional, string, type Check } from '../common/shape.js';
import { AgentError } from '../debugger/agentClient.js';
import { ProgramEnding, type LaunchedProgram, type ProgramEnd, type ProgramLauncher } from '../debugger/launcher.js';
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

const launchArguments: Check<BrowserLaunchArguments> = object({
  program: string(),
  source: optional(string(1 << 24)),
  args: optional(array(string())),
  stopOnEntry: optional(boolean),
  justMyCode: optional(boolean),
  reprTimeout: optional(number(0)),
  showAsyncTasks: optional(boolean),
});

/** One run in a fresh Web Worker from the page. */
class WebWorkerLauncher implements ProgramLauncher {
  readonly neverStarted = 'the program ended before the debugger agent started';

  constructor(
    private readonly options: BrowserSessionOptions,
    private readonly args: BrowserLaunchArguments,
    private readonly launched: (program: WebWorkerProgram) => void,
  ) {}

  launch(): LaunchedProgram {
    const args = this.args;
    const buffers = createMailbox();
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
    const program = new WebWorkerProgram(this.options.createWorker(), new MailboxTransport(buffers), start);
    this.launched(program);
    return program;
  }

  libraryRoots(hello: Hello): string[] {
    // Pyodide's paths are POSIX whatever the host
    return hello.libraryPaths.map((p) => (p.endsWith('/') ? p : `${p}/`));
  }

  processEvent(): DebugProtocol.ProcessEvent['body'] {
    return { name: this.args.program, isLocalProcess: false, startMethod: 'launch' };
  }
}

class WebWorkerProgram implements LaunchedProgram {
  private readonly outputListeners: ((category: 'stdout' | 'stderr', text: string) => void)[] = [];
  readonly notebookListeners: ((text: string) => void)[] = [];
  private readonly ending = new ProgramEnding();

  constructor(
    private readonly worker: WorkerHandle,
    readonly transport: MailboxTransport,
    start: StartMessage,
  ) {
    worker.addEventListener('message', (event) => {
      // a worker ended by a restart or a terminate may have posted before it stopped: that run is over
      if (this.ending.value) return;
      routeDebuggeeMessage(event.data as DebuggeeMessage, transport, {
        ready: () => worker.postMessage(start),
        output: (category, text) => {
          for (const l of this.outputListeners) l(category, text);
        },
        exit: (code) => this.finish(code),
        notebook: (text) => {
          for (const l of this.notebookListeners) l(text);
        },
      });
    });
  }

  onOutput(listener: (category: 'stdout' | 'stderr', text: string) => void): void {
    this.outputListeners.push(listener);
  }

  onExit(listener: (end: ProgramEnd) => void): void {
    this.ending.listen(listener);
  }

  /** The worker may be blocked in Atomics.wait: only terminating it stops the program. */
  async terminate(): Promise<void> {
    this.finish(null);
  }

  kill(): void {
    this.finish(null);
  }

  private finish(exitCode: number | null): void {
    if (!this.ending.record({ exitCode })) return;
    this.transport.close();
    this.worker.terminate();
    this.ending.tell();
  }
}

export class PyodideDapSession extends SessionBase<BrowserLaunchArguments> {
  private readonly listeners: ((m: DebugProtocol.ProtocolMessage) => void)[] = [];
  private readonly notebookListeners: ((text: string) => void)[] = [];
  /** The run in progress (a restart starts another), for a notebook kernel's messages. */
  private program: WebWorkerProgram | null = null;

  constructor(private readonly options: BrowserSessionOptions) {
    super();
  }

  /**
   * A message to the notebook kernel program (pyodide/notebook_kernel.py) of the current run;
   * false when no run is under way. It shares the agent's mailbox, so it is read in order with
   * the DAP requests sent around it.
   */
  sendNotebook(message: unknown): boolean {
    if (!this.program) return false;
    this.program.transport.sendNotebook(message);
    return true;
  }

  /** The notebook kernel's answers (JSON text), from whichever run is current. */
  onNotebook(listener: (text: string) => void): void {
    this.notebookListeners.push(listener);
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

  protected override launchArguments(): Check<BrowserLaunchArguments> {
    return launchArguments;
  }

  protected override admit(): void {
    const problem = isolationProblem();
    if (problem) throw new UserError(problem);
  }

  protected override launcher(args: BrowserLaunchArguments, how: 'launch' | 'attach'): ProgramLauncher {
    if (how === 'attach') throw new UserError('attach: a page cannot attach to a process; launch a program instead');
    return new WebWorkerLauncher(this.options, args, (program) => {
      this.program = program;
      program.notebookListeners.push((text) => {
        if (this.program === program) for (const l of this.notebookListeners) l(text);
      });
      program.onExit(() => {
        if (this.program === program) this.program = null;
      });
    });
  }
}

export { AgentError };
