// The package as a user installs it: the README's set-up (`npm pack` of the clone, installed with
// `npm install -g`), here into an empty prefix, then every command
// run as `pyscope` found on PATH, from a folder outside the clone. A file the commands need that
// package.json's `files` leaves out fails here, as it would for the user.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watch, type WatchedChild } from '../support/child.js';
import { pythons, REPO_ROOT, requirePython } from '../support/pythons.js';
import { describeFailure, type RunResult } from '../support/pyscope.js';
import { firstSkip } from '../support/requirements.js';
import { scaled, WAIT } from '../support/timeouts.js';
import { gcore, needsGcore } from '../core/cores.js';

const py = pythons().find((p) => !p.missing && p.pointerBits === 64 && p.version[0] === 3 && p.version[1] >= 8);
const skip = firstSkip(requirePython(py !== undefined, 'no Python 3 of the matrix is present'), needsGcore());

const dir = mkdtempSync(join(tmpdir(), 'pyscope-installed-'));
const prefix = join(dir, 'prefix');
/** A folder of the user's own, outside the clone: nothing there resolves to the clone's files. */
const elsewhere = join(dir, 'elsewhere');
/** The user's cache folder (XDG_CACHE_HOME), where the installed command keeps V8's code cache. */
const cache = join(dir, 'cache');
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  // the README's install packs into the clone's folder
  for (const f of readdirSync(REPO_ROOT)) if (/^pyscope-.*\.tgz$/.test(f)) rmSync(join(REPO_ROOT, f), { force: true });
});

/** This test's environment: the prefix's bin first on PATH, and npm not told about the clone. */
function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`, XDG_CACHE_HOME: cache };
  delete out.PYSCOPE_CODE_CACHE;
  for (const k of Object.keys(out)) if (k.startsWith('npm_')) delete out[k];
  return out;
}

/** `npm install -g "./$(npm pack --silent)"`: the install command of the README's first line. */
function readmeInstall(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const m = /^\(cd \S+ && npm ci && npm run build && (npm install -g .+?)\) && pyscope dump <pid>/m.exec(readme);
  assert.ok(m, "the README's set-up line is where this test looks for it");
  return m[1]!;
}

function run(file: string, args: string[], cwd = elsewhere, extra: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd, env: { ...env(), ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const w = watch(child, [file, ...args].join(' '));
    w.exited({ step: `${file} ${args.join(' ')} to end`, timeoutMs: scaled(600_000) }).then(
      (code) => resolve({ code: code ?? -1, stdout: w.stdout, stderr: w.stderr }),
      (e: unknown) => resolve({ code: -1, stdout: w.stdout, stderr: `${w.stderr}\n${String(e)}` }),
    );
  });
}

function start(file: string, args: string[], label: string): WatchedChild {
  const child = spawn(file, args, { cwd: elsewhere, env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  return watch(child, label);
}

describe('the packed package installed into an empty prefix, run from another folder', skip, () => {
  let target: WatchedChild;
  before(async () => {
    mkdirSync(elsewhere);
    // The README's install, as printed (the part after the build, which the test run has done),
    // run in the clone; npm_config_prefix sends its `-g` to the empty prefix instead of npm's
    // global folder, and npm_config_prefer_offline takes the dependencies (koffi, pyodide) from
    // npm's cache, which `npm ci` filled, asking the registry only for what the cache lacks.
    const install = readmeInstall();
    const installed = await run('sh', ['-c', install], REPO_ROOT, { npm_config_prefix: prefix, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' });
    assert.equal(installed.code, 0, `${install}\n${describeFailure(installed)}`);
    assert.ok(existsSync(join(prefix, 'bin', 'pyscope')), 'the install puts a pyscope command in the prefix\'s bin');
    target = start(py!.path, ['-c', 'import sys, time\ndef parked():\n    print("ready"); sys.stdout.flush(); time.sleep(600)\nparked()'], 'the target');
    await target.waitFor('ready', { step: 'the target to print "ready"' });
  });

  test('pyscope --version names the package version', async () => {
    const r = await run('pyscope', ['--version']);
    assert.equal(r.code, 0, describeFailure(r));
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(r.stdout, `pyscope ${version}\n`);
  });

  test('the command is the one-file bundle, run through its code cache', async () => {
    assert.match(realpathSync(join(prefix, 'bin', 'pyscope')), /\/dist\/src\/cli\/pyscope\.cjs$/);
    // The struct layouts the build laid out ship with it: without them each dump would lay its
    // version's C declarations out anew (right, but the largest cost of its start-up).
    const tables = join(realpathSync(join(prefix, 'bin', 'pyscope')), '..', '..', 'layout', 'tables');
    assert.deepEqual(existsSync(tables) ? readdirSync(tables).sort() : [], readdirSync(join(REPO_ROOT, 'dist', 'src', 'layout', 'tables')).sort());
    const pid = String(target.child.pid);
    const first = await run('pyscope', ['dump', pid]);
    assert.equal(first.code, 0, describeFailure(first));
    // The launcher wrote the cache of what `dump` compiled; the second run starts from it.
    const written = existsSync(join(cache, 'pyscope')) ? readdirSync(join(cache, 'pyscope')) : [];
    assert.ok(written.some((f) => /^code-.*-dump\.bin$/.test(f)), `a code cache for dump in ${cache}/pyscope: ${written.join(', ')}`);
    const second = await run('pyscope', ['dump', pid]);
    assert.equal(second.code, 0, describeFailure(second));
    assert.equal(second.stdout, first.stdout);
  });

  test('dump, dump --native, doctor and record of a live process', async () => {
    const pid = String(target.child.pid);
    const dump = await run('pyscope', ['dump', pid]);
    assert.equal(dump.code, 0, describeFailure(dump));
    assert.match(dump.stdout, /^ {4}parked \(<string>:3\)$/m);
    const native = await run('pyscope', ['dump', '--native', pid]);
    assert.equal(native.code, 0, describeFailure(native));
    assert.match(native.stdout, /^ {4}parked \(<string>:3\)$/m);
    const doctor = await run('pyscope', ['doctor', pid]);
    assert.equal(doctor.code, 0, describeFailure(doctor));
    assert.match(doctor.stdout, new RegExp(`^Process ${pid}: `));
    const out = join(elsewhere, 'profile.txt');
    const record = await run('pyscope', ['record', '--idle', '-d', '1', '-f', 'collapsed', '-o', out, '--pid', pid]);
    assert.equal(record.code, 0, describeFailure(record));
    assert.match(readFileSync(out, 'utf8'), /parked \(<string>:3\) \d+\n/);
    const html = join(elsewhere, 'profile.html');
    const flame = await run('pyscope', ['record', '--idle', '-d', '0.5', '-o', html, '--pid', pid]);
    assert.equal(flame.code, 0, describeFailure(flame));
    assert.match(readFileSync(html, 'utf8'), /parked/);
  });

  test('dump --core of a gcore core', async () => {
    const core = await gcore(target.child.pid!, dir);
    const r = await run('pyscope', ['dump', '--core', core]);
    assert.equal(r.code, 0, describeFailure(r));
    assert.match(r.stdout, /^ {4}parked \(<string>:3\)$/m);
  });

  test('debug runs a program to its end', async () => {
    const script = join(elsewhere, 'app.py');
    writeFileSync(script, 'total = sum(range(10))\nprint("total", total)\n');
    const session = start('pyscope', ['debug', '--python', py!.path, 'app.py'], 'pyscope debug app.py');
    session.child.stdin!.end('c\n');
    const code = await session.exited({ step: 'pyscope debug to end', timeoutMs: WAIT.start });
    assert.equal(code, 0, session.diagnosis());
    assert.match(session.stdout, /total 45/);
    assert.match(session.stdout, /The program exited with code 0\./);
  });

  test('dap answers initialize on stdio', async () => {
    const dap = start('pyscope', ['dap'], 'pyscope dap');
    const body = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'pyscope', linesStartAt1: true } });
    dap.child.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await dap.waitFor(/"command":"initialize"/, { step: 'the initialize response' });
    assert.match(dap.stdout, /"success":true/);
    dap.child.stdin!.end();
    await dap.exited({ step: 'pyscope dap to end when its client goes' });
  });

  test('playground serves its page, every module it imports, and Pyodide', async () => {
    const server = start('pyscope', ['playground', '--port', '0'], 'pyscope playground');
    const [, base] = await server.waitFor(/(http:\/\/127\.0\.0\.1:\d+)\//, { step: 'the playground to print its address' });
    const get = async (path: string): Promise<string> => {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 200, `GET ${path}: ${res.status}`);
      return res.text();
    };
    const index = await get('/');
    const pending = [...index.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(pending.some((p) => p.endsWith('.js')), `the page loads a script: ${pending.join(', ')}`);
    // Every module the page's scripts import, followed (relative specifiers), as a browser would.
    const seen = new Set<string>();
    while (pending.length > 0 && seen.size < 500) {
      const path = pending.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const text = await get(path);
      if (!path.endsWith('.js')) continue;
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) pending.push(new URL(m[1]!, `http://x${path}`).pathname);
    }
    for (const file of ['pyodide.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip']) await get(`/pyodide/${file}`);
    server.child.kill('SIGINT');
    await server.exited({ step: 'the playground to end on SIGINT' });
  });
});
