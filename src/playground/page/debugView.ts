// Debugging in the page: every action is a DAP request to pyscope's browser session
// (pyscope/pyodide), as an editor would send it; the stack, variables, watch and console panes
// show the answers.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { RequestTracker } from '../../common/requests.js';
import { PyodideDapSession, type WorkerHandle } from '../../web/index.js';
import { $, escapeHtml, log, setStatus } from './dom.js';
import type { Editor } from './editor.js';
import { showScopes, variableRow, type DapRequest } from './variableTree.js';

export type DebugState = 'idle' | 'starting' | 'running' | 'paused';

export interface DebugViewOptions {
  editor: Editor;
  /** A worker that is loading (or has loaded) Pyodide and serves a debuggee. */
  nextWorker: () => WorkerHandle;
  sources: { agent: Record<string, string>; bootstrap: string };
  program: string;
  onState: (state: DebugState) => void;
}

const ENDED = 'the program ended';

export class DebugView {
  private session: PyodideDapSession | null = null;
  /** Requests of the current session; a new session starts a new tracker. */
  private requests = new RequestTracker<Record<string, unknown>>();
  private state: DebugState = 'idle';
  private threadId = 1;
  private frameId: number | null = null;
  private readonly watches: string[] = [];
  private readonly dapRequest: DapRequest = (command, args) => this.request(command, args);

  constructor(private readonly o: DebugViewOptions) {
    $<HTMLInputElement>('watch-input').addEventListener('keydown', (e) => {
      const input = e.target as HTMLInputElement;
      if (e.key !== 'Enter' || !input.value.trim()) return;
      this.watches.push(input.value.trim());
      input.value = '';
      void this.renderWatches();
    });
    $<HTMLInputElement>('console-input').addEventListener('keydown', (e) => {
      const input = e.target as HTMLInputElement;
      if (e.key !== 'Enter' || !input.value.trim()) return;
      void this.evaluateInConsole(input.value);
      input.value = '';
    });
  }

  get running(): boolean {
    return this.session !== null;
  }

  get paused(): boolean {
    return this.state === 'paused';
  }

  async run(): Promise<void> {
    if (this.session) await this.stop();
    this.setState('starting');
    setStatus('starting Python');
    const session = new PyodideDapSession({ createWorker: this.o.nextWorker, agentSources: this.o.sources.agent, bootstrapSource: this.o.sources.bootstrap });
    this.session = session;
    session.onMessage((m) => this.onDap(session, m));
    try {
      await this.request('initialize', { adapterID: 'pyscope-playground', linesStartAt1: true, columnsStartAt1: true });
      await this.request('launch', { program: this.o.program, source: this.o.editor.text });
      this.setState('running');
      await this.syncBreakpoints();
      await this.request('setExceptionBreakpoints', { filters: ['uncaught'] });
      await this.request('configurationDone');
      if (this.state === 'running') setStatus('running');
    } catch (e) {
      const message = (e as Error).message;
      if (message !== ENDED) log(`${message}\n`, 'stderr');
      if (this.session) await this.request('terminate').catch(() => undefined);
      this.end();
      setStatus('launch failed');
    }
  }

  async stop(): Promise<void> {
    if (this.session) await this.request('terminate').catch(() => undefined);
  }

  async resume(command: 'continue' | 'next' | 'stepIn' | 'stepOut'): Promise<void> {
    this.o.editor.showCurrentLine(null);
    this.setState('running');
    setStatus('running');
    await this.request(command, { threadId: this.threadId }).catch((e: Error) => log(`${e.message}\n`, 'stderr'));
  }

  pause(): void {
    void this.request('pause', { threadId: this.threadId }).catch(() => undefined);
  }

  /** The editor's breakpoints, sent again (a DAP client sends a file's whole list each time). */
  async syncBreakpoints(): Promise<void> {
    if (!this.session || this.state === 'starting') return;
    const bps = [...this.o.editor.breakpoints].map(([line, condition]) => (condition ? { line, condition } : { line }));
    const r = (await this.request('setBreakpoints', { source: { path: this.o.program }, breakpoints: bps })) as DebugProtocol.SetBreakpointsResponse['body'];
    const moved = new Map<number, number>();
    r.breakpoints.forEach((bp, i) => {
      const asked = bps[i]!.line;
      if (bp.verified && bp.line !== undefined && bp.line !== asked) moved.set(asked, bp.line);
    });
    this.o.editor.moveBreakpoints(moved);
  }

  private setState(s: DebugState): void {
    this.state = s;
    this.o.onState(s);
  }

  private request(command: string, args?: unknown): Promise<Record<string, unknown>> {
    const session = this.session;
    if (!session) return Promise.reject(new Error('not running'));
    const { seq, answer } = this.requests.start(command);
    void session.handle({ seq, type: 'request', command, arguments: args });
    return answer;
  }

  private onDap(from: PyodideDapSession, m: DebugProtocol.ProtocolMessage): void {
    if (m.type === 'response') {
      // a late answer of an ended session must not settle a request of the next one
      if (from !== this.session) return;
      const r = m as DebugProtocol.Response;
      if (r.success) this.requests.resolve(r.request_seq, (r.body ?? {}) as Record<string, unknown>);
      else this.requests.reject(r.request_seq, new Error(r.message));
      return;
    }
    if (m.type !== 'event') return;
    const e = m as DebugProtocol.Event;
    switch (e.event) {
      case 'output': {
        const b = (e as DebugProtocol.OutputEvent).body;
        log(b.output, b.category === 'stderr' ? 'stderr' : b.category === 'console' ? 'console' : 'stdout');
        break;
      }
      case 'stopped': {
        const b = (e as DebugProtocol.StoppedEvent).body;
        this.threadId = b.threadId ?? 1;
        void this.onStopped(b);
        break;
      }
      case 'exited': {
        const code = (e as DebugProtocol.ExitedEvent).body.exitCode;
        log(`\n[program exited with code ${code}]\n`, 'console');
        setStatus(`exited with code ${code}`);
        break;
      }
      case 'terminated':
        this.end();
        break;
    }
  }

  private end(): void {
    this.session = null;
    this.requests.close(new Error(ENDED));
    this.requests = new RequestTracker();
    this.frameId = null;
    $('stack').innerHTML = '';
    $('variables').innerHTML = '';
    this.o.editor.showCurrentLine(null);
    void this.renderWatches();
    this.setState('idle');
    if (!/exited/.test($('status').textContent ?? '')) setStatus('stopped');
  }

  private async onStopped(body: DebugProtocol.StoppedEvent['body']): Promise<void> {
    this.setState('paused');
    const st = (await this.request('stackTrace', { threadId: this.threadId })) as DebugProtocol.StackTraceResponse['body'];
    const list = $('stack');
    list.innerHTML = '';
    st.stackFrames.forEach((f, i) => {
      const li = document.createElement('li');
      li.innerHTML = `${escapeHtml(f.name)}<span class="where">${escapeHtml(f.source?.name ?? '')}:${f.line}</span>`;
      li.addEventListener('click', () => void this.selectFrame(f, li));
      list.append(li);
      if (i === 0) void this.selectFrame(f, li);
    });
    const what = body.reason === 'exception' ? `exception: ${body.description ?? body.text ?? ''}` : body.reason;
    setStatus(`paused (${what}) at line ${st.stackFrames[0]?.line ?? '?'}`);
  }

  private async selectFrame(f: DebugProtocol.StackFrame, li: HTMLLIElement): Promise<void> {
    for (const el of $('stack').children) el.classList.toggle('selected', el === li);
    this.frameId = f.id;
    this.o.editor.showCurrentLine(f.source?.path === this.o.program ? f.line : null);
    await showScopes(this.dapRequest, $('variables'), f.id);
    await this.renderWatches();
  }

  private async renderWatches(): Promise<void> {
    const root = $('watches');
    root.innerHTML = '';
    for (const expression of this.watches) {
      let v: DebugProtocol.Variable;
      if (this.state === 'paused' && this.frameId !== null) {
        try {
          const r = (await this.request('evaluate', { expression, frameId: this.frameId, context: 'watch' })) as DebugProtocol.EvaluateResponse['body'];
          v = { name: expression, value: r.result, variablesReference: r.variablesReference, ...(r.type ? { type: r.type } : {}) };
        } catch (e) {
          v = { name: expression, value: (e as Error).message, variablesReference: 0 };
        }
      } else v = { name: expression, value: 'not available', variablesReference: 0 };
      const row = variableRow(this.dapRequest, v);
      row.title = 'right-click removes this watch';
      row.addEventListener('contextmenu', (e) => {
        e.preventDefault();
        this.watches.splice(this.watches.indexOf(expression), 1);
        void this.renderWatches();
      });
      root.append(row);
    }
  }

  private async evaluateInConsole(expression: string): Promise<void> {
    log(`>>> ${expression}\n`, 'console');
    if (this.state !== 'paused') return log('the program is not paused\n', 'stderr');
    try {
      const r = (await this.request('evaluate', { expression, frameId: this.frameId, context: 'repl' })) as DebugProtocol.EvaluateResponse['body'];
      log(`${r.result}\n`, 'result');
    } catch (err) {
      log(`${(err as Error).message}\n`, 'stderr');
    }
  }
}
