// The playground's notebook mode: cells with their outputs, run one or all, in one Pyodide kernel
// (pyscope/pyodide's PyodideNotebook) under the same debugger as the program mode: a click in a
// cell's gutter sets a breakpoint in that cell's file (named from its code, as JupyterLab names
// it), the call stack names the cells, and the variables and steps are the session's DAP answers.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { cellFileName, isKernelFile, PyodideNotebook, type ExecuteResult, type NotebookOptions } from '../../web/index.js';
import type { DebugState } from './debugView.js';
import { $, escapeHtml, setStatus } from './dom.js';
import { Editor } from './editor.js';
import { showScopes, type DapRequest } from './variableTree.js';

const EXAMPLE_CELLS = [
  '# A notebook: run a cell with its \u25B6, or Run all.\n# Click a line number in a cell to set a breakpoint there.\ndef fib(n):\n    a, b = 0, 1\n    for i in range(n):\n        a, b = b, a + b\n    return a\n',
  'values = [fib(n) for n in range(10)]\nprint(values)\nsum(values)\n',
];

interface Cell {
  root: HTMLElement;
  editor: Editor;
  output: HTMLElement;
  count: HTMLElement;
  /** The file its breakpoints were last set in (its code's name then). */
  path?: string;
}

export interface NotebookViewOptions {
  kernel: NotebookOptions;
  onState: (state: DebugState) => void;
}

export class NotebookView {
  private kernel: PyodideNotebook | null = null;
  private readonly cells: Cell[] = [];
  private readonly byPath = new Map<string, Cell>();
  private state: DebugState = 'idle';
  private threadId = 1;
  private executions = 0;
  private readonly dapRequest: DapRequest = (command, args) => this.request(command, args);

  constructor(private readonly o: NotebookViewOptions) {
    for (const text of EXAMPLE_CELLS) this.addCell(text);
  }

  get paused(): boolean {
    return this.state === 'paused';
  }

  /** Starts (or restarts) the kernel: a new worker, a fresh namespace. */
  async start(): Promise<void> {
    const old = this.kernel;
    this.kernel = null;
    if (old) await old.stop();
    for (const c of this.cells) c.path = undefined;
    this.byPath.clear();
    this.setState('starting');
    setStatus('starting Python');
    const kernel = new PyodideNotebook(this.o.kernel);
    kernel.onEvent((e) => {
      if (this.kernel === kernel) this.onEvent(e);
    });
    try {
      await kernel.start();
    } catch (e) {
      setStatus(`the kernel did not start: ${(e as Error).message}`);
      this.setState('idle');
      return;
    }
    this.kernel = kernel;
    this.setState('idle');
    setStatus('ready');
  }

  addCell(text = ''): void {
    const root = document.createElement('div');
    root.className = 'cell';
    const head = document.createElement('div');
    head.className = 'cell-head';
    const run = document.createElement('button');
    run.className = 'run-cell';
    run.title = 'Run this cell';
    run.textContent = '\u25B6';
    const count = document.createElement('span');
    count.className = 'count';
    count.textContent = '[ ]';
    head.append(run, count);
    const box = document.createElement('div');
    box.className = 'cell-editor';
    const condBox = document.createElement('div');
    condBox.className = 'cond-editor';
    condBox.hidden = true;
    const condInput = document.createElement('input');
    condInput.placeholder = 'condition, e.g. n == 5 (Enter sets, Esc cancels)';
    condBox.append(condInput);
    box.append(condBox);
    const output = document.createElement('pre');
    output.className = 'output';
    root.append(head, box, output);
    $('notebook').append(root);
    const editor: Editor = new Editor(() => void this.syncBreakpoints(cell), { box, condBox, condInput });
    const cell: Cell = { root, editor, output, count };
    editor.text = text;
    this.cells.push(cell);
    run.addEventListener('click', () => void this.runCells([cell]));
  }

  runAll(): Promise<void> {
    return this.runCells([...this.cells]);
  }

  async resume(command: 'continue' | 'next' | 'stepIn' | 'stepOut'): Promise<void> {
    this.showLine(null);
    this.setState('running');
    setStatus('running');
    await this.request(command, { threadId: this.threadId }).catch((e: Error) => setStatus(e.message));
  }

  pause(): void {
    void this.request('pause', { threadId: this.threadId }).catch(() => undefined);
  }

  private async runCells(cells: Cell[]): Promise<void> {
    const kernel = this.kernel;
    if (!kernel || this.state !== 'idle') return;
    this.setState('running');
    try {
      for (const cell of cells) {
        if (this.kernel !== kernel) return;
        if ((await this.runCell(kernel, cell)) === 'error') break;
      }
    } finally {
      if (this.kernel === kernel) {
        this.setState('idle');
        setStatus('ready');
      }
    }
  }

  private async runCell(kernel: PyodideNotebook, cell: Cell): Promise<'ok' | 'error'> {
    const n = this.number(cell);
    await this.syncBreakpoints(cell, true);
    cell.output.textContent = '';
    cell.count.textContent = '[*]';
    setStatus(`running cell ${n}`);
    // a restart while the cell runs ends its kernel: the cell says so rather than the page throwing
    const r = await kernel
      .execute(cell.editor.text, (category, text) => this.append(cell, text, category))
      .catch((e: Error): ExecuteResult => ({ status: 'error', traceback: [`${e.message}\n`] }));
    cell.count.textContent = `[${++this.executions}]`;
    if (r.status === 'ok' && r.result !== undefined) this.append(cell, `${r.result}\n`, 'result');
    if (r.status === 'error') this.append(cell, (r.traceback ?? []).join('') || `${r.ename}: ${r.evalue}\n`, 'stderr');
    return r.status;
  }

  /**
   * The cell's breakpoints, set in the file its code is named by now (written first: the agent
   * reads it); a file its old code was named by loses them. `running`: also when it has none,
   * so the stack can name the cell.
   */
  private async syncBreakpoints(cell: Cell, running = false): Promise<void> {
    const kernel = this.kernel;
    if (!kernel) return;
    const code = cell.editor.text;
    const path = cellFileName(code);
    const bps = [...cell.editor.breakpoints].map(([line, condition]) => (condition ? { line, condition } : { line }));
    this.byPath.set(path, cell);
    if (cell.path && cell.path !== path) await this.request('setBreakpoints', { source: { path: cell.path }, breakpoints: [] }).catch(() => undefined);
    if (!bps.length && cell.path !== path && running) return;
    cell.path = path;
    await kernel.dumpCell(code);
    const r = (await this.request('setBreakpoints', { source: { path }, breakpoints: bps })) as DebugProtocol.SetBreakpointsResponse['body'];
    const moved = new Map<number, number>();
    r.breakpoints.forEach((bp, i) => {
      const asked = bps[i]!.line;
      if (bp.verified && bp.line !== undefined && bp.line !== asked) moved.set(asked, bp.line);
    });
    cell.editor.moveBreakpoints(moved);
  }

  private number(cell: Cell): number {
    return this.cells.indexOf(cell) + 1;
  }

  private append(cell: Cell, text: string, cls: string): void {
    const span = document.createElement('span');
    span.className = cls;
    span.textContent = text;
    cell.output.append(span);
  }

  private async request(command: string, args?: unknown): Promise<Record<string, unknown>> {
    if (!this.kernel) throw new Error('the kernel is not running');
    const r = await this.kernel.request(command, args);
    if (!r.success) throw new Error(r.message);
    return (r.body ?? {}) as Record<string, unknown>;
  }

  private setState(s: DebugState): void {
    this.state = s;
    this.o.onState(s);
  }

  private showLine(at: { cell: Cell; line: number } | null): void {
    for (const c of this.cells) c.editor.showCurrentLine(at?.cell === c ? at.line : null);
  }

  private onEvent(e: DebugProtocol.Event): void {
    if (e.event === 'stopped') {
      const b = (e as DebugProtocol.StoppedEvent).body;
      this.threadId = b.threadId ?? 1;
      void this.onStopped(b);
    } else if (e.event === 'terminated') {
      this.kernel = null;
      this.showLine(null);
      $('stack').innerHTML = '';
      $('variables').innerHTML = '';
      this.setState('idle');
      setStatus('the kernel ended: Stop starts a new one');
    }
  }

  private where(f: DebugProtocol.StackFrame): string {
    const cell = f.source?.path ? this.byPath.get(f.source.path) : undefined;
    return cell ? `cell ${this.number(cell)}:${f.line}` : `${f.source?.name ?? ''}:${f.line}`;
  }

  private async onStopped(body: DebugProtocol.StoppedEvent['body']): Promise<void> {
    this.setState('paused');
    const st = (await this.request('stackTrace', { threadId: this.threadId })) as DebugProtocol.StackTraceResponse['body'];
    const frames = st.stackFrames.filter((f) => !isKernelFile(f.source?.path));
    const list = $('stack');
    list.innerHTML = '';
    frames.forEach((f, i) => {
      const li = document.createElement('li');
      li.innerHTML = `${escapeHtml(f.name)}<span class="where">${escapeHtml(this.where(f))}</span>`;
      li.addEventListener('click', () => void this.selectFrame(f, li));
      list.append(li);
      if (i === 0) void this.selectFrame(f, li);
    });
    const what = body.reason === 'exception' ? `exception: ${body.description ?? body.text ?? ''}` : body.reason;
    const top = frames[0];
    setStatus(`paused (${what}) in ${top ? this.where(top).replace(':', ' at line ') : '?'}`);
  }

  private async selectFrame(f: DebugProtocol.StackFrame, li: HTMLLIElement): Promise<void> {
    for (const el of $('stack').children) el.classList.toggle('selected', el === li);
    const cell = f.source?.path ? this.byPath.get(f.source.path) : undefined;
    this.showLine(cell ? { cell, line: f.line } : null);
    await showScopes(this.dapRequest, $('variables'), f.id);
  }
}
