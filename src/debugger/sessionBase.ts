// The DAP session, whatever runs the program: the Node adapter (session.ts) and the page's Pyodide
// session (src/web/browserSession.ts) extend it and add only their launch arguments and launcher
// (launcher.ts). Every request is checked against dapArguments.ts before its handler runs, and the
// launch sequence (start, hello or an early end, version check, configure, process event, exit)
// is written here once. Browser-safe: no node: imports, here or below.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { AgentEvent, AgentVariable, Hello } from '../agent/protocol.js';
import { readableFile } from '../common/file-names.js';
import { object, optional, ShapeError, type Check } from '../common/shape.js';
import { AgentClient, AgentError } from './agentClient.js';
import { BreakpointIds, translateBreakpoints, parseHitCondition } from './breakpoints.js';
import { capabilities, EXCEPTION_FILTERS } from './capabilities.js';
import { dapArguments, type DapArguments } from './dapArguments.js';
import type { LaunchedProgram, ProgramEnd, ProgramLauncher } from './launcher.js';
import { FailureId, UserError } from './userError.js';
import { SourceStore, VariableStore } from './variableStore.js';

export { UserError };

/** What every launch understands, whatever else a runtime adds. */
export interface CommonLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  justMyCode?: boolean;
  /** Seconds a repr or an evaluation may take before it is shown as an error. */
  reprTimeout?: number;
  /** `threads` lists the asyncio tasks of a stopped thread's event loop too, as pseudo-threads. */
  showAsyncTasks?: boolean;
}


/** The oldest Python the debugger runs on. */
export const MIN_VERSION: [number, number] = [3, 8];

/**
 * How long the adapter waits for any one answer of the agent (longer when reprTimeout is long).
 * The agent bounds its own work (reprs, evaluations, paging); this only ends a wait on a program
 * stuck where the agent cannot run at all, such as a Pyodide program inside one long C call.
 */
const AGENT_ANSWER_MS = 60_000;
const agentAnswerMs = (reprTimeout: number): number => Math.max(AGENT_ANSWER_MS, reprTimeout * 2000 + 10_000);

/** The agent's hello comes once the interpreter (or Pyodide) has started; this long at most. */
const HELLO_MS = 300_000;

/** A program that said launchError exits by itself; this long, then it is ended. */
const LAUNCH_ERROR_GRACE_MS = 5_000;

type Outgoing = Omit<DebugProtocol.ProtocolMessage, 'seq'> & Record<string, unknown>;

/** One run of the program: a launch, or a restart's new run. */
interface Run {
  program: LaunchedProgram;
  agent: AgentClient;
}

/** A request's handler: the check of its arguments, and what answers it with the response body. */
interface Handler<A, B> {
  check: Check<A>;
  run: (args: A) => Promise<B>;
}

/** Every request the session answers, by command, with its argument and response body types. */
type Handlers<L, A> = { [K in keyof typeof dapArguments]: Handler<DapArguments<K>, DapBodies[K]> } & {
  launch: Handler<L, undefined>;
  attach: Handler<{ child: A } | { running: L }, undefined>;
  restart: Handler<{ arguments?: L }, undefined>;
};

interface DapBodies {
  initialize: DebugProtocol.InitializeResponse['body'];
  configurationDone: undefined;
  setBreakpoints: DebugProtocol.SetBreakpointsResponse['body'];
  breakpointLocations: DebugProtocol.BreakpointLocationsResponse['body'];
  setFunctionBreakpoints: DebugProtocol.SetFunctionBreakpointsResponse['body'];
  setExceptionBreakpoints: undefined;
  exceptionInfo: DebugProtocol.ExceptionInfoResponse['body'];
  threads: DebugProtocol.ThreadsResponse['body'];
  continue: DebugProtocol.ContinueResponse['body'];
  next: undefined;
  stepIn: undefined;
  stepOut: undefined;
  pause: undefined;
  stackTrace: DebugProtocol.StackTraceResponse['body'];
  scopes: DebugProtocol.ScopesResponse['body'];
  variables: DebugProtocol.VariablesResponse['body'];
  evaluate: DebugProtocol.EvaluateResponse['body'];
  setVariable: DebugProtocol.SetVariableResponse['body'];
  setExpression: DebugProtocol.SetExpressionResponse['body'];
  completions: DebugProtocol.CompletionsResponse['body'];
  source: DebugProtocol.SourceResponse['body'];
  disconnect: undefined;
  terminate: undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Requests that let the program run. DAP puts their response before the stop (or the end) they
 * lead to, and clients rely on it (one that starts listening for the stop once the response is in
 * never sees it). The agent replies before it resumes, but its reply only settles a promise, so
 * the response goes out after a few awaits while the events that follow the reply (a stop close
 * by, on a loaded machine all in one read) are forwarded at once: they wait for the response.
 */
const RESUMING = new Set(['configurationDone', 'continue', 'next', 'stepIn', 'stepOut', 'pause', 'restart']);

/** How long a request of the adapter's to the client (startDebugging) may wait for its answer. */
const REVERSE_REQUEST_MS = 30_000;

export abstract class SessionBase<L extends CommonLaunchArguments, A extends CommonLaunchArguments = CommonLaunchArguments> {
  protected justMyCode = true;
  protected readonly vars = new VariableStore();
  protected readonly sources = new SourceStore();
  private run?: Run;
  /** The arguments of the last launch or restart that succeeded: what `restart` runs again. */
  private launchArgs?: L;
  private launchState: 'none' | 'launching' | 'launched' = 'none';
  /** The run was attached to a process that was running already: ending the session detaches. */
  private attached = false;
  /** The program's working directory, as its agent said at start. */
  private programCwd?: string;
  private restarting = false;
  private launchError?: UserError;
  private readonly bpIds = new BreakpointIds();
  private readonly fnBpIds = new BreakpointIds();
  /** Breakpoint requests the agent accepted, replayed on restart. */
  private readonly lastBreakpoints = new Map<string, DapArguments<'setBreakpoints'>>();
  private lastFunctionBreakpoints?: DapArguments<'setFunctionBreakpoints'>;
  private lastExceptionFilters: string[] = [];
  private seq = 1;
  private table?: Handlers<L, A>;
  /** The client said in initialize that it answers startDebugging (a child process's session). */
  protected clientStartsSessions = false;
  /** Requests of the adapter's to the client, by seq, waiting for their response. */
  private readonly reverse = new Map<number, (r: DebugProtocol.Response) => void>();
  /** Events held while a RESUMING request is answered, in order; undefined when none is. */
  private heldEvents?: Outgoing[];
  private resuming = 0;

  /** Delivers one DAP response or event to the client. */
  protected abstract post(message: DebugProtocol.ProtocolMessage): void;

  /** The check of this runtime's launch arguments. */
  protected abstract launchArguments(): Check<L>;

  /**
   * Resolves launch arguments into the launcher of one run; throws UserError for what cannot run.
   * `how` is 'attach' for DAP's attach request (a runtime that cannot attach refuses it).
   */
  protected abstract launcher(args: L, how: 'launch' | 'attach'): ProgramLauncher;

  /** Refuses launch arguments before anything starts (a TCP session's token). */
  protected admit(_args: L | A): void {}

  /** The check of attach arguments; a runtime that cannot attach refuses them all. */
  protected attachArguments(): Check<A> {
    return () => {
      throw new UserError('attach is not supported here');
    };
  }

  /**
   * attach names either a child process of a session's program (`subProcessId`, as a startDebugging
   * request hands it out) or a process that is already running (`processId`, with launch's options).
   */
  private attachCheck(launchArgs: Check<L>): Check<{ child: A } | { running: L }> {
    const child = this.attachArguments();
    return (raw, path) => (typeof raw === 'object' && raw !== null && Object.hasOwn(raw, 'subProcessId') ? { child: child(raw, path) } : { running: launchArgs(raw, path) });
  }

  /** Resolves attach arguments into the launcher of the session's one run. */
  protected attachLauncher(_args: A): ProgramLauncher {
    throw new UserError('attach is not supported here');
  }

  /** The session ends (terminate, disconnect, the client gone): what else it owns ends too (`terminate`) or is let go. */
  protected sessionEnding(_terminate: boolean): void {}

  /**
   * A source's name, as the reading side names frames' files (common/file-names): the program's
   * own files relative to its working directory, library files below their import root. Its
   * path stays absolute.
   */
  protected sourceName(debuggeePath: string): string {
    return readableFile(debuggeePath, this.programCwd);
  }

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

  /** An error answer to something that was not a request at all (request_seq 0 when it had none). */
  protected refuse(requestSeq: number, command: string, message: string): void {
    this.sendRaw({ type: 'response', request_seq: requestSeq, success: false, command, message });
  }

  /**
   * A request of the adapter's to the client; resolves with its response, failed or not (a
   * client that does not answer within REVERSE_REQUEST_MS gets a failed one).
   */
  protected reverseRequest(command: string, args: unknown): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    return new Promise((res) => {
      const timer = setTimeout(() => {
        this.reverse.delete(seq);
        res({ type: 'response', seq: 0, request_seq: seq, command, success: false, message: `the client did not answer ${command} within ${REVERSE_REQUEST_MS / 1000} s` });
      }, REVERSE_REQUEST_MS);
      this.reverse.set(seq, (r) => {
        clearTimeout(timer);
        res(r);
      });
      this.post({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    });
  }

  protected async dispatch(raw: unknown): Promise<void> {
    if (isPlainObject(raw) && raw.type === 'response' && Number.isSafeInteger(raw.request_seq)) {
      // the answer to a reverse request; one to nothing we asked is dropped
      const waiter = this.reverse.get(raw.request_seq as number);
      this.reverse.delete(raw.request_seq as number);
      waiter?.({ ...(raw as unknown as DebugProtocol.Response), success: raw.success === true });
      return;
    }
    if (!isPlainObject(raw) || raw.type !== 'request' || typeof raw.command !== 'string' || !Number.isSafeInteger(raw.seq)) {
      const seq = isPlainObject(raw) && Number.isSafeInteger(raw.seq) ? (raw.seq as number) : 0;
      const command = isPlainObject(raw) && typeof raw.command === 'string' ? raw.command.slice(0, 80) : 'unknown';
      this.refuse(seq, command, 'not a DAP request: it needs "seq" (an integer), "type": "request" and "command" (a string)');
      return;
    }
    const seq = raw.seq as number;
    const command = raw.command;
    const resumes = RESUMING.has(command);
    if (resumes) {
      this.resuming++;
      this.heldEvents ??= [];
    }
    try {
      await this.answer(seq, command, raw.arguments);
    } finally {
      if (resumes && --this.resuming === 0) {
        const held = this.heldEvents ?? [];
        this.heldEvents = undefined;
        for (const m of held) this.sendRaw(m);
      }
    }
  }

  /** Runs one request's handler and sends its response (or its error). */
  private async answer(seq: number, command: string, supplied: unknown): Promise<void> {
    let body: unknown;
    try {
      const table = (this.table ??= this.handlers());
      if (!Object.hasOwn(table, command)) throw new UserError(`unsupported request "${command.slice(0, 80)}"`);
      // the table pairs each command's check with its handler, so the check's result fits it
      const handler = table[command as keyof Handlers<L, A>] as Handler<unknown, unknown>;
      const given = supplied ?? {};
      if (!isPlainObject(given)) throw new UserError(`${command}: arguments must be an object`);
      let args: unknown;
      try {
        args = handler.check(given, '');
      } catch (e) {
        if (e instanceof ShapeError) throw new UserError(`${command}: ${e.message}`);
        throw e;
      }
      body = await handler.run(args);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const internal = !(e instanceof UserError || e instanceof AgentError);
      this.sendRaw({
        type: 'response',
        request_seq: seq,
        success: false,
        command,
        message,
        body: { error: { id: e instanceof UserError ? e.id : FailureId.other, format: internal ? `internal error: ${message}` : message, showUser: command === 'launch' || command === 'attach' } },
      });
      return;
    }
    this.sendRaw({ type: 'response', request_seq: seq, success: true, command, body: body ?? undefined });
    // the client sends its breakpoints once it hears this, and the program waits for them
    if (command === 'launch' || command === 'attach') this.event('initialized');
  }

  /** Each command's check and handler, registered by name. */
  private handlers(): Handlers<L, A> {
    const a = dapArguments;
    const h = <A, B>(check: Check<A>, run: (args: A) => Promise<B>): Handler<A, B> => ({ check, run });
    const launchArgs = this.launchArguments();
    return {
      initialize: h(a.initialize, async (args) => {
        this.clientStartsSessions = args.supportsStartDebuggingRequest === true;
        return capabilities();
      }),
      launch: h(launchArgs, (args) => this.launch(args, 'launch')),
      attach: h(this.attachCheck(launchArgs), (args) => ('child' in args ? this.attach(args.child) : this.launch(args.running, 'attach'))),
      restart: h(object({ arguments: optional(launchArgs) }), (args) => this.restart(args)),
      configurationDone: h(a.configurationDone, () => this.configurationDone()),
      setBreakpoints: h(a.setBreakpoints, (args) => this.setBreakpoints(args)),
      breakpointLocations: h(a.breakpointLocations, (args) => this.breakpointLocations(args)),
      setFunctionBreakpoints: h(a.setFunctionBreakpoints, (args) => this.setFunctionBreakpoints(args)),
      setExceptionBreakpoints: h(a.setExceptionBreakpoints, (args) => this.setExceptionBreakpoints(args)),
      exceptionInfo: h(a.exceptionInfo, (args) => this.requireAgent().request('exceptionInfo', { threadId: args.threadId })),
      threads: h(a.threads, () => this.threads()),
      continue: h(a.continue, () => this.resume()),
      next: h(a.next, (args) => this.step(args.threadId, 'over')),
      stepIn: h(a.stepIn, (args) => this.step(args.threadId, 'in')),
      stepOut: h(a.stepOut, (args) => this.step(args.threadId, 'out')),
      pause: h(a.pause, () => this.pause()),
      stackTrace: h(a.stackTrace, (args) => this.stackTrace(args)),
      scopes: h(a.scopes, (args) => this.scopes(args)),
      variables: h(a.variables, (args) => this.variables(args)),
      evaluate: h(a.evaluate, (args) => this.evaluate(args)),
      setVariable: h(a.setVariable, (args) => this.setVariable(args)),
      setExpression: h(a.setExpression, (args) => this.setExpression(args)),
      completions: h(a.completions, (args) => this.completions(args)),
      source: h(a.source, (args) => this.source(args)),
      disconnect: h(a.disconnect, (args) => this.disconnect(args)),
      terminate: h(a.terminate, () => this.terminate()),
    };
  }

  protected requireAgent(): AgentClient {
    if (!this.run) throw new UserError('no program is running (send launch first)');
    return this.run.agent;
  }

  // -- one run of the program

  /**
   * Starts a run and takes it as far as configured: the program then waits for `start`. A run
   * that fails on the way is ended, never left waiting.
   */
  private async startRun(args: L | A, launcher: ProgramLauncher): Promise<void> {
    this.justMyCode = args.justMyCode ?? true;
    this.launchError = undefined;
    const program = launcher.launch();
    let helloFrom!: (h: Hello) => void;
    const hello = new Promise<Hello>((res) => (helloFrom = res));
    const agent = new AgentClient(
      program.transport,
      (e) => {
        if (e.event === 'hello') helloFrom(e.body);
        else if (this.run === run) this.onAgentEvent(e);
      },
      { timeoutMs: agentAnswerMs(args.reprTimeout ?? 1) },
    );
    const run: Run = { program, agent };
    this.run = run;
    let stderrTail = '';
    program.onOutput((category, text) => {
      if (this.run !== run) return;
      if (category === 'stderr') stderrTail = (stderrTail + text).slice(-2000);
      this.event('output', { category, output: text });
    });
    const ended = new Promise<ProgramEnd>((res) => program.onExit(res));
    void ended.then((end) => this.runEnded(run, end));
    let helloTimer: ReturnType<typeof setTimeout> | undefined;
    const tooLate = new Promise<never>((_, rej) => {
      helloTimer = setTimeout(() => rej(new UserError(`the debugger agent did not start within ${HELLO_MS / 1000} s`)), HELLO_MS);
    });
    try {
      const first = await Promise.race([hello, ended, tooLate]).finally(() => clearTimeout(helloTimer));
      if (!('pid' in first)) {
        if (first.failure !== undefined) throw new UserError(first.failure, first.failureId);
        if (this.launchError) throw this.launchError;
        // an interpreter that said nothing of ours: one that is no Python is said so, in one line
        const why = await launcher.whyNeverStarted?.();
        if (why) throw why;
        throw new UserError(stderrTail.trim().split('\n').slice(-1)[0] || launcher.neverStarted);
      }
      const [major, minor] = first.version;
      if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
        throw new UserError(`${first.executable} is Python ${first.version.join('.')}; the debugger needs ${MIN_VERSION.join('.')} or newer`, FailureId.interpreterTooOld);
      }
      this.programCwd = typeof first.cwd === 'string' ? first.cwd : undefined;
      await this.configureAgent(agent, launcher.libraryRoots(first), args.reprTimeout ?? 1, args.showAsyncTasks ?? false);
      this.event('process', launcher.processEvent(first));
    } catch (e) {
      this.endFailedRun(program, ended);
      throw e;
    }
  }

  /** A run whose launch failed: one that said why ends by itself; any other is ended now. */
  private endFailedRun(program: LaunchedProgram, ended: Promise<ProgramEnd>): void {
    if (!this.launchError) {
      program.kill();
      return;
    }
    const timer = setTimeout(() => program.kill(), LAUNCH_ERROR_GRACE_MS);
    void ended.then(() => clearTimeout(timer));
  }

  /** Hands the agent its settings; a program the agent refused to compile fails the launch here. */
  private async configureAgent(agent: AgentClient, libraryRoots: string[], reprTimeout: number, showAsyncTasks: boolean): Promise<void> {
    try {
      await agent.request('configure', { libraryRoots, justMyCode: this.justMyCode, reprTimeout, showAsyncTasks });
      // the agent compiles the program right after hello; give it the chance to refuse
      await agent.request('threads');
    } catch (e) {
      if (!this.launchError) throw e;
    }
    if (this.launchError) throw this.launchError;
  }

  private runEnded(run: Run, end: ProgramEnd): void {
    // a run replaced by a restart, or released by a detach, ends unheard
    if (this.run !== run) return;
    this.run = undefined;
    this.vars.clear();
    if (end.exitCode !== null) this.event('exited', { exitCode: end.exitCode });
    this.event('terminated');
  }

  private onAgentEvent(e: AgentEvent): void {
    switch (e.event) {
      case 'launchError': {
        // `message` is the error response's one line; `text`, when it says more (a SyntaxError's
        // caret lines), goes to the program's stderr first, whole: a console that shows only the
        // output (the playground's, once the program has ended) reads it to its last line
        this.launchError = new UserError(String(e.body.message), e.body.reason === 'interpreterTooOld' ? FailureId.interpreterTooOld : FailureId.other);
        const text = (e.body.text ?? '').trimEnd();
        if (text.trim() !== '' && text.trim() !== this.launchError.message.trim()) this.event('output', { category: 'stderr', output: `${text}\n` });
        return;
      }
      case 'stopped':
        this.vars.clear();
        this.event('stopped', e.body);
        return;
      case 'output': {
        const b = e.body;
        const out: DebugProtocol.OutputEvent['body'] = { category: String(b.category ?? 'console'), output: String(b.text ?? '') };
        if (typeof b.path === 'string') out.source = { name: this.sourceName(b.path), path: this.toClientPath(b.path) };
        if (typeof b.line === 'number') out.line = b.line;
        this.event('output', out);
        return;
      }
      default:
        return;
    }
  }

  /** The client went away (its connection closed): a launched program must not outlive it. */
  protected clientGone(): void {
    this.sessionEnding(true);
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    run.program.kill();
  }

  // -- lifecycle

  private async launch(args: L, how: 'launch' | 'attach'): Promise<undefined> {
    if (this.launchState === 'launching') throw new UserError(`${how}: a launch is already in progress in this session`);
    if (this.launchState === 'launched') throw new UserError(`${how}: this session already ${how === 'attach' ? 'attached to' : 'launched'} a program (send restart, or start a new session)`);
    this.admit(args);
    this.launchState = 'launching';
    try {
      await this.startRun(args, this.launcher(args, how));
    } catch (e) {
      this.launchState = 'none';
      // nothing runs: what the launch opened for the run (the children's socket) must not keep
      // the adapter, or an in-process front end, alive
      this.sessionEnding(true);
      throw e;
    }
    this.attached = how === 'attach';
    this.launchState = 'launched';
    this.launchArgs = args;
    return undefined;
  }

  /** An attach: a run of a program that someone else started (a child process of a session's program). */
  private async attach(args: A): Promise<undefined> {
    if (this.launchState === 'launching') throw new UserError('attach: a launch or attach is already in progress in this session');
    if (this.launchState === 'launched') throw new UserError('attach: this session already debugs a program (start a new session)');
    this.admit(args);
    this.launchState = 'launching';
    try {
      await this.startRun(args, this.attachLauncher(args));
    } catch (e) {
      this.launchState = 'none';
      throw e;
    }
    this.launchState = 'launched';
    return undefined;
  }

  private async configurationDone(): Promise<undefined> {
    await this.requireAgent().request('start');
    return undefined;
  }

  private async restart(a: { arguments?: L }): Promise<undefined> {
    if (this.launchState !== 'launched' || !this.launchArgs) throw new UserError('restart: no program was launched in this session');
    if (this.attached) throw new UserError('restart: this session attached to a running process, which it cannot start again');
    if (this.restarting) throw new UserError('restart: a restart is already in progress');
    const launch = a.arguments ?? this.launchArgs;
    this.admit(launch);
    this.restarting = true;
    try {
      const old = this.run;
      if (old) {
        this.run = undefined;
        // its references name the old agent's handles, which the new agent may reuse
        this.vars.clear();
        await old.program.terminate();
      }
      try {
        await this.startRun(launch, this.launcher(launch, 'launch'));
      } catch (e) {
        // nothing runs any more: the client hears the end of the session it had
        if (!this.run) this.event('terminated');
        throw e;
      }
      const run = this.run;
      try {
        for (const bp of [...this.lastBreakpoints.values()]) await this.setBreakpoints(bp);
        if (this.lastFunctionBreakpoints) await this.setFunctionBreakpoints(this.lastFunctionBreakpoints);
        await this.setExceptionBreakpoints({ filters: this.lastExceptionFilters });
        await this.requireAgent().request('start');
      } catch (e) {
        // a program left waiting for `start` would wait for ever
        run?.program.kill();
        throw e;
      }
      this.launchArgs = launch;
    } finally {
      this.restarting = false;
    }
    return undefined;
  }

  private async disconnect(args: DapArguments<'disconnect'>): Promise<undefined> {
    const run = this.run;
    const release = run?.program.release?.bind(run.program);
    // an attached process outlives its session unless told otherwise; a launched one does not
    if (run && (args.terminateDebuggee ?? !this.attached) === false && release) {
      await run.agent.request('detach').catch(() => undefined);
      this.run = undefined;
      this.vars.clear();
      release();
      this.sessionEnding(false);
      return undefined;
    }
    await run?.program.terminate();
    this.sessionEnding(true);
    return undefined;
  }

  private async terminate(): Promise<undefined> {
    await this.run?.program.terminate();
    this.sessionEnding(true);
    return undefined;
  }

  // -- breakpoints

  private async setBreakpoints(args: DapArguments<'setBreakpoints'>): Promise<DebugProtocol.SetBreakpointsResponse['body']> {
    const agent = this.requireAgent();
    const clientPath = args.source.path;
    const path = this.toDebuggeePath(clientPath);
    const requested = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    const { agent: specs, rejected } = translateBreakpoints(path, requested, this.bpIds);
    const result = await agent.request('setBreakpoints', { path, breakpoints: specs });
    this.lastBreakpoints.set(clientPath, args);
    const answers = [...result.breakpoints];
    return {
      breakpoints: requested.map((bp, i) => {
        const problem = rejected.get(i);
        if (problem) return { verified: false, line: bp.line, message: problem };
        const a = answers.shift() ?? { verified: false };
        const out: DebugProtocol.Breakpoint = { id: this.bpIds.idFor(`${path}:${bp.line}`), verified: a.verified, line: a.line ?? bp.line, source: { name: this.sourceName(path), path: clientPath } };
        if (a.message) out.message = a.message;
        return out;
      }),
    };
  }

  private async breakpointLocations(args: DapArguments<'breakpointLocations'>): Promise<DebugProtocol.BreakpointLocationsResponse['body']> {
    const r = await this.requireAgent().request('breakpointLocations', {
      path: this.toDebuggeePath(args.source.path),
      line: args.line,
      endLine: args.endLine ?? args.line,
    });
    return { breakpoints: r.lines.map((line) => ({ line })) };
  }

  private async setFunctionBreakpoints(args: DapArguments<'setFunctionBreakpoints'>): Promise<DebugProtocol.SetFunctionBreakpointsResponse['body']> {
    const agent = this.requireAgent();
    const specs: { id: number; name: string; condition?: string; hit?: { op: '==' | '>=' | '>' | '<' | '<=' | '%'; n: number } }[] = [];
    const problems = new Map<number, string>();
    args.breakpoints.forEach((bp, i) => {
      const spec: (typeof specs)[number] = { name: bp.name, id: this.fnBpIds.idFor(bp.name) };
      if (bp.condition) spec.condition = bp.condition;
      if (bp.hitCondition) {
        const hit = parseHitCondition(bp.hitCondition);
        if (typeof hit === 'string') problems.set(i, hit);
        else spec.hit = hit;
      }
      if (!problems.has(i)) specs.push(spec);
    });
    const r = await agent.request('setFunctionBreakpoints', { breakpoints: specs });
    this.lastFunctionBreakpoints = args;
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

  private async setExceptionBreakpoints(args: { filters: string[]; filterOptions?: { filterId: string }[] }): Promise<undefined> {
    const known = new Set(EXCEPTION_FILTERS.map((f) => f.filter));
    const filters = [...args.filters, ...(args.filterOptions ?? []).map((o) => o.filterId)];
    for (const f of filters) if (!known.has(f)) throw new UserError(`setExceptionBreakpoints: unknown exception filter "${f.slice(0, 80)}"`);
    await this.requireAgent().request('setExceptionBreakpoints', { filters });
    this.lastExceptionFilters = filters;
    return undefined;
  }

  // -- execution

  private async threads(): Promise<DebugProtocol.ThreadsResponse['body']> {
    if (!this.run) return { threads: [] };
    return this.run.agent.request('threads');
  }

  private async resume(): Promise<DebugProtocol.ContinueResponse['body']> {
    const agent = this.requireAgent();
    this.vars.clear();
    await agent.request('continue');
    return { allThreadsContinued: true };
  }

  private async step(threadId: number, kind: 'over' | 'in' | 'out'): Promise<undefined> {
    const agent = this.requireAgent();
    this.vars.clear();
    await agent.request('step', { threadId, kind });
    return undefined;
  }

  private async pause(): Promise<undefined> {
    await this.requireAgent().request('pause');
    return undefined;
  }

  // -- inspection

  private async stackTrace(args: DapArguments<'stackTrace'>): Promise<DebugProtocol.StackTraceResponse['body']> {
    const r = await this.requireAgent().request('stackTrace', { threadId: args.threadId });
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
        if (f.path) sf.source = { name: this.sourceName(f.path), path: this.toClientPath(f.path) };
        else if (f.sourceKey) sf.source = { name: f.sourceName ?? f.sourceKey, sourceReference: this.sources.refFor(f.sourceKey) };
        if (!f.user) {
          sf.presentationHint = 'subtle';
          if (sf.source) sf.source.presentationHint = 'deemphasize';
        }
        return sf;
      }),
    };
  }

  private async scopes(args: DapArguments<'scopes'>): Promise<DebugProtocol.ScopesResponse['body']> {
    const r = await this.requireAgent().request('scopes', { frameId: args.frameId });
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

  private async variables(args: DapArguments<'variables'>): Promise<DebugProtocol.VariablesResponse['body']> {
    const agent = this.requireAgent();
    const ref = this.vars.get(args.variablesReference);
    if (!ref) throw new UserError(`variables: variablesReference ${args.variablesReference} is not valid (the program resumed since, or it never was)`);
    const start = args.start ?? 0;
    const count = args.count ?? 0;
    const r = await agent.request('variables', { handle: ref.agentHandle, start, count, ...(args.filter ? { filter: args.filter } : {}) });
    const variables = r.variables.map((v) => this.toDap(v, ref.frameId));
    // an unpaged request got the first children only: say how many more there are, and how to get them
    const more = count === 0 && r.total !== undefined ? r.total - start - r.variables.length : 0;
    if (more > 0) {
      variables.push({
        name: '...',
        value: `${more} more not shown: ask for them with "start" and "count"`,
        variablesReference: 0,
        presentationHint: { kind: 'virtual' },
      });
    }
    return { variables };
  }

  private async evaluate(args: DapArguments<'evaluate'>): Promise<DebugProtocol.EvaluateResponse['body']> {
    const r = await this.requireAgent().request('evaluate', {
      expression: args.expression,
      ...(args.frameId !== undefined ? { frameId: args.frameId } : {}),
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

  private async setVariable(args: DapArguments<'setVariable'>): Promise<DebugProtocol.SetVariableResponse['body']> {
    const agent = this.requireAgent();
    const ref = this.vars.get(args.variablesReference);
    if (!ref) throw new UserError(`setVariable: variablesReference ${args.variablesReference} is not valid`);
    const r = await agent.request('setVariable', {
      handle: ref.agentHandle,
      name: args.name,
      value: args.value,
      ...(ref.frameId !== undefined ? { frameId: ref.frameId } : {}),
    });
    return { value: r.value, type: r.type, variablesReference: this.vars.add({ agentHandle: r.handle, ...(ref.frameId !== undefined ? { frameId: ref.frameId } : {}) }) };
  }

  private async setExpression(args: DapArguments<'setExpression'>): Promise<DebugProtocol.SetExpressionResponse['body']> {
    const agent = this.requireAgent();
    if (args.frameId === undefined) throw new UserError('setExpression needs a frameId');
    const r = await agent.request('setExpression', { frameId: args.frameId, expression: args.expression, value: args.value });
    return { value: r.value, type: r.type, variablesReference: this.vars.add({ agentHandle: r.handle, frameId: args.frameId }) };
  }

  private async completions(args: DapArguments<'completions'>): Promise<DebugProtocol.CompletionsResponse['body']> {
    const r = await this.requireAgent().request('completions', {
      ...(args.frameId !== undefined ? { frameId: args.frameId } : {}),
      text: args.text,
      column: args.column,
    });
    return { targets: r.targets };
  }

  private async source(args: DapArguments<'source'>): Promise<DebugProtocol.SourceResponse['body']> {
    const agent = this.requireAgent();
    const ref = args.source?.sourceReference ?? args.sourceReference;
    const key = this.sources.keyOf(ref);
    if (!key) throw new UserError(`source: no source with reference ${ref}`);
    return agent.request('source', { key });
  }
}
