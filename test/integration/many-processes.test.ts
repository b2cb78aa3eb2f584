// Several processes in one run: `dump --pid A --pid B ...` and `dump --all` read each in turn
// under its own header, a process that cannot be read (gone, not Python) is one line and the
// others are still read; `record` with several --pid or --all writes one profile with a root per
// process. Real interpreters of a few versions (the reading itself is the single dump's, tested
// over the whole matrix elsewhere).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../src/common/errors.js';
import { watch } from '../support/child.js';
import { pythons, requirePython, type Python } from '../support/pythons.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';

/** Up to three interpreters of different minor versions, 64-bit. */
const chosen: Python[] = [];
for (const p of pythons()) {
  if (p.missing || p.pointerBits !== 64 || chosen.some((c) => c.version[0] === p.version[0] && c.version[1] === p.version[1])) continue;
  if (chosen.length < 3) chosen.push(p);
}
const skip = requirePython(chosen.length >= 2, 'two Pythons of different versions');

const dir = mkdtempSync(join(tmpdir(), 'pyscope-many-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Each target parks in a function named after its index, so its stack says which one it is. */
function program(i: number): string {
  return `import sys, time\ndef parked_${i}():\n    print("ready"); sys.stdout.flush(); time.sleep(600)\nparked_${i}()\n`;
}

describe('several processes in one run', { ...skip, concurrency: false }, () => {
  const targets: { python: Python; pid: number }[] = [];
  let gonePid = 0;
  let notPython = 0;
  before(async () => {
    for (const [i, python] of chosen.entries()) {
      const child = spawn(python.path, ['-c', program(i)], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      await watch(child, python.label).waitFor('ready', { step: `${python.label} to print "ready"` });
      targets.push({ python, pid: child.pid! });
    }
    const gone = spawn('true', []);
    await once(gone, 'exit');
    gonePid = gone.pid!;
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    children.push(sleeper);
    notPython = sleeper.pid!;
  });

  test('dump --pid repeated: each process under its header, one line for each that cannot be read', async () => {
    const args = ['dump', '--pid', String(targets[0]!.pid), '--pid', String(gonePid), '--pid', String(notPython), ...targets.slice(1).flatMap((t) => ['--pid', String(t.pid)])];
    const r = await runPyscope(args);
    // The first process not read sets the status, as `pyscope dump` of it alone would.
    assert.equal(r.code, ExitCode.noSuchProcess, describeFailure(r));
    const sections = r.stdout.split(/\n(?=Process \d+)/);
    assert.equal(sections.length, targets.length + 2, describeFailure(r));
    const order = [targets[0]!.pid, gonePid, notPython, ...targets.slice(1).map((t) => t.pid)];
    sections.forEach((s, i) => assert.ok(s.startsWith(`Process ${order[i]}`), `section ${i} is pid ${order[i]}: ${s.slice(0, 80)}`));
    for (const [i, t] of targets.entries()) {
      const section = sections[order.indexOf(t.pid)]!;
      assert.match(section, new RegExp(`^Process ${t.pid}: \\S*python`), section);
      assert.match(section, new RegExp(`^ {4}parked_${i} \\(<string>:3\\)$`, 'm'), section);
      assert.doesNotMatch(section, /parked_(?!\d\b)/);
    }
    assert.match(sections[1]!, new RegExp(`^Process ${gonePid}: not read: .+\\n$`));
    assert.match(sections[2]!, new RegExp(`^Process ${notPython} \\(sleep 600\\): not read: .*not running Python.*\\n$`));
  });

  test('dump --json with several processes: one array, an error object for each not read', async () => {
    const r = await runPyscope(['dump', '--json', '--pid', String(targets[0]!.pid), '--pid', String(notPython), '--pid', String(targets[1]!.pid)]);
    assert.equal(r.code, ExitCode.notPython, describeFailure(r));
    const list = JSON.parse(r.stdout) as { pid: number; error?: string; exitCode?: number; threads?: unknown[] }[];
    assert.deepEqual(list.map((p) => p.pid), [targets[0]!.pid, notPython, targets[1]!.pid]);
    assert.ok(Array.isArray(list[0]!.threads) && Array.isArray(list[2]!.threads));
    assert.equal(list[1]!.exitCode, ExitCode.notPython);
    assert.match(list[1]!.error ?? '', /not running Python/);
  });

  test('dump --all finds and reads every target (among whatever else runs on the machine)', async () => {
    const r = await runPyscope(['dump', '--all']);
    // Other processes of the machine may fail to read in ways that count: the status is not ours to assert.
    for (const [i, t] of targets.entries()) {
      const section = r.stdout.split(/\n(?=Process \d+)/).find((s) => s.startsWith(`Process ${t.pid}:`));
      assert.ok(section, `pid ${t.pid} (${t.python.label}) is in dump --all\n${describeFailure(r)}`);
      assert.match(section, new RegExp(`^ {4}parked_${i} \\(<string>:3\\)$`, 'm'), section);
    }
    assert.ok(!r.stdout.includes(`Process ${notPython}`), 'sleep is not a candidate: it maps no python file');
    assert.doesNotMatch(r.stderr, /internal error/);
  });

  test('usage errors: --all with a pid, several pids with a positional', async () => {
    const a = await runPyscope(['dump', '--all', '--pid', String(targets[0]!.pid)]);
    assert.equal(a.code, ExitCode.usage, describeFailure(a));
    assert.match(a.stderr, /^pyscope: error: dump: --all reads every Python process: give it no pid/);
    const b = await runPyscope(['dump', '--pid', '1', '--pid', '2', '3']);
    assert.equal(b.code, ExitCode.usage, describeFailure(b));
    const c = await runPyscope(['record', '--all', '--pid', '1']);
    assert.equal(c.code, ExitCode.usage, describeFailure(c));
  });

  test('record with several --pid: one profile, one root per process', async () => {
    const out = join(dir, 'two.txt');
    const r = await runPyscope(['record', '--idle', '-d', '1', '-r', '20', '-f', 'collapsed', '-o', out, ...targets.flatMap((t) => ['--pid', String(t.pid)])]);
    assert.equal(r.code, 0, describeFailure(r));
    assert.match(r.stderr, new RegExp(`recorded ${targets.length} processes`));
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    for (const [i, t] of targets.entries()) {
      assert.ok(
        lines.some((l) => l.startsWith(`process ${t.pid}: `) && new RegExp(`;parked_${i} \\(<string>:3\\) \\d+$`).test(l)),
        `a stack of pid ${t.pid} under its own root:\n${lines.join('\n')}`,
      );
    }
    for (const l of lines) assert.match(l, /^process \d+: /, 'every stack is under a process root');
  });

  test('record --all: the targets each under their root', async () => {
    const out = join(dir, 'all.txt');
    const r = await runPyscope(['record', '--all', '--idle', '-d', '1', '-r', '10', '-f', 'collapsed', '-o', out]);
    assert.equal(r.code, 0, describeFailure(r));
    const text = readFileSync(out, 'utf8');
    for (const [i, t] of targets.entries()) assert.match(text, new RegExp(`^process ${t.pid}: [^\\n]*;parked_${i} \\(<string>:3\\) \\d+$`, 'm'));
  });
});
