// The README's collapsed-stack example run as printed: its shell pipeline must list the stacks by
// their count, highest first. The count is the last field of a line and frame names hold spaces
// (`main (slow.py:12)`), so a sort on the second field (`sort -k2 -nr`) does not do it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../support/pythons.js';
import { describeFailure, runCommand } from '../support/pyscope.js';
import { parseCollapsed, tmpPath } from './helpers.js';

/** The pipeline after `&&` on the README's `record -f collapsed -o profile.txt` line. */
function readmePipeline(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const m = /pyscope record -f collapsed -o profile\.txt -- python slow\.py && (.+)$/m.exec(readme);
  assert.ok(m, "the README's collapsed example is where this test looks for it");
  return m[1]!;
}

describe("README: the collapsed example's sort", () => {
  test('lists the stacks by count, highest first, whatever the frames hold', async () => {
    // Counts of different widths and frames with spaces and digits, which a sort on any field but
    // the last gets wrong.
    const lines = [
      '<module> (slow.py:15);main (slow.py:12);parse (slow.py:4) 9',
      '<module> (slow.py:15);main (slow.py:13);render (slow.py:7) 160',
      '<module> (slow.py:15);main (slow.py:99) 24',
      'thread 12 (worker 7);run (w.py:3) 1000',
      '<module> (slow.py:15) 3',
    ];
    const file = tmpPath('profile.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = await runCommand('sh', ['-c', `cd "${dirname(file)}" && ${readmePipeline()}`]);
    assert.equal(r.code, 0, describeFailure(r));
    const got = parseCollapsed(r.stdout);
    assert.deepEqual(got.map((s) => s.count), [1000, 160]);
    assert.equal(`${got[0]!.frames.join(';')} ${got[0]!.count}`, lines[3]);
  });
});
