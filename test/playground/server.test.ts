// `pyscope playground` as a user starts it: a loopback URL, the isolation headers on everything,
// Pyodide's files from the npm package, and nothing outside the page's own folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
