// `pyscope record --runtime pyodide`: the program samples itself through the interrupt buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/pythons.js';
import { CLI } from '../dap/client.js';

const BUSY = join(REPO_ROOT, 'test', 'pyodide', 'fixtures', 'busy.py');
const SPIN = join(REPO_ROOT, 'test', 'pyodide', 'fixtures', 'spin.py');

test('record --runtime pyodide writes a collapsed profile where the hot function dominates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-pyodide-record-'));
  try {
    const out = join(dir, 'profile.txt');
    const r = spawnSync(process.execPath, [CLI, 'record', '--runtime', 'pyodide', '-r', '200', '-f', 'collapsed', '-o', out, '--', 'python', BUSY, '12'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /busy done \['12'\]/);
    assert.match(r.stderr, /wrote collapsed profile to/);
    const counts = new Map<string, number>();
    for (const line of readFileSync(out, 'utf8').trim().split('\n')) {
      const m = /^(.*) (\d+)$/.exec(line)!;
      const leaf = m[1]!.split(';').pop()!.replace(/ \(.*$/, '');
      counts.set(leaf, (counts.get(leaf) ?? 0) + Number(m[2]));
    }
    const total = [...counts.values()].reduce((x, y) => x + y, 0);
    assert.ok(total > 0, 'some samples');
    assert.ok((counts.get('hot') ?? 0) > total / 2, `hot has most samples: ${JSON.stringify([...counts])}`);
    assert.ok(readFileSync(out, 'utf8').includes('<module> (busy.py:16);hot (busy.py:'), 'stacks run from the module down');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('record --runtime pyodide refuses what does not apply', () => {
  const pid = spawnSync(process.execPath, [CLI, 'record', '--runtime', 'pyodide', '--pid', '1'], { encoding: 'utf8' });
  assert.equal(pid.status, 2);
  assert.match(pid.stderr, /cannot attach to a pid/);
  const bad = spawnSync(process.execPath, [CLI, 'record', '--runtime', 'jvm', '--', BUSY], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--runtime needs "native" or "pyodide"/);
});

test('Ctrl-C during record --runtime pyodide ends the program and still writes the profile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-pyodide-record-'));
  try {
    const out = join(dir, 'profile.txt');
    const child = spawn(process.execPath, [CLI, 'record', '--runtime', 'pyodide', '-r', '200', '-f', 'collapsed', '-o', out, '--', SPIN, 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    // the program prints before it spins; give the sampler a few ticks, then interrupt
    while (!stdout.includes('spinning')) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('close', r));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /stopping the program/);
    assert.match(stderr, /\[stopped by the user\]/);
    assert.match(stderr, /exit code 130/);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /<module> \(spin\.py:\d+\) \d+/, text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
