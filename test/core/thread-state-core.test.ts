// Thread state read from cores of a process caught inside gc.collect() (test/fixtures/dump/collecting.py):
// a gcore core of it spinning in the collection, and a kernel core of it calling os.abort() there.
// Both hold the GIL and the collector's flag as they were: the main thread is shown "(gil, gc)".
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watch } from '../support/child.js';
import { pythons, skipIfMissing, REPO_ROOT, type Python } from '../support/pythons.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';
import { firstSkip } from '../support/requirements.js';
import type { DumpJson } from '../support/dump-json.js';
import { scaled } from '../support/timeouts.js';
import { gcore, needsGcore, needsKernelCores } from './cores.js';

const COLLECTING = join(REPO_ROOT, 'test', 'fixtures', 'dump', 'collecting.py');
const CRASH_LIMIT_MS = scaled(120_000);

const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'pyscope-gccore-'));
  dirs.push(d);
  return d;
}

/** The main thread of a core of collecting.py, in JSON and as the text header shows it. */
async function mainThreadOf(core: string, pid: number): Promise<void> {
  const j = await runPyscope(['dump', '--core', core, '--json']);
  assert.equal(j.code, 0, describeFailure(j));
  const dump = JSON.parse(j.stdout) as DumpJson;
  const main = dump.threads.find((t) => t.native_thread_id === pid) ?? (dump.threads.length === 1 ? dump.threads[0] : undefined);
  assert.ok(main, JSON.stringify(dump.threads));
  assert.equal(main.frames[0]?.function, 'spin_in_collection');
  assert.equal(main.gc_collecting, true);
  assert.equal(main.gil, true);
  assert.equal(main.gc, true);
  const t = await runPyscope(['dump', '--core', core]);
  assert.equal(t.code, 0, describeFailure(t));
  // A core has no kernel status: the header starts with the GIL.
  assert.match(t.stdout, /^Thread \d+ \(gil, gc\)(: "MainThread")?( \[crashed\])?$/m);
}

async function kernelCoreOf(py: Python): Promise<{ path: string; pid: number }> {
  const dir = folder();
  const child = spawn('sh', ['-c', 'ulimit -c unlimited && exec "$0" "$@"', py.path, COLLECTING, '900', 'abort'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), CRASH_LIMIT_MS);
  const how = await new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
  clearTimeout(timer);
  const name = readdirSync(dir).find((f) => f === 'core' || /^core\.\d+$/.test(f));
  if (!name) throw new Error(`${py.label}: collecting.py abort ended with ${how} and left no core`);
  return { path: join(dir, name), pid: child.pid! };
}

for (const py of pythons()) {
  describe(`thread state in cores of a collection on ${py.label}`, skipIfMissing(py), () => {
    test('gcore mid-collection: the main thread holds the GIL and runs the collector', firstSkip(needsGcore()), async () => {
      const child = spawn(py.path, [COLLECTING, '900'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MALLOC_ARENA_MAX: '1' } });
      children.push(child);
      await watch(child, `${py.label} collecting.py`).waitFor(/ready/, { step: 'collecting.py to print "ready"' });
      const path = await gcore(child.pid!, folder());
      child.kill('SIGKILL');
      await mainThreadOf(path, child.pid!);
    });

    test('kernel core of os.abort() mid-collection: the same', firstSkip(needsKernelCores()), async () => {
      const core = await kernelCoreOf(py);
      await mainThreadOf(core.path, core.pid);
    });
  });
}
