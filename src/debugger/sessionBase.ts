// The DAP requests every session answers the same way, whatever runs the program: the Node
// adapter (session.ts) and the page's Pyodide session (src/web/browserSession.ts) extend it
// and add only how a program starts and ends. Browser-safe: no node: imports, here or below.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { AgentEvent, AgentFrame, AgentVariable, AgentBreakpointResult, Hello } from '../agent/protocol.js';
import { AgentClient, AgentError } from './agentClient.js';
import { BreakpointIds, translateBreakpoints, parseHitCondition } from './breakpoints.js';
import { capabilities, EXCEPTION_FILTERS } from './capabilities.js';
import type { AgentTransport } from '../agent/transport.js';
import { SourceStore, VariableStore } from './variableStore.js';

/** A request the client got wrong; shown as is, not as an internal error. */
export class UserError extends Error {}

/** What every launch understands, whatever else a runtime adds. */
export interface CommonLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  justMyCode?: boolean;
  /** Seconds a repr or an evaluation may take before it is shown as an error. */
  reprTimeout?: number;
}

/** The file name of a debuggee path; node:path would make this module unusable in a browser. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

type Outgoing = Omit<DebugProtocol.ProtocolMessage, 'seq'> & Record<string, unknown>;

/**
 * Requests that let the program run. DAP puts their response before the stop (or the end) they
 * lead to, and clients rely on it (one that starts listening for the stop once the response is in
 * never sees it). The agent replies before it resumes, but its reply only settles a promise, so
 * the response goes out after a few awaits while the events that follow the reply (a stop close
 * by, on a loaded machine all in one read) are forwarded at once: they wait for the response.
 */
const RESUMING = new Set(['configurationDone', 'continue', 'next', 'stepIn', 'stepOut', 'pause', 'restart']);

export abstract class SessionBase<L extends CommonLaunchArguments> {
  protected agent?: AgentClient;
  protected launchArgs?: L;
  protected launchError?: string;
  protected justMyCode = true;
  protected configured = false;
  protected readonly vars = new VariableStore();
  protected readonly sources = new SourceStore();
  private readonly bpIds = new BreakpointIds();
  private readonly fnBpIds = new BreakpointIds();
  /** Last breakpoint requests, replayed on restart. */
  private readonly lastBreakpoints = new Map<string, DebugProtocol.SetBreakpointsArguments>();
  private lastFunctionBreakpoints?: DebugProtocol.SetFunctionBreakpointsArguments;
  private lastExceptionFilters: string[] = [];
  private seq = 1;
  /** Events held while a RESUMING request is answered, in order; undefined when none is. */
  private heldEvents?: Outgoing[];
  private resuming = 0;
  private helloWaiter?: (h: Hello | undefined) => void;

  /** Delivers one DAP response or event to the client. */
  protected abstract post(message: DebugProtocol.ProtocolMessage): void;

  /** Starts the program under the agent and configures it; the program waits for `start`. */
  protected abstract start(args: L): Promise<void>;

  /** Ends the running program without telling the client, for a restart. */
  protected abstract endForRestart(): Promise<void>;

  /** Refuses launch arguments before anything starts. */
  protected admit(_args: L): void {}

  /** Client paths <-> the paths the debuggee sees; the same by default. */
  protected toDebuggeePath(clientPath: string): string {
    return clientPath;
  }

  protected toClientPath(debuggeePath: string): string {
    return debuggeePath;
  }

  // -- plumbing

  protected sendRaw(m: Outgoing): void {
    this.post({ ...m, seq: this.seq++ } as DebugProtocol.ProtocolMessage);
  }

  protected event(event: string, body?: unknown): void {
    const m: Outgoing = { type: 'event', event, body };
    if (this.heldEvents) this.heldEvents.push(m);
    else this.sendRaw(m);
  }

  protected async dispatch(raw: unknown): Promise<void> {
    const req = raw as DebugProtocol.Request;
    if (typeof raw !== 'object' || raw === null || req.type !== 'request' || typeof req.command !== 'string') {
      this.sendRaw({ type: 'response', request_seq: typeof req?.seq === 'number' ? req.seq : 0, success: false, command: String(req?.command ?? 'unknown'), message: 'not a DAP request' });
      return;
    }
    const handler = (this as unknown as Record<string, unknown>)[`on_${req.command}`];
    const resumes = RESUMING.has(req.command);
    if (resumes) {
      this.resuming++;
      this.heldEvents ??= [];
    }
    try {
      if (typeof handler !== 'function') throw new UserError(`unsupported request "${req.command}"`);
      const body = (await (handler as (a: unknown) => Promise<unknown>).call(this, req.arguments ?? {})) ?? undefined;
      this.sendRaw({ type: 'response', request_seq: req.seq, success: true, command: req.command, body });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const internal = !(e instanceof UserError || e instanceof AgentError);
      this.sendRaw({
        type: 'response',
        request_seq: req.seq,
        success: false,
        command: req.command,
        message,
        body: { error: { id: 1, format: internal ? `internal error: ${message}` : message, showUser: req.command === 'launch' } },
      });
    } finally {
      if (resumes && --this.resuming === 0) {
        const held = this.heldEvents ?? [];
        this.heldEvents = undefined;
        for (const m of held) this.sendRaw(m);
      }
    }
    if ((req.command === 'launch' || req.command === 'restart') && this.agent && !this.configured) this.event('initialized');
  }

  protected requireAgent(): AgentClient {
    if (!this.agent) throw new UserError('no program is running (send launch first)');
    return this.agent;
  }

  // -- starting a program (the runtime-specific part is start())

  /** The agent's hello, or undefined when its transport closes first (the program never ran). */
  protected helloFrom(transport: AgentTransport): Promise<Hello | undefined> {
    return new Promise<Hello | undefined>((res) => {
      this.helloWaiter = res;
      transport.onClose(() => res(undefined));
    });
  }

  /** Hands the agent its settings; a program the agent refused to compile fails the launch here. */
  protected async configureAgent(agent: AgentClient, libraryRoots: string[], reprTimeout: number): Promise<void> {
    try {
      await agent.request('configure', { libraryRoots, justMyCode: this.justMyCode, reprTimeout });
      // the agent compiles the program right after hello; give it the chance to refuse
      await agent.request('threads');
    } catch (e) {
      if (!this.launchError) throw e;
    }
    if (this.launchError) throw new UserError(this.launchError);
  }

  protected onAgentEvent(e: AgentEvent): void {
    const b = e.body;
    switch (e.event) {
      case 'hello':
        this.helloWaiter?.(b as unknown as Hello);
        return;
      case 'launchError':
        this.launchError = String(b.message);
        this.event('output', { category: 'stderr', output: String(b.text) });
        return;
      case 'stopped':
        this.vars.clear();
        this.event('stopped', b);
        return;
      case 'output': {
        const out: DebugProtocol.OutputEvent['body'] = { category: String(b.category ?? 'console'), output: String(b.text ?? '') };
        if (typeof b.path === 'string') out.source = { name: basename(b.path), path: this.toClientPath(b.path) };
        if (typeof b.line === 'number') out.line = b.line;
        this.event('output', out);
        return;
      }
      default:
        return;
    }
  }

  // -- lifecycle

  async on_initialize(): Promise<DebugProtocol.Capabilities> {
    return capabilities();
  }

  async on_launch(args: L): Promise<void> {
    this.admit(args);
    this.launchArgs = args;
    await this.start(args);
  }

  async on_configurationDone(): Promise<void> {
    this.configured = true;
    await this.requireAgent().request('start');
  }

  async on_restart(args: { arguments?: L }): Promise<void> {
    const launch = args.arguments ?? this.launchArgs;
    if (!launch) throw new UserError('nothing to restart');
    this.admit(launch);
    await this.endForRestart();
    this.launchArgs = launch;
    await this.start(launch);
    for (const bp of this.lastBreakpoints.values()) await this.on_setBreakpoints(bp);
    if (this.lastFunctionBreakpoints) await this.on_setFunctionBreakpoints(this.lastFunctionBreakpoints);
    await this.on_setExceptionBreakpoints({ filters: this.lastExceptionFilters });
    this.configured = true;
    await this.requireAgent().request('start');
  }

  // -- breakpoints

  async on_setBreakpoints(args: DebugProtocol.SetBreakpointsArguments): Promise<DebugProtocol.SetBreakpointsResponse['body']> {
    const clientPath = args.source.path;
    if (!clientPath) throw new UserError('setBreakpoints needs source.path');
    this.lastBreakpoints.set(clientPath, args);
    const path = this.toDebuggeePath(clientPath);
    const requested = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    const { agent: specs, rejected } = translateBreakpoints(path, requested, this.bpIds);
    const result = await this.requireAgent().request<{ breakpoints: AgentBreakpointResult[] }>('setBreakpoints', { path, breakpoints: specs });
    const answers = [...result.breakpoints];
    return {
      breakpoints: requested.map((bp, i) => {
        const problem = rejected.get(i);
        if (problem) return { verified: false, line: bp.line, message: problem };
        const a = answers.shift() ?? { verified: false };
        const out: DebugProtocol.Breakpoint = { id: this.bpIds.idFor(`${path}:${bp.line}`), verified: a.verified, line: a.line ?? bp.line, source: { name: basename(path), path: clientPath } };
        if (a.message) out.message = a.message;
        return out;
      }),
    };
  }

  async on_breakpointLocations(args: DebugProtocol.BreakpointLocationsArguments): Promise<DebugProtocol.BreakpointLocationsResponse['body']> {
    if (!args.source.path) throw new UserError('breakpointLocations needs source.path');
    const r = await this.requireAgent().request<{ lines: number[] }>('breakpointLocations', {
      path: this.toDebuggeePath(args.source.path),
      line: args.line,
      endLine: args.endLine ?? args.line,
    });
    return { breakpoints: r.lines.map((line) => ({ line })) };
  }

  async on_setFunctionBreakpoints(args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<DebugProtocol.SetFunctionBreakpointsResponse['body']> {
    this.lastFunctionBreakpoints = args;
    const specs: Record<string, unknown>[] = [];
    const problems = new Map<number, string>();
    args.breakpoints.forEach((bp, i) => {
      const spec: Record<string, unknown> = { name: bp.name, id: this.fnBpIds.idFor(bp.name) };
      if (bp.condition) spec.condition = bp.condition;
      if (bp.hitCondition) {
        const hit = parseHitCondition(bp.hitCondition);
        if (typeof hit === 'string') problems.set(i, hit);
        else spec.hit = hit;
      }
      if (!problems.has(i)) specs.push(spec);
    });
    const r = await this.requireAgent().request<{ breakpoints: AgentBreakpointResult[] }>('setFunctionBreakpoints', { breakpoints: specs });
    const answers = [...r.breakpoints];
    return {
      breakpoints: args.breakpoints.map((bp, i) => {
        const problem = problems.get(i);
        if (problem) return { verified: false, message: problem };
        const a = answers.shift() ?? { verified: false };
        const out: DebugProtocol.Breakpoint = { id: this.fnBpIds.idFor(bp.name), verified: a.verified };
        if (a.message) out.message = a.message;
        return out;
      }),
    };
  }

  async on_setExceptionBreakpoints(args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<void> {
    const known = new Set(EXCEPTION_FILTERS.map((f) => f.filter));
    const filters = [...(args.filters ?? []), ...(args.filterOptions ?? []).map((o) => o.filterId)];
    for (const f of filters) if (!known.has(f)) throw new UserError(`unknown exception filter "${f}"`);
    this.lastExceptionFilters = filters;
    await this.requireAgent().request('setExceptionBreakpoints', { filters });
  }

  async on_exceptionInfo(args: DebugProtocol.ExceptionInfoArguments): Promise<DebugProtocol.ExceptionInfoResponse['body']> {
    return this.requireAgent().request('exceptionInfo', { threadId: args.threadId });
  }

  // -- execution

  async on_threads(): Promise<DebugProtocol.ThreadsResponse['body']> {
    if (!this.agent) return { threads: [] };
    return this.agent.request('threads');
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

  // -- inspection

  async on_stackTrace(args: DebugProtocol.StackTraceArguments): Promise<DebugProtocol.StackTraceResponse['body']> {
    const r = await this.requireAgent().request<{ frames: AgentFrame[] }>('stackTrace', { threadId: args.threadId });
    let frames = r.frames;
    if (this.justMyCode) {
      const user = frames.filter((f) => f.user);
      frames = user.length ? user : frames.slice(0, 1);
    }
    const total = frames.length;
    const start = args.startFrame ?? 0;
    const levels = args.levels ? args.levels : total;
    const page = frames.slice(start, start + levels);
    return {
      totalFrames: total,
      stackFrames: page.map((f) => {
        const sf: DebugProtocol.StackFrame = { id: f.id, name: f.name, line: f.line, column: 1 };
        if (f.path) sf.source = { name: basename(f.path), path: this.toClientPath(f.path) };
        else if (f.sourceKey) sf.source = { name: f.sourceName ?? f.sourceKey, sourceReference: this.sources.refFor(f.sourceKey) };
        if (!f.user) {
          sf.presentationHint = 'subtle';
          if (sf.source) sf.source.presentationHint = 'deemphasize';
        }
        return sf;
      }),
    };
  }

  async on_scopes(args: DebugProtocol.ScopesArguments): Promise<DebugProtocol.ScopesResponse['body']> {
    const r = await this.requireAgent().request<{ scopes: { name: string; handle: number; named: number }[] }>('scopes', { frameId: args.frameId });
    return {
      scopes: r.scopes.map((s) => ({
        name: s.name,
        presentationHint: s.name === 'Locals' ? 'locals' : undefined,
        variablesReference: this.vars.add({ agentHandle: s.handle, frameId: args.frameId }),
        namedVariables: s.named,
        expensive: s.name === 'Globals',
      })),
    };
  }

  private toDap(v: AgentVariable, frameId: number | undefined): DebugProtocol.Variable {
    const out: DebugProtocol.Variable = {
      name: v.name,
      value: v.value,
      type: v.type,
      variablesReference: this.vars.add({ agentHandle: v.handle, ...(frameId !== undefined ? { frameId } : {}) }),
    };
    if (v.evaluateName !== undefined) out.evaluateName = v.evaluateName;
    // page large sequences: the client asks for slices of indexed children
    if (v.indexed !== undefined && v.indexed > 100) out.indexedVariables = v.indexed;
    return out;
  }

  async on_variables(args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.VariablesResponse['body']> {
    const ref = this.vars.get(args.variablesReference);
    if (!ref) throw new UserError(`variablesReference ${args.variablesReference} is not valid (the program resumed since)`);
    const r = await this.requireAgent().request<{ variables: AgentVariable[] }>('variables', {
      handle: ref.agentHandle,
      start: args.start ?? 0,
      count: args.count ?? 0,
      filter: args.filter,
    });
    return { variables: r.variables.map((v) => this.toDap(v, ref.frameId)) };
  }

  async on_evaluate(args: DebugProtocol.EvaluateArguments): Promise<DebugProtocol.EvaluateResponse['body']> {
    const r = await this.requireAgent().request<AgentVariable & { indexed?: number }>('evaluate', {
      expression: args.expression,
      frameId: args.frameId,
      context: args.context ?? 'repl',
    });
    const out: DebugProtocol.EvaluateResponse['body'] = {
      result: r.value,
      type: r.type,
      variablesReference: this.vars.add({ agentHandle: r.handle ?? 0, ...(args.frameId !== undefined ? { frameId: args.frameId } : {}) }),
    };
    if (r.indexed !== undefined && r.indexed !== null && r.indexed > 100) out.indexedVariables = r.indexed;
    return out;
  }

  async on_setVariable(args: DebugProtocol.SetVariableArguments): Promise<DebugProtocol.SetVariableResponse['body']> {
    const ref = this.vars.get(args.variablesReference);
    if (!ref) throw new UserError(`variablesReference ${args.variablesReference} is not valid`);
    const r = await this.requireAgent().request<AgentVariable>('setVariable', { handle: ref.agentHandle, name: args.name, value: args.value, frameId: ref.frameId });
    return { value: r.value, type: r.type, variablesReference: this.vars.add({ agentHandle: r.handle, ...(ref.frameId !== undefined ? { frameId: ref.frameId } : {}) }) };
  }

  async on_setExpression(args: DebugProtocol.SetExpressionArguments): Promise<DebugProtocol.SetExpressionResponse['body']> {
    if (args.frameId === undefined) throw new UserError('setExpression needs a frameId');
    const r = await this.requireAgent().request<AgentVariable>('setExpression', { frameId: args.frameId, expression: args.expression, value: args.value });
    return { value: r.value, type: r.type, variablesReference: this.vars.add({ agentHandle: r.handle, frameId: args.frameId }) };
  }

  async on_completions(args: DebugProtocol.CompletionsArguments): Promise<DebugProtocol.CompletionsResponse['body']> {
    const r = await this.requireAgent().request<{ targets: DebugProtocol.CompletionItem[] }>('completions', {
      frameId: args.frameId,
      text: args.text,
      column: args.column,
    });
    return { targets: r.targets };
  }

  async on_source(args: DebugProtocol.SourceArguments): Promise<DebugProtocol.SourceResponse['body']> {
    const ref = args.source?.sourceReference ?? args.sourceReference;
    const key = this.sources.keyOf(ref);
    if (!key) throw new UserError(`no source with reference ${ref}`);
    return this.requireAgent().request('source', { key });
  }
}
