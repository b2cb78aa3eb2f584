// record --async-aware on every interpreter 3.8+ of the matrix: two handler tasks share one event
// loop, "handler-a" doing three times the work of "handler-b" per turn, both awaited by "main"
// through gather (test/fixtures/profile/async_shares.py). Their samples must sit under the
// logical path Task "main" -> main -> Task "handler-x" -> handler, and split about 3:1. The share
// is asserted loosely (0.6 to 0.9): the work is counted in iterations, but a loaded machine moves
// the samples it misses; never on wall time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythons, skipIfMissing } from '../support/pythons.js';
import { FIXTURES, parseCollapsed, recordEnough, tmpPath } from './helpers.js';
import { literal, nameFromHere } from '../support/file-name.js';

const PROGRAM = join(FIXTURES, 'async_shares.py');
// run in this test's working directory, the program's file is named relative to it (issue 15)
const MAIN = new RegExp(`^main \\(${literal(nameFromHere(PROGRAM))}:\\d+\\)$`);
const HANDLER = new RegExp(`^handler \\(${literal(nameFromHere(PROGRAM))}:\\d+\\)$`);
/** Handler samples the share is computed from, at the least. */
const WANTED = 40;

for (const py of pythons().filter((p) => p.version[0] === 3 && p.version[1] >= 8)) {
  describe(`pyscope record --async-aware on ${py.label}`, skipIfMissing(py), () => {
    test('handler samples sit under their tasks and the task awaiting them, split about 3:1', async () => {
      const out = tmpPath(`async-${py.label}.txt`);
      await recordEnough((seconds) => ['record', '--async-aware', '-f', 'collapsed', '-o', out, '--', py.path, PROGRAM, String(seconds)], WANTED * 2, [3, 6, 12]);
      const stacks = parseCollapsed(readFileSync(out, 'utf8'));
      const inTask = (name: string) => stacks.filter((s) => s.frames.some((f) => f.startsWith(`Task "${name}" `)));
      const a = inTask('handler-a');
      const b = inTask('handler-b');
      const count = (list: typeof stacks) => list.reduce((n, s) => n + s.count, 0);
      const total = count(a) + count(b);
      assert.ok(total >= WANTED, `only ${total} samples in the handlers`);
      // The program runs while it is read: a sample can catch a done-callback list being changed and
      // lose the awaiting task, so most samples, not all, must show the whole path.
      const whole = (s: (typeof stacks)[number]) =>
        /^Task "main" /.test(s.frames[0]!) && MAIN.test(s.frames[1]!) && /^Task "handler-[ab]" /.test(s.frames[2]!) && HANDLER.test(s.frames[3]!);
      const partial = [...a, ...b].filter((s) => !whole(s));
      assert.ok(count(partial) <= total / 10, `samples without the whole logical path:\n${partial.map((s) => `${s.frames.join(';')} ${s.count}`).join('\n')}`);
      for (const s of [...a, ...b]) assert.ok(!s.frames.some((f) => f.includes('run_forever')), `the loop is not on the logical path: ${s.frames.join(';')}`);
      const share = count(a) / total;
      assert.ok(share >= 0.6 && share <= 0.9, `handler-a has ${share.toFixed(3)} of ${total} handler samples (3:1 is 0.75)`);
    });
  });
}
