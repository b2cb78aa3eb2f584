// record --subprocesses follows the Python descendants of any process, Python or not: a shell
// line that starts two Python programs, and --pid of a shell. A root that is not Python is said
// to be ("not Python, following its children") and the recording ends when it and every process
// it followed have ended.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../src/common/errors.js';
import { watch } from '../support/child.js';
import { pythons, requirePython } from '../support/pythons.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';
import { FIXTURES, parseCollapsed, parseSummary, ticksReport, tmpPath } from './helpers.js';

const py = pythons().find((p) => !p.missing && p.version[0] === 3);
const { skip } = requirePython(py !== undefined, 'no Python 3 of the matrix is present');
const BUSY = join(FIXTURES, 'busy_named.py');

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** The programs (a, b) whose spin() a collapsed profile holds, by the process root of the stack. */
function programsIn(file: string): Set<string> {
  const out = new Set<string>();
  for (const s of parseCollapsed(readFileSync(file, 'utf8'))) {
    const m = /^process \d+: .*busy_named\.py (\w+) [\d.]+$/.exec(s.frames[0]!);
    if (m && s.frames.some((f) => f.startsWith('spin ('))) out.add(m[1]!);
  }
  return out;
}

/** A shell line starting two Python programs (a and b), each busy in spin() for `seconds`. */
function shellLine(seconds: number): string {
  return `${py!.path} ${BUSY} a ${seconds} & ${py!.path} ${BUSY} b ${seconds}; wait`;
}

describe('record --subprocesses with a root that is not Python', { skip }, () => {
  test('-- bash -c "python a & python b": both programs are recorded', async () => {
    // On a loaded machine the programs may start late: longer runs until both were sampled.
    const tried: string[] = [];
    for (const seconds of [3, 8, 20]) {
      const out = tmpPath('shell.txt');
      const r = await runPyscope(['record', '--subprocesses', '-f', 'collapsed', '-o', out, '--rate', '100', '--', 'bash', '-c', shellLine(seconds)]);
      assert.equal(r.code, 0, describeFailure(r));
      assert.match(r.stderr, /^pyscope: pid \d+ \(bash -c .*\) is not Python, following its children$/m, describeFailure(r));
      const seen = programsIn(out);
      tried.push(`${ticksReport(parseSummary(r.stderr), `${seconds} s: `)}; programs recorded: ${[...seen].join(', ')}`);
      if (seen.has('a') && seen.has('b')) return;
    }
    assert.fail(`programs a and b were not both recorded:\n${tried.join('\n')}`);
  });

  test('--pid of a shell: its Python children are recorded', async () => {
    const tried: string[] = [];
    for (const seconds of [6, 15, 40]) {
      const shell = spawn('bash', ['-c', `echo ready; ${shellLine(seconds)}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(shell);
      const w = watch(shell, 'the shell');
      await w.waitFor('ready', { step: 'the shell to start' });
      const out = tmpPath('pid-shell.txt');
      const r = await runPyscope(['record', '--subprocesses', '-f', 'collapsed', '-o', out, '--rate', '100', '--pid', String(shell.pid)]);
      // a loaded machine can start pyscope after the shell has ended: tried again, longer
      if (r.code === ExitCode.noSuchProcess) {
        tried.push(`${seconds} s: the shell had ended before pyscope started`);
        continue;
      }
      assert.equal(r.code, 0, describeFailure(r));
      assert.match(r.stderr, /is not Python, following its children$/m, describeFailure(r));
      assert.equal(parseSummary(r.stderr).reason, 'the program exited', 'the recording ends with the shell and its children');
      const seen = programsIn(out);
      tried.push(`${ticksReport(parseSummary(r.stderr), `${seconds} s: `)}; programs recorded: ${[...seen].join(', ')}`);
      if (seen.has('a') && seen.has('b')) return;
    }
    assert.fail(`programs a and b were not both recorded:\n${tried.join('\n')}`);
  });

  test('without --subprocesses a root that is not Python is still refused', async () => {
    const r = await runPyscope(['record', '-f', 'collapsed', '-o', tmpPath('refused.txt'), '--', 'bash', '-c', 'sleep 2']);
    assert.notEqual(r.code, 0, describeFailure(r));
    assert.match(r.stderr, /^pyscope: error: /m);
  });
});
