// The playground page: an editor with a breakpoint gutter, a debugger and a profiler, all on
// pyscope's browser entry (pyscope/pyodide) with Python in a Web Worker.
import { AGENT_PACKAGE_FILES, isolationProblem, type WorkerHandle } from '../../web/index.js';
import { DebugView, type DebugState } from './debugView.js';
import { NotebookView } from './notebookView.js';
import { $, clearConsole, setStatus } from './dom.js';
import { Editor } from './editor.js';
import { ProfileView } from './profileView.js';

type PageState = DebugState | 'profiling';

/**
 * A worker that starts loading Pyodide now, so the next Run or Profile does not wait for it.
 * Messages that come before anyone listens (its "ready") are kept for the first listener.
 */
function preparedWorker(): WorkerHandle {
  const w = new Worker('/pyscope/playground/page/worker.js', { type: 'module' });
  const early: MessageEvent[] = [];
  const listeners: ((e: { data: unknown }) => void)[] = [];
  w.addEventListener('message', (e) => {
    if (listeners.length) for (const l of listeners) l(e);
    else early.push(e);
  });
  return {
    postMessage: (m) => w.postMessage(m),
    addEventListener: (_type, l) => {
      listeners.push(l);
      for (const e of early.splice(0)) l(e);
    },
    terminate: () => w.terminate(),
  };
}

let warm: WorkerHandle | null = null;

function nextWorker(): WorkerHandle {
  const w = warm ?? preparedWorker();
  warm = preparedWorker();
  return w;
}

function setState(s: PageState): void {
  const paused = s === 'paused';
  for (const id of ['continue', 'next', 'stepIn', 'stepOut']) $<HTMLButtonElement>(id).disabled = !paused;
  $<HTMLButtonElement>('pause').disabled = s !== 'running';
  // in a notebook, Stop restarts the kernel, which an idle one may want too
  $<HTMLButtonElement>('stop').disabled = s === 'idle' && !NOTEBOOK;
  document.body.dataset.state = s;
}

function showTab(tab: 'console' | 'profile'): void {
  $('console-pane').hidden = tab !== 'console';
  $('profile-pane').hidden = tab !== 'profile';
  $('tab-console').classList.toggle('active', tab === 'console');
  $('tab-profile').classList.toggle('active', tab === 'profile');
  document.body.dataset.tab = tab;
}

/** /?notebook: cells in one kernel instead of one program. */
const NOTEBOOK = new URLSearchParams(location.search).has('notebook');

async function main(): Promise<void> {
  if (NOTEBOOK) document.body.classList.add('notebook');
  const modeLink = $<HTMLAnchorElement>('mode');
  modeLink.href = NOTEBOOK ? '/' : '/?notebook';
  modeLink.textContent = NOTEBOOK ? 'Program mode' : 'Notebook mode';
  const editor = new Editor(() => void debug?.syncBreakpoints());
  let debug: DebugView | undefined;
  const program = (await (await fetch('/program.json')).json()) as { name: string; text: string };
  const path = `/home/pyodide/${program.name}`;
  editor.text = program.text;
  $('filename').textContent = program.name;
  setState('idle');
  $('tab-console').addEventListener('click', () => showTab('console'));
  $('tab-profile').addEventListener('click', () => showTab('profile'));
  const problem = isolationProblem();
  if (problem) {
    const box = $('isolation');
    box.hidden = false;
    box.textContent = `The debugger cannot run here: ${problem}.`;
    $<HTMLButtonElement>('run').disabled = true;
    $<HTMLButtonElement>('profile').disabled = true;
    setStatus('not cross-origin isolated');
    return;
  }
  const text = async (u: string): Promise<string> => (await fetch(u)).text();
  const [bootstrap, profiler, ...agentFiles] = await Promise.all(
    ['/pyscope/pyodide/bootstrap.py', '/pyscope/pyodide/profiler.py', ...AGENT_PACKAGE_FILES.map((f) => `/pyscope/agent/${f}`)].map(text),
  );
  const agent = Object.fromEntries(AGENT_PACKAGE_FILES.map((f, i) => [f, agentFiles[i]!]));
  if (NOTEBOOK) return notebookMode(agent, bootstrap!, await text('/pyscope/pyodide/notebook_kernel.py'));
  debug = new DebugView({ editor, nextWorker, sources: { agent, bootstrap: bootstrap! }, program: path, onState: setState });
  const profile = new ProfileView({
    editor,
    nextWorker,
    profilerSource: profiler!,
    program: path,
    onActive: (active) => setState(active ? 'profiling' : 'idle'),
    showTab,
  });
  const d = debug;
  const stopAll = async (): Promise<void> => {
    profile.stop();
    await d.stop();
  };
  $('run').addEventListener('click', async () => {
    await stopAll();
    clearConsole();
    showTab('console');
    await d.run();
  });
  $('profile').addEventListener('click', async () => {
    if (profile.active) return;
    await stopAll();
    clearConsole();
    showTab('console');
    await profile.start(Number($<HTMLSelectElement>('rate').value));
  });
  $('stop').addEventListener('click', () => void stopAll());
  $('continue').addEventListener('click', () => void d.resume('continue'));
  $('next').addEventListener('click', () => void d.resume('next'));
  $('stepIn').addEventListener('click', () => void d.resume('stepIn'));
  $('stepOut').addEventListener('click', () => void d.resume('stepOut'));
  $('pause').addEventListener('click', () => d.pause());
  document.addEventListener('keydown', (e) => {
    const keys: Record<string, string> = {
      F5: e.shiftKey ? 'stop' : d.paused ? 'continue' : 'run',
      F6: 'pause',
      F10: 'next',
      F11: e.shiftKey ? 'stepOut' : 'stepIn',
    };
    const id = keys[e.key];
    if (!id || $<HTMLButtonElement>(id).disabled) return;
    e.preventDefault();
    $(id).click();
  });
  warm = preparedWorker();
  setStatus('ready');
}

async function notebookMode(agentSources: Record<string, string>, bootstrapSource: string, kernelSource: string): Promise<void> {
  $('filename').textContent = 'notebook';
  $('run').textContent = '\u25B6 Run all';
  $('run').title = 'Run every cell, in order';
  $('stop').textContent = '\u21BB Restart';
  $('stop').title = 'Restart the kernel (a fresh namespace)';
  const nb = new NotebookView({ kernel: { createWorker: nextWorker, agentSources, bootstrapSource, kernelSource }, onState: setState });
  $('run').addEventListener('click', () => void nb.runAll());
  $('add-cell').addEventListener('click', () => nb.addCell());
  $('stop').addEventListener('click', () => void nb.start());
  $('continue').addEventListener('click', () => void nb.resume('continue'));
  $('next').addEventListener('click', () => void nb.resume('next'));
  $('stepIn').addEventListener('click', () => void nb.resume('stepIn'));
  $('stepOut').addEventListener('click', () => void nb.resume('stepOut'));
  $('pause').addEventListener('click', () => nb.pause());
  warm = preparedWorker();
  await nb.start();
}

void main();
