// A notebook kernel in Pyodide under pyscope's debugger, on the page: one Web Worker runs the
// kernel program (pyodide/notebook_kernel.py) as a debugged program, and cells execute in it one at
// a time, sharing one namespace. Each cell's code is compiled under the file name JupyterLab
// gives it (tmpFilePrefix + murmur2(code, seed) + tmpFileSuffix), so a breakpoint set in that
// file stops in the cell, and stack frames name the cell. The session's DAP requests and events
// pass through as they are, for a debugger UI (the playground's notebook mode) or a Jupyter
// kernel's debug_request handler (jupyterDebugger.ts). Browser-safe: no node: imports.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { RequestTracker } from '../common/requests.js';
import { HOME } from '../pyodide/workerSetup.js';
import { PyodideDapSession, type BrowserSessionOptions } from './browserSession.js';
import { murmur2 } from './murmur2.js';

/** ipykernel's seed (ipykernel/compiler.py get_tmp_hash_seed), which JupyterLab gets from debugInfo. */
export const CELL_HASH_SEED = 0xc70f6907;
/** Where the kernel writes cells, in Pyodide's filesystem (ipykernel uses <tmp>/ipykernel_<pid>/). */
export const CELL_FILE_PREFIX = '/tmp/ipykernel_pyodide/';
export const CELL_FILE_SUFFIX = '.py';
/** Where the kernel program itself goes: beside pyscope's modules, a library folder, so stepping never stops in it. */
const KERNEL_PATH = `${HOME}/pyscope_notebook.py`;

/** Whether a stack frame's file is pyscope's own (the kernel program that runs the cells), not the user's. */
export function isKernelFile(path: string | undefined): boolean {
  return path !== undefined && path.startsWith(`${HOME}/`);
}
/** Loading Pyodide and starting the kernel; generous, for a loaded machine. */
const START_MS = 180_000;
/** An answer the kernel gives at once, from whatever state (writing a file, listing the namespace). */
const QUICK_MS = 30_000;

export interface NotebookOptions extends BrowserSessionOptions {
  /** The text of pyscope's src/pyodide/notebook_kernel.py. */
  kernelSource: string;
}

export interface ExecuteResult {
  status: 'ok' | 'error';
  /** The repr of the cell's last expression, when it has one and its value is not None. */
  result?: string;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface NamespaceVariable {
  name: string;
  value: string;
  type: string;
}

type KernelAnswer = Record<string, unknown> & { id: number | null };

interface Execution {
  onOutput?: (category: 'stdout' | 'stderr', text: string) => void;
}

/** The file JupyterLab names a cell's code with, given the kernel's debugInfo. */
export function cellFileName(code: string, prefix = CELL_FILE_PREFIX, seed = CELL_HASH_SEED, suffix = CELL_FILE_SUFFIX): string {
  return `${prefix}${murmur2(code, seed)}${suffix}`;
}

export class PyodideNotebook {
  readonly session: PyodideDapSession;
  /** The DAP capabilities the session gave at start. */
  capabilities: DebugProtocol.Capabilities = {};
  private readonly dap = new RequestTracker<DebugProtocol.Response>();
  private readonly kernel = new RequestTracker<KernelAnswer>();
  private readonly eventListeners: ((e: DebugProtocol.Event) => void)[] = [];
  /** Executions sent and not yet answered, in the order the kernel runs them: output belongs to the first. */
  private readonly running: { seq: number; execution: Execution }[] = [];
  private ready?: () => void;
  private ended = false;

  constructor(private readonly options: NotebookOptions) {
    this.session = new PyodideDapSession(options);
    this.session.onMessage((m) => this.onDap(m));
    this.session.onNotebook((text) => this.onKernel(text));
  }

  /** Starts the kernel: Pyodide loads in a new worker, the kernel program starts under the debugger and waits for cells. */
  async start(): Promise<void> {
    const readyNow = new Promise<void>((resolve) => (this.ready = resolve));
    const init = await this.request('initialize', { adapterID: 'pyscope-notebook', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    if (!init.success) throw new Error(init.message);
    this.capabilities = (init.body ?? {}) as DebugProtocol.Capabilities;
    const launch = await this.request('launch', { program: KERNEL_PATH, source: this.options.kernelSource, justMyCode: true }, START_MS);
    if (!launch.success) throw new Error(launch.message);
    const done = await this.request('configurationDone', {}, START_MS);
    if (!done.success) throw new Error(done.message);
    await bounded(readyNow, START_MS, 'the notebook kernel did not start');
  }

  /** A DAP request to the session; its response whether it succeeded or not. */
  request(command: string, args?: unknown, timeoutMs = START_MS): Promise<DebugProtocol.Response> {
    const { seq, answer } = this.dap.start(command, { timeoutMs });
    void this.session.handle({ seq, type: 'request', command, arguments: args });
    return answer;
  }

  /** Every DAP event of the session (output included: the cells' output comes that way too). */
  onEvent(listener: (e: DebugProtocol.Event) => void): void {
    this.eventListeners.push(listener);
  }

  /** Runs a cell (after those already sent); it may stop at breakpoints, so its answer has no time limit. */
  execute(code: string, onOutput?: Execution['onOutput']): Promise<ExecuteResult> {
    const { seq, answer } = this.kernel.start('execute');
    this.running.push({ seq, execution: onOutput ? { onOutput } : {} });
    if (!this.send({ kind: 'execute', id: seq, path: cellFileName(code), code })) this.kernel.reject(seq, new Error('the kernel is not running'));
    return answer.then((a) => {
      const r: ExecuteResult = { status: a.status === 'ok' ? 'ok' : 'error' };
      for (const k of ['result', 'ename', 'evalue'] as const) if (typeof a[k] === 'string') r[k] = a[k];
      if (Array.isArray(a.traceback)) r.traceback = a.traceback.map(String);
      return r;
    });
  }

  /** Writes a cell's code to its file (as ipykernel's dumpCell does), even while a cell is stopped; its path. */
  async dumpCell(code: string): Promise<string> {
    const path = cellFileName(code);
    await this.ask({ kind: 'write', path, code });
    return path;
  }

  /** The user's variables in the kernel's namespace, with their reprs. */
  async inspectVariables(): Promise<NamespaceVariable[]> {
    const a = await this.ask({ kind: 'inspect' });
    return (a.variables as NamespaceVariable[] | undefined) ?? [];
  }

  /** A namespace variable's mime bundle (text/plain, and text/html etc. when the value has them). */
  async richInspect(name: string): Promise<{ data: Record<string, string>; metadata: Record<string, unknown> }> {
    const a = await this.ask({ kind: 'rich', name });
    return { data: (a.data as Record<string, string>) ?? {}, metadata: (a.metadata as Record<string, unknown>) ?? {} };
  }

  /** Ends the kernel (its worker is terminated). */
  async stop(): Promise<void> {
    if (this.ended) return;
    await this.request('terminate', {}, QUICK_MS).catch(() => undefined);
  }

  get alive(): boolean {
    return !this.ended;
  }

  private send(message: Record<string, unknown>): boolean {
    return !this.ended && this.session.sendNotebook(message);
  }

  private async ask(message: Record<string, unknown>): Promise<KernelAnswer> {
    const { seq, answer } = this.kernel.start(String(message.kind), { timeoutMs: QUICK_MS });
    if (!this.send({ ...message, id: seq })) this.kernel.reject(seq, new Error('the kernel is not running'));
    const a = await answer;
    if (typeof a.error === 'string') throw new Error(a.error);
    return a;
  }

  private onKernel(text: string): void {
    let a: KernelAnswer;
    try {
      a = JSON.parse(text) as KernelAnswer;
    } catch {
      return;
    }
    if (a.id === null) {
      if (a.ready) this.ready?.();
      return;
    }
    const i = this.running.findIndex((r) => r.seq === a.id);
    if (i >= 0) this.running.splice(i, 1);
    this.kernel.resolve(a.id, a);
  }

  private onDap(m: DebugProtocol.ProtocolMessage): void {
    if (m.type === 'response') {
      const r = m as DebugProtocol.Response;
      this.dap.resolve(r.request_seq, r);
      return;
    }
    if (m.type !== 'event') return;
    const e = m as DebugProtocol.Event;
    if (e.event === 'output') {
      const b = (e as DebugProtocol.OutputEvent).body;
      const category = b.category === 'stderr' ? 'stderr' : 'stdout';
      if (b.category === 'stdout' || b.category === 'stderr') this.running[0]?.execution.onOutput?.(category, b.output);
    }
    if (e.event === 'terminated') this.end();
    for (const l of this.eventListeners) l(e);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    const gone = new Error('the kernel ended');
    this.kernel.close(gone);
    this.dap.close(gone);
    this.running.length = 0;
  }
}

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
