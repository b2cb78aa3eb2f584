// pdb's command language over a debug session: lines parsed by commands.ts, carried out through
// the session model, and answered in pdb's words and layouts. It knows nothing of terminals; the
// console and the full-screen view feed it lines and show what it writes through an Output.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { PdbBreakpoint } from './breakpointTable.js';
import { parseCommand, type BreakSpec, type Command } from './commands.js';
import type { DebugSessionModel, EndReport, RunCommand, StopReport } from './debugSessionModel.js';
import { helpText } from './help.js';
import { listing, listLines, location, where } from './pdbText.js';
import { unreprString } from './pyRepr.js';
import { enclosingBlock } from './sourceView.js';
import type { Style } from './style.js';

/** How the adapter names a return value among the caller's locals (as debugpy does). */
const RETURN_PREFIX = '(return) ';

export type Channel = 'debugger' | 'stdout' | 'stderr';

export interface Output {
  /** Text as it should appear; debugger messages come as whole lines ending in "\n". */
  write(text: string, channel: Channel): void;
}

/** What the UI does after a command: prompt again, wait for the program, hand over to `interact`, or end. */
export type Outcome = 'stay' | 'resume' | 'interact' | 'quit';

/** Lines shown around the current one at a stop, and on each side of it by `list`. */
const CONTEXT = 2;
const LIST_HALF = 5;

export class PdbFrontEnd {
  /** pdb's displays belong to the frame they were set in (here: its function and file). */
  private readonly displays = new Map<string, { frame: string; value: string }>();
  /** Where a bare `list` goes on from; forgotten when another frame is selected. */
  private listNext?: { path: string; line: number };
  private lastLine = '';

  constructor(
    readonly session: DebugSessionModel,
    private readonly out: Output,
    private readonly style: Style,
  ) {
    session.onOutput((text, category) => this.out.write(text, category === 'stdout' ? 'stdout' : 'stderr'));
    session.onStop((stop) => this.announce(stop));
    session.onEnd((end) => this.ended(end));
    session.onProblem((message) => this.fail(message));
    session.onFrameSelected(() => (this.listNext = undefined));
  }

  /** Resolves when the program stopped (and the stop was shown) or ended. */
  waitForStop(): Promise<void> {
    return this.session.waitForStop();
  }

  private say(text: string): void {
    this.out.write(`${text}\n`, 'debugger');
  }

  private fail(text: string): void {
    this.say(this.style.red(text.startsWith('***') ? text : `*** ${text}`));
  }

  // -- what the program does

  private async announce(stop: StopReport): Promise<void> {
    for (const b of stop.deleted) this.say(`Deleted breakpoint ${b.number} at ${where(b)}`);
    const ex = stop.exception;
    if (ex) {
      const uncaught = ex.breakMode === 'unhandled' || ex.breakMode === 'userUnhandled';
      if (uncaught && ex.details?.stackTrace) this.out.write(this.style.dim(ex.details.stackTrace.replace(/\n?$/, '\n')), 'debugger');
      const what = ex.description ? `${ex.exceptionId}: ${ex.description}` : ex.exceptionId;
      this.say(this.style.red(`${uncaught ? 'Uncaught exception' : 'Exception raised'}: ${what}`));
    } else if (stop.reason === 'pause') this.say(this.style.yellow('Paused.'));
    else if (stop.reason === 'step') await this.showReturnValue();
    await this.showFrame();
    await this.showDisplays();
  }

  /**
   * A step out of a function (or off its end) stops in the caller on the line of the call; the
   * value it returned is the first of the caller's locals, as `(return) NAME`. Said as pdb says a
   * return, `--Return-- NAME() -> VALUE`, though pdb itself stops inside the returning function.
   */
  private async showReturnValue(): Promise<void> {
    const f = this.session.currentFrame;
    if (!f) return;
    const locals = (await this.session.scopes(f.id))[0];
    if (!locals) return;
    const [first] = await this.session.variables(locals.variablesReference, 0, 1);
    if (first?.name.startsWith(RETURN_PREFIX)) this.say(`--Return-- ${first.name.slice(RETURN_PREFIX.length)}() -> ${first.value}`);
  }

  private ended(end: EndReport): void {
    // a launch that failed is reported as the error, not as a program that ran and exited
    if (end.how !== 'ended') return;
    this.say(end.exitCode === undefined ? 'The program ended.' : `The program exited with code ${end.exitCode}.`);
  }

  /** pdb's "> file(line)function()" and the lines around it. */
  private async showFrame(): Promise<void> {
    const f = this.session.currentFrame;
    if (!f) return;
    this.say(`${this.style.bold('>')} ${this.style.cyan(location(f))}`);
    const lines = await this.session.sources.lines(f.source);
    if (!lines) return;
    const path = f.source?.path ?? '';
    for (const l of listLines(lines, { first: f.line - CONTEXT, last: f.line + CONTEXT, current: f.line, breakpoints: this.session.breakpoints.linesIn(path), style: this.style })) this.say(l);
  }

  private frameKey(): string {
    const f = this.session.currentFrame;
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
      return (await this.session.evaluate(expr, 'watch')).result;
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
    }
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
        await this.session.quit();
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
        this.session.requireStopped();
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
          await this.session.setBreakpointEnabled(n, cmd.kind === 'enable');
          this.say(`${cmd.kind === 'enable' ? 'Enabled' : 'Disabled'} breakpoint ${n} at ${where(b)}`);
        }
        return 'stay';
      case 'condition': {
        const b = this.breakpoint(cmd.number);
        if (!b) return 'stay';
        await this.session.setBreakpointCondition(b.number, cmd.condition);
        this.say(cmd.condition === undefined ? `Breakpoint ${b.number} is now unconditional.` : `New condition set for breakpoint ${b.number}.`);
        return 'stay';
      }
      case 'ignore': {
        const b = this.breakpoint(cmd.number);
        if (!b) return 'stay';
        this.session.setBreakpointIgnore(b.number, cmd.count);
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

  private async resume(command: RunCommand): Promise<Outcome> {
    await this.session.resume(command);
    return 'resume';
  }

  private async where(): Promise<void> {
    this.session.requireStopped();
    const frames = this.session.frames;
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i]!;
      const mark = i === this.session.frameIndex ? '>' : ' ';
      this.say(`${mark} ${this.style.cyan(location(f))}`);
      const text = (await this.session.sources.lines(f.source))?.[f.line - 1];
      if (text !== undefined) this.say(`-> ${text.trim()}`);
    }
  }

  private async move(delta: number): Promise<void> {
    this.session.requireStopped();
    const to = this.session.frameIndex + delta;
    if (to >= this.session.frames.length) return this.fail('Oldest frame');
    if (to < 0) return this.fail('Newest frame');
    this.session.selectFrame(to);
    await this.showFrame();
  }

  /** The current frame's source, or the reason there is none to list. */
  private async frameSource(f: DebugProtocol.StackFrame): Promise<string[] | undefined> {
    const text = await this.session.sources.read(f.source);
    if (text.lines) return text.lines;
    this.fail(text.refused ?? `no source for ${f.source?.name ?? 'this frame'}`);
    return undefined;
  }

  private async list(cmd: Extract<Command, { kind: 'list' }>): Promise<void> {
    this.session.requireStopped();
    const f = this.session.currentFrame;
    if (!f) return;
    const path = f.source?.path ?? '';
    const lines = await this.frameSource(f);
    if (!lines) return;
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
    for (const l of listLines(lines, { first, last, current: f.line, breakpoints: this.session.breakpoints.linesIn(path), style: this.style })) this.say(l);
    this.listNext = { path, line: last + 1 };
  }

  private async longlist(): Promise<void> {
    this.session.requireStopped();
    const f = this.session.currentFrame;
    if (!f) return;
    const lines = await this.frameSource(f);
    if (!lines) return;
    const [first, last] = f.name === '<module>' ? [1, lines.length] : enclosingBlock(lines, f.line);
    for (const l of listLines(lines, { first, last, current: f.line, breakpoints: this.session.breakpoints.linesIn(f.source?.path ?? ''), style: this.style })) this.say(l);
  }

  private async print(expression: string, pretty: boolean): Promise<void> {
    if (!pretty) {
      this.say((await this.session.evaluate(expression, 'clipboard')).result);
      return;
    }
    const r = await this.session.evaluate(`__import__('pprint').pformat((${expression}))`, 'clipboard');
    this.say(unreprString(r.result) ?? r.result);
  }

  /** A statement, or an expression whose value is shown as the interactive interpreter would. */
  async exec(code: string): Promise<void> {
    const r = await this.session.evaluate(code, 'repl');
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
    this.session.requireStopped();
    const v = await this.valueOf(expression);
    this.displays.set(expression, { frame: this.frameKey(), value: v });
    this.say(`display ${expression}: ${v}`);
  }

  // -- breakpoints

  private breakpoint(n: number): Readonly<PdbBreakpoint> | undefined {
    const b = this.session.breakpoints.get(n);
    if (!b) this.fail(`No breakpoint numbered ${n}`);
    return b;
  }

  /** The file a relative breakpoint spec means: as given, from the program's folder, or a loaded file ending so. */
  private resolveFile(file: string): string | undefined {
    const { cwd, program } = this.session.options;
    const names = file.endsWith('.py') ? [file] : [file, `${file}.py`];
    for (const n of names) {
      const candidates = isAbsolute(n) ? [n] : [resolve(cwd, n), ...(program ? [resolve(dirname(resolve(cwd, program)), n)] : [])];
      for (const c of candidates) if (existsSync(c)) return c;
      for (const k of this.session.knownFiles) if (k.endsWith(`/${n}`)) return k;
    }
    return undefined;
  }

  private currentFile(): string | undefined {
    const { cwd, program } = this.session.options;
    return this.session.currentFrame?.source?.path ?? (program ? resolve(cwd, program) : undefined);
  }

  private async setBreak(given: BreakSpec | undefined, condition: string | undefined, temporary: boolean): Promise<void> {
    let spec = given;
    if (!spec) {
      this.say(listing(this.session.breakpoints));
      return;
    }
    if (this.session.state === 'exited') throw new Error('the program has ended');
    const options = { temporary, ...(condition ? { condition } : {}) };
    const kind = temporary ? 'Temporary breakpoint' : 'Breakpoint';
    if ('func' in spec) {
      // like pdb, a function that can be found becomes a line breakpoint on its first line: the
      // adapter watches lines of one code object, where a function breakpoint watches every call
      const at = await this.locateFunction(spec.func);
      if (at) spec = at;
      else {
        const { breakpoint: b } = await this.session.addBreakpoint({ func: spec.func }, options);
        this.say(`${kind} ${b.number} at function ${spec.func} (no function of this name is defined yet)`);
        return;
      }
    }
    const file = spec.file === undefined ? this.currentFile() : this.resolveFile(spec.file);
    if (!file) return this.fail(spec.file === undefined ? 'no current file: give FILE:LINE' : `'${spec.file}' not found`);
    const source = await this.session.sources.read({ path: file });
    // a FIFO or a device is no source: the adapter is never asked to watch it
    if (source.refused) return this.fail(source.refused);
    const text = source.lines;
    if (text && spec.line > text.length) return this.fail(`End of file: ${file} has ${text.length} lines`);
    const here = text?.[spec.line - 1]?.trim();
    if (here !== undefined && (here === '' || here.startsWith('#'))) return this.fail(`Blank or comment (line ${spec.line} of ${file})`);
    const { breakpoint: b, placed } = await this.session.addBreakpoint({ file, line: spec.line }, options);
    if (!placed) return this.fail(`${b.message ?? 'no code'} (line ${spec.line} of ${file})`);
    this.say(`${kind} ${b.number} at ${where(b)}`);
  }

  /** The first line of a function's body: from the live function when the frame can see it, else a `def` in the current file. */
  private async locateFunction(name: string): Promise<{ file: string; line: number } | undefined> {
    let file: string | undefined;
    let def: number | undefined;
    if (this.session.state === 'stopped') {
      try {
        const r = await this.session.evaluate(`(lambda c: (c.co_filename, c.co_firstlineno))(getattr(${name}, '__func__', ${name}).__code__)`, 'clipboard');
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
      const lines = file ? await this.session.sources.lines({ path: file }) : undefined;
      const i = lines?.findIndex((l) => re.test(l)) ?? -1;
      if (i < 0 || !file) return undefined;
      def = i + 1;
    }
    const lines = await this.session.sources.lines({ path: file });
    if (!lines || !existsSync(file)) return undefined;
    let defLine = def;
    while (defLine < lines.length && /^\s*@/.test(lines[defLine - 1] ?? '')) defLine++;
    let sigEnd = defLine;
    while (sigEnd < lines.length && !/:\s*(#.*)?$/.test(lines[sigEnd - 1] ?? '')) sigEnd++;
    const [, end] = enclosingBlock(lines, defLine);
    const first = (await this.session.breakpointLines(file, sigEnd + 1, Math.max(end, sigEnd + 1))).sort((a, b) => a - b)[0];
    return first === undefined ? undefined : { file, line: first };
  }

  private async clear(cmd: Extract<Command, { kind: 'clear' }>): Promise<void> {
    let targets: Readonly<PdbBreakpoint>[];
    if (cmd.numbers) {
      targets = [];
      for (const n of cmd.numbers) {
        const b = this.breakpoint(n);
        if (b) targets.push(b);
      }
    } else if (cmd.location) {
      const file = this.resolveFile(cmd.location.file);
      targets = this.session.breakpoints.all.filter((b) => b.file === file && b.line === cmd.location?.line);
      if (targets.length === 0) return this.fail(`There is no breakpoint at ${cmd.location.file}:${cmd.location.line}`);
    } else targets = [...this.session.breakpoints.all];
    await this.delete(targets);
  }

  private async delete(targets: readonly Readonly<PdbBreakpoint>[]): Promise<void> {
    for (const b of targets) {
      await this.session.removeBreakpoint(b.number);
      this.say(`Deleted breakpoint ${b.number} at ${where(b)}`);
    }
  }

  /** Toggles a breakpoint at a line of a file: the full-screen view's `b` key, answered as `break`/`clear` are. */
  async toggleBreakpoint(file: string, line: number): Promise<void> {
    const existing = this.session.breakpoints.all.filter((b) => b.file === file && b.line === line);
    if (existing.length) await this.delete(existing);
    else await this.setBreak({ file, line }, undefined, false);
  }

  // -- threads, exceptions, just-my-code

  private async threads(): Promise<void> {
    for (const t of await this.session.threads()) this.say(`${t.id === this.session.threadId ? '*' : ' '} ${String(t.id).padStart(3)} ${t.name}`);
  }

  private async selectThread(id: number): Promise<void> {
    if (!(await this.session.selectThread(id))) return this.fail(`no thread ${id} (see "threads")`);
    this.say(`Thread ${id}`);
    await this.showFrame();
  }

  private async catchExceptions(filters?: string[]): Promise<void> {
    if (filters !== undefined) await this.session.setExceptionFilters(filters);
    const now = this.session.exceptionFilters;
    this.say(now.length ? `Stopping on exceptions: ${now.join(', ')}` : 'Not stopping on exceptions');
  }

  private async setJustMyCode(on?: boolean): Promise<Outcome> {
    if (on === undefined || on === this.session.justMyCode) {
      this.say(`just my code is ${this.session.justMyCode ? 'on' : 'off'}`);
      return 'stay';
    }
    if (this.session.state === 'exited') throw new Error('the program has ended');
    this.say(`just my code ${on ? 'on' : 'off'}: restarting the program (breakpoints are kept)`);
    await this.session.restart({ justMyCode: on });
    return 'resume';
  }
}
