// `pyscope playground` as a user starts it: a loopback URL, the isolation headers on everything,
// Pyodide's files from the npm package, and nothing outside the page's own folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CLI } from '../dap/client.js';
import { watch } from '../support/child.js';
import { REPO_ROOT } from '../support/pythons.js';

const DIST_SRC = join(REPO_ROOT, 'dist', 'src');

/** Every module the page and its worker import, directly or not, as /pyscope/ paths. */
function pageModules(): string[] {
  const seen = new Set<string>();
  const todo = ['playground/page/app.js', 'playground/page/worker.js'].map((f) => join(DIST_SRC, f));
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) todo.push(resolve(dirname(file), m[1]!));
  }
  return [...seen].map((f) => `pyscope/${relative(DIST_SRC, f)}`).sort();
}

test('pyscope playground --port 0 serves the page, Pyodide and pyscope modules, isolated, and nothing else', async () => {
  const server = watch(spawn(process.execPath, [CLI, 'playground', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] }), 'pyscope playground --port 0');
  const child = server.child;
  try {
    const base = (await server.waitFor(/http:\/\/127\.0\.0\.1:\d+\//, { step: 'the playground to print its URL' }))[0];
    const page = await fetch(base);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.match(await page.text(), /pyscope playground/);
    const wasm = await fetch(`${base}pyodide/pyodide.asm.wasm`);
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    await wasm.arrayBuffer();
    for (const path of [
      'pyscope/web/index.js',
      'pyscope/common/requests.js',
      'pyscope/agent/agent.py',
      'pyscope/pyodide/bootstrap.py',
      'pyscope/pyodide/profiler.py',
      'pyscope/pyodide/tickerWorker.js',
      'pyscope/profile/output/flamegraph.js',
      'pyscope/playground/page/app.js',
      'pyscope/playground/page/worker.js',
      // everything the page imports, so that a module moved to a folder the server does not serve is caught here
      ...pageModules(),
      'style.css',
    ]) {
      const r = await fetch(`${base}${path}`);
      assert.equal(r.status, 200, path);
      await r.arrayBuffer();
    }
    for (const path of ['pyscope/commands/dap.js', 'pyscope/pyodide/..%2F..%2F..%2Fpackage.json', 'pyodide/..%2F..%2Fpackage.json', '..%2Fpackage.json', 'playground/server.js', 'pyscope/playground/server.js', 'pyscope/pyodide/..%2Fcommands%2Fdap.js', 'pyscope/playground/page/..%2Fserver.js', 'app.js']) {
      const r = await fetch(`${base}${path}`);
      assert.equal(r.status, 404, path);
      await r.arrayBuffer();
    }
  } finally {
    child.kill('SIGTERM');
    const code = await server.exited();
    assert.equal(code, 0, server.diagnosis());
  }
});

test('pyscope playground refuses a bad port and a missing script', async () => {
  for (const [args, pattern] of [
    [['--port', 'x'], /--port needs a port number/],
    [['nope.py'], /nope\.py: no such file/],
  ] as const) {
    const child = watch(spawn(process.execPath, [CLI, 'playground', ...args], { stdio: ['ignore', 'ignore', 'pipe'] }), `pyscope playground ${args.join(' ')}`);
    const code = await child.exited();
    assert.equal(code, 2);
    assert.match(child.stderr, pattern);
  }
});

/** Sends bytes as they are (no client library to tidy them) and returns the status line's code and the body. */
async function raw(port: number, request: string): Promise<{ status: number; body: string }> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  let text = '';
  socket.on('data', (s: string) => (text += s));
  let reset = false;
  socket.on('error', (e: NodeJS.ErrnoException) => (reset ||= e.code === 'ECONNRESET'));
  socket.write(request, 'latin1');
  // every answer here closes the connection; the timer only bounds a server that would not
  const timer = setTimeout(() => socket.destroy(), 10_000);
  // 'close', not once(): an 'error' event must not reject the wait
  await new Promise((res) => socket.once('close', res));
  clearTimeout(timer);
  // a server that answers and closes before reading all of a large request makes its kernel reset
  // the connection, which can discard the answer before we read it: that is a refusal too
  if (reset && text === '') return { status: 0, body: '' };
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  assert.ok(m, `no HTTP answer to ${JSON.stringify(request.slice(0, 80))}: ${JSON.stringify(text.slice(0, 200))}`);
  return { status: Number(m[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) };
}

test('the playground answers malformed requests and foreign Host headers, and goes on serving', async () => {
  const program = join(REPO_ROOT, 'test', 'fixtures', 'debug', 'session.py');
  const child = spawn(process.execPath, [CLI, 'playground', '--port', '0', program], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => (err += s));
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    while (!/http:\/\/127\.0\.0\.1:\d+\//.test(out)) {
      const [chunk] = (await once(child.stdout, 'data')) as [string];
      out += chunk;
    }
    const port = Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)![1]);
    const here = `127.0.0.1:${port}`;
    // host null sends no Host header at all
    const get = (target: string, host: string | null = here, version = '1.1', method = 'GET'): string =>
      `${method} ${target} HTTP/${version}\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`;

    const cases: [string, string, number][] = [
      ['a lone %', get('/%'), 400],
      ['a bad escape', get('/%zz'), 400],
      ['a bad escape in /pyodide/', get('/pyodide/%E0%A4%A'), 400],
      ['an encoded NUL', get('/pyscope/web/index.js%00'), 400],
      ['a climb out, encoded', get('/..%2f..%2fetc/passwd'), 404],
      ['a climb out of /pyodide/', get('/pyodide/..%2f..%2f..%2f..%2fetc/passwd'), 404],
      ['a long URL', get(`/${'a'.repeat(8000)}`), 404],
      ['a URL longer than the header limit', get(`/${'%'.repeat(100_000)}`), 431],
      ['absolute-form naming another host', get('http://x/'), 403],
      ['absolute-form naming another scheme', get(`ftp://${here}/`), 400],
      ['asterisk-form', get('*', here, '1.1', 'OPTIONS'), 400],
      ['POST', get('/', here, '1.1', 'POST'), 405],
      ['DELETE of the program', get('/program.json', here, '1.1', 'DELETE'), 405],
      ['no Host, HTTP/1.1', get('/program.json', null), 400],
      ['no Host, HTTP/1.0', get('/program.json', null, '1.0'), 400],
      ['an empty Host', get('/program.json', ''), 400],
      ['a DNS-rebinding page', get('/program.json', `evil.example:${port}`), 403],
      ['a DNS-rebinding page asking for the page', get('/', `evil.example:${port}`), 403],
      ['loopback without the port', get('/program.json', '127.0.0.1'), 403],
      ['loopback with another port', get('/program.json', `127.0.0.1:${port + 1}`), 403],
      ['a name that starts like loopback', get('/program.json', `localhost.evil.example:${port}`), 403],
      ['not HTTP at all', 'GARBAGE\r\n\r\n', 400],
    ];
    for (const [what, request, status] of cases) {
      const r = await raw(port, request);
      // only the request larger than the header limit may be cut off by a reset (status 0)
      if (!(status === 431 && r.status === 0)) assert.equal(r.status, status, `${what}: ${r.body.slice(0, 200)}`);
      assert.ok(!r.body.includes('def divide'), `${what}: the program's text must not be in the answer`);
      assert.equal(child.exitCode, null, `the server is still running after ${what}; its stderr: ${err}`);
    }
    assert.match((await raw(port, get('/program.json', `evil.example:${port}`))).body, /forbidden: this server answers only to http:\/\/127\.0\.0\.1:\d+\//);

    // the names a browser on this machine uses are served, absolute-form naming us too
    for (const host of [here, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const r = await raw(port, get('/program.json', host));
      assert.equal(r.status, 200, host);
      assert.match(r.body, /def divide/, host);
    }
    assert.equal((await raw(port, get(`http://${here}/style.css`, 'ignored.example'))).status, 200);
    assert.equal((await raw(port, get('/', here, '1.1', 'HEAD'))).status, 200);
    const page = await fetch(`http://${here}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /pyscope playground/);
    assert.equal(err, '', 'nothing on stderr');
  } finally {
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  }
});
