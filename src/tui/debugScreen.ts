// `pyscope debug --tui`: source, stack, variables, breakpoints and a console on one screen, keys
// in the style of pudb. The terminal comes back as it was on quit, crash and signals (Screen).
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugSessionModel } from '../debugclient/debugSessionModel.js';
import { PdbFrontEnd } from '../debugclient/pdbFrontEnd.js';
import { where } from '../debugclient/pdbText.js';
import { PLAIN } from '../debugclient/style.js';
import { render, type Pane, type Row, type View } from './debugLayout.js';
import { Screen } from './screen.js';

const PANES: Pane[] = ['source', 'stack', 'variables', 'breakpoints'];
const CONSOLE_KEEP = 500;

interface VarRow {
  depth: number;
  name: string;
  value: string;
  ref: number;
  expanded: boolean;
}

/** The panes read the session model and follow its changes; the console line speaks pdb through a PdbFrontEnd. */
export async function runScreen(session: DebugSessionModel): Promise<number> {
  const screen = new Screen();
  const colour = process.env.NO_COLOR === undefined;
  const consoleLines: string[] = [''];
  let dirty = false;
  const redrawSoon = (): void => {
    if (dirty) return;
    dirty = true;
    setImmediate(() => {
      dirty = false;
      draw();
    });
  };
  const write = (text: string): void => {
    const parts = text.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
    consoleLines[consoleLines.length - 1] += parts[0] ?? '';
    for (const p of parts.slice(1)) consoleLines.push(p);
    if (consoleLines.length > CONSOLE_KEEP) consoleLines.splice(0, consoleLines.length - CONSOLE_KEEP);
    redrawSoon();
  };
  const pdb = new PdbFrontEnd(session, { write: (text) => write(text) }, PLAIN);

  let focus: Pane = 'source';
  let input: string | undefined;
  let sourcePath: string | undefined;
  let sourceLines: string[] = [];
  let sourceCursor = 1;
  let stackCursor = 0;
  let varCursor = 0;
  let bpCursor = 0;
  let vars: VarRow[] = [];
  let shownFrameId: number | undefined;
  let generation = 0;
  let interrupts = 0;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((res) => (finish = res));

  const frame = (): DebugProtocol.StackFrame | undefined => session.currentFrame;

  /** Reloads what depends on the current frame: its source and its local variables. */
  const refresh = async (): Promise<void> => {
    const f = frame();
    if (session.state !== 'stopped' || !f) return;
    if (f.id === shownFrameId) return;
    shownFrameId = f.id;
    // a newer refresh (the next stop, another command) wins over one still waiting for answers
    const mine = ++generation;
    stackCursor = session.frameIndex;
    sourcePath = f.source?.path ?? f.source?.name;
    sourceLines = (await session.sources.lines(f.source)) ?? [`<no source for ${f.source?.name ?? f.name}>`];
    sourceCursor = f.line;
    vars = [];
    varCursor = 0;
    try {
      const scopes = await session.scopes(f.id);
      const locals = scopes.find((s) => s.presentationHint === 'locals') ?? scopes[0];
      const rows = locals ? await children(locals.variablesReference, 0) : [];
      if (mine === generation) vars = rows;
    } catch {
      if (mine === generation) vars = [];
    }
    redrawSoon();
  };

  const children = async (ref: number, depth: number): Promise<VarRow[]> => {
    const variables = await session.variables(ref, 0, 200);
    return variables.map((v) => ({ depth, name: v.name, value: v.value, ref: v.variablesReference, expanded: false }));
  };

  const view = (): View => {
    const f = frame();
    const bps = session.breakpoints.linesIn(sourcePath ?? '');
    const running = session.state === 'running' || session.state === 'starting';
    const sourceRows: Row[] = sourceLines.map((text, i) => {
      const n = i + 1;
      const isCurrent = !running && f !== undefined && n === f.line && (f.source?.path ?? f.source?.name) === sourcePath;
      return {
        text: `${String(n).padStart(4)}${bps.has(n) ? 'B' : ' '}${isCurrent ? '->' : '  '} ${text.replace(/\t/g, '    ')}`,
        selected: n === sourceCursor,
        current: isCurrent,
      };
    });
    const stackRows: Row[] = running
      ? []
      : session.frames.map((s, i) => ({ text: `${i === session.frameIndex ? '>' : ' '} ${s.name}  ${s.source?.name ?? ''}:${s.line}`, selected: i === stackCursor, current: i === session.frameIndex }));
    const varRows: Row[] = running
      ? []
      : vars.map((v, i) => ({ text: `${'  '.repeat(v.depth)}${v.ref ? (v.expanded ? '▾ ' : '▸ ') : '  '}${v.name} = ${v.value}`, selected: i === varCursor }));
    const bpRows: Row[] = session.breakpoints.all.map((b, i) => ({ text: `${b.number}${b.enabled ? ' ' : ' (off) '}${where(b).replace(/^.*\//, '')}${b.condition ? `, ${b.condition}` : ''}`, selected: i === bpCursor }));
    const state =
      session.state === 'stopped' && f
        ? `stopped at ${f.source?.name ?? '?'}:${f.line} in ${f.name}()${session.exception ? ` on ${session.exception.exceptionId}` : ''}`
        : session.state === 'exited'
          ? `the program exited${session.exitCode !== undefined ? ` with code ${session.exitCode}` : ''}: q quits`
          : 'running (Ctrl-C pauses)';
    return {
      title: 'pyscope debug',
      status: state,
      focus,
      source: { rows: sourceRows, cursor: Math.max(0, sourceCursor - 1) },
      stack: { rows: stackRows, cursor: stackCursor },
      variables: { rows: varRows, cursor: varCursor },
      breakpoints: { rows: bpRows, cursor: bpCursor },
      console: consoleLines,
      ...(input !== undefined ? { input } : {}),
      colour,
    };
  };

  let closed = false;
  const draw = (): void => {
    if (!closed) screen.draw(render(view(), screen.columns, screen.rows));
  };

  session.onChange(() => {
    void refresh().then(redrawSoon, redrawSoon);
    redrawSoon();
  });

  const run = async (line: string): Promise<void> => {
    write(`(pyscope) ${line}\n`);
    try {
      const outcome = await pdb.execute(line);
      if (outcome === 'quit') finish(0);
      if (outcome === 'interact') write('the console line already runs Python in the current frame\n');
      if (outcome === 'resume') {
        interrupts = 0;
        await pdb.waitForStop();
      }
      // a statement may have changed the frame's variables, a command the frame
      shownFrameId = undefined;
      await refresh();
    } finally {
      redrawSoon();
    }
  };

  const move = (delta: number): void => {
    if (focus === 'source') sourceCursor = clamp(sourceCursor + delta, 1, sourceLines.length);
    else if (focus === 'stack') stackCursor = clamp(stackCursor + delta, 0, session.frames.length - 1);
    else if (focus === 'variables') varCursor = clamp(varCursor + delta, 0, vars.length - 1);
    else bpCursor = clamp(bpCursor + delta, 0, session.breakpoints.all.length - 1);
  };

  const enter = async (): Promise<void> => {
    if (focus === 'stack' && session.state === 'stopped') {
      session.selectFrame(stackCursor);
      shownFrameId = undefined;
      await refresh();
    } else if (focus === 'variables') {
      const v = vars[varCursor];
      if (!v || !v.ref) return;
      if (v.expanded) {
        let end = varCursor + 1;
        while (end < vars.length && (vars[end]?.depth ?? 0) > v.depth) end++;
        vars.splice(varCursor + 1, end - varCursor - 1);
        v.expanded = false;
      } else {
        vars.splice(varCursor + 1, 0, ...(await children(v.ref, v.depth + 1)));
        v.expanded = true;
      }
    } else if (focus === 'breakpoints') {
      const b = session.breakpoints.all[bpCursor];
      if (b?.file && b.line !== undefined) {
        sourcePath = b.file;
        sourceLines = (await session.sources.lines({ path: b.file })) ?? [];
        sourceCursor = b.line;
        focus = 'source';
      }
    }
  };

  const interrupt = (): void => {
    if (session.state === 'running') {
      interrupts++;
      if (interrupts >= 2) {
        void session.quit().then(() => finish(0));
        return;
      }
      write('pausing the program (Ctrl-C again quits)\n');
      void session.pause();
    } else write('press q to quit\n');
  };

  // keys are handled one at a time, in order, even when a paste or tmux delivers several at once
  let keys = Promise.resolve();
  const onKey = (data: string): void => {
    for (const key of splitKeys(data)) {
      // Ctrl-C must act while a command waits for the program
      if (key === '\x03') {
        interrupt();
        continue;
      }
      if (key === 'q' && input === undefined && session.state === 'running') {
        void session.quit().then(() => finish(0));
        continue;
      }
      keys = keys.then(() => handleKey(key)).catch((e: unknown) => write(`*** ${e instanceof Error ? e.message : String(e)}\n`)).finally(redrawSoon);
    }
  };

  const handleKey = async (key: string): Promise<void> => {
    if (key === '\x03') return interrupt();
    if (input !== undefined) {
      if (key === '\r' || key === '\n') {
        const line = input;
        input = undefined;
        await run(line);
      } else if (key === '\x1b') input = undefined;
      else if (key === '\x7f' || key === '\b') input = input.slice(0, -1);
      else if (!key.startsWith('\x1b')) input += key.replace(/[\x00-\x1f]/g, '');
      return;
    }
    switch (key) {
      case 'q':
        await session.quit();
        finish(0);
        return;
      case 'n':
      case 's':
      case 'r':
      case 'c':
      case 'u':
      case 'd':
        if (session.state === 'stopped') await run(key);
        return;
      case 'b':
        if (focus === 'source' && sourcePath && session.state !== 'exited') await pdb.toggleBreakpoint(sourcePath, sourceCursor);
        return;
      case '!':
      case ':':
        input = '';
        return;
      case '\t':
        focus = PANES[(PANES.indexOf(focus) + 1) % PANES.length] ?? 'source';
        return;
      case 'j':
      case '\x1b[B':
        return move(1);
      case 'k':
      case '\x1b[A':
        return move(-1);
      case '\x1b[6~':
        return move(10);
      case '\x1b[5~':
        return move(-10);
      case '\r':
      case '\n':
        return enter();
      default:
        return;
    }
  };

  process.on('SIGINT', interrupt);
  screen.enter(onKey, () => draw());
  draw();
  try {
    await session.start();
    await refresh();
    draw();
    return await finished;
  } finally {
    closed = true;
    process.off('SIGINT', interrupt);
    screen.leave();
    session.close();
  }
}

/** One key per item: an escape sequence (arrows, page keys) or a single character. */
export function splitKeys(data: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < data.length; i++) {
    if (data[i] === '\x1b' && (data[i + 1] === '[' || data[i + 1] === 'O')) {
      let j = i + 2;
      while (j < data.length && !/[A-Za-z~]/.test(data[j] ?? '')) j++;
      out.push(data.slice(i, j + 1));
      i = j;
    } else out.push(data[i] ?? '');
  }
  return out;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}
