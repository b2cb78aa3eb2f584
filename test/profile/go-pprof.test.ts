// The pprof output read by the tool people open it with: `go tool pprof` (Debian's golang-go,
// installed by .ci/run). Its -top table must name the same functions with the same flat and
// cumulative sample counts as the profile holds, `<module>` included (pprof strips what is in
// angle brackets from a name it takes for C++).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pythons, requirePython } from '../support/pythons.js';
import { describeFailure, runCommand } from '../support/pyscope.js';
import { firstSkip, requireTool } from '../support/requirements.js';
import { decodePprof, type DecodedProfile } from './pprof-decode.js';
import { recordEnough, THREE_QUARTERS, tmpPath } from './helpers.js';

const py = pythons().find((p) => !p.missing && p.version[0] === 3);
const { skip } = firstSkip(requirePython(py !== undefined, 'no Python 3 of the matrix is present'), requireTool('go', undefined, ".ci/run installs Debian's golang-go"));

/** Per function name: samples where it is the leaf (flat) and where it is anywhere on the stack (cum). */
function countsOf(p: DecodedProfile): Map<string, { flat: number; cum: number }> {
  const out = new Map<string, { flat: number; cum: number }>();
  const entry = (name: string) => out.get(name) ?? out.set(name, { flat: 0, cum: 0 }).get(name)!;
  for (const s of p.samples) {
    const names = s.locations.map((id) => p.functions.get(p.locations.get(id)![0]!.functionId)!.name);
    entry(names[0]!).flat += s.values[0]!;
    for (const n of new Set(names)) entry(n).cum += s.values[0]!;
  }
  return out;
}

describe('pprof output read by go tool pprof', { skip }, () => {
  test('-top lists the functions with the flat and cumulative counts of the profile', async () => {
    const out = tmpPath('go.pb.gz');
    const { sum } = await recordEnough((seconds) => ['record', '--rate', '200', '-f', 'pprof', '-o', out, '--', py!.path, THREE_QUARTERS, String(seconds)], 100);
    const expected = countsOf(decodePprof(readFileSync(out)));
    assert.ok(expected.has('<module>') && expected.has('busy_big'), [...expected.keys()].join(', '));
    const r = await runCommand('go', ['tool', 'pprof', '-sample_index=samples', '-top', '-nodecount=1000', out], { PPROF_TMPDIR: dirname(out) });
    assert.equal(r.code, 0, describeFailure(r));
    assert.match(r.stdout, new RegExp(`Total samples = ${sum.samples}\\b`), r.stdout);
    const seen = new Map<string, { flat: number; cum: number }>();
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*(\d+)\s+[\d.]+%\s+[\d.]+%\s+(\d+)\s+[\d.]+%\s+(.+)$/.exec(line);
      if (m) seen.set(m[3]!, { flat: Number(m[1]), cum: Number(m[2]) });
    }
    assert.deepEqual(Object.fromEntries([...seen].sort()), Object.fromEntries([...expected].sort()), r.stdout);
  });
});
