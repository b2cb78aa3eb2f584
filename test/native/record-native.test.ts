// `pyscope record --native` writes native frames into every output format: a short recording of
// blocked.py (its threads idle, so --idle) in each format, with a libc frame, the comparator's
// Python frame and its ctypes/libffi frames found in what was written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startBlocked } from '../support/blocked-target.js';
import { pythons, requirePython, skipIfMissing, hasNativeStacks } from '../support/pythons.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';

const FORMATS = ['flamegraph', 'speedscope', 'collapsed', 'pprof', 'gecko'] as const;

/** The text of a written profile, whatever its encoding (pprof is gzipped protobuf, its strings plain inside). */
function contentOf(path: string, format: (typeof FORMATS)[number]): string {
  const raw = readFileSync(path);
  return format === 'pprof' ? gunzipSync(raw).toString('latin1') : raw.toString('utf8');
}

// 32-bit targets are left out: pyscope refuses --native for them (dump.test.ts checks the refusal).
for (const py of pythons().filter(hasNativeStacks)) {
  test(`${py.label}: record --native writes native frames in every format`, skipIfMissing(py), async () => {
    const target = await startBlocked(py);
    const dir = mkdtempSync(join(tmpdir(), 'pyscope-record-native-'));
    try {
      for (const format of FORMATS) {
        const out = join(dir, `profile.${format}`);
        const r = await runPyscope(['record', '--native', '--idle', '--rate', '50', '--duration', '1', '--format', format, '--output', out, '--pid', String(target.pid)]);
        assert.equal(r.code, 0, describeFailure(r));
        const text = contentOf(out, format);
        assert.match(text, /libc\.so\.6/, `${format}: no libc frame`);
        assert.match(text, /libffi\.so|_ctypes/, `${format}: no ctypes/libffi frame`);
        assert.match(text, /compare/, `${format}: no comparator frame`);
        assert.match(text, /block_in_qsort/, `${format}: no block_in_qsort frame`);
      }
      // Folded stacks keep the order: the comparator sits above qsort, which sits above its caller.
      const folded = readFileSync(join(dir, 'profile.collapsed'), 'utf8').split('\n').find((l) => l.includes('compare ('));
      assert.ok(folded, 'no folded stack through the comparator');
      const order = ['block_in_qsort (', 'qsort', 'compare ('].map((s) => folded.indexOf(s));
      assert.ok(order.every((x, i) => x >= 0 && (i === 0 || x > order[i - 1]!)), `caller, qsort, comparator out of order: ${folded}`);
    } finally {
      target.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// pyscope is the parent of a program it launches. Stopping that program's threads means waiting
// for them with waitpid, and a program that ends during a capture then hands its exit status to
// that wait instead of to Node: record wrote the profile and never exited (1 of 4 runs here).
const launcher = pythons().find((p) => !p.missing && p.version[0] === 3 && p.version[1] === 11) ?? pythons().find((p) => !p.missing);
test('record --native of a program it launches ends when the program does, every time (10 runs)', requirePython(launcher !== undefined, 'an interpreter of the matrix'), async () => {
  assert.ok(launcher, 'an interpreter of the matrix');
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-record-native-launch-'));
  try {
    const code = 'import time\nend = time.time() + 0.5\nwhile time.time() < end: sum(range(1000))\n';
    for (let i = 0; i < 10; i++) {
      const out = join(dir, `run${i}.txt`);
      const r = await runPyscope(['record', '--native', '--rate', '200', '-f', 'collapsed', '-o', out, '--', launcher.path, '-c', code]);
      assert.equal(r.code, 0, `run ${i}: ${describeFailure(r)}`);
      assert.match(r.stderr, /the program exited/, `run ${i}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
