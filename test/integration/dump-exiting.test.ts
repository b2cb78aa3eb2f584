// `pyscope dump` of processes that end at random moments while they are dumped again and again
// (test/fixtures/dump/exiting.py): whichever moment the end falls on (before the dump, while it
// opens the process, while it walks the threads, during the interpreter's own finalization), a
// dump is either whole (exit 0) or the documented "exited while it was being read" (exit 7) in one
// line, never another code. The children stay zombies after they end, so a dump that starts after
// the end meets an exited process, not a missing one.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { ExitCode } from '../../src/common/errors.js';
import { pythons, skipIfMissing, REPO_ROOT } from '../support/pythons.js';
import { describeFailure, runPyscope, type RunResult } from '../support/pyscope.js';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'dump', 'exiting.py');
const CHILDREN = 8;
/** Dumps of one child before giving up on seeing it end (its longest life is 3 s). */
const MAX_DUMPS = 30;

const parents: ChildProcess[] = [];
after(() => {
  for (const p of parents) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

/** The kernel's state letter of a process (R, S, Z...), or 'gone'. */
function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return 'gone';
  }
}

function checkDump(r: RunResult, pid: number, context: string): void {
  const detail = `${context}\n${describeFailure(r)}`;
  if (r.code === 0) {
    assert.equal((JSON.parse(r.stdout) as { pid: number }).pid, pid, detail);
    assert.equal(r.stderr, '', detail);
    return;
  }
  assert.equal(r.code, ExitCode.processExited, detail);
  assert.equal(r.stdout, '', detail);
  assert.match(r.stderr, /^pyscope: error: process \d+ exited while it was being read\n$/, detail);
}

for (const py of pythons()) {
  describe(`pyscope dump of processes that end while dumped, on ${py.label}`, skipIfMissing(py), () => {
    test(`${CHILDREN} children, each dumped until it has ended: exit 0 or exit 7, nothing else`, async (t) => {
      const seed = Date.now() % 100_000;
      const parent = spawn(py.path, [FIXTURE, String(seed)], { stdio: ['pipe', 'pipe', 'inherit'] });
      parents.push(parent);
      const lines = createInterface({ input: parent.stdout! })[Symbol.asyncIterator]();
      const seen = new Map<number, number>();
      try {
        for (let i = 0; i < CHILDREN; i++) {
          parent.stdin!.write('next\n');
          const line = await lines.next();
          assert.ok(!line.done, 'the fixture forked a child');
          const [pidText, how, delay] = String(line.value).split(' ');
          const pid = Number(pidText);
          const context = `seed ${seed}, child ${i} (${how} after ${delay} s)`;
          let ended = false;
          for (let n = 0; n < MAX_DUMPS && !ended; n++) {
            // Once the child is a zombie, one more dump: it must say "exited" too.
            ended = processState(pid) === 'Z';
            const r = await runPyscope(['dump', '--json', String(pid)]);
            seen.set(r.code, (seen.get(r.code) ?? 0) + 1);
            checkDump(r, pid, `${context}, dump ${n}, state after: ${processState(pid)}`);
            if (ended) assert.equal(r.code, ExitCode.processExited, `${context}: a dump of the zombie says it exited\n${describeFailure(r)}`);
          }
          assert.ok(ended, `${context}: the child ended within ${MAX_DUMPS} dumps`);
        }
      } finally {
        parent.stdin!.end();
        parent.kill('SIGKILL');
      }
      t.diagnostic(`seed ${seed}, exit codes seen: ${JSON.stringify([...seen])}`);
    });
  });
}
