// On every interpreter of the matrix: a program spending 3/4 of its wall time in one function and
// 1/4 in another (alternating 30 ms / 10 ms) gets those shares from `pyscope record`, within 0.05.
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
      const big = sh.get('busy_big')!;
      const small = sh.get('busy_small')!;
      assert.ok(Math.abs(big - 0.75) <= 0.05, `busy_big share ${big.toFixed(3)} (expected 0.75 ± 0.05) of ${seen} samples`);
      assert.ok(Math.abs(small - 0.25) <= 0.05, `busy_small share ${small.toFixed(3)} (expected 0.25 ± 0.05) of ${seen} samples`);
      // Frames are `function (file:line)` with the file's short name, outermost first.
      assert.ok(stacks.every((s) => s.frames[0]!.startsWith('<module> (three_quarters.py:')), `outermost frame is the module: ${stacks[0]?.frames.join(';')}`);
    });
  }
});
