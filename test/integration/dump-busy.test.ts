// `pyscope dump` of a process that is running Python code right now: the busy thread is "active"
// and holds the GIL, the waiting main thread is "idle" and does not, on every interpreter. And of a
// process whose threads and frames change all the time (churn.py): a thread that changes under the
// reader is marked torn and the dump goes on, it never fails whole.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { watch } from '../support/child.js';
import { pythons, skipIfMissing, REPO_ROOT } from '../support/pythons.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';
import type { DumpJson, DumpThread } from '../support/dump-json.js';
import { openLiveProcess } from '../../src/cpython/process.js';
import { snapshot } from '../../src/cpython/snapshot.js';
import { taskIds, threadStatus } from '../../src/memory/proc.js';
import { Sampler } from '../../src/profile/sampler.js';

const BUSY = join(REPO_ROOT, 'test', 'fixtures', 'dump', 'busy.py');
const CHURN = join(REPO_ROOT, 'test', 'fixtures', 'dump', 'churn.py');
/** Snapshots of the churning process read in this process, and dumps of it through the CLI. */
const SNAPSHOTS = 300;
const CLI_DUMPS = 8;

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

/** The JSON contract plus the two fields of a thread read only in part (docs/dump-json.md). */
type CutThread = DumpThread & { truncated?: string; torn?: boolean };

for (const py of pythons()) {
  describe(`pyscope dump of a process whose threads change all the time on ${py.label}`, skipIfMissing(py), () => {
    let churn: ChildProcess;
    before(async () => {
      churn = spawn(py.path, [CHURN, '900'], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(churn);
      await watch(churn, `${py.path} churn.py`).waitFor(/ready/, { step: 'churn.py to print "ready"' });
    });
    after(() => {
      churn?.kill('SIGKILL');
    });

    test(`${SNAPSHOTS} snapshots: none fails, a torn thread is marked and keeps the frames read before the cut`, (t) => {
      const pid = churn.pid!;
      const proc = openLiveProcess(pid);
      let torn = 0;
      try {
        for (let i = 0; i < SNAPSHOTS; i++) {
          const threads = snapshot(proc, { tasks: { ids: taskIds(pid), status: (tid) => threadStatus(pid, tid) } });
          // Main, two workers and the spawner live throughout; only a list that tore may show fewer.
          const listTorn = threads.some((th) => th.truncated?.includes('may be missing'));
          if (!listTorn) assert.ok(threads.length >= 4, `snapshot ${i}: ${threads.length} threads: ${JSON.stringify(threads.map((th) => [th.name, th.truncated]))}`);
          for (const th of threads) {
            if (!th.torn) continue;
            torn++;
            assert.match(th.truncated ?? '', /^torn read \(the thread changed while it was read\): /);
          }
        }
      } finally {
        proc.memory.close();
      }
      t.diagnostic(`${torn} torn threads in ${SNAPSHOTS} snapshots`);
    });

    test(`${SNAPSHOTS} samples for record/top: a torn thread is left out of its sample, which goes on`, (t) => {
      const sampler = new Sampler(churn.pid!, { names: false });
      let tornSamples = 0;
      try {
        for (let i = 0; i < SNAPSHOTS; i++) {
          const sample = sampler.sample();
          if (sample.torn) tornSamples++;
          // A sample that left nothing out has the four threads that live throughout.
          if (!sample.torn) assert.ok(sample.threads.length >= 4, `sample ${i}: ${sample.threads.length} threads`);
          for (const th of sample.threads) for (const f of th.frames) assert.ok(f.name.length > 0 && f.file.length > 0, `sample ${i}: a frame without a name`);
        }
      } finally {
        sampler.close();
      }
      t.diagnostic(`${tornSamples} of ${SNAPSHOTS} samples left a torn thread out`);
    });

    test(`${CLI_DUMPS} dumps through the CLI: each exits 0; torn threads are marked in the JSON`, async () => {
      for (let i = 0; i < CLI_DUMPS; i++) {
        const r = await runPyscope(['dump', '--json', String(churn.pid)]);
        assert.equal(r.code, 0, describeFailure(r));
        const dump = JSON.parse(r.stdout) as DumpJson;
        for (const th of dump.threads as CutThread[]) {
          if (th.torn !== undefined) {
            assert.equal(th.torn, true);
            assert.match(th.truncated ?? '', /^torn read /);
          }
        }
        // As in the snapshots above: only a list that tore may miss a thread that lives throughout.
        const listTorn = (dump.threads as CutThread[]).some((th) => th.truncated?.includes('may be missing'));
        if (!listTorn) assert.ok(dump.threads.some((th) => th.name === 'worker-0'), `dump ${i} names the workers: ${JSON.stringify((dump.threads as CutThread[]).map((th) => [th.name, th.truncated]))}`);
      }
    });
  });
}
