// `pyscope top` driven in a real terminal (tmux): the screen is read back with capture-pane,
// keys are sent with send-keys, and after `q` the terminal is given back as it was. Also the live
// status line `pyscope record` shows only on a terminal.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { watch } from '../support/child.js';
import { pythons, requirePython } from '../support/pythons.js';
import { PYSCOPE_MAIN } from '../support/pyscope.js';
import { firstSkip, requireTool } from '../support/requirements.js';
import { WAIT } from '../support/timeouts.js';
import { FIXTURES, tmpPath } from './helpers.js';
import { literal, nameFromHere } from '../support/file-name.js';

const py = pythons().find((p) => !p.missing && p.version[0] === 3);
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const { skip } = firstSkip(requireTool('tmux', hasTmux), requirePython(py !== undefined, 'no Python 3 of the matrix is present'));
// Servers of our own, so the test never touches anyone's tmux sessions. Each test has a server of
// its own too: killing a server's last session makes it exit, and a `new-session` sent to it while
// it exits fails with "server exited unexpectedly" (seen once in CI).
let servers = 0;
const socket = (): string => `pyscope-top-test-${process.pid}-${servers}`;

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  spawnSync('tmux', ['-L', socket(), 'kill-server']);
});

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket(), ...args], { encoding: 'utf8' });
}

/** A terminal of the given size running `command`, in a new server; the previous test's is killed. */
function newTerminal(width: number, height: number, command: string): void {
  if (servers > 0) spawnSync('tmux', ['-L', socket(), 'kill-server']);
  servers += 1;
  tmux('new-session', '-d', '-s', 'top', '-x', String(width), '-y', String(height), command);
}

/** The pane's text (with attributes when asked), polled until it satisfies `ok`, within the output limit. */
async function screenUntil(ok: (screen: string) => boolean, what: string, escapes = false): Promise<string> {
  let screen = '';
  const deadline = Date.now() + WAIT.output;
  for (;;) {
    screen = tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'top');
    if (ok(screen)) return screen;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out after ${WAIT.output / 1000} s waiting for: ${what}; the screen was:\n${screen}`);
}

/** A three_quarters.py target, once it is ready (bounded). */
async function startTarget(): Promise<ChildProcess> {
  const target = spawn(py!.path, [join(FIXTURES, 'three_quarters.py'), '120'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(target);
  await watch(target, 'three_quarters.py 120').waitFor('ready', { step: 'the target to print "ready"' });
  return target;
}

describe('pyscope top in tmux', { skip }, () => {
  test('shows the hot functions, sorts on keys, quits on q and restores the terminal', async () => {
    const target = await startTarget();
    const shell = `printf 'BEFORE-TOP\\n'; ${JSON.stringify(process.execPath)} ${JSON.stringify(PYSCOPE_MAIN)} top ${target.pid}; echo TOP-EXIT=$?; sleep 600`;
    newTerminal(120, 30, shell);

    const first = await screenUntil((s) => new RegExp(`busy_big \\(${literal(nameFromHere(join(FIXTURES, 'three_quarters.py')))}:\\d+\\)`).test(s) && /busy_small/.test(s) && /Samples [1-9]/.test(s), 'top shows both functions');
    assert.match(first, /pyscope top\s+pid \d+\s+Python 3\./);
    assert.match(first, /%Own\s+%Total\s+OwnTime\s+TotalTime\s+Function \(file:line\)/);
    assert.ok(!first.includes('BEFORE-TOP'), 'top draws on the alternate screen');

    // Sorted by %Own (the default): the innermost functions come before main and <module>.
    const rows = (s: string): string[] => s.split('\n').filter((l) => /^\s+\d+\.\d%/.test(l)).map((l) => /\s(\S+) \(/.exec(l)?.[1] ?? '');
    const own = rows(first);
    assert.ok(own.indexOf('busy_big') < own.indexOf('main'), own.join(' '));

    // 2 sorts by %Total: main and <module> (on every stack) come first, and the header says so.
    tmux('send-keys', '-t', 'top', '2');
    const byTotal = await screenUntil((s) => ['main', '<module>'].includes(rows(s)[0] ?? ''), 'sorted by %Total');
    assert.ok(rows(byTotal).slice(0, 2).sort().join() === '<module>,main', rows(byTotal).join(' '));
    const attrs = await screenUntil((s) => s.includes('\x1b[7m2 %Total'), 'the %Total key is highlighted', true);
    assert.ok(!attrs.includes('\x1b[7m1 %Own'));

    tmux('send-keys', '-t', 'top', 'q');
    const back = await screenUntil((s) => s.includes('TOP-EXIT='), 'top exits on q');
    assert.match(back, /TOP-EXIT=0/);
    assert.ok(back.includes('BEFORE-TOP'), 'the normal screen is back, with what was on it');
    assert.ok(!back.includes('%Own'), 'nothing of top is left on the normal screen');
    const cursor = tmux('display-message', '-p', '-t', 'top', '#{cursor_flag} #{alternate_on}').trim();
    assert.equal(cursor, '1 0', 'cursor visible, alternate screen off');
  });

  test('Ctrl-C quits and restores the terminal too', async () => {
    const target = await startTarget();
    newTerminal(100, 20, `${JSON.stringify(process.execPath)} ${JSON.stringify(PYSCOPE_MAIN)} top ${target.pid}; echo TOP-EXIT=$?; sleep 600`);
    await screenUntil((s) => s.includes('busy_big'), 'top is up');
    tmux('send-keys', '-t', 'top', 'C-c');
    const back = await screenUntil((s) => s.includes('TOP-EXIT='), 'top exits on Ctrl-C');
    assert.match(back, /TOP-EXIT=0/);
    assert.equal(tmux('display-message', '-p', '-t', 'top', '#{cursor_flag} #{alternate_on}').trim(), '1 0');
  });

  test('the target exiting ends top with a message, the terminal restored', async () => {
    const target = await startTarget();
    newTerminal(100, 20, `${JSON.stringify(process.execPath)} ${JSON.stringify(PYSCOPE_MAIN)} top ${target.pid}; echo TOP-EXIT=$?; sleep 600`);
    await screenUntil((s) => s.includes('busy_big'), 'top is up');
    target.kill('SIGKILL');
    const back = await screenUntil((s) => s.includes('TOP-EXIT='), 'top exits with its target');
    assert.match(back, new RegExp(`pyscope: process ${target.pid} exited\\s+TOP-EXIT=0`));
    assert.equal(tmux('display-message', '-p', '-t', 'top', '#{cursor_flag} #{alternate_on}').trim(), '1 0');
  });
});

describe('pyscope top of several processes in tmux', { skip }, () => {
  test('--pid repeated: one table over both, the header naming the count, ending when both have', async () => {
    const [a, b] = [await startTarget(), await startTarget()];
    newTerminal(120, 30, `${JSON.stringify(process.execPath)} ${JSON.stringify(PYSCOPE_MAIN)} top --pid ${a.pid} --pid ${b.pid}; echo TOP-EXIT=$?; sleep 600`);
    const screen = await screenUntil((s) => /busy_big/.test(s) && /Samples [1-9]/.test(s), 'top shows the functions of both');
    assert.match(screen, new RegExp(`pyscope top\\s+2 processes\\s+Python 3\\.\\S+\\s+${a.pid} ${b.pid}`));
    // Both targets are one busy thread each: the threads of a tick are counted over the two.
    assert.match(screen, /Threads 2 /);
    a.kill('SIGKILL');
    b.kill('SIGKILL');
    const back = await screenUntil((s) => s.includes('TOP-EXIT='), 'top exits once both targets have');
    assert.match(back, /pyscope: every process exited\s+TOP-EXIT=0/);
  });
});

describe('pyscope record on a terminal (tmux)', { skip }, () => {
  test('a live status line while recording, then the summary', async () => {
    const out = tmpPath('record-tty.txt');
    // The program runs until the test has seen the status line (it then creates the stop file), not
    // for a fixed time a loaded machine could use up before the first status line is drawn.
    const stop = tmpPath('record-tty.stop');
    const program = tmpPath('until-stop.py');
    writeFileSync(program, 'import os, sys, time\nend = time.time() + 120\nwhile not os.path.exists(sys.argv[1]) and time.time() < end:\n    sum(range(1000))\n');
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(PYSCOPE_MAIN)} record -f collapsed -o ${JSON.stringify(out)} -- ${JSON.stringify(py!.path)} ${JSON.stringify(program)} ${JSON.stringify(stop)} >/dev/null; echo REC-EXIT=$?; sleep 600`;
    newTerminal(200, 20, cmd);
    const live = await screenUntil((s) => /pyscope: \d+\.\d s, [1-9]\d* ticks \(\d+\/s of 100\), \d+ samples, \d+ missed, \d+ errors \(Ctrl-C to stop\)/.test(s), 'the status line shows progress');
    assert.ok(!live.includes('REC-EXIT='));
    writeFileSync(stop, '');
    const done = await screenUntil((s) => s.includes('REC-EXIT='), 'record ends with the program');
    assert.match(done, /REC-EXIT=0/);
    assert.match(done, /pyscope: recorded pid \d+ for [\d.]+ s \(the program exited\): \d+ ticks/);
    assert.match(done, /pyscope: wrote collapsed profile to /);
    assert.ok(!/Ctrl-C to stop/.test(done), 'the status line is cleared before the summary');
  });
});
