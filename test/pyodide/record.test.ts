// `pyscope record --runtime pyodide`: the program samples itself through the interrupt buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/pythons.js';
import { watch } from '../support/child.js';
import { scaled, WAIT } from '../support/timeouts.js';
import { CLI } from '../dap/client.js';
import { literal, nameFromHere } from '../support/file-name.js';

const BUSY = join(REPO_ROOT, 'test', 'pyodide', 'fixtures', 'busy.py');
const SPIN = join(REPO_ROOT, 'test', 'pyodide', 'fixtures', 'spin.py');

/** A whole `pyscope record --runtime pyodide` run may take this long: it bounds a hang, it asserts nothing about speed. */
const RUN_LIMIT_MS = scaled(240_000);

/** The CLI run to its end (bounded): a run that had to be killed fails naming it and its stderr. */
function cli(args: string[], cwd?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: RUN_LIMIT_MS, cwd });
  if (r.error) assert.fail(`pyscope ${args.join(' ')}: ${r.error.message} (limit ${RUN_LIMIT_MS / 1000} s)\nstderr: ${r.stderr.slice(-3000)}`);
  return r;
}

/**
 * Samples the hot-function check needs: with 100, "hot has most of them" is far from chance (hot
 * does about 4/5 of the work). The program's work grows until a recording holds that many.
 */
const MIN_SAMPLES = 100;
const ROUNDS = ['12', '24', '48'];

test('record --runtime pyodide writes a collapsed profile where the hot function dominates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-pyodide-record-'));
  try {
    const out = join(dir, 'profile.txt');
    const tried: string[] = [];
    for (const rounds of ROUNDS) {
      const r = cli(['record', '--runtime', 'pyodide', '-r', '200', '-f', 'collapsed', '-o', out, '--', 'python', BUSY, rounds]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`busy done \\['${rounds}'\\]`));
      assert.match(r.stderr, /wrote collapsed profile to/);
      const m = /(\d+) ticks at [\d.]+\/s of \d+, (\d+) samples, (\d+) missed/.exec(r.stderr);
      assert.ok(m, `a summary line: ${r.stderr}`);
      tried.push(`busy.py ${rounds}: ${m[1]} ticks, ${m[2]} samples, ${m[3]} missed`);
      if (Number(m[2]) >= MIN_SAMPLES) break;
    }
    const counts = new Map<string, number>();
    for (const line of readFileSync(out, 'utf8').trim().split('\n')) {
      const m = /^(.*) (\d+)$/.exec(line)!;
      const leaf = m[1]!.split(';').pop()!.replace(/ \(.*$/, '');
      counts.set(leaf, (counts.get(leaf) ?? 0) + Number(m[2]));
    }
    const total = [...counts.values()].reduce((x, y) => x + y, 0);
    assert.ok(total >= MIN_SAMPLES, `at least ${MIN_SAMPLES} samples in one of the recordings:\n${tried.join('\n')}`);
    assert.ok((counts.get('hot') ?? 0) > total / 2, `hot has most samples: ${JSON.stringify([...counts])}\n${tried.join('\n')}`);
    const busy = nameFromHere(BUSY);
    assert.ok(readFileSync(out, 'utf8').includes(`<module> (${busy}:16);hot (${busy}:`), 'stacks run from the module down');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('record --runtime pyodide refuses what does not apply', () => {
  const pid = cli(['record', '--runtime', 'pyodide', '--pid', '1']);
  assert.equal(pid.status, 2);
  assert.match(pid.stderr, /cannot attach to a pid/);
  const bad = cli(['record', '--runtime', 'jvm', '--', BUSY]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--runtime needs "native" or "pyodide"/);
});

test('Ctrl-C during record --runtime pyodide ends the program and still writes the profile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-pyodide-record-'));
  try {
    const out = join(dir, 'profile.txt');
    const child = spawn(process.execPath, [CLI, 'record', '--runtime', 'pyodide', '-r', '200', '-f', 'collapsed', '-o', out, '--', SPIN, 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const rec = watch(child, 'pyscope record --runtime pyodide spin.py');
    try {
      // the program prints before it spins (Pyodide loads first); give the sampler a few ticks, then interrupt
      await rec.waitFor('spinning', { step: 'spin.py to print "spinning" in Pyodide', timeoutMs: WAIT.start });
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGINT');
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
    const code = await rec.exited({ step: 'pyscope record to end after SIGINT', timeoutMs: WAIT.output });
    const stderr = rec.stderr;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /stopping the program/);
    assert.match(stderr, /\[stopped by the user\]/);
    assert.match(stderr, /exit code 130/);
    const text = readFileSync(out, 'utf8');
    assert.match(text, new RegExp(`<module> \\(${literal(nameFromHere(SPIN))}:\\d+\\) \\d+`), text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
