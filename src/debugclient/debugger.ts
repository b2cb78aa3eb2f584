// The debugger a user talks to: pdb's commands carried out with DAP requests to our adapter.
// It knows nothing of terminals; the console and the full-screen UI feed it lines and show what
// it writes through an Output.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BreakpointTable, listing, where, type PdbBreakpoint } from './breakpointTable.js';
import { parseCommand, type BreakSpec, type Command } from './commands.js';
import { DapClient } from './dapClient.js';
import { helpText } from './help.js';
import { unreprString } from './pyRepr.js';
import { enclosingBlock, listLines, SourceCache } from './sourceView.js';
import type { Style } from './style.js';

export interface LaunchOptions {
  program?: string;
  module?: string;
  args: string[];
  python?: string;
  runtime?: 'native' | 'pyodide';
  cwd: string;
  justMyCode: boolean;
}

export type Channel = 'debugger' | 'stdout' | 'stderr';

export interface Output {
  /** Text as it should appear; debugger messages come as whole lines ending in "\n". */
  write(text: string, channel: Channel): void;
}

/** What the UI does after a command: prompt again, wait for the program, hand over to `interact`, or end. */
export type Outcome = 'stay' | 'resume' | 'interact' | 'quit';

export type State = 'starting' | 'running' | 'stopped' | 'exited';

type ExceptionInfo = DebugProtocol.ExceptionInfoResponse['body'];

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const CONTEXT = 2;
const LIST_HALF = 5;

export class Debugger {
  readonly client = new DapClient();
  readonly breakpoints = new BreakpointTable();
  readonly sources: SourceCache;
  state: State = 'starting';
  threadId = 1;
  frames: DebugProtocol.StackFrame[] = [];
  frameIndex = 0;
  exitCode?: number;
  exception?: ExceptionInfo;
  stopReason?: string;
  /** Called whenever what a full-screen view shows may have changed. */
  onChange: () => void = () => undefined;
  private filters = ['uncaught'];
  private justMyCode: boolean;
  /** pdb's displays belong to the frame they were set in (here: its function and file). */
  private readonly displays = new Map<string, { frame: string; value: string }>();
  private listNext?: { path: string; line: number };
  private lastLine = '';
  private waiter = deferred();
  private quitting = false;
  private launched = false;
  private readonly knownFiles = new Set<string>();

  constructor(
    private readonly options: LaunchOptions,
    private readonly out: Output,
    private readonly style: Style,
  ) {
    this.sources = new SourceCache(this.client);
    this.justMyCode = options.justMyCode;
    this.client.onEvent((e) => this.onEvent(e));
  }

  get currentFrame(): DebugProtocol.StackFrame | undefined {
    return this.frames[this.frameIndex];
  }

  private say(text: string): void {
    this.out.write(`${text}\n`, 'debugger');
  }

  private fail(text: string): void {
    this.say(this.style.red(text.startsWith('***') ? text : `*** ${text}`));
  }

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
    await this.client.request('launch', this.launchArguments());
    this.launched = true;
    await initialized;
    await this.client.request('setExceptionBreakpoints', { filters: this.filters });
    await this.client.request('configurationDone');
    await this.waiter.promise;
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
      justMyCode: this.justMyCode,
    };
  }

  /** Resolves when the program stops or ends after a command that let it run. */
  waitForStop(): Promise<void> {
    return this.waiter.promise;
  }

  // -- events

  private onEvent(e: DebugProtocol.Event): void {
    const body = (e.body ?? {}) as Record<string, unknown>;
    switch (e.event) {
      case 'output': {
        const category = String(body.category ?? 'console');
        if (category === 'telemetry') return;
        this.out.write(String(body.output ?? ''), category === 'stdout' ? 'stdout' : 'stderr');
        return;
      }
      case 'stopped':
        void this.onStopped(body as unknown as DebugProtocol.StoppedEvent['body']).catch((err: unknown) => {
          this.fail(err instanceof Error ? err.message : String(err));
          this.settle('stopped');
        });
        return;
      case 'exited':
        this.exitCode = Number(body.exitCode ?? 0);
        return;
      case 'terminated':
        if (this.state === 'exited') return;
        // a launch that failed is reported as the error, not as a program that ran and exited
        if (!this.quitting && this.launched) this.say(this.exitCode === undefined ? 'The program ended.' : `The program exited with code ${this.exitCode}.`);
        this.settle('exited');
        return;
      default:
        return;
    }
  }

  private settle(state: State): void {
    this.state = state;
    this.waiter.resolve();
    this.onChange();
  }

  private async onStopped(body: DebugProtocol.StoppedEvent['body']): Promise<void> {
    if (this.state === 'exited') return;
    this.threadId = body.threadId ?? this.threadId;
    await this.loadStack();
    this.exception = undefined;
    this.stopReason = body.reason;
    const top = this.frames[0];
    const ids = body.hitBreakpointIds ?? [];
    if (top && (ids.length || body.reason === 'function breakpoint')) {
      // the adapter names no ids for a function breakpoint: the stopped frame's name tells which
      const hit = ids.length ? this.breakpoints.hitAt(ids, top.source?.path, top.line, top.name) : this.breakpoints.functionsNamed(top.name);
      for (const b of hit) b.hits++;
      if (hit.length && hit.every((b) => b.ignore > 0)) {
        for (const b of hit) b.ignore--;
        // pdb counts an ignored crossing as a hit and goes on without a prompt
        await this.client.request('continue', { threadId: this.threadId });
        return;
      }
      for (const b of hit.filter((x) => x.temporary)) {
        this.breakpoints.remove(b);
        await this.sync(b);
        this.say(`Deleted breakpoint ${b.number} at ${where(b)}`);
      }
    }
    if (body.reason === 'exception') {
      try {
        this.exception = await this.client.request<ExceptionInfo>('exceptionInfo', { threadId: this.threadId });
      } catch {
        this.exception = { exceptionId: body.text ?? 'exception', breakMode: 'always', description: body.description ?? '' };
      }
    }
    this.state = 'stopped';
    await this.announce();
    this.settle('stopped');
  }

  private async loadStack(): Promise<void> {
    const st = await this.client.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: this.threadId, startFrame: 0, levels: 200 });
    this.frames = st.stackFrames;
    this.frameIndex = 0;
    this.listNext = undefined;
    for (const f of this.frames) if (f.source?.path) this.knownFiles.add(f.source.path);
  }

  private async announce(): Promise<void> {
    const ex = this.exception;
    if (ex) {
      const uncaught = ex.breakMode === 'unhandled' || ex.breakMode === 'userUnhandled';
      if (uncaught && ex.details?.stackTrace) this.out.write(this.style.dim(ex.details.stackTrace.replace(/\n?$/, '\n')), 'debugger');
      const what = ex.description ? `${ex.exceptionId}: ${ex.description}` : ex.exceptionId;
      this.say(this.style.red(`${uncaught ? 'Uncaught exception' : 'Exception raised'}: ${what}`));
    } else if (this.stopReason === 'pause') this.say(this.style.yellow('Paused.'));
    await this.showFrame();
    await this.showDisplays();
  }

  /** pdb's "> file(line)function()" and the lines around it. */
  async showFrame(): Promise<void> {
    const f = this.currentFrame;
    if (!f) return;
    this.say(`${this.style.bold('>')} ${this.style.cyan(this.location(f))}`);
    const lines = await this.sources.lines(f.source);
    if (!lines) return;
    const path = f.source?.path ?? '';
    for (const l of listLines(lines, { first: f.line - CONTEXT, last: f.line + CONTEXT, current: f.line, breakpoints: this.breakpoints.linesIn(path), style: this.style })) this.say(l);
  }

  location(f: DebugProtocol.StackFrame): string {
    return `${f.source?.path ?? f.source?.name ?? '<unknown>'}(${f.line})${f.name}()`;
  }

  private frameKey(): string {
    const f = this.currentFrame;
    return f ? `${f.source?.path ?? f.source?.name ?? ''}:${f.name}` : '';
  }

  private async showDisplays(): Promise<void> {
    const here = this.frameKey();
    for (const [expr, d] of this.displays) {
      if (d.frame !== here) continue;
      const now = await this.valueOf(expr);
      if (now !== d.value) {
        this.say(`display ${expr}: ${now}  [old: ${d.value}]`);
        d.value = now;
      }
    }
  }

  private async valueOf(expr: string): Promise<string> {
    try {
      return (await this.evaluate(expr, 'watch')).result;
    } catch (e) {
      return `** raised ${e instanceof Error ? e.message : String(e)} **`;
    }
  }

  // -- commands

  /** Runs one line typed at the prompt. An empty line repeats the last command, as in pdb. */
  async execute(line: string): Promise<Outcome> {
    let text = line.trim();
    if (text === '') text = this.lastLine;
    if (text === '') return 'stay';
    this.lastLine = text;
    const cmd = parseCommand(text);
    try {
      return await this.run(cmd);
    } catch (e) {
      this.fail(e instanceof Error ? e.message : String(e));
      return 'stay';
    } finally {
      this.onChange();
    }
  }

  private requireStopped(): void {
    if (this.state === 'exited') throw new Error('the program has ended');
    if (this.state !== 'stopped') throw new Error('the program is running');
  }

  private async run(cmd: Command): Promise<Outcome> {
    switch (cmd.kind) {
      case 'error':
        this.fail(cmd.message);
        return 'stay';
      case 'help':
        this.say(helpText(cmd.topic));
        return 'stay';
      case 'quit':
        await this.quit();
        return 'quit';
      case 'continue':
        return this.resume('continue');
      case 'next':
        return this.resume('next');
      case 'step':
        return this.resume('stepIn');
      case 'return':
        return this.resume('stepOut');
      case 'where':
        await this.where();
        return 'stay';
      case 'up':
      case 'down':
        await this.move(cmd.kind === 'up' ? cmd.count : -cmd.count);
        return 'stay';
      case 'list':
        await this.list(cmd);
        return 'stay';
      case 'longlist':
        await this.longlist();
        return 'stay';
      case 'print':
        await this.print(cmd.expression, cmd.pretty);
        return 'stay';
      case 'exec':
        await this.exec(cmd.code);
        return 'stay';
      case 'display':
        await this.display(cmd.expression);
        return 'stay';
      case 'undisplay':
        if (cmd.expression === undefined) this.displays.clear();
        else if (!this.displays.delete(cmd.expression)) this.fail(`not displaying ${cmd.expression}`);
        return 'stay';
      case 'interact':
        this.requireStopped();
        this.say('*interactive* (Ctrl-D ends it; names you set stay set in the frame)');
        return 'interact';
      case 'break':
        await this.setBreak(cmd.spec, cmd.condition, cmd.temporary);
        return 'stay';
      case 'clear':
        await this.clear(cmd);
        return 'stay';
      case 'enable':
      case 'disable':
        for (const n of cmd.numbers) {
          const b = this.breakpoint(n);
          if (!b) continue;
          b.enabled = cmd.kind === 'enable';
          await this.sync(b);
          this.say(`${cmd.kind === 'enable' ? 'Enabled' : 'Disabled'} breakpoint ${n} at ${where(b)}`);
        }
        return 'stay';
      case 'condition': {
        const b = this.breakpoint(cmd.number);
        if (!b) return 'stay';
        if (cmd.condition === undefined) delete b.condition;
        else b.condition = cmd.condition;
        await this.sync(b);
        this.say(cmd.condition === undefined ? `Breakpoint ${b.number} is now unconditional.` : `New condition set for breakpoint ${b.number}.`);
        return 'stay';
      }
      case 'ignore': {
        const b = this.breakpoint(cmd.number);
        if (!b) return 'stay';
        b.ignore = cmd.count;
        this.say(cmd.count > 0 ? `Will ignore next ${cmd.count} crossing${cmd.count === 1 ? '' : 's'} of breakpoint ${b.number}.` : `Will stop next time breakpoint ${b.number} is reached.`);
        return 'stay';
      }
      case 'threads':
        await this.threads();
        return 'stay';
      case 'thread':
        await this.selectThread(cmd.id);
        return 'stay';
      case 'catch':
        await this.catchExceptions(cmd.filters);
        return 'stay';
      case 'jmc':
        return this.setJustMyCode(cmd.on);
    }
  }

  private async resume(command: 'continue' | 'next' | 'stepIn' | 'stepOut'): Promise<Outcome> {
    this.requireStopped();
    this.waiter = deferred();
    this.state = 'running';
    this.exception = undefined;
    this.onChange();
    try {
      await this.client.request(command, { threadId: this.threadId });
    } catch (e) {
      this.state = 'stopped';
      this.waiter.resolve();
      throw e;
    }
    return 'resume';
  }

  /** Ctrl-C while the program runs. */
  async pause(): Promise<void> {
    if (this.state !== 'running') return;
    await this.client.request('pause', { threadId: this.threadId }).catch(() => undefined);
  }

  async quit(): Promise<void> {
    this.quitting = true;
    if (this.state !== 'exited') {
      await this.client.request('disconnect', { terminateDebuggee: true }).catch(() => undefined);
    }
    this.state = 'exited';
    this.waiter.resolve();
    this.client.close();
  }

  private async where(): Promise<void> {
    this.requireStopped();
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i]!;
      const mark = i === this.frameIndex ? '>' : ' ';
      this.say(`${mark} ${this.style.cyan(this.location(f))}`);
      const text = (await this.sources.lines(f.source))?.[f.line - 1];
      if (text !== undefined) this.say(`-> ${text.trim()}`);
    }
  }

  private async move(delta: number): Promise<void> {
    this.requireStopped();
    const to = this.frameIndex + delta;
    if (to >= this.frames.length) return this.fail('Oldest frame');
    if (to < 0) return this.fail('Newest frame');
    this.frameIndex = to;
    this.listNext = undefined;
    await this.showFrame();
  }

  async selectFrame(index: number): Promise<void> {
    if (index < 0 || index >= this.frames.length) return;
    this.frameIndex = index;
    this.listNext = undefined;
    this.onChange();
  }

  private async list(cmd: Extract<Command, { kind: 'list' }>): Promise<void> {
    this.requireStopped();
    const f = this.currentFrame;
    if (!f) return;
    const path = f.source?.path ?? '';
    const lines = await this.sources.lines(f.source);
    if (!lines) return this.fail(`no source for ${f.source?.name ?? 'this frame'}`);
    let first: number;
    let last: number;
    if (cmd.first !== undefined) {
      first = cmd.last === undefined ? Math.max(1, cmd.first - LIST_HALF) : cmd.first;
      last = cmd.last ?? first + 2 * LIST_HALF;
    } else if (!cmd.here && this.listNext && this.listNext.path === path) {
      first = this.listNext.line;
      last = first + 2 * LIST_HALF;
    } else {
      first = Math.max(1, f.line - LIST_HALF);
      last = first + 2 * LIST_HALF;
    }
    if (first > lines.length) return this.fail('end of file');
    for (const l of listLines(lines, { first, last, current: f.line, breakpoints: this.breakpoints.linesIn(path), style: this.style })) this.say(l);
    this.listNext = { path, line: last + 1 };
  }

  private async longlist(): Promise<void> {
    this.requireStopped();
    const f = this.currentFrame;
    if (!f) return;
    const lines = await this.sources.lines(f.source);
    if (!lines) return this.fail(`no source for ${f.source?.name ?? 'this frame'}`);
    const [first, last] = f.name === '<module>' ? [1, lines.length] : enclosingBlock(lines, f.line);
    for (const l of listLines(lines, { first, last, current: f.line, breakpoints: this.breakpoints.linesIn(f.source?.path ?? ''), style: this.style })) this.say(l);
  }

  async evaluate(expression: string, context: 'watch' | 'repl' | 'clipboard' | 'hover'): Promise<DebugProtocol.EvaluateResponse['body']> {
    this.requireStopped();
    const frameId = this.currentFrame?.id;
    return this.client.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression, context, ...(frameId !== undefined ? { frameId } : {}) });
  }

  private async print(expression: string, pretty: boolean): Promise<void> {
    if (!pretty) {
      this.say((await this.evaluate(expression, 'clipboard')).result);
      return;
    }
    const r = await this.evaluate(`__import__('pprint').pformat((${expression}))`, 'clipboard');
    this.say(unreprString(r.result) ?? r.result);
  }

  /** A statement, or an expression whose value is shown as the interactive interpreter would. */
  async exec(code: string): Promise<void> {
    const r = await this.evaluate(code, 'repl');
    if (r.result !== '' && r.type !== 'NoneType') this.say(r.result);
  }

  private async display(expression?: string): Promise<void> {
    if (expression === undefined) {
      if (this.displays.size === 0) this.say('No expression is being displayed');
      else {
        this.say('Currently displaying:');
        for (const [e, d] of this.displays) this.say(`${e}: ${d.value}`);
      }
      return;
    }
    this.requireStopped();
    const v = await this.valueOf(expression);
    this.displays.set(expression, { frame: this.frameKey(), value: v });
    this.say(`display ${expression}: ${v}`);
  }

  private breakpoint(n: number): PdbBreakpoint | undefined {
    const b = this.breakpoints.get(n);
    if (!b) this.fail(`No breakpoint numbered ${n}`);
    return b;
  }

  /** The file a relative breakpoint spec means: as given, from the program's folder, or a loaded file ending so. */
  private resolveFile(file: string): string | undefined {
    const names = file.endsWith('.py') ? [file] : [file, `${file}.py`];
    for (const n of names) {
      const candidates = isAbsolute(n)
        ? [n]
        : [resolve(this.options.cwd, n), ...(this.options.program ? [resolve(dirname(resolve(this.options.cwd, this.options.program)), n)] : [])];
      for (const c of candidates) if (existsSync(c)) return c;
      for (const k of this.knownFiles) if (k.endsWith(`/${n}`)) return k;
    }
    return undefined;
  }

  private currentFile(): string | undefined {
    return this.currentFrame?.source?.path ?? (this.options.program ? resolve(this.options.cwd, this.options.program) : undefined);
  }

  async setBreak(given: BreakSpec | undefined, condition: string | undefined, temporary: boolean): Promise<void> {
    let spec = given;
    if (!spec) {
      this.say(listing(this.breakpoints));
      return;
    }
    if (this.state === 'exited') throw new Error('the program has ended');
    const extra = condition ? { condition } : {};
    if ('func' in spec) {
      // like pdb, a function that can be found becomes a line breakpoint on its first line: the
      // adapter watches lines of one code object, where a function breakpoint watches every call
      const at = await this.locateFunction(spec.func);
      if (at) spec = at;
      else {
        const b = this.breakpoints.add({ func: spec.func, temporary, ...extra });
        await this.sync(b);
        this.say(`${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${b.number} at function ${spec.func} (no function of this name is defined yet)`);
        return;
      }
    }
    const file = spec.file === undefined ? this.currentFile() : this.resolveFile(spec.file);
    if (!file) return this.fail(spec.file === undefined ? 'no current file: give FILE:LINE' : `'${spec.file}' not found`);
    const text = await this.sources.lines({ path: file });
    if (text && spec.line > text.length) return this.fail(`End of file: ${file} has ${text.length} lines`);
    const source = text?.[spec.line - 1]?.trim();
    if (source !== undefined && (source === '' || source.startsWith('#'))) return this.fail(`Blank or comment (line ${spec.line} of ${file})`);
    const b = this.breakpoints.add({ file, line: spec.line, temporary, ...extra });
    await this.sync(b);
    if (b.verified === false) {
      this.breakpoints.remove(b);
      await this.sync(b);
      return this.fail(`${b.message ?? 'no code'} (line ${spec.line} of ${file})`);
    }
    this.say(`${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${b.number} at ${where(b)}`);
  }

  /** The first line of a function's body: from the live function when the frame can see it, else a `def` in the current file. */
  private async locateFunction(name: string): Promise<{ file: string; line: number } | undefined> {
    let file: string | undefined;
    let def: number | undefined;
    if (this.state === 'stopped') {
      try {
        const r = await this.evaluate(`(lambda c: (c.co_filename, c.co_firstlineno))(getattr(${name}, '__func__', ${name}).__code__)`, 'clipboard');
        const m = /^\((['"])(.*)\1, (\d+)\)$/.exec(r.result);
        if (m) {
          file = unreprString(`${m[1]}${m[2]}${m[1]}`);
          def = Number(m[3]);
        }
      } catch {
        // not defined (yet) where the program stands
      }
    }
    if (file === undefined || def === undefined) {
      file = this.currentFile();
      const last = name.split('.').pop() ?? name;
      const re = new RegExp(`^\\s*(async\\s+)?def\\s+${last}\\s*\\(`);
      const lines = file ? await this.sources.lines({ path: file }) : undefined;
      const i = lines?.findIndex((l) => re.test(l)) ?? -1;
      if (i < 0 || !file) return undefined;
      def = i + 1;
    }
    const lines = await this.sources.lines({ path: file });
    if (!lines || !existsSync(file)) return undefined;
    let defLine = def;
    while (defLine < lines.length && /^\s*@/.test(lines[defLine - 1] ?? '')) defLine++;
    let sigEnd = defLine;
    while (sigEnd < lines.length && !/:\s*(#.*)?$/.test(lines[sigEnd - 1] ?? '')) sigEnd++;
    const [, end] = enclosingBlock(lines, defLine);
    const r = await this.client.request<DebugProtocol.BreakpointLocationsResponse['body']>('breakpointLocations', { source: { path: file }, line: sigEnd + 1, endLine: Math.max(end, sigEnd + 1) });
    const first = r.breakpoints.map((b) => b.line).sort((a, b) => a - b)[0];
    return first === undefined ? undefined : { file, line: first };
  }

  /** Sends the adapter the breakpoints of the file (or the function list) that `b` belongs to. */
  private async sync(b: PdbBreakpoint): Promise<void> {
    if (b.func !== undefined) {
      const live = this.breakpoints.functionBreakpoints();
      const r = await this.client.request<DebugProtocol.SetFunctionBreakpointsResponse['body']>('setFunctionBreakpoints', this.breakpoints.functionArguments());
      r.breakpoints.forEach((a, i) => this.record(live[i], a));
      return;
    }
    const file = b.file ?? '';
    const live = this.breakpoints.lineBreakpoints(file);
    const r = await this.client.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', this.breakpoints.sourceArguments(file));
    r.breakpoints.forEach((a, i) => this.record(live[i], a));
  }

  private record(b: PdbBreakpoint | undefined, a: DebugProtocol.Breakpoint): void {
    if (!b) return;
    if (a.id !== undefined) b.dapId = a.id;
    b.verified = a.verified;
    if (a.message !== undefined) b.message = a.message;
    if (a.verified && a.line !== undefined && b.line !== undefined) b.line = a.line;
  }

  private async clear(cmd: Extract<Command, { kind: 'clear' }>): Promise<void> {
    let targets: PdbBreakpoint[];
    if (cmd.numbers) {
      targets = [];
      for (const n of cmd.numbers) {
        const b = this.breakpoint(n);
        if (b) targets.push(b);
      }
    } else if (cmd.location) {
      const file = this.resolveFile(cmd.location.file);
      targets = this.breakpoints.all.filter((b) => b.file === file && b.line === cmd.location?.line);
      if (targets.length === 0) return this.fail(`There is no breakpoint at ${cmd.location.file}:${cmd.location.line}`);
    } else targets = [...this.breakpoints.all];
    for (const b of targets) {
      this.breakpoints.remove(b);
      await this.sync(b);
      this.say(`Deleted breakpoint ${b.number} at ${where(b)}`);
    }
  }

  /** Toggles a breakpoint at a line of a file: the full-screen view's `b` key. */
  async toggleBreakpoint(file: string, line: number): Promise<void> {
    const existing = this.breakpoints.all.filter((b) => b.file === file && b.line === line);
    if (existing.length) {
      for (const b of existing) {
        this.breakpoints.remove(b);
        await this.sync(b);
        this.say(`Deleted breakpoint ${b.number} at ${where(b)}`);
      }
    } else await this.setBreak({ file, line }, undefined, false);
    this.onChange();
  }

  private async threads(): Promise<void> {
    const r = await this.client.request<DebugProtocol.ThreadsResponse['body']>('threads');
    for (const t of r.threads) this.say(`${t.id === this.threadId ? '*' : ' '} ${String(t.id).padStart(3)} ${t.name}`);
  }

  private async selectThread(id: number): Promise<void> {
    this.requireStopped();
    const r = await this.client.request<DebugProtocol.ThreadsResponse['body']>('threads');
    if (!r.threads.some((t) => t.id === id)) return this.fail(`no thread ${id} (see "threads")`);
    const previous = this.threadId;
    this.threadId = id;
    try {
      await this.loadStack();
    } catch (e) {
      this.threadId = previous;
      await this.loadStack();
      throw e;
    }
    this.say(`Thread ${id}`);
    await this.showFrame();
  }

  private async catchExceptions(filters?: string[]): Promise<void> {
    if (filters !== undefined) {
      await this.client.request('setExceptionBreakpoints', { filters });
      this.filters = filters;
    }
    this.say(this.filters.length ? `Stopping on exceptions: ${this.filters.join(', ')}` : 'Not stopping on exceptions');
  }

  /** DAP fixes just-my-code at launch, so changing it restarts the program (breakpoints are kept). */
  private async setJustMyCode(on?: boolean): Promise<Outcome> {
    if (on === undefined || on === this.justMyCode) {
      this.say(`just my code is ${this.justMyCode ? 'on' : 'off'}`);
      return 'stay';
    }
    if (this.state === 'exited') throw new Error('the program has ended');
    this.justMyCode = on;
    this.say(`just my code ${on ? 'on' : 'off'}: restarting the program (breakpoints are kept)`);
    this.waiter = deferred();
    this.state = 'running';
    await this.client.request('restart', { arguments: this.launchArguments() });
    return 'resume';
  }

  /** Completions of the expression at the end of a line, from the current frame's names. */
  async complete(text: string): Promise<string[]> {
    if (this.state !== 'stopped') return [];
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
}
