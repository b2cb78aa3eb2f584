// One DAP session: translates DAP requests into agent commands and agent events into DAP events.
// It sees only a DapConnection and an AgentTransport (through a launcher), never sockets or
// processes directly, so it runs over stdio, TCP, or in-process streams.
import { timingSafeEqual } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { AgentEvent, AgentFrame, AgentVariable, AgentBreakpointResult, Hello } from '../agent/protocol.js';
import { AgentClient, AgentError } from './agentClient.js';
import { BreakpointIds, translateBreakpoints, parseHitCondition } from './breakpoints.js';
import type { DapConnection } from './dapConnection.js';
import { libraryRoots } from './justMyCode.js';
import { launchNative } from './nativeLauncher.js';
import { launchPyodide } from './pyodideLauncher.js';
import type { Debuggee } from './debuggee.js';
import { LocalPathMapper, type PathMapper } from './pathMapping.js';
import { SourceStore, VariableStore } from './variableStore.js';
import { capabilities, EXCEPTION_FILTERS } from './capabilities.js';

/** launch arguments, named like debugpy's so launch.json files carry over. */
export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  program?: string;
  module?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string | null>;
  python?: string | string[];
  stopOnEntry?: boolean;
  justMyCode?: boolean;
  console?: 'internalConsole' | 'integratedTerminal' | 'externalTerminal';
  runtime?: 'native' | 'pyodide';
  /** Seconds a repr or an evaluation may take before it is shown as an error. */
  reprTimeout?: number;
  /** The secret a TCP adapter (`pyscope dap --port`) printed when it started. */
  token?: string;
}

export interface SessionOptions {
  /** Required in launch arguments when set: anyone who can connect to a TCP port could run code. */
  token?: string;
}

class UserError extends Error {}

const MIN_VERSION: [number, number] = [3, 8];

export class DebugSession {
  private agent?: AgentClient;
  private child?: Debuggee;
  private hello?: Hello;
  private launchArgs?: LaunchArguments;
  private launchError?: string;
  private justMyCode = true;
  private paths: PathMapper = new LocalPathMapper(process.cwd());
  private readonly vars = new VariableStore();
  private readonly sources = new SourceStore();
  private readonly bpIds = new BreakpointIds();
  private readonly fnBpIds = new BreakpointIds();
  /** Last breakpoint requests, replayed on restart. */
  private readonly lastBreakpoints = new Map<string, DebugProtocol.SetBreakpointsArguments>();
  private lastFunctionBreakpoints?: DebugProtocol.SetFunctionBreakpointsArguments;
  private lastExceptionFilters: string[] = [];
  private configured = false;
  private restarting = false;
  private ended = false;
  private seq = 1;
  private helloWaiter?: (h: Hello | undefined) => void;

  constructor(
    private readonly conn: DapConnection,
    private readonly options: SessionOptions = {},
  ) {
    conn.onMessage((m) => void this.dispatch(m));
    conn.onMalformed((text) => {
      this.sendRaw({ type: 'response', request_seq: 0, success: false, command: 'unknown', message: `malformed DAP message: ${text.slice(0, 80)}` });
    });
    conn.onClose(() => this.killChild());
  }

  // -- plumbing

  private sendRaw(m: Omit<DebugProtocol.ProtocolMessage, 'seq'> & Record<string, unknown>): void {
    this.conn.send({ ...m, seq: this.seq++ } as DebugProtocol.ProtocolMessage);
  }

  private event(event: string, body?: unknown): void {
    this.sendRaw({ type: 'event', event, body });
  }

  private async dispatch(raw: unknown): Promise<void> {
    const req = raw as DebugProtocol.Request;
    if (typeof raw !== 'object' || raw === null || req.type !== 'request' || typeof req.command !== 'string') {
      this.sendRaw({ type: 'response', request_seq: typeof req?.seq === 'number' ? req.seq : 0, success: false, command: String(req?.command ?? 'unknown'), message: 'not a DAP request' });
      return;
    }
    const handler = (this as unknown as Record<string, unknown>)[`on_${req.command}`];
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
    }
    if (req.command === 'launch' || req.command === 'restart') this.afterLaunch();
  }

  private requireAgent(): AgentClient {
    if (!this.agent) throw new UserError('no program is running (send launch first)');
    return this.agent;
  }

  // -- lifecycle

  async on_initialize(): Promise<DebugProtocol.Capabilities> {
    return capabilities();
  }

  async on_launch(args: LaunchArguments): Promise<void> {
    this.checkToken(args);
    this.launchArgs = args;
    await this.start(args);
  }

  private checkToken(args: LaunchArguments): void {
    const want = this.options.token;
    if (want === undefined) return;
    const got = Buffer.from(typeof args.token === 'string' ? args.token : '');
    const expected = Buffer.from(want);
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw new UserError('this adapter listens on TCP: put the token it printed at start-up in the launch arguments ("token")');
    }
  }

  private afterLaunch(): void {
    if (this.agent && !this.configured) this.event('initialized');
  }

  private async start(args: LaunchArguments): Promise<void> {
    if (args.runtime && args.runtime !== 'native' && args.runtime !== 'pyodide') throw new UserError(`unknown runtime "${String(args.runtime)}" ("native" or "pyodide")`);
    const cwd = resolve(args.cwd ?? process.cwd());
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new UserError(`cwd ${cwd} is not a directory`);
    this.paths = new LocalPathMapper(cwd);
    if (args.program === undefined && args.module === undefined) throw new UserError('launch needs "program" or "module"');
    let program: string | undefined;
    if (args.program !== undefined) {
      program = resolve(cwd, args.program);
      if (!existsSync(program) || !statSync(program).isFile()) {
        const message = `program ${program} does not exist`;
        this.event('output', { category: 'stderr', output: `pyscope: ${message}\n` });
        throw new UserError(message);
      }
    }
    const python = Array.isArray(args.python) ? args.python[0] : args.python;
    if (Array.isArray(args.python) && args.python.length > 1) throw new UserError('"python" with interpreter arguments is not supported; give the interpreter path');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    for (const [k, v] of Object.entries(args.env ?? {})) {
      if (v === null) delete env[k];
      else env[k] = v;
    }
    if (args.console && args.console !== 'internalConsole') {
      this.event('output', { category: 'console', output: `pyscope: console "${args.console}" is not supported; using internalConsole\n` });
    }
    this.justMyCode = args.justMyCode ?? true;
    this.launchError = undefined;
    this.ended = false;
    this.configured = false;
    const target = {
      ...(program !== undefined ? { program } : {}),
      ...(args.module !== undefined ? { module: args.module } : {}),
      args: args.args ?? [],
      cwd,
      env,
      stopOnEntry: args.stopOnEntry ?? false,
    };
    const child: Debuggee = args.runtime === 'pyodide' ? launchPyodide(target) : launchNative({ ...target, python: python ?? 'python3' });
    this.child = child;
    let stderrTail = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (s: string) => this.event('output', { category: 'stdout', output: s }));
    child.stderr.on('data', (s: string) => {
      stderrTail = (stderrTail + s).slice(-2000);
      this.event('output', { category: 'stderr', output: s });
    });
    const spawnError = new Promise<Error>((res) => child.process.once('error', res));
    child.process.once('close', (code, signal) => this.onChildClosed(child, code, signal));
    this.agent = new AgentClient(child.transport, (e) => this.onAgentEvent(e));
    const hello = await Promise.race([
      new Promise<Hello | undefined>((res) => {
        this.helloWaiter = res;
        child.transport.onClose(() => res(undefined));
      }),
      spawnError.then((e) => {
        throw new UserError(
          (e as NodeJS.ErrnoException).code === 'ENOENT' ? `python interpreter "${python ?? 'python3'}" was not found` : `cannot start ${python ?? 'python3'}: ${e.message}`,
        );
      }),
    ]);
    if (!hello) {
      const why = this.launchError ?? (stderrTail.trim().split('\n').slice(-1)[0] || 'the interpreter exited before the debugger agent started');
      throw new UserError(why);
    }
    this.hello = hello;
    const [major, minor] = hello.version;
    if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
      this.killChild();
      throw new UserError(`python ${hello.version.join('.')} is too old: pyscope dap needs ${MIN_VERSION.join('.')} or newer`);
    }
    try {
      await this.agent.request('configure', {
        libraryRoots: libraryRoots(hello),
        justMyCode: this.justMyCode,
        reprTimeout: args.reprTimeout ?? 1,
      });
      // the agent compiles the program right after hello; give it the chance to refuse
      await this.agent.request('threads');
    } catch (e) {
      if (!this.launchError) throw e;
    }
    if (this.launchError) throw new UserError(this.launchError);
    this.event('process', { name: program ?? args.module ?? 'python', systemProcessId: this.hello.pid, isLocalProcess: true, startMethod: 'launch' });
  }

  private onAgentEvent(e: AgentEvent): void {
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
        if (typeof b.path === 'string') out.source = { name: basename(b.path), path: this.paths.toClient(b.path) };
        if (typeof b.line === 'number') out.line = b.line;
        this.event('output', out);
        return;
      }
      default:
        return;
    }
  }

  private onChildClosed(child: Debuggee, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.agent = undefined;
    this.child = undefined;
    if (this.restarting) return;
    const exitCode = code ?? 128 + signalNumber(signal);
    if (!this.ended) {
      this.ended = true;
      this.event('exited', { exitCode });
      this.event('terminated');
    }
  }

  private killChild(): void {
    const c = this.child;
    if (!c) return;
    c.transport.close();
    c.process.kill('SIGKILL');
  }

  async on_configurationDone(): Promise<void> {
    this.configured = true;
    await this.requireAgent().request('start');
  }

  async on_disconnect(args: DebugProtocol.DisconnectArguments): Promise<void> {
    const terminate = args.terminateDebuggee ?? true;
    const agent = this.agent;
    if (!terminate && agent) {
      await agent.request('detach').catch(() => undefined);
      this.child?.transport.close();
      this.child = undefined;
      this.agent = undefined;
      return;
    }
    await this.terminateChild();
  }

  async on_terminate(): Promise<void> {
    await this.terminateChild();
  }

  private terminateChild(): Promise<void> {
    const c = this.child;
    if (!c) return Promise.resolve();
    return new Promise<void>((res) => {
      c.process.once('close', () => res());
      c.process.kill('SIGTERM');
      // a program that ignores SIGTERM is killed; the timer only bounds the wait
      const t = setTimeout(() => c.process.kill('SIGKILL'), 2000);
      t.unref();
    });
  }

  async on_restart(args: { arguments?: LaunchArguments }): Promise<void> {
    const launch = args.arguments ?? this.launchArgs;
    if (!launch) throw new UserError('nothing to restart');
    this.checkToken(launch);
    this.restarting = true;
    try {
      await this.terminateChild();
    } finally {
      this.restarting = false;
    }
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
    const path = this.paths.toDebuggee(clientPath);
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
      path: this.paths.toDebuggee(args.source.path),
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
        if (f.path) sf.source = { name: basename(f.path), path: this.paths.toClient(f.path) };
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

function signalNumber(signal: NodeJS.Signals | null): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };
  return signal ? (table[signal] ?? 0) : 0;
}
