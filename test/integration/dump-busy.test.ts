// `pyscope dump` of a process that is running Python code right now: the busy thread is "active"
// and holds the GIL, the waiting main thread is "idle" and does not, on every interpreter.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { watch } from '../support/child.js';
import { pythons, skipIfMissing, REPO_ROOT } from '../support/pythons.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';
import type { DumpJson } from '../support/dump-json.js';

const BUSY = join(REPO_ROOT, 'test', 'fixtures', 'dump', 'busy.py');

// Also killed here in case a suite's own hook never ran.
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts busy.py and resolves with its pid and the spinning thread's native id. */
async function startBusy(path: string): Promise<{ pid: number; spinner: number; child: ChildProcess }> {
  const child = spawn(path, [BUSY, '900'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const m = await watch(child, `${path} busy.py`).waitFor(/ready (\d+)/, { step: 'busy.py to print "ready SPINNER_ID"' });
  if (child.pid === undefined) throw new Error(`${path} busy.py did not start`);
  return { pid: child.pid, spinner: Number(m[1]), child };
}

for (const py of pythons()) {
  describe(`pyscope dump of a busy process on ${py.label}`, skipIfMissing(py), () => {
    let busy: { pid: number; spinner: number; child: ChildProcess };
    before(async () => {
      busy = await startBusy(py.path);
    });
    // It spins a core: it goes as soon as its suite is done.
    after(() => {
      busy?.child.kill('SIGKILL');
    });

    test('the spinning thread is active and holds the GIL; the waiting one is idle and does not', async () => {
      const r = await runPyscope(['dump', '--json', String(busy.pid)]);
      assert.equal(r.code, 0, describeFailure(r));
      const dump = JSON.parse(r.stdout) as DumpJson;
      assert.equal(dump.threads.length, 2);
      const spinner = dump.threads.find((t) => t.native_thread_id === busy.spinner);
      const main = dump.threads.find((t) => t.native_thread_id === busy.pid);
      assert.ok(spinner && main, `threads: ${JSON.stringify(dump.threads.map((t) => [t.native_thread_id, t.name]))}`);
      assert.equal(spinner.name, 'spinner');
      assert.equal(spinner.status, 'active');
      assert.equal(spinner.frames[0]?.function, 'spin');
      // 2.7 lets go of the GIL every 100 ticks even when nobody waits for it: a dump may fall there.
      if (py.version[0] >= 3) assert.notEqual(spinner.gil, false, 'the spinning thread holds the GIL');
      assert.equal(main.name, 'MainThread');
      assert.equal(main.status, 'idle');
      assert.notEqual(main.gil, true);
      assert.equal(main.frames[0]?.function, 'main');
    });
  });
}
