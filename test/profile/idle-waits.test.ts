// On a server's ways of waiting: one thread spins in Python while others wait in a selector, a
// condition variable, a socket read and a short sleep, woken thousands of times a second by a
// client process. Each wake-up leaves the waiting thread runnable for a moment, still inside its
// waiting function; recorded without --idle, those moments must not count as activity. The
// standard library's waiting functions get no sample at all (they are idle by what the thread is
// doing), and the spinning thread gets most of them. Shares and counts only, never wall time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythons, skipIfMissing } from '../support/pythons.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';
import { FIXTURES, parseCollapsed, parseSummary, ticksReport, tmpPath } from './helpers.js';

const PROGRAM = join(FIXTURES, 'blocked_server.py');
/** Innermost frames of the standard library's waits, as the collapsed output names them. */
const WAITING_LEAF = /^(\w*Selector\.select|Condition\.wait|select|wait) \((.*[/\\])?(selectors|threading)\.py:/;

describe('pyscope record: threads woken in a wait are idle', () => {
  for (const py of pythons().filter((p) => p.version[0] === 3 && p.version[1] >= 6)) {
    test(py.label, skipIfMissing(py), async () => {
      const out = tmpPath(`idle-waits-${py.label}.txt`);
      const r = await runPyscope(['record', '--rate', '200', '--format', 'collapsed', '-o', out, '--', py.path, PROGRAM, '4']);
      assert.equal(r.code, 0, describeFailure(r));
      const sum = parseSummary(r.stderr);
      const stacks = parseCollapsed(readFileSync(out, 'utf8'));
      const total = stacks.reduce((n, s) => n + s.count, 0);
      const listing = stacks.map((s) => `${s.count} ${s.frames.join(';')}`).join('\n');
      const why = `${ticksReport(sum)}\n${listing}`;
      assert.ok(total >= 100, `enough samples to judge: ${why}`);
      const waiting = stacks.filter((s) => WAITING_LEAF.test(s.frames[s.frames.length - 1] ?? '')).reduce((n, s) => n + s.count, 0);
      assert.equal(waiting, 0, `no sample in a standard-library wait: ${why}`);
      const spin = stacks.filter((s) => s.frames.some((f) => f.startsWith('spin ('))).reduce((n, s) => n + s.count, 0);
      // The share is of the samples once the program runs: its start-up imports (a third of the
      // recording on a slow debug build, which compiles the standard library) are no thread's wait.
      const running = stacks.filter((s) => !s.frames.some((f) => f.startsWith('_find_and_load ('))).reduce((n, s) => n + s.count, 0);
      assert.ok(spin / running >= 0.6, `the spinning thread has most samples once the program runs (${spin} of ${running}): ${why}`);
    });
  }
});
