// One `pyscope debug` session as the DAP conversation with our adapter leaves it: whether the
// program runs, its threads and frames and which frame is selected, the breakpoints, the exception
// it stopped on, how it ended. It makes the DAP requests and tells listeners what changed. It
// knows no pdb syntax and writes no text, so the pdb front end and the full-screen view read one
// truth and change it through the same calls.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BreakpointTable, type BreakpointView, type PdbBreakpoint } from './breakpointTable.js';
import type { SessionOptions } from '../debugger/session.js';
import { FailureId } from '../debugger/userError.js';
import { DapClient, DapRequestError } from './dapClient.js';
import { SourceCache } from './sourceView.js';

export interface LaunchOptions {
  program?: string;
  module?: string;
  args: string[];
  python?: string;
  runtime?: 'native' | 'pyodide';
  cwd: string;
  justMyCode: boolean;
  /** Attach to this running process instead of launching (`pyscope debug -p PID`). */
  processId?: number;
  /**
   * What the main thread of a live process is doing when it runs no Python ("blocked in the system
   * call read, called from main (app.py:3)"), for a pause that does not stop; the command passes
   * the process reader, which this model does not load.
   */
  describeWait?: (pid: number) => Promise<string>;
}

/**
 * `pyscope debug -p` gave up: the agent did not connect, or no thread of the process ran a line of
 * Python to stop at, within the bound. The session detached first: nothing of it is left there.
 */
export class AttachGaveUpError extends Error {}

/** After a pause (or the one that stops an attached process), this long without a stop: say what it waits for. */
const STOP_NOTICE_MS = 3_000;
/** ... and this long: give up, detach, and say so (docs/DEBUGGER.md). */
export const ATTACH_STOP_MS = 20_000;

export type State = 'starting' | 'running' | 'stopped' | 'exited';

export type ExceptionInfo = DebugProtocol.ExceptionInfoResponse['body'];

/** The DAP requests that let the program run until its next stop. */
export type RunCommand = 'continue' | 'next' | 'stepIn' | 'stepOut';

export type EvaluateContext = 'watch' | 'repl' | 'clipboard' | 'hover';

export interface StopReport {
  /** DAP's reason: 'breakpoint', 'step', 'exception', 'pause', 'entry', ... */
  reason: string;
  /** Temporary breakpoints this stop hit; they are already deleted. */
  deleted: Readonly<PdbBreakpoint>[];
  exception?: ExceptionInfo;
}

/**
 * How the program's end came: on its own (`ended`), because the user quit (`quit`), or before it
 * ever ran, when the launch failed (`launchFailed`, whose error the start call reports).
 */
export interface EndReport {
  how: 'ended' | 'quit' | 'launchFailed';
  exitCode?: number;
}

export interface BreakpointOptions {
  temporary: boolean;
  condition?: string;
}

type Listener<A extends unknown[]> = (...args: A) => void;

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export class DebugSessionModel {
  readonly options: Readonly<LaunchOptions>;
  /** Source text for the frames and files the session shows: disk, else the adapter. */
  readonly sources: SourceCache;
  private readonly client: DapClient;
  private readonly table = new BreakpointTable();
  private stateNow: State = 'starting';
  private thread = 1;
  private stack: DebugProtocol.StackFrame[] = [];
  private selected = 0;
  private lastThreads: DebugProtocol.Thread[] = [];
  private exceptionNow?: ExceptionInfo;
  private exitCodeNow?: number;
  private filters = ['uncaught'];
  private jmc: boolean;
  private readonly files = new Set<string>();
  private waiter = deferred();
  private quitting = false;
  private launched = false;

  private readonly outputListeners: Listener<[text: string, category: string]>[] = [];
  private readonly stopListeners: ((stop: StopReport) => void | Promise<void>)[] = [];
  private readonly endListeners: Listener<[end: EndReport]>[] = [];
  private readonly frameListeners: Listener<[]>[] = [];
  private readonly problemListeners: Listener<[message: string]>[] = [];
  private readonly changeListeners: Listener<[]>[] = [];
  /** The debuggee's pid, from the adapter's process event (none in Pyodide). */
  private pidNow: number | undefined;
  /** The line a pause that has not stopped yet prints, due: cancelled by any stop or end. */
  private pauseNotice: ReturnType<typeof setTimeout> | undefined;

  constructor(
    options: LaunchOptions,
    private readonly sessionOptions: SessionOptions = {},
  ) {
    this.client = new DapClient(sessionOptions);
    this.options = { ...options };
    this.jmc = options.justMyCode;
    this.sources = new SourceCache(async (source) => {
      const r = await this.client.request<DebugProtocol.SourceResponse['body']>('source', { source, sourceReference: source.sourceReference ?? 0 });
      return r.content;
    });
    this.client.onEvent((e) => this.onEvent(e));
  }

  // -- what the session is now

  get state(): State {
    return this.stateNow;
  }

  get threadId(): number {
    return this.thread;
  }

  /** The stopped thread's frames, innermost first. */
  get frames(): readonly DebugProtocol.StackFrame[] {
    return this.stack;
  }

  get frameIndex(): number {
    return this.selected;
  }

  get currentFrame(): DebugProtocol.StackFrame | undefined {
    return this.stack[this.selected];
  }

  /** The threads as the last `threads()` call found them. */
  get threadList(): readonly DebugProtocol.Thread[] {
    return this.lastThreads;
  }

  /** The exception the program stopped on, when that is why it stopped. */
  get exception(): ExceptionInfo | undefined {
    return this.exceptionNow;
  }

  get exitCode(): number | undefined {
    return this.exitCodeNow;
  }

  get breakpoints(): BreakpointView {
    return this.table;
  }

  get exceptionFilters(): readonly string[] {
    return this.filters;
  }

  get justMyCode(): boolean {
    return this.jmc;
  }

  /** Every file a stack of this session has shown: where a relative file name is looked up. */
  get knownFiles(): ReadonlySet<string> {
    return this.files;
  }

  // -- listeners

  /** What the program (or the adapter about it) printed; category is DAP's: stdout, stderr, console. */
  onOutput(listener: (text: string, category: string) => void): void {
    this.outputListeners.push(listener);
  }

  /**
   * A stop, once the stack and the exception are known. The stop settles (waitForStop resolves,
   * views redraw) after every listener's promise: what a listener prints comes before the prompt.
   */
  onStop(listener: (stop: StopReport) => void | Promise<void>): void {
    this.stopListeners.push(listener);
  }

  onEnd(listener: (end: EndReport) => void): void {
    this.endListeners.push(listener);
  }

  /** The selected frame is another one (a stop, up/down, another thread). */
  onFrameSelected(listener: () => void): void {
    this.frameListeners.push(listener);
  }

  /** A stop whose stack could not be read: the session goes on, stopped, with the reason. */
  onProblem(listener: (message: string) => void): void {
    this.problemListeners.push(listener);
  }

  /** Anything a view shows may have changed. */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  private changed(): void {
    for (const l of this.changeListeners) l();
  }

  // -- launch, run, stop, end

  /** Starts the program and resolves at its first stop (pdb's: the first line) or its end. */
  async start(): Promise<void> {
    const initialized = new Promise<void>((res) => this.client.onEvent((e) => e.event === 'initialized' && res()));
    this.client.capabilities = (await this.client.request<DebugProtocol.Capabilities>('initialize', {
      clientID: 'pyscope-debug',
      clientName: 'pyscope debug',
      adapterID: 'pyscope',
      linesStartAt1: true,
      columnsStartAt1: true,
      pathFormat: 'path',
    })) ?? {};
    const pid = this.options.processId;
    if (pid !== undefined) {
      await this.client.request('attach', { processId: pid, justMyCode: this.jmc }).catch((e: unknown) => {
        throw e instanceof DapRequestError && e.failureId === FailureId.attachGaveUp ? new AttachGaveUpError(e.message) : e;
      });
    } else await this.client.request('launch', this.launchArguments());
    this.launched = true;
    await initialized;
    await this.client.request('setExceptionBreakpoints', { filters: this.filters });
    await this.client.request('configurationDone');
    // as pdb -p: the program stops where it is, at the next line of it that runs
    if (pid !== undefined) {
      await this.client.request('pause', { threadId: 1 });
      await this.firstStopOfAttach(pid);
    }
    await this.waiter.promise;
  }

  /**
   * Waits, bounded, for the pause of an attach to stop the program: a process none of whose threads
   * runs Python (blocked in a C call) never stops. After a while it says in one line what it waits
   * for; at the bound it detaches (the agent takes all of itself out) and gives up.
   */
  private async firstStopOfAttach(pid: number): Promise<void> {
    const timers: ReturnType<typeof setTimeout>[] = [];
    const describe = (): string => {
      try {
        return this.sessionOptions.attach?.describeWait(pid) ?? 'blocked in a C call';
      } catch {
        return 'blocked in a C call';
      }
    };
    timers.push(
      setTimeout(() => {
        const text = `pyscope: attach: waiting for the main thread of process ${pid} to run Python code: it is ${describe()}; giving up in ${Math.round((ATTACH_STOP_MS - STOP_NOTICE_MS) / 1000)} s\n`;
        for (const l of this.outputListeners) l(text, 'console');
      }, STOP_NOTICE_MS),
    );
    const gaveUp = new Promise<'gave up'>((res) => timers.push(setTimeout(() => res('gave up'), ATTACH_STOP_MS)));
    try {
      const first = await Promise.race([this.waiter.promise.then(() => 'stopped' as const), gaveUp]);
      if (first === 'stopped') return;
    } finally {
      for (const t of timers) clearTimeout(t);
    }
    const why = describe();
    await this.quit();
    throw new AttachGaveUpError(`attach: gave up after ${ATTACH_STOP_MS / 1000} s: no thread of process ${pid} ran a line of Python (its main thread is ${why}); detached, it runs on as before`);
  }

  private launchArguments(): Record<string, unknown> {
    const o = this.options;
    return {
      ...(o.program !== undefined ? { program: o.program } : { module: o.module }),
      args: o.args,
      cwd: o.cwd,
      ...(o.python !== undefined ? { python: o.python } : {}),
      ...(o.runtime !== undefined ? { runtime: o.runtime } : {}),
      stopOnEntry: true,
      justMyCode: this.jmc,
    };
  }

  /** Resolves when the program stops or ends after a call that let it run. */
  waitForStop(): Promise<void> {
    return this.waiter.promise;
  }

  /** Throws, with the reason, unless the program is stopped: what needs frames asks this first. */
  requireStopped(): void {
    if (this.stateNow === 'exited') throw new Error('the program has ended');
    if (this.stateNow !== 'stopped') throw new Error('the program is running');
  }

  /** Lets the program run; resolves once the adapter took the request, not at the next stop. */
  async resume(command: RunCommand): Promise<void> {
    this.requireStopped();
    this.waiter = deferred();
    this.stateNow = 'running';
    this.exceptionNow = undefined;
    this.changed();
    try {
      await this.client.request(command, { threadId: this.thread });
    } catch (e) {
      this.stateNow = 'stopped';
      this.waiter.resolve();
      throw e;
    }
  }

  /**
   * Ctrl-C while the program runs. A program whose threads all sit in C calls (a sleep, a read)
   * stops only once one of them runs a line of Python, as under pdb; after a while the user is
   * told what the main thread is doing meanwhile.
   */
  async pause(): Promise<void> {
    if (this.stateNow !== 'running') return;
    const pid = this.pidNow;
    const describe = this.options.describeWait;
    clearTimeout(this.pauseNotice);
    if (pid !== undefined && describe !== undefined) {
      this.pauseNotice = setTimeout(() => {
        void describe(pid)
          .catch(() => 'blocked in a C call')
          .then((what) => {
            if (this.stateNow !== 'running') return;
            const text = `pyscope: pause: waiting for a thread of process ${pid} to run a line of Python; its main thread is ${what}\n`;
            for (const l of this.outputListeners) l(text, 'console');
          });
      }, STOP_NOTICE_MS);
      this.pauseNotice.unref();
    }
    await this.client.request('pause', { threadId: this.thread }).catch(() => undefined);
  }

  /** Ends the program (if it still runs) and the session; a program attached to runs on, detached. */
  async quit(): Promise<void> {
    this.quitting = true;
    if (this.stateNow !== 'exited') {
      await this.client.request('disconnect', { terminateDebuggee: this.options.processId === undefined }).catch(() => undefined);
    }
    this.stateNow = 'exited';
    this.waiter.resolve();
    this.client.close();
    this.changed();
  }

  /** Ends the conversation with the adapter (quit() does it too). */
  close(): void {
    this.client.close();
  }

  /** DAP fixes just-my-code at launch, so changing it restarts the program; breakpoints are kept. */
  async restart(changes: { justMyCode: boolean }): Promise<void> {
    if (this.stateNow === 'exited') throw new Error('the program has ended');
    if (this.options.processId !== undefined) throw new Error('this session attached to a running process: it cannot be restarted');
    this.jmc = changes.justMyCode;
    this.waiter = deferred();
    this.stateNow = 'running';
    this.changed();
    await this.client.request('restart', { arguments: this.launchArguments() });
  }

  private onEvent(e: DebugProtocol.Event): void {
    const body = (e.body ?? {}) as Record<string, unknown>;
    switch (e.event) {
      case 'output': {
        const category = String(body.category ?? 'console');
        if (category === 'telemetry') return;
        const text = String(body.output ?? '');
        for (const l of this.outputListeners) l(text, category);
        return;
      }
      case 'stopped':
        void this.onStopped(body as unknown as DebugProtocol.StoppedEvent['body']).catch((err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          for (const l of this.problemListeners) l(message);
          this.settle('stopped');
        });
        return;
      case 'exited':
        this.exitCodeNow = Number(body.exitCode ?? 0);
        return;
      case 'process':
        if (typeof body.systemProcessId === 'number') this.pidNow = body.systemProcessId;
        return;
      case 'terminated': {
        if (this.stateNow === 'exited') return;
        const how = this.quitting ? 'quit' : this.launched ? 'ended' : 'launchFailed';
        const end: EndReport = this.exitCodeNow === undefined ? { how } : { how, exitCode: this.exitCodeNow };
        for (const l of this.endListeners) l(end);
        this.settle('exited');
        return;
      }
      default:
        return;
    }
  }

  private settle(state: State): void {
    clearTimeout(this.pauseNotice);
    this.stateNow = state;
    this.waiter.resolve();
    this.changed();
  }

  private async onStopped(body: DebugProtocol.StoppedEvent['body']): Promise<void> {
    clearTimeout(this.pauseNotice);
    if (this.stateNow === 'exited') return;
    this.thread = body.threadId ?? this.thread;
    await this.loadStack();
    this.exceptionNow = undefined;
    const deleted: PdbBreakpoint[] = [];
    const top = this.stack[0];
    const ids = body.hitBreakpointIds ?? [];
    if (top && (ids.length || body.reason === 'function breakpoint')) {
      // the adapter names no ids for a function breakpoint: the stopped frame's name tells which
      const hit = ids.length ? this.table.hitAt(ids, top.source?.path, top.line, top.name) : this.table.functionsNamed(top.name);
      for (const b of hit) b.hits++;
      if (hit.length && hit.every((b) => b.ignore > 0)) {
        for (const b of hit) b.ignore--;
        // pdb counts an ignored crossing as a hit and goes on without a prompt
        await this.client.request('continue', { threadId: this.thread });
        return;
      }
      for (const b of hit.filter((x) => x.temporary)) {
        this.table.remove(b);
        await this.sync(b);
        deleted.push(b);
      }
    }
    if (body.reason === 'exception') {
      try {
        this.exceptionNow = await this.client.request<ExceptionInfo>('exceptionInfo', { threadId: this.thread });
      } catch {
        this.exceptionNow = { exceptionId: body.text ?? 'exception', breakMode: 'always', description: body.description ?? '' };
      }
    }
    this.stateNow = 'stopped';
    const report: StopReport = this.exceptionNow ? { reason: body.reason, deleted, exception: this.exceptionNow } : { reason: body.reason, deleted };
    for (const l of this.stopListeners) await l(report);
    this.settle('stopped');
  }

  // -- frames and threads

  private async loadStack(): Promise<void> {
    const st = await this.client.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: this.thread, startFrame: 0, levels: 200 });
    this.stack = st.stackFrames;
    this.selected = 0;
    for (const f of this.stack) if (f.source?.path) this.files.add(f.source.path);
    for (const l of this.frameListeners) l();
  }

  /** Selects a frame of the stopped thread by its index (0 is the innermost); out of range is ignored. */
  selectFrame(index: number): void {
    if (index < 0 || index >= this.stack.length) return;
    this.selected = index;
    for (const l of this.frameListeners) l();
    this.changed();
  }

  async threads(): Promise<readonly DebugProtocol.Thread[]> {
    const r = await this.client.request<DebugProtocol.ThreadsResponse['body']>('threads');
    this.lastThreads = r.threads;
    return r.threads;
  }

  /** Shows another thread's stack; false when there is no thread of that id. */
  async selectThread(id: number): Promise<boolean> {
    this.requireStopped();
    if (!(await this.threads()).some((t) => t.id === id)) return false;
    const previous = this.thread;
    this.thread = id;
    try {
      await this.loadStack();
    } catch (e) {
      this.thread = previous;
      await this.loadStack();
      throw e;
    } finally {
      this.changed();
    }
    return true;
  }

  // -- values

  /** Evaluates in the selected frame. */
  async evaluate(expression: string, context: EvaluateContext): Promise<DebugProtocol.EvaluateResponse['body']> {
    this.requireStopped();
    const frameId = this.currentFrame?.id;
    return this.client.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression, context, ...(frameId !== undefined ? { frameId } : {}) });
  }

  async scopes(frameId: number): Promise<readonly DebugProtocol.Scope[]> {
    return (await this.client.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId })).scopes;
  }

  /** One page of a scope's or a value's children. */
  async variables(reference: number, start: number, count: number): Promise<readonly DebugProtocol.Variable[]> {
    return (await this.client.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: reference, start, count })).variables;
  }

  /** Completions of the expression at the end of a line, from the selected frame's names. */
  async complete(text: string): Promise<string[]> {
    if (this.stateNow !== 'stopped') return [];
    try {
      const r = await this.client.request<DebugProtocol.CompletionsResponse['body']>('completions', {
        text,
        column: text.length + 1,
        ...(this.currentFrame ? { frameId: this.currentFrame.id } : {}),
      });
      return r.targets.map((t) => {
        const start = t.start ?? text.length;
        return text.slice(0, start) + (t.text ?? t.label);
      });
    } catch {
      return [];
    }
  }

  // -- breakpoints and exception filters

  /**
   * Adds a numbered breakpoint and sends it. A line the adapter cannot place is removed again and
   * reported with `placed: false` (its message says why); a function breakpoint waits for its
   * function, so it is always kept.
   */
  async addBreakpoint(at: { file: string; line: number } | { func: string }, options: BreakpointOptions): Promise<{ breakpoint: Readonly<PdbBreakpoint>; placed: boolean }> {
    const extra = options.condition ? { condition: options.condition } : {};
    const b = this.table.add({ ...at, temporary: options.temporary, ...extra });
    try {
      await this.sync(b);
      if ('func' in at || b.verified !== false) return { breakpoint: b, placed: true };
      this.table.remove(b);
      await this.sync(b);
      return { breakpoint: b, placed: false };
    } finally {
      this.changed();
    }
  }

  async removeBreakpoint(n: number): Promise<void> {
    const b = this.table.get(n);
    if (!b) return;
    this.table.remove(b);
    try {
      await this.sync(b);
    } finally {
      this.changed();
    }
  }

  async setBreakpointEnabled(n: number, enabled: boolean): Promise<void> {
    await this.changeBreakpoint(n, (b) => (b.enabled = enabled));
  }

  async setBreakpointCondition(n: number, condition: string | undefined): Promise<void> {
    await this.changeBreakpoint(n, (b) => {
      if (condition === undefined) delete b.condition;
      else b.condition = condition;
    });
  }

  /** pdb's ignore count: the next `count` hits go on without a stop. The client counts them. */
  setBreakpointIgnore(n: number, count: number): void {
    const b = this.table.get(n);
    if (!b) return;
    b.ignore = count;
    this.changed();
  }

  private async changeBreakpoint(n: number, change: (b: PdbBreakpoint) => void): Promise<void> {
    const b = this.table.get(n);
    if (!b) return;
    change(b);
    try {
      await this.sync(b);
    } finally {
      this.changed();
    }
  }

  /** The lines of a file between two lines where a breakpoint can stop, as the adapter sees the code. */
  async breakpointLines(file: string, line: number, endLine: number): Promise<number[]> {
    const r = await this.client.request<DebugProtocol.BreakpointLocationsResponse['body']>('breakpointLocations', { source: { path: file }, line, endLine });
    return r.breakpoints.map((b) => b.line);
  }

  /** Sends the adapter the breakpoints of the file (or the function list) that `b` belongs to. */
  private async sync(b: PdbBreakpoint): Promise<void> {
    if (b.func !== undefined) {
      const live = this.table.functionBreakpoints();
      const r = await this.client.request<DebugProtocol.SetFunctionBreakpointsResponse['body']>('setFunctionBreakpoints', this.table.functionArguments());
      r.breakpoints.forEach((a, i) => record(live[i], a));
      return;
    }
    const file = b.file ?? '';
    const live = this.table.lineBreakpoints(file);
    const r = await this.client.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', this.table.sourceArguments(file));
    r.breakpoints.forEach((a, i) => record(live[i], a));
  }

  async setExceptionFilters(filters: string[]): Promise<void> {
    await this.client.request('setExceptionBreakpoints', { filters });
    this.filters = filters;
    this.changed();
  }
}

/** What the adapter said of a breakpoint: its id (for hitBreakpointIds), whether and where it is placed. */
function record(b: PdbBreakpoint | undefined, a: DebugProtocol.Breakpoint): void {
  if (!b) return;
  if (a.id !== undefined) b.dapId = a.id;
  b.verified = a.verified;
  if (a.message !== undefined) b.message = a.message;
  if (a.verified && a.line !== undefined && b.line !== undefined) b.line = a.line;
}
