// `pyscope record` on bad input and at its edges: one clear `pyscope: error:` line and the
// documented exit code before anything starts; and a profile written in every way a recording
// can end (the target exits, --duration, SIGINT).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { ExitCode } from '../../src/common/errors.js';
import { watch, type WatchedChild } from '../support/child.js';
import { pythons, requirePython } from '../support/pythons.js';
import { describeFailure, PYSCOPE_MAIN, runPyscope, type RunResult } from '../support/pyscope.js';
import { WAIT } from '../support/timeouts.js';
import { until } from '../support/wait.js';
import { FIXTURES, parseCollapsed, parseSummary, ticksReport, tmpPath } from './helpers.js';

const py = pythons().find((p) => !p.missing && p.version[0] === 3);
const { skip } = requirePython(py !== undefined, 'no Python 3 of the matrix is present');

/** A target that runs Python code until a line comes on its stdin (or for two minutes at most). */
const EXIT_ON_INPUT = [
  'import sys, threading, time',
  'stop = threading.Event()',
  'def wait_for_input():',
  '    sys.stdin.readline()',
  '    stop.set()',
  't = threading.Thread(target=wait_for_input)',
  't.daemon = True',
  't.start()',
  'def busy():',
  '    end = time.time() + 120',
  '    while not stop.is_set() and time.time() < end:',
  '        sum(range(1000))',
  'print("ready"); sys.stdout.flush()',
  'busy()',
].join('\n');

/** Whether process `pid` holds `target`'s /proc/PID/mem open (pyscope reads a live target through it). */
function holdsMemoryOf(pid: number, target: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === `/proc/${target}/mem`;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function start(file: string, args: string[]): ChildProcess & { watched: WatchedChild } {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return Object.assign(child, { watched: watch(child, [file, ...args].join(' ')) });
}

/** Waits for the target's "ready" line (bounded), leaving its stdout open (it prints more at exit). */
async function ready(child: ChildProcess & { watched: WatchedChild }): Promise<void> {
  await child.watched.waitFor('ready', { step: 'the target to print "ready"' });
}

function assertOneLineError(r: RunResult, code: number, pattern?: RegExp): void {
  assert.equal(r.code, code, describeFailure(r));
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^pyscope: error: [^\n]+\n$/, describeFailure(r));
  if (pattern) assert.match(r.stderr, pattern);
}

describe('pyscope record: bad input', { skip }, () => {
  test('an unwritable output path is refused before anything starts', async () => {
    const marker = tmpPath('ran-anyway');
    const code = `open(${JSON.stringify(marker)}, "w").close()`;
    const r = await runPyscope(['record', '-o', join(tmpPath('no-such-dir'), 'p.html'), '--', py!.path, '-c', code]);
    assertOneLineError(r, ExitCode.badFile, /does not exist/);
    assert.ok(!existsSync(marker), 'the program was not launched');
    assertOneLineError(await runPyscope(['record', '-o', FIXTURES, '--pid', String(process.pid)]), ExitCode.badFile, /is a directory/);
  });

  test('a rate out of range, a bad duration, an unknown format, --blocking: usage errors', async () => {
    for (const args of [['--rate', '0'], ['--rate', '20001'], ['--rate', 'fast'], ['--duration', '-1'], ['--format', 'svg'], ['--blocking']]) {
      assertOneLineError(await runPyscope(['record', ...args, '--pid', '1']), ExitCode.usage);
    }
    assertOneLineError(await runPyscope(['record']), ExitCode.usage, /--pid PID or a command/);
    assertOneLineError(await runPyscope(['record', '--rate', '0', '--', py!.path, '-c', 'pass']), ExitCode.usage, /out of range/);
  });

  test('a script or a command that does not exist: one line of ours, nothing launched to say it again', async () => {
    const missing = tmpPath('no-such-script.py');
    assertOneLineError(await runPyscope(['record', '-o', tmpPath('m.html'), '--', py!.path, missing]), ExitCode.usage, new RegExp(`^pyscope: error: record: ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such file\n$`));
    assertOneLineError(await runPyscope(['record', '-o', tmpPath('n.html'), '--', tmpPath('no-such-command')]), ExitCode.usage, /^pyscope: error: record: cannot run \S+no-such-command: no such file or command\n$/);
    assert.ok(!existsSync(tmpPath('m.html')) && !existsSync(tmpPath('n.html')));
  });

  test('a program that is not Python: said so, with the way to profile the Python programs it starts; not left running', async () => {
    const hint = /to profile the Python programs it starts, add --subprocesses\)?\n$/;
    const short = await runPyscope(['record', '-o', tmpPath('s.html'), '--', 'sleep', '1']);
    assertOneLineError(short, ExitCode.processExited, /^pyscope: error: record: process \d+ \(sleep 1\) exited before it could be profiled: no Python interpreter was seen in it \(/);
    assert.match(short.stderr, hint);
    const long = await runPyscope(['record', '-o', tmpPath('l.html'), '--', 'sleep', '600']);
    assertOneLineError(long, ExitCode.notPython, /^pyscope: error: process (\d+) is not running Python: .*; to profile/);
    assert.match(long.stderr, hint);
    const pid = Number(/process (\d+)/.exec(long.stderr)![1]);
    await until(() => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'latin1').includes(') Z '), { step: `the launched sleep ${pid} to end` });
    assert.ok(!existsSync(tmpPath('s.html')) && !existsSync(tmpPath('l.html')));
  });

  test('a pid that is not Python, and one that does not exist', async () => {
    const sleeper = start('sleep', ['600']);
    assertOneLineError(await runPyscope(['record', '-o', tmpPath('x.html'), '--pid', String(sleeper.pid)]), ExitCode.notPython, /; to profile the Python programs it starts, add --subprocesses\n$/);
    const gone = start('true', []);
    await once(gone, 'exit');
    assertOneLineError(await runPyscope(['record', '-o', tmpPath('y.html'), '--pid', String(gone.pid)]), ExitCode.noSuchProcess);
    assert.ok(!existsSync(tmpPath('x.html')) && !existsSync(tmpPath('y.html')));
  });
});

describe('pyscope record: every end of a recording writes the profile', { skip }, () => {
  test('the target exits in the middle of the recording', async () => {
    // The target exits when told to, which the test does once pyscope record is attached (it holds
    // the target's /proc/PID/mem open) and has had a moment for some ticks: the exit falls in the
    // middle of the recording however slow the machine (a target with a fixed lifetime could end
    // before a slow pyscope even attached). A loaded machine may starve record for that moment:
    // then the moment grows, as recordEnough lengthens a recording.
    const tried: string[] = [];
    for (const pause of [500, 2000, 8000]) {
      const target = spawn(py!.path, ['-c', EXIT_ON_INPUT], { stdio: ['pipe', 'pipe', 'pipe'] });
      children.push(target);
      const watched = watch(target, 'the target (exits on a line of input)');
      await watched.waitFor('ready', { step: 'the target to print "ready"' });
      const out = tmpPath('exits.txt');
      const rec = start(process.execPath, [PYSCOPE_MAIN, 'record', '-f', 'collapsed', '-o', out, '--duration', '60', '--pid', String(target.pid)]);
      await until(() => holdsMemoryOf(rec.pid!, target.pid!), { step: 'pyscope record to attach (open the target\'s /proc/PID/mem)', diagnose: () => rec.watched.diagnosis() });
      // Some ticks before the exit; whether they were taken is asserted below (not a timing assertion).
      await new Promise((r) => setTimeout(r, pause));
      target.stdin!.end('exit\n');
      const code = await rec.watched.exited({ step: 'pyscope record to end when its target exits', timeoutMs: WAIT.output });
      const r: RunResult = { code: code ?? -1, stdout: rec.watched.stdout, stderr: rec.watched.stderr };
      assert.equal(r.code, 0, describeFailure(r));
      const sum = parseSummary(r.stderr);
      assert.equal(sum.reason, 'the program exited');
      const stacks = parseCollapsed(readFileSync(out, 'utf8'));
      assert.equal(stacks.reduce((n, s) => n + s.count, 0), sum.samples);
      tried.push(ticksReport(sum, `${pause} ms: `));
      if (sum.samples > 0) return;
    }
    assert.fail(`no sample was taken before the exit in any recording:\n${tried.join('\n')}`);
  });

  test('--duration ends an attached recording', async () => {
    const target = start(py!.path, [join(FIXTURES, 'three_quarters.py'), '60']);
    await ready(target);
    const out = tmpPath('duration.speedscope.json');
    const r = await runPyscope(['record', '-f', 'speedscope', '-o', out, '--duration', '0.5', '--rate', '200', '--pid', String(target.pid)]);
    assert.equal(r.code, 0, describeFailure(r));
    const sum = parseSummary(r.stderr);
    assert.equal(sum.reason, 'duration reached');
    // 0.5 s at 200 Hz is 100 ticks, taken or counted as missed.
    assert.equal(sum.ticks + sum.missed, 100);
    assert.equal(target.exitCode, null, 'an attached target is left running');
    JSON.parse(readFileSync(out, 'utf8'));
  });

  test('a low rate: the summary reports the duration asked for and the rate achieved over it', async () => {
    // At --rate 1 -d 3 the ticks fall at 0, 1 and 2 s; the recording still lasts 3 s (it reported
    // 2 s at 1.5/s when it stopped at the last tick).
    const target = start(py!.path, [join(FIXTURES, 'three_quarters.py'), '60']);
    await ready(target);
    const out = tmpPath('low-rate.txt');
    const r = await runPyscope(['record', '-f', 'collapsed', '-o', out, '--rate', '1', '-d', '3', '--pid', String(target.pid)]);
    assert.equal(r.code, 0, describeFailure(r));
    const sum = parseSummary(r.stderr);
    assert.equal(sum.reason, 'duration reached');
    assert.equal(sum.ticks + sum.missed, 3, describeFailure(r));
    const m = /for ([\d.]+) s \(duration reached\): \d+ ticks at ([\d.]+)\/s of 1,/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.ok(Number(m[1]) >= 3, `the recording lasts the 3 s asked for: ${r.stderr}`);
    assert.equal(m[2], (sum.ticks / Number(m[1])).toFixed(1), 'the rate is the ticks over that duration');
    if (sum.missed === 0 && Number(m[1]) < 3.15) assert.equal(m[2], '1.0');
  });

  test('an all-idle recording says why its profile is empty', async () => {
    const target = start(py!.path, ['-c', 'import sys, time\nprint("ready"); sys.stdout.flush()\ntime.sleep(120)']);
    await ready(target);
    const out = tmpPath('idle.txt');
    const r = await runPyscope(['record', '-f', 'collapsed', '-o', out, '--rate', '50', '-d', '1', '--pid', String(target.pid)]);
    assert.equal(r.code, 0, describeFailure(r));
    assert.equal(parseSummary(r.stderr).samples, 0, describeFailure(r));
    assert.match(r.stderr, /^pyscope: the profile is empty: every thread was idle; --idle includes them$/m);
    const withIdle = await runPyscope(['record', '-f', 'collapsed', '-o', out, '--rate', '50', '-d', '1', '--idle', '--pid', String(target.pid)]);
    assert.equal(withIdle.code, 0, describeFailure(withIdle));
    assert.ok(parseSummary(withIdle.stderr).samples > 0, describeFailure(withIdle));
    assert.doesNotMatch(withIdle.stderr, /every thread was idle/);
  });

  test('SIGINT: the profile is written and a launched program gets the signal', async () => {
    const out = tmpPath('interrupted.txt');
    const code = [
      'import os, sys, time',
      'def wait_here():',
      '    end = time.time() + 60',
      '    while time.time() < end: pass',
      'print("ready %d" % os.getpid()); sys.stdout.flush()',
      'try: wait_here()',
      'except KeyboardInterrupt: print("interrupted in the program")',
    ].join('\n');
    const rec = start(process.execPath, [PYSCOPE_MAIN, 'record', '-f', 'collapsed', '-o', out, '--', py!.path, '-c', code]);
    const [, target] = await rec.watched.waitFor(/ready (\d+)/, { step: 'the recorded program to print "ready PID"' });
    // Interrupted once it records: a SIGINT before that (a loaded machine attaches late) ends the
    // recording before its first sample, and the profile has no stack to look for.
    await until(() => holdsMemoryOf(rec.pid!, Number(target)), { step: "pyscope record to attach (open the target's /proc/PID/mem)", diagnose: () => rec.watched.diagnosis() });
    // A few ticks before the interruption (not an assertion on time).
    await new Promise((r) => setTimeout(r, 300));
    rec.kill('SIGINT');
    const status = await rec.watched.exited({ step: 'pyscope record to end after SIGINT' });
    assert.equal(status, 0, rec.watched.diagnosis());
    const stdout = rec.watched.stdout;
    assert.match(stdout, /interrupted in the program/, 'the program got SIGINT');
    const stacks = parseCollapsed(readFileSync(out, 'utf8'));
    assert.ok(stacks.some((s) => s.frames.some((f) => f.startsWith('wait_here ('))), JSON.stringify(stacks));
  });

  test('--subprocesses follows a Python child', async () => {
    // The child runs for a fixed time, found by a scan of the descendants: on a loaded machine its
    // start may take most of that time, so the recording is tried again with a longer-lived child.
    const tried: string[] = [];
    let followed = false;
    for (const seconds of [2, 6, 15]) {
      const out = tmpPath('children.txt');
      const r = await runPyscope(['record', '-f', 'collapsed', '-o', out, '--subprocesses', '--rate', '200', '--', py!.path, join(FIXTURES, 'parent_child.py'), String(seconds)]);
      assert.equal(r.code, 0, describeFailure(r));
      const stacks = parseCollapsed(readFileSync(out, 'utf8'));
      const roots = new Set(stacks.map((s) => s.frames[0]!));
      assert.ok([...roots].every((f) => /^process \d+: /.test(f)), [...roots].join('\n'));
      tried.push(ticksReport(parseSummary(r.stderr), `${seconds} s: `));
      followed = stacks.some((s) => s.frames.some((f) => f.startsWith('child_work (')));
      if (followed) break;
    }
    assert.ok(followed, `the child is sampled:\n${tried.join('\n')}`);
    const without = tmpPath('no-children.txt');
    const r2 = await runPyscope(['record', '-f', 'collapsed', '-o', without, '--idle', '--rate', '200', '--', py!.path, join(FIXTURES, 'parent_child.py'), '1']);
    assert.equal(r2.code, 0, describeFailure(r2));
    assert.ok(!readFileSync(without, 'utf8').includes('child_work'), 'without --subprocesses only the parent');
  });
});
