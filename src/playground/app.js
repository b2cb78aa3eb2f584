// The playground page: a small editor with a breakpoint gutter on top of pyscope's browser DAP
// session (pyscope/pyodide). Every debugger action is a DAP request, as an editor would send it.
import { PyodideDapSession, isolationProblem } from '/pyscope/pyodide/index.js';

let PROGRAM = '/home/pyodide/main.py';
const $ = (id) => document.getElementById(id);
const code = $('code');
const gutter = $('gutter');
const consoleEl = $('console');
const statusEl = $('status');
const LINE = 19;

/** line -> condition ('' for none) */
const breakpoints = new Map();
const watches = [];
let session = null;
let seq = 1;
let pending = new Map();
let state = 'idle'; // idle | starting | running | paused
let threadId = 1;
let frameId = null;
let currentLine = null;
let sources = null;
let warm = null;

function setStatus(text) {
  statusEl.textContent = text;
}

function setState(s) {
  state = s;
  const paused = s === 'paused';
  $('continue').disabled = !paused;
  $('next').disabled = !paused;
  $('stepIn').disabled = !paused;
  $('stepOut').disabled = !paused;
  $('pause').disabled = s !== 'running';
  $('stop').disabled = s === 'idle';
  document.body.dataset.state = s;
}

// -- editor

function renderGutter() {
  const lines = code.value.split('\n').length;
  const parts = [];
  for (let i = 1; i <= lines; i++) {
    const cls = [];
    if (breakpoints.has(i)) cls.push('bp');
    if (breakpoints.get(i)) cls.push('cond');
    if (i === currentLine) cls.push('here');
    const title = breakpoints.get(i) ? ` title="condition: ${escapeHtml(breakpoints.get(i))}"` : '';
    parts.push(`<div data-line="${i}" class="${cls.join(' ')}"${title}>${i}</div>`);
  }
  gutter.innerHTML = parts.join('');
  gutter.scrollTop = code.scrollTop;
  placeCurrentLine();
}

function placeCurrentLine() {
  const el = $('current-line');
  if (currentLine === null) {
    el.hidden = true;
    return;
  }
  el.hidden = false;
  el.style.top = `${(currentLine - 1) * LINE - code.scrollTop}px`;
}

function revealLine(line) {
  const top = (line - 1) * LINE;
  if (top < code.scrollTop || top > code.scrollTop + code.clientHeight - 2 * LINE) code.scrollTop = Math.max(0, top - code.clientHeight / 3);
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

gutter.addEventListener('click', (e) => {
  const line = Number(e.target.dataset?.line);
  if (!line) return;
  if (e.shiftKey) return editCondition(line);
  if (breakpoints.has(line)) breakpoints.delete(line);
  else breakpoints.set(line, '');
  renderGutter();
  void syncBreakpoints();
});

function editCondition(line) {
  const box = $('cond-editor');
  const input = $('cond-input');
  box.hidden = false;
  box.style.top = `${line * LINE - code.scrollTop + 4}px`;
  input.value = breakpoints.get(line) ?? '';
  input.dataset.line = String(line);
  input.focus();
}

$('cond-input').addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' && e.key !== 'Escape') return;
  const input = e.target;
  if (e.key === 'Enter') {
    breakpoints.set(Number(input.dataset.line), input.value.trim());
    renderGutter();
    void syncBreakpoints();
  }
  $('cond-editor').hidden = true;
});

code.addEventListener('input', renderGutter);
code.addEventListener('scroll', () => {
  gutter.scrollTop = code.scrollTop;
  placeCurrentLine();
});
code.addEventListener('keydown', (e) => {
  if (e.key === 'Tab') {
    e.preventDefault();
    code.setRangeText('    ', code.selectionStart, code.selectionEnd, 'end');
    renderGutter();
  }
});

// -- console

function log(text, cls = 'stdout') {
  const span = document.createElement('span');
  span.className = cls;
  span.textContent = text;
  consoleEl.append(span);
  consoleEl.scrollTop = consoleEl.scrollHeight;
}

// -- DAP

function request(command, args) {
  if (!session) return Promise.reject(new Error('not running'));
  const s = seq++;
  return new Promise((resolve, reject) => {
    pending.set(s, { resolve, reject });
    void session.handle({ seq: s, type: 'request', command, arguments: args });
  });
}

function onDap(m) {
  if (m.type === 'response') {
    const p = pending.get(m.request_seq);
    if (!p) return;
    pending.delete(m.request_seq);
    if (m.success) p.resolve(m.body ?? {});
    else p.reject(new Error(m.message));
    return;
  }
  if (m.type !== 'event') return;
  const b = m.body ?? {};
  switch (m.event) {
    case 'output':
      log(b.output, b.category === 'stderr' ? 'stderr' : b.category === 'console' ? 'console' : 'stdout');
      break;
    case 'stopped':
      threadId = b.threadId ?? 1;
      void onStopped(b);
      break;
    case 'exited':
      log(`\n[program exited with code ${b.exitCode}]\n`, 'console');
      setStatus(`exited with code ${b.exitCode}`);
      break;
    case 'terminated':
      endSession();
      break;
  }
}

function endSession() {
  session = null;
  for (const p of pending.values()) p.reject(new Error('the program ended'));
  pending = new Map();
  currentLine = null;
  frameId = null;
  $('stack').innerHTML = '';
  $('variables').innerHTML = '';
  renderWatches();
  renderGutter();
  setState('idle');
  if (!/exited/.test(statusEl.textContent)) setStatus('stopped');
}

async function syncBreakpoints() {
  if (!session || state === 'starting') return;
  const bps = [...breakpoints].map(([line, condition]) => (condition ? { line, condition } : { line }));
  const r = await request('setBreakpoints', { source: { path: PROGRAM }, breakpoints: bps });
  // the agent moves a breakpoint to the next line with code: show it where it will stop
  const moved = new Map();
  r.breakpoints.forEach((bp, i) => {
    if (bp.verified && bp.line !== bps[i].line) moved.set(bps[i].line, bp.line);
  });
  if (moved.size) {
    for (const [from, to] of moved) {
      const cond = breakpoints.get(from);
      breakpoints.delete(from);
      breakpoints.set(to, cond);
    }
    renderGutter();
  }
}

/**
 * A worker that starts loading Pyodide now, so the next Run does not wait for it. Messages that
 * come before the session listens (its "ready") are kept for it.
 */
function preparedWorker() {
  const w = new Worker('/worker.js', { type: 'module' });
  const early = [];
  const listeners = [];
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

function nextWorker() {
  const w = warm ?? preparedWorker();
  warm = preparedWorker();
  return w;
}

async function run() {
  if (session) await stop();
  consoleEl.textContent = '';
  setState('starting');
  setStatus('starting Python');
  session = new PyodideDapSession({ createWorker: nextWorker, agentSource: sources.agent, bootstrapSource: sources.bootstrap });
  session.onMessage(onDap);
  try {
    await request('initialize', { adapterID: 'pyscope-playground', linesStartAt1: true, columnsStartAt1: true });
    await request('launch', { program: PROGRAM, source: code.value });
    setState('running');
    await syncBreakpoints();
    await request('setExceptionBreakpoints', { filters: ['uncaught'] });
    await request('configurationDone');
    if (state === 'running') setStatus('running');
  } catch (e) {
    if (e.message !== 'the program ended') log(`${e.message}\n`, 'stderr');
    if (session) await request('terminate').catch(() => undefined);
    endSession();
    setStatus('launch failed');
  }
}

async function stop() {
  if (!session) return;
  await request('terminate').catch(() => undefined);
}

async function onStopped(body) {
  setState('paused');
  const st = await request('stackTrace', { threadId });
  const frames = st.stackFrames;
  const list = $('stack');
  list.innerHTML = '';
  frames.forEach((f, i) => {
    const li = document.createElement('li');
    li.innerHTML = `${escapeHtml(f.name)}<span class="where">${escapeHtml(f.source?.name ?? '')}:${f.line}</span>`;
    li.addEventListener('click', () => void selectFrame(f, li));
    list.append(li);
    if (i === 0) void selectFrame(f, li);
  });
  const what = body.reason === 'exception' ? `exception: ${body.description ?? body.text}` : body.reason;
  setStatus(`paused (${what}) at line ${frames[0]?.line ?? '?'}`);
}

async function selectFrame(f, li) {
  for (const el of $('stack').children) el.classList.toggle('selected', el === li);
  frameId = f.id;
  currentLine = f.source?.path === PROGRAM ? f.line : null;
  renderGutter();
  if (currentLine) revealLine(currentLine);
  const scopes = await request('scopes', { frameId });
  const root = $('variables');
  root.innerHTML = '';
  for (const s of scopes.scopes) {
    const row = variableRow({ name: s.name, value: '', variablesReference: s.variablesReference }, true);
    root.append(row);
    if (s.name === 'Locals') await toggle(row);
  }
  await renderWatches();
}

/** A tree row; children are fetched when it is first opened. */
function variableRow(v, isScope = false) {
  const row = document.createElement('div');
  const line = document.createElement('div');
  line.className = 'row';
  line.innerHTML =
    `<span class="tw">${v.variablesReference ? '▸' : ''}</span><span class="name">${escapeHtml(v.name)}</span>` +
    (isScope ? '' : `<span>: </span><span class="value">${escapeHtml(v.value)}</span>${v.type ? `<span class="type">${escapeHtml(v.type)}</span>` : ''}`);
  row.append(line);
  row.dataset.name = v.name;
  if (v.variablesReference) {
    row.dataset.ref = String(v.variablesReference);
    line.addEventListener('click', () => void toggle(row));
  }
  return row;
}

async function toggle(row) {
  const open = row.querySelector(':scope > .children');
  const tw = row.querySelector(':scope > .row .tw');
  if (open) {
    open.remove();
    tw.textContent = '▸';
    return;
  }
  const box = document.createElement('div');
  box.className = 'children';
  row.append(box);
  tw.textContent = '▾';
  const r = await request('variables', { variablesReference: Number(row.dataset.ref) });
  for (const v of r.variables) box.append(variableRow(v));
}

async function renderWatches() {
  const root = $('watches');
  root.innerHTML = '';
  for (const expression of watches) {
    let v;
    if (state === 'paused' && frameId !== null) {
      try {
        const r = await request('evaluate', { expression, frameId, context: 'watch' });
        v = { name: expression, value: r.result, type: r.type, variablesReference: r.variablesReference };
      } catch (e) {
        v = { name: expression, value: e.message, variablesReference: 0 };
      }
    } else v = { name: expression, value: 'not available', variablesReference: 0 };
    const row = variableRow(v);
    row.addEventListener('contextmenu', (e) => {
      e.preventDefault();
      watches.splice(watches.indexOf(expression), 1);
      void renderWatches();
    });
    root.append(row);
  }
}

$('watch-input').addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' || !e.target.value.trim()) return;
  watches.push(e.target.value.trim());
  e.target.value = '';
  void renderWatches();
});

$('console-input').addEventListener('keydown', async (e) => {
  if (e.key !== 'Enter' || !e.target.value.trim()) return;
  const expression = e.target.value;
  e.target.value = '';
  log(`>>> ${expression}\n`, 'console');
  if (state !== 'paused') return log('the program is not paused\n', 'stderr');
  try {
    const r = await request('evaluate', { expression, frameId, context: 'repl' });
    log(`${r.result}\n`, 'result');
  } catch (err) {
    log(`${err.message}\n`, 'stderr');
  }
});

async function resume(command) {
  currentLine = null;
  renderGutter();
  setState('running');
  setStatus('running');
  await request(command, { threadId }).catch((e) => log(`${e.message}\n`, 'stderr'));
}

$('run').addEventListener('click', () => void run());
$('stop').addEventListener('click', () => void stop());
$('continue').addEventListener('click', () => void resume('continue'));
$('next').addEventListener('click', () => void resume('next'));
$('stepIn').addEventListener('click', () => void resume('stepIn'));
$('stepOut').addEventListener('click', () => void resume('stepOut'));
$('pause').addEventListener('click', () => void request('pause', { threadId }).catch(() => undefined));
document.addEventListener('keydown', (e) => {
  const keys = { F5: e.shiftKey ? 'stop' : state === 'paused' ? 'continue' : 'run', F6: 'pause', F10: 'next', F11: e.shiftKey ? 'stepOut' : 'stepIn' };
  const id = keys[e.key];
  if (!id || $(id).disabled) return;
  e.preventDefault();
  $(id).click();
});

// -- start

async function main() {
  const problem = isolationProblem();
  const program = await (await fetch('/program.json')).json();
  code.value = program.text;
  $('filename').textContent = program.name;
  PROGRAM = `/home/pyodide/${program.name}`;
  renderGutter();
  setState('idle');
  if (problem) {
    const box = $('isolation');
    box.hidden = false;
    box.textContent = `The debugger cannot run here: ${problem}.`;
    $('run').disabled = true;
    setStatus('not cross-origin isolated');
    return;
  }
  const [agent, bootstrap] = await Promise.all(['/pyscope/agent/agent.py', '/pyscope/pyodide/bootstrap.py'].map(async (u) => (await fetch(u)).text()));
  sources = { agent, bootstrap };
  warm = preparedWorker();
  setStatus('ready');
}

void main();
