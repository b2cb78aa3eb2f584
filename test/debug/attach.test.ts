// `pyscope debug -p PID` as pdb -p: attach to a running program, stop where it is, set a
// breakpoint, continue to it, print, quit (which detaches: the program prints on, with no hook,
// thread or module of the agent left); and `pyscope ps` lists the program as attachable. One
// interpreter of each injection: PEP 768 (3.14+) and ptrace (3.8-3.13).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ExitCode } from '../../src/common/errors.js';
import { pythons, pythonsFrom, REPO_ROOT, requirePython } from '../support/pythons.js';
import { runPyscope } from '../support/pyscope.js';
import { answerTo, startDebug } from './helpers.js';

const TARGET = join(REPO_ROOT, 'test', 'fixtures', 'dap', 'attach_target.py');
const BREAK_LINE = readFileSync(TARGET, 'utf8').split('\n').findIndex((l) => l.includes('BREAK here')) + 1;
const WAIT_MS = 60_000;
const available = pythonsFrom(3, 8).filter((p) => !p.missing && p.pointerBits === 64);
const choices = [
  ['PEP 768', available.filter((p) => p.version[1] >= 14).at(-1)],
  ['ptrace', available.filter((p) => p.version[1] < 14).at(0)],
] as const;
const targets = new Set<ChildProcess>();

afterEach(() => {
  for (const p of targets) p.kill('SIGKILL');
  targets.clear();
});

async function until(cond: () => boolean, why: () => string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const [method, py] of choices) {
  test(`pyscope debug -p and pyscope ps (${method}${py ? `, ${py.label}` : ''})`, { ...requirePython(py !== undefined, `no interpreter attached through ${method}`), timeout: 240_000 }, async () => {
    const proc = spawn(py!.path, [TARGET], { stdio: ['ignore', 'pipe', 'pipe'] });
    targets.add(proc);
    let out = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await until(() => out.includes('worker'), () => `the target did not start: ${out}`);
    const pid = proc.pid!;

    const ps = await runPyscope(['ps', '--json']);
    assert.equal(ps.code, 0, ps.stderr);
    const listed = (JSON.parse(ps.stdout) as { pid: number; version: string; attach: { ok: boolean; how: string }; commandLine: string }[]).find((p) => p.pid === pid);
    assert.ok(listed, `pyscope ps lists the target (pid ${pid})`);
    assert.equal(listed.version.split('.').slice(0, 2).join('.'), py!.version.slice(0, 2).join('.'));
    assert.deepEqual(listed.attach, { ok: true, how: method });
    assert.match(listed.commandLine, /attach_target\.py/);

    const live = startDebug(['-p', String(pid)]);
    await live.waitFor('(pyscope) ', { step: 'the first stop after the attach', timeoutMs: WAIT_MS });
    assert.match(live.output(), /attach_target\.py\(\d+\)(work|hooks|count_tasks|say)\(\)/);
    live.child.stdin.write(`b ${TARGET}:${BREAK_LINE}\n`);
    live.child.stdin.write('c\n');
    await live.waitFor(`(${BREAK_LINE})work()`, { step: 'the breakpoint', timeoutMs: WAIT_MS });
    live.child.stdin.write('p n > 0\n');
    live.child.stdin.write('q\n');
    const r = await live.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(answerTo(r.stdout, 'p n > 0'), /^True\n/);

    // detached: both threads print on, clean
    const from = out.length;
    const clean = (who: string) => (l: string) => l.startsWith(who) && / threads=2 tasks=2 hooks=none$/.test(l);
    await until(() => {
      const fresh = out.slice(from).split('\n');
      return fresh.filter(clean('main')).length >= 2 && fresh.filter(clean('worker')).length >= 2;
    }, () => `after quit the program did not print on clean:\n${out.slice(from).split('\n').slice(-6).join('\n')}`);
  });
}

test('pyscope debug -p refuses what it cannot attach to, in one line', { timeout: 60_000 }, async () => {
  const r = await runPyscope(['debug', '-p', String(process.pid)]);
  assert.equal(r.code, ExitCode.notPython, r.stderr);
  assert.match(r.stderr, /^pyscope: error: .*not running Python.*\n$/);
  const usage = await runPyscope(['debug', '-p', 'x']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /-p needs a process id, got "x"/);
  const both = await runPyscope(['debug', '-p', '1', 'prog.py']);
  assert.equal(both.code, 2);
});

// A process whose only thread is blocked for good in a C call: PEP 768's request is never taken,
// and through ptrace the agent gets in (the blocked thread is borrowed) but no line of Python ever
// runs to stop at. Either way pyscope debug -p says what it waits for, gives up at its bound with
// exit code 10, and leaves the program as it was: once woken it sees no trace function, no
// monitoring tool, no module and no thread of the debugger.
const BLOCKED = join(REPO_ROOT, 'test', 'fixtures', 'dap', 'attach_blocked.py');
for (const [method, py] of choices) {
  test(`pyscope debug -p gives up on a process blocked in a C call, clean (${method}${py ? `, ${py.label}` : ''})`, { ...requirePython(py !== undefined, `no interpreter attached through ${method}`), timeout: 180_000 }, async () => {
    const proc = spawn(py!.path, [BLOCKED], { stdio: ['pipe', 'pipe', 'pipe'] });
    targets.add(proc);
    let out = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await until(() => out.includes('ready'), () => `the target did not start: ${out}`);
    const r = await runPyscope(['debug', '-p', String(proc.pid)]);
    assert.equal(r.code, 10, `exit code 10 (gave up); stderr: ${r.stderr}`);
    // one waiting line (two on a loaded machine: the agent's connection and then the stop each took over 3 s), then the error
    const lines = r.stderr.trimEnd().split('\n');
    const error = lines.pop()!;
    assert.ok(lines.length >= 1 && lines.length <= 2, r.stderr);
    for (const l of lines) assert.match(l, /^pyscope: attach: waiting for the main thread of process \d+ to run Python code: it is blocked in the system call read, called from main \(attach_blocked\.py:\d+\); giving up in \d+ s$/);
    assert.match(error, /^pyscope: error: attach: gave up after 20 s: .*blocked in the system call read.*(runs on as before|nothing of the debugger in it)$/);
    proc.stdin!.write('go on\n');
    await until(() => out.includes('after'), () => `the program did not go on after the attach gave up: ${out}`);
    assert.match(out, /after threads=1 tasks=1 hooks=none\n/);
  });
}
const old = pythons().find((p) => !p.missing && p.version[0] === 3 && p.version[1] < 8);
test('pyscope debug -p of a Python older than 3.8: one line, exit 6', { ...requirePython(old !== undefined, 'no Python 3 older than 3.8 in the matrix'), timeout: 60_000 }, async () => {
  const proc = spawn(old!.path, ['-c', 'import time; print("ready", flush=True); time.sleep(600)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  targets.add(proc);
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  await until(() => out.includes('ready'), () => `${old!.label} did not start`);
  const r = await runPyscope(['debug', '-p', String(proc.pid)]);
  assert.equal(r.code, ExitCode.unsupportedVersion, r.stderr);
  assert.equal(r.stderr, `pyscope: error: attach: process ${proc.pid} runs Python ${old!.version.join('.')}; the debugger needs 3.8 or newer\n`);
});
