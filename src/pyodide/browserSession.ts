// A DAP session for a program in Pyodide in a Web Worker, run on the page's main thread. DAP goes
// in and out as plain objects (no wire framing), so a web IDE or a teaching site can put its own
// UI on it. Browser-safe: no node: imports. It follows src/debugger/session.ts (the Node adapter)
// for the requests that make sense in a browser.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { AgentEvent, AgentFrame, AgentVariable, AgentBreakpointResult, Hello } from '../agent/protocol.js';
import { AgentClient, AgentError } from '../debugger/agentClient.js';
import { BreakpointIds, parseHitCondition, translateBreakpoints } from '../debugger/breakpoints.js';
import { capabilities, EXCEPTION_FILTERS } from '../debugger/capabilities.js';
import { SourceStore, VariableStore } from '../debugger/variableStore.js';
import { MailboxTransport } from './agentTransport.js';
import type { DebuggeeMessage, StartMessage } from './debuggee.js';
import { createMailbox } from './mailbox.js';

/** A Web Worker as the session uses it. */
export interface WorkerHandle {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  terminate(): void;
}

export interface BrowserLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** Path of the program in Pyodide's filesystem, e.g. /home/pyodide/main.py. */
  program: string;
  /** Its text, written to `program` before it runs. */
  source?: string;
  args?: string[];
  stopOnEntry?: boolean;
  justMyCode?: boolean;
}

export interface BrowserSessionOptions {
  /** Starts a worker that loaded Pyodide and called serveDebuggee (one per launch). */
  createWorker: () => WorkerHandle;
  agentSource: string;
  bootstrapSource: string;
}

class UserError extends Error {}

/** Why SharedArrayBuffer is missing, or undefined when the page can run the debugger. */
export function isolationProblem(scope: { crossOriginIsolated?: boolean } = globalThis as { crossOriginIsolated?: boolean }): string | undefined {
  if (typeof SharedArrayBuffer !== 'undefined' && scope.crossOriginIsolated !== false) return undefined;
  return (
    'this page is not cross-origin isolated, so SharedArrayBuffer (which a stopped program waits on) is unavailable: ' +
    'serve it with the headers "Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp", over https or from localhost'
  );
}

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

export class PyodideDapSession {
  private readonly listeners: ((m: DebugProtocol.ProtocolMessage) => void)[] = [];
  private seq = 1;
  private agent?: AgentClient;
  private worker?: WorkerHandle;
  private transport?: MailboxTransport;
  private justMyCode = true;
  private ended = false;
  private launchError?: string;
  private readonly vars = new VariableStore();
  private readonly sources = new SourceStore();
  private readonly bpIds = new BreakpointIds();
  private readonly fnBpIds = new BreakpointIds();

  constructor(private readonly options: BrowserSessionOptions) {}

  /** DAP responses and events. */
  onMessage(listener: (m: DebugProtocol.ProtocolMessage) => void): void {
    this.listeners.push(listener);
  }

  private send(m: Omit<DebugProtocol.ProtocolMessage, 'seq'> & Record<string, unknown>): void {
    const msg = { ...m, seq: this.seq++ } as DebugProtocol.ProtocolMessage;
    for (const l of this.listeners) l(msg);
  }

  private event(event: string, body?: unknown): void {
    this.send({ type: 'event', event, body });
  }

  /** A DAP request; its response comes through onMessage. */
  async handle(req: DebugProtocol.Request): Promise<void> {
    const handler = (this as unknown as Record<string, unknown>)[`on_${req.command}`];
    try {
      if (typeof handler !== 'function') throw new UserError(`unsupported request "${req.command}"`);
      const body = (await (handler as (a: unknown) => Promise<unknown>).call(this, req.arguments ?? {})) ?? undefined;
      this.send({ type: 'response', request_seq: req.seq, success: true, command: req.command, body });
      if (req.command === 'launch') this.event('initialized');
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.send({ type: 'response', request_seq: req.seq, success: false, command: req.command, message, body: { error: { id: 1, format: message, showUser: true } } });
    }
  }

  private requireAgent(): AgentClient {
    if (!this.agent) throw new UserError('no program is running (send launch first)');
    return this.agent;
  }

  async on_initialize(): Promise<DebugProtocol.Capabilities> {
    return { ...capabilities(), supportsRestartRequest: false };
  }

  async on_launch(args: BrowserLaunchArguments): Promise<void> {
    const problem = isolationProblem();
    if (problem) throw new UserError(problem);
    if (!args.program) throw new UserError('launch needs "program"');
    this.justMyCode = args.justMyCode ?? true;
    this.ended = false;
    this.launchError = undefined;
    const buffers = createMailbox();
    const transport = (this.transport = new MailboxTransport(buffers));
    const worker = (this.worker = this.options.createWorker());
    let helloWaiter: (h: Hello | undefined) => void = () => undefined;
    const hello = new Promise<Hello | undefined>((res) => (helloWaiter = res));
    transport.onClose(() => helloWaiter(undefined));
    let stderrTail = '';
    const start: StartMessage = {
      kind: 'start',
      buffers,
      options: {
        program: args.program,
        args: args.args ?? [],
        stopOnEntry: args.stopOnEntry ?? false,
        ...(args.source !== undefined ? { files: { [args.program]: args.source } } : {}),
        agentSource: this.options.agentSource,
        bootstrapSource: this.options.bootstrapSource,
      },
    };
    worker.addEventListener('message', (event) => {
      const m = event.data as DebuggeeMessage;
      switch (m.kind) {
        case 'ready':
          worker.postMessage(start);
          return;
        case 'agent':
          transport.receive(m.text);
          return;
        case 'taken':
          transport.taken();
          return;
        case 'stdout':
          this.event('output', { category: 'stdout', output: m.text });
          return;
        case 'stderr':
          stderrTail = (stderrTail + m.text).slice(-2000);
          this.event('output', { category: 'stderr', output: m.text });
          return;
        case 'exit':
          this.finish(m.code);
          return;
        case 'failed':
          this.event('output', { category: 'stderr', output: `pyscope: Pyodide could not start: ${m.message}\n` });
          this.finish(1);
          return;
      }
    });
    this.agent = new AgentClient(transport, (e) => {
      if (e.event === 'hello') helloWaiter(e.body as unknown as Hello);
      else this.onAgentEvent(e);
    });
    const h = await hello;
    if (!h) throw new UserError(this.launchError ?? (stderrTail.trim().split('\n').slice(-1)[0] || 'the program ended before the debugger agent started'));
    await this.agent.request('configure', { libraryRoots: h.libraryPaths.map((p) => (p.endsWith('/') ? p : `${p}/`)), justMyCode: this.justMyCode, reprTimeout: 1 });
    await this.agent.request('threads');
    this.event('process', { name: args.program, isLocalProcess: false, startMethod: 'launch' });
  }

  private onAgentEvent(e: AgentEvent): void {
    const b = e.body;
    if (e.event === 'launchError') {
      this.launchError = String(b.message);
      this.event('output', { category: 'stderr', output: String(b.text) });
    } else if (e.event === 'stopped') {
      this.vars.clear();
      this.event('stopped', b);
    } else if (e.event === 'output') {
      const out: DebugProtocol.OutputEvent['body'] = { category: String(b.category ?? 'console'), output: String(b.text ?? '') };
      if (typeof b.path === 'string') out.source = { name: base(b.path), path: b.path };
      if (typeof b.line === 'number') out.line = b.line;
      this.event('output', out);
    }
  }

  private finish(code: number | null): void {
    this.transport?.close();
    this.worker?.terminate();
    this.agent = undefined;
    this.worker = undefined;
    if (this.ended) return;
    this.ended = true;
    if (code !== null) this.event('exited', { exitCode: code });
    this.event('terminated');
  }

  async on_configurationDone(): Promise<void> {
    await this.requireAgent().request('start');
  }

  async on_terminate(): Promise<void> {
    // the worker may be blocked in Atomics.wait: only terminating it stops the program
    this.finish(null);
  }

  async on_disconnect(): Promise<void> {
    this.finish(null);
  }

  async on_setBreakpoints(args: DebugProtocol.SetBreakpointsArguments): Promise<DebugProtocol.SetBreakpointsResponse['body']> {
    const path = args.source.path;
    if (!path) throw new UserError('setBreakpoints needs source.path');
    const requested = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    const { agent: specs, rejected } = translateBreakpoints(path, requested, this.bpIds);
    const r = await this.requireAgent().request<{ breakpoints: AgentBreakpointResult[] }>('setBreakpoints', { path, breakpoints: specs });
    const answers = [...r.breakpoints];
    return {
      breakpoints: requested.map((bp, i) => {
        const problem = rejected.get(i);
        if (problem) return { verified: false, line: bp.line, message: problem };
        const a = answers.shift() ?? { verified: false };
        const out: DebugProtocol.Breakpoint = { id: this.bpIds.idFor(`${path}:${bp.line}`), verified: a.verified, line: a.line ?? bp.line, source: { name: base(path), path } };
        if (a.message) out.message = a.message;
        return out;
      }),
    };
  }

  async on_breakpointLocations(args: DebugProtocol.BreakpointLocationsArguments): Promise<DebugProtocol.BreakpointLocationsResponse['body']> {
    const r = await this.requireAgent().request<{ lines: number[] }>('breakpointLocations', { path: args.source.path, line: args.line, endLine: args.endLine ?? args.line });
    return { breakpoints: r.lines.map((line) => ({ line })) };
  }

  async on_setFunctionBreakpoints(args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<DebugProtocol.SetFunctionBreakpointsResponse['body']> {
    const specs = args.breakpoints.map((bp) => {
      const spec: Record<string, unknown> = { name: bp.name, id: this.fnBpIds.idFor(bp.name) };
      if (bp.condition) spec.condition = bp.condition;
      const hit = bp.hitCondition ? parseHitCondition(bp.hitCondition) : undefined;
      if (typeof hit === 'string') throw new UserError(hit);
      if (hit) spec.hit = hit;
      return spec;
    });
    const r = await this.requireAgent().request<{ breakpoints: AgentBreakpointResult[] }>('setFunctionBreakpoints', { breakpoints: specs });
    return { breakpoints: r.breakpoints.map((a, i) => ({ id: this.fnBpIds.idFor(args.breakpoints[i]!.name), verified: a.verified, ...(a.message ? { message: a.message } : {}) })) };
  }

  async on_setExceptionBreakpoints(args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<void> {
    const known = new Set(EXCEPTION_FILTERS.map((f) => f.filter));
    for (const f of args.filters) if (!known.has(f)) throw new UserError(`unknown exception filter "${f}"`);
    await this.requireAgent().request('setExceptionBreakpoints', { filters: args.filters });
  }

  async on_exceptionInfo(args: DebugProtocol.ExceptionInfoArguments): Promise<DebugProtocol.ExceptionInfoResponse['body']> {
    return this.requireAgent().request('exceptionInfo', { threadId: args.threadId });
  }

  async on_threads(): Promise<DebugProtocol.ThreadsResponse['body']> {
    return this.agent ? this.agent.request('threads') : { threads: [] };
  }

  async on_continue(): Promise<DebugProtocol.ContinueResponse['body']> {
    this.vars.clear();
    await this.requireAgent().request('continue');
    return { allThreadsContinued: true };
  }

  private async step(threadId: number, kind: 'over' | 'in' | 'out'): Promise<void> {
    this.vars.clear();
    await this.requireAgent().request('step', { threadId, kind });
  }

  async on_next(args: DebugProtocol.NextArguments): Promise<void> {
    await this.step(args.threadId, 'over');
  }

  async on_stepIn(args: DebugProtocol.StepInArguments): Promise<void> {
    await this.step(args.threadId, 'in');
  }

  async on_stepOut(args: DebugProtocol.StepOutArguments): Promise<void> {
    await this.step(args.threadId, 'out');
  }

  async on_pause(): Promise<void> {
    await this.requireAgent().request('pause');
  }

  async on_stackTrace(args: DebugProtocol.StackTraceArguments): Promise<DebugProtocol.StackTraceResponse['body']> {
    const r = await this.requireAgent().request<{ frames: AgentFrame[] }>('stackTrace', { threadId: args.threadId });
    let frames = r.frames;
    if (this.justMyCode) {
      const user = frames.filter((f) => f.user);
      frames = user.length ? user : frames.slice(0, 1);
    }
    const start = args.startFrame ?? 0;
    const page = frames.slice(start, start + (args.levels || frames.length));
    return {
      totalFrames: frames.length,
      stackFrames: page.map((f) => {
        const sf: DebugProtocol.StackFrame = { id: f.id, name: f.name, line: f.line, column: 1 };
        if (f.path) sf.source = { name: base(f.path), path: f.path };
        else if (f.sourceKey) sf.source = { name: f.sourceName ?? f.sourceKey, sourceReference: this.sources.refFor(f.sourceKey) };
        if (!f.user) sf.presentationHint = 'subtle';
        return sf;
      }),
    };
  }

  async on_scopes(args: DebugProtocol.ScopesArguments): Promise<DebugProtocol.ScopesResponse['body']> {
    const r = await this.requireAgent().request<{ scopes: { name: string; handle: number; named: number }[] }>('scopes', { frameId: args.frameId });
    return {
      scopes: r.scopes.map((s) => ({
        name: s.name,
        variablesReference: this.vars.add({ agentHandle: s.handle, frameId: args.frameId }),
        namedVariables: s.named,
        expensive: s.name === 'Globals',
      })),
    };
  }

  private toDap(v: AgentVariable, frameId: number | undefined): DebugProtocol.Variable {
    const out: DebugProtocol.Variable = { name: v.name, value: v.value, type: v.type, variablesReference: this.vars.add({ agentHandle: v.handle, ...(frameId !== undefined ? { frameId } : {}) }) };
    if (v.evaluateName !== undefined) out.evaluateName = v.evaluateName;
    if (v.indexed !== undefined && v.indexed > 100) out.indexedVariables = v.indexed;
    return out;
  }

  async on_variables(args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.VariablesResponse['body']> {
    const ref = this.vars.get(args.variablesReference);
    if (!ref) throw new UserError(`variablesReference ${args.variablesReference} is not valid (the program resumed since)`);
    const r = await this.requireAgent().request<{ variables: AgentVariable[] }>('variables', { handle: ref.agentHandle, start: args.start ?? 0, count: args.count ?? 0, filter: args.filter });
    return { variables: r.variables.map((v) => this.toDap(v, ref.frameId)) };
  }

  async on_evaluate(args: DebugProtocol.EvaluateArguments): Promise<DebugProtocol.EvaluateResponse['body']> {
    const r = await this.requireAgent().request<AgentVariable>('evaluate', { expression: args.expression, frameId: args.frameId, context: args.context ?? 'repl' });
    return { result: r.value, type: r.type, variablesReference: this.vars.add({ agentHandle: r.handle ?? 0, ...(args.frameId !== undefined ? { frameId: args.frameId } : {}) }) };
  }

  async on_setVariable(args: DebugProtocol.SetVariableArguments): Promise<DebugProtocol.SetVariableResponse['body']> {
    const ref = this.vars.get(args.variablesReference);
    if (!ref) throw new UserError(`variablesReference ${args.variablesReference} is not valid`);
    const r = await this.requireAgent().request<AgentVariable>('setVariable', { handle: ref.agentHandle, name: args.name, value: args.value, frameId: ref.frameId });
    return { value: r.value, type: r.type, variablesReference: this.vars.add({ agentHandle: r.handle, ...(ref.frameId !== undefined ? { frameId: ref.frameId } : {}) }) };
  }

  async on_completions(args: DebugProtocol.CompletionsArguments): Promise<DebugProtocol.CompletionsResponse['body']> {
    return this.requireAgent().request('completions', { frameId: args.frameId, text: args.text, column: args.column });
  }

  async on_source(args: DebugProtocol.SourceArguments): Promise<DebugProtocol.SourceResponse['body']> {
    const key = this.sources.keyOf(args.source?.sourceReference ?? args.sourceReference);
    if (!key) throw new UserError('no such source');
    return this.requireAgent().request('source', { key });
  }
}

export { AgentError };
