// On every interpreter of the matrix: a program spending 3/4 of its wall time in one function and
// 1/4 in another (alternating 30 ms / 10 ms of CPU) gets those shares from `pyscope record`,
// within 0.05. The program reports the wall time each function really took: on an idle machine
// that is 3/4 and 1/4; on a loaded one the scheduler can move it for a short run, and the profile
// must then agree with what really happened, so the comparison is with the program's own truth.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pythons, skipIfMissing } from '../support/pythons.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';
import { parseCollapsed, parseSummary, shares, THREE_QUARTERS, tmpPath } from './helpers.js';

describe('pyscope record: 3/4 and 1/4 of the time', () => {
  for (const py of pythons()) {
    test(py.label, skipIfMissing(py), async () => {
      const out = tmpPath(`shares-${py.label}.txt`);
      // 400 Hz for 3 s: ~1200 samples, so 0.05 is about four standard deviations.
      const r = await runPyscope(['record', '--rate', '400', '--format', 'collapsed', '-o', out, '--', py.path, THREE_QUARTERS, '3']);
      assert.equal(r.code, 0, describeFailure(r));
      const sum = parseSummary(r.stderr);
      assert.equal(sum.reason, 'the program exited');
      const stacks = parseCollapsed(readFileSync(out, 'utf8'));
      assert.equal(stacks.reduce((n, s) => n + s.count, 0), sum.samples, 'collapsed counts add up to the samples taken');
      const sh = shares(stacks, ['busy_big', 'busy_small']);
      const seen = stacks.filter((s) => s.frames.some((f) => /^busy_(big|small) /.test(f))).reduce((n, s) => n + s.count, 0);
      assert.ok(seen >= 300, `enough samples in the two functions (${seen})\n${r.stderr}`);
      const truth = /truth busy_big=([\d.]+) busy_small=([\d.]+)/.exec(r.stdout);
      assert.ok(truth, `the program reports its truth: ${r.stdout}`);
      const trueBig = Number(truth[1]) / (Number(truth[1]) + Number(truth[2]));
      // On an idle machine the truth is 3/4; a loaded one can move it (the phases are CPU time,
      // and a long wait for a CPU lands in one of them), so it is only required to be a split.
      assert.ok(trueBig > 0.2 && trueBig < 0.98, `the program itself spent ${trueBig.toFixed(3)} in busy_big`);
      const big = sh.get('busy_big')!;
      const small = sh.get('busy_small')!;
      const why = `of ${seen} samples; the program measured busy_big ${trueBig.toFixed(3)}\n${r.stderr}`;
      assert.ok(Math.abs(big - trueBig) <= 0.05, `busy_big share ${big.toFixed(3)} (expected ${trueBig.toFixed(3)} ± 0.05) ${why}`);
      assert.ok(Math.abs(small - (1 - trueBig)) <= 0.05, `busy_small share ${small.toFixed(3)} (expected ${(1 - trueBig).toFixed(3)} ± 0.05) ${why}`);
      // Frames are `function (file:line)` with the file's short name, outermost first.
      // (Interpreter start-up, before the script runs, has stacks of its own: site, importlib.)
      const inBusy = stacks.filter((s) => s.frames.some((f) => /^busy_(big|small) /.test(f)));
      const odd = inBusy.filter((s) => !s.frames[0]!.startsWith('<module> (three_quarters.py:'));
      assert.deepEqual(odd, [], 'the outermost frame of the busy stacks is the module');
    });
  }
});
