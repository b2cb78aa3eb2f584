// DAP attach to a process that was running before any debugger (PEP 768 on 3.14+, the ptrace
// injection before), on every interpreter of the matrix: stop at a breakpoint in either of its two
// printing threads, read a variable, continue, detach, see it print on with no hook, thread or
// module of the agent left (the program itself reports them), attach again, and end it with
// terminateDebuggee. A 3.14 started with remote debugging disabled is refused with the reason.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythonsFrom, requirePython, skipIfMissing } from '../support/pythons.js';
import { closeAll, DapClient } from './client.js';
import { fixture, topFrame } from './helpers.js';
import { FailureId } from '../../src/debugger/userError.js';

const TARGET = fixture('attach_target.py');
const BREAK_LINE = readFileSync(TARGET, 'utf8').split('\n').findIndex((l) => l.includes('BREAK here')) + 1;
const WAIT_MS = 60_000;
const targets = new Set<ChildProcess>();

afterEach(async (t) => {
  await closeAll(t);
  for (const p of targets) p.kill('SIGKILL');
  targets.clear();
});

/** The target, once it printed its first line; `lines()` is everything it printed so far. */
async function startTarget(python: string, env: Record<string, string> = {}, args: string[] = []): Promise<{ proc: ChildProcess; lines: () => string[] }> {
  const proc = spawn(python, [...args, TARGET], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  targets.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const lines = (): string[] => out.split('\n').filter(Boolean);
  await until(() => lines().some((l) => l.startsWith('ready')), () => `the target did not start; stderr: ${err}`);
  // both threads printing: the worker's loop runs too
  await until(() => lines().some((l) => l.startsWith('worker')), () => `the worker thread did not print; stderr: ${err}`);
  return { proc, lines };
}

async function until(cond: () => boolean, why: () => string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function attach(pid: number): Promise<{ c: DapClient; response: DebugProtocol.Response }> {
  const c = new DapClient();
  await c.request('initialize', { adapterID: 'pyscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const response = await c.raw('attach', { processId: pid }, { timeoutMs: WAIT_MS });
  return { c, response };
}

/**
 * One attach: breakpoint, stop, a variable, continue, then detach (the default disconnect), the
 * client going away (the adapter's stdin closes, no disconnect), or terminateDebuggee.
 */
async function round(pid: number, end: 'detach' | 'gone' | 'terminate', threadCount = 2): Promise<void> {
  const { c, response } = await attach(pid);
  assert.equal(response.success, true, `attach failed: ${response.message}\n${c.diagnosis()}`);
  await c.waitFor('initialized');
  const bps = await c.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', { source: { path: TARGET }, breakpoints: [{ line: BREAK_LINE }] });
  assert.equal(bps.breakpoints[0]?.verified, true);
  await c.request('configurationDone');
  const proc = await c.waitFor<DebugProtocol.ProcessEvent>('process');
  assert.equal(proc.body.systemProcessId, pid);
  assert.equal(proc.body.startMethod, 'attach');
  const stop = await c.waitFor<DebugProtocol.StoppedEvent>('stopped', undefined, { timeoutMs: WAIT_MS });
  assert.equal(stop.body.reason, 'breakpoint');
  const frame = await topFrame(c, stop.body.threadId!);
  assert.equal(frame.line, BREAK_LINE);
  assert.equal(frame.name, 'work');
  const n = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'n', frameId: frame.id, context: 'watch' });
  assert.match(n.result, /^\d+$/);
  const threads = await c.request<DebugProtocol.ThreadsResponse['body']>('threads');
  assert.equal(threads.threads.length, threadCount, `the program has two threads and the agent shows none of its own: ${JSON.stringify(threads.threads)}`);
  assert.ok(threads.threads.some((t) => t.name === 'MainThread'));
  await c.request('setBreakpoints', { source: { path: TARGET }, breakpoints: [] });
  await c.request('continue', { threadId: stop.body.threadId });
  if (end === 'gone') {
    const exited = new Promise((res) => c.proc.once('exit', res));
    c.proc.stdin!.end();
    await exited;
    await c.close();
    return;
  }
  const d = await c.raw('disconnect', end === 'terminate' ? { terminateDebuggee: true } : {});
  assert.equal(d.success, true, `disconnect failed: ${d.message}`);
  await c.close();
}

/** After a detach both threads print on, and report neither a hook nor an extra thread. */
async function runsOnClean(lines: () => string[], threadCount = 2): Promise<void> {
  const from = lines().length;
  const clean = (who: string) => (l: string) => l.startsWith(who) && l.endsWith(` threads=${threadCount} tasks=${threadCount} hooks=none`);
  await until(
    () => {
      const fresh = lines().slice(from);
      return fresh.filter(clean('main')).length >= 2 && fresh.filter(clean('worker')).length >= 2;
    },
    () => `after the detach the program did not print clean lines from both threads:\n${lines().slice(from).slice(-8).join('\n')}`,
  );
}

describe('dap attach: stop, inspect, detach, attach again', { concurrency: false }, () => {
  // A 32-bit target is refused (the injection is x86-64's): 'dap attach refused' checks that.
  for (const p of pythonsFrom(3, 8).filter((x) => x.pointerBits === 64)) {
    test(`attach, detach and attach again, ${p.label}`, { ...skipIfMissing(p), timeout: 240_000 }, async () => {
      const { proc, lines } = await startTarget(p.path);
      const pid = proc.pid!;
      await round(pid, 'detach');
      await runsOnClean(lines);
      // the client goes away without a disconnect: the same detach
      await round(pid, 'gone');
      await runsOnClean(lines);
      // a third time, ending it
      const exited = new Promise<void>((res) => proc.once('exit', () => res()));
      await round(pid, 'terminate');
      await Promise.race([exited, new Promise((_, rej) => setTimeout(() => rej(new Error('terminateDebuggee did not end the program')), WAIT_MS))]);
    });
  }
});

describe('dap attach: a main thread that never runs Python (blocked in join)', () => {
  const choices = [pythonsFrom(3, 8).filter((p) => !p.missing && p.pointerBits === 64 && p.version[1] < 14).at(0), pythonsFrom(3, 14).filter((p) => !p.missing).at(-1)];
  for (const p of choices) {
    if (!p) continue;
    test(`attaches through another way in, ${p.label}`, { timeout: 180_000 }, async () => {
      const { proc, lines } = await startTarget(p.path, { ATTACH_MAIN_JOINS: '1' });
      await round(proc.pid!, 'detach', 3);
      await runsOnClean(lines, 3);
      await round(proc.pid!, 'detach', 3);
      await runsOnClean(lines, 3);
    });
  }
});

describe('dap attach: an exception nobody handles', () => {
  const choices = [pythonsFrom(3, 8).filter((p) => !p.missing && p.pointerBits === 64 && p.version[1] < 12).at(0), pythonsFrom(3, 12).filter((p) => !p.missing).at(-1)];
  for (const p of choices) {
    if (!p) continue;
    test(`stops the attached program where it was raised, ${p.label}`, { timeout: 120_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pyscope-attach-test-'));
      try {
        const flag = join(dir, 'raise');
        const { proc, lines } = await startTarget(p.path, { ATTACH_RAISE_FLAG: flag });
        const { c, response } = await attach(proc.pid!);
        assert.equal(response.success, true, `attach failed: ${response.message}`);
        await c.waitFor('initialized');
        await c.request('setExceptionBreakpoints', { filters: ['uncaught'] });
        await c.request('configurationDone');
        await c.waitFor('process');
        writeFileSync(flag, '');
        const stop = await c.waitFor<DebugProtocol.StoppedEvent>('stopped', undefined, { timeoutMs: WAIT_MS });
        assert.equal(stop.body.reason, 'exception');
        const frame = await topFrame(c, stop.body.threadId!);
        assert.equal(frame.name, 'fail');
        const info = await c.request<DebugProtocol.ExceptionInfoResponse['body']>('exceptionInfo', { threadId: stop.body.threadId });
        assert.match(info.exceptionId, /ValueError/);
        await c.request('continue', { threadId: stop.body.threadId });
        const d = await c.raw('disconnect', {});
        assert.equal(d.success, true);
        await c.close();
        assert.equal(existsSync(flag), false);
        await runsOnClean(lines);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('dap attach refused', () => {
  const pep768 = pythonsFrom(3, 14).filter((p) => !p.missing);
  const newest = pep768.at(-1);
  test('remote debugging disabled in the target: the reason, in one line', { ...requirePython(newest !== undefined, 'no interpreter of 3.14 or newer'), timeout: 120_000 }, async () => {
    for (const [env, args, reason] of [
      [{ PYTHON_DISABLE_REMOTE_DEBUG: '1' }, [], /PYTHON_DISABLE_REMOTE_DEBUG is set in its environment/],
      [{}, ['-X', 'disable-remote-debug'], /started with -X disable-remote-debug/],
    ] as const) {
      const { proc, lines } = await startTarget(newest!.path, env, [...args]);
      const { c, response } = await attach(proc.pid!);
      assert.equal(response.success, false);
      assert.match(response.message ?? '', new RegExp(`^cannot attach to process ${proc.pid} \\(Python 3\\.\\d+\\.\\d+\\): `));
      assert.match(response.message ?? '', reason);
      assert.doesNotMatch(response.message ?? '', /\n|internal error/);
      await c.close();
      // nothing was done to it: it prints on
      const from = lines().length;
      await until(() => lines().length > from + 2, () => 'the refused target stopped printing');
      proc.kill('SIGKILL');
    }
  });

  const i386 = pythonsFrom(3, 8).find((p) => p.pointerBits === 32);
  test('a 32-bit target: refused in one line naming its ABI, and it runs on untouched', { ...requirePython(i386 !== undefined && !i386.missing, 'no 32-bit interpreter in the matrix'), timeout: 120_000 }, async () => {
    const { proc, lines } = await startTarget(i386!.path);
    const { c, response } = await attach(proc.pid!);
    assert.equal(response.success, false);
    assert.match(response.message ?? '', new RegExp(`^cannot attach to process ${proc.pid} \\(Python 3\\.\\d+\\.\\d+\\): the injection before PEP 768 is written for x86-64 targets, and this one is i386, ILP32$`));
    await c.close();
    const from = lines().length;
    await until(() => lines().length > from + 2, () => 'the refused target stopped printing');
    proc.kill('SIGKILL');
  });

  test('a pid that is no Python, or no process: one line', { timeout: 60_000 }, async () => {
    const { c, response } = await attach(process.pid);
    assert.equal(response.success, false);
    assert.match(response.message ?? '', /^attach: process \d+ is this debug adapter$|is not running Python/);
    const gone = await c.raw('attach', { processId: 2 ** 31 - 1 });
    assert.equal(gone.success, false);
    assert.doesNotMatch(gone.message ?? '', /\n|internal error/);
    const bad = await c.raw('attach', { processId: 'abc' });
    assert.match(bad.message ?? '', /processId "abc" is not a process id/);
    await c.close();
  });
});

describe('dap attach: a process that never runs Python again (PEP 768 request never taken)', () => {
  const p = pythonsFrom(3, 14).filter((x) => !x.missing).at(-1);
  test(`says what it waits for, gives up at its bound, leaves it clean${p ? `, ${p.label}` : ''}`, { ...requirePython(p !== undefined, 'no interpreter of 3.14 or newer'), timeout: 120_000 }, async () => {
    const proc = spawn(p!.path, [fixture('attach_blocked.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    targets.add(proc);
    let out = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await until(() => out.includes('ready'), () => `the target did not start: ${out}`);
    const { c, response } = await attach(proc.pid!);
    assert.equal(response.success, false, 'an attach that cannot complete fails');
    assert.match(response.message ?? '', /^attach: gave up after 20 s: the main thread of process \d+ ran no Python code \(it is blocked in the system call read, called from main \(attach_blocked\.py:\d+\)\)/);
    assert.equal((response as DebugProtocol.ErrorResponse).body.error?.id, FailureId.attachGaveUp);
    const said = c.events.filter((e) => e.event === 'output').map((e) => String((e.body as { output?: string }).output));
    assert.equal(said.filter((t) => /^pyscope: attach: waiting for the main thread of process \d+ to run Python code: it is blocked in the system call read/.test(t)).length, 1, said.join(''));
    await c.close();
    proc.stdin!.write('go on\n');
    await until(() => out.includes('after'), () => `the program did not go on after the attach gave up: ${out}`);
    assert.match(out, /after threads=1 tasks=1 hooks=none\n/);
  });
});
