// The line-table decoders against each interpreter's own idea of offset -> line, on every code
// object of a few stdlib modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { lineForOffset, type LineTableFormat } from '../../src/cpython/linetable.js';
import { pythons, skipIfMissing, REPO_ROOT } from '../support/pythons.js';
import { scaled } from '../support/timeouts.js';

const SCRIPT = join(REPO_ROOT, 'test', 'fixtures', 'linetable_truth.py');

function formatFor(major: number, minor: number): LineTableFormat {
  if (major === 2) return 'lnotab-unsigned';
  if (minor <= 9) return 'lnotab';
  if (minor === 10) return 'linetable-3.10';
  return 'locations';
}

for (const py of pythons()) {
  test(`line tables decode as ${py.label} does`, skipIfMissing(py), () => {
    const out = execFileSync(py.path, [SCRIPT], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: scaled(120_000) });
    const [major, minor] = py.version;
    const format = formatFor(major, minor);
    let checked = 0;
    for (const lineText of out.trim().split('\n')) {
      const rec = JSON.parse(lineText) as { name: string; first: number; table: string; truth: [number, number | null][] };
      const table = Buffer.from(rec.table, 'hex');
      for (const [byteOffset, line] of rec.truth) {
        // Frames record byte offsets before 3.10 and code-unit indexes from 3.10.
        const offset = format.startsWith('lnotab') ? byteOffset : byteOffset / 2;
        const got = lineForOffset(format, table, rec.first, offset);
        assert.equal(got ?? null, line, `${rec.name} offset ${byteOffset}`);
        checked++;
      }
    }
    assert.ok(checked > 1000, `only ${checked} offsets checked`);
  });
}
