// `pyscope playground` as a user starts it: a loopback URL, the isolation headers on everything,
// Pyodide's files from the npm package, and nothing outside the page's own folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CLI } from '../dap/client.js';

test('pyscope playground --port 0 serves the page, Pyodide and pyscope modules, isolated, and nothing else', async () => {
  const child = spawn(process.execPath, [CLI, 'playground', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    while (!/http:\/\/127\.0\.0\.1:\d+\//.test(out)) {
      const [chunk] = (await once(child.stdout, 'data')) as [string];
      out += chunk;
    }
    const base = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)![0];
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
      'pyscope/agent/agent.py',
      'pyscope/pyodide/bootstrap.py',
      'pyscope/pyodide/profiler.py',
      'pyscope/pyodide/tickerWorker.js',
      'pyscope/profile/output/flamegraph.js',
      'pyscope/playground/page/app.js',
      'pyscope/playground/page/worker.js',
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
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  }
});

test('pyscope playground refuses a bad port and a missing script', async () => {
  for (const [args, pattern] of [
    [['--port', 'x'], /--port needs a port number/],
    [['nope.py'], /nope\.py: no such file/],
  ] as const) {
    const child = spawn(process.execPath, [CLI, 'playground', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (err += s));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 2);
    assert.match(err, pattern);
  }
});
