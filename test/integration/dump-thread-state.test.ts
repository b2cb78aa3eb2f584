// Each thread's state in the dump header, read from memory alone, on every interpreter: the thread
// that runs Python holds the GIL (busy.py), the thread inside gc.collect() runs the collector
// (collecting.py), two threads that contend for the GIL never both hold it and, where the thread
// state records it (3.15+), the other is shown waiting (contended.py), and on 3.12+ a process with a
// subinterpreter names each thread's interpreter (subinterpreters.py).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { watch } from '../support/child.js';
import { pythons, skipIfMissing, REPO_ROOT, type Python } from '../support/pythons.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';
import { firstSkip, requireThat } from '../support/requirements.js';
import type { DumpJson, DumpThread } from '../support/dump-json.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'dump');
/**
 * Dumps of the contending process: the GIL changes hands every 5 ms, so some catch it mid-switch
 * (3.15+, where a waiter is visible); elsewhere a few suffice to check that one thread holds it.
 */
const CONTENDED_DUMPS = 12;
const CONTENDED_DUMPS_WITHOUT_WAITERS = 4;

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts a fixture and waits for the line it prints once it is where the test wants it. */
async function start(py: Python, fixture: string, ready: RegExp): Promise<{ child: ChildProcess; pid: number; match: RegExpMatchArray }> {
  const child = spawn(py.path, [join(FIXTURES, fixture), '900'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const match = await watch(child, `${py.label} ${fixture}`).waitFor(ready, { step: `${fixture} to print ${ready}` });
  if (child.pid === undefined) throw new Error(`${py.path} ${fixture} did not start`);
  return { child, pid: child.pid, match };
}

async function dump(pid: number): Promise<{ json: DumpJson; text: string }> {
  const j = await runPyscope(['dump', '--json', String(pid)]);
  assert.equal(j.code, 0, describeFailure(j));
  const t = await runPyscope(['dump', String(pid)]);
  assert.equal(t.code, 0, describeFailure(t));
  return { json: JSON.parse(j.stdout) as DumpJson, text: t.stdout };
}

/** The header line of the thread with this kernel id (and, for a thread in two interpreters, this one). */
function header(text: string, tid: number, interpreter?: number): string {
  const lines = text.split('\n').filter((l) => l.startsWith(`Thread ${tid} `) || l === `Thread ${tid}`);
  const line = interpreter === undefined ? lines[0] : lines.find((l) => l.includes(`interpreter ${interpreter})`) || l.includes(`interpreter ${interpreter},`));
  assert.ok(line, `no header for thread ${tid} in:\n${text}`);
  return line;
}

const atLeast = (py: Python, major: number, minor: number): boolean => py.version[0] > major || (py.version[0] === major && py.version[1] >= minor);

for (const py of pythons()) {
  describe(`thread state in the dump header on ${py.label}`, skipIfMissing(py), () => {
    test('busy.py: the spinning thread holds the GIL, which is taken; one interpreter is not named', async () => {
      const busy = await start(py, 'busy.py', /ready (\d+)/);
      try {
        const spinnerId = Number(busy.match[1]);
        // 2.7 lets go of the GIL every 100 ticks; a dump may fall there: a few tries.
        let seen: DumpThread | undefined;
        let text = '';
        for (let i = 0; i < 5 && seen?.gil !== true; i++) {
          const d = await dump(busy.pid);
          seen = d.json.threads.find((t) => t.native_thread_id === spinnerId);
          text = d.text;
          const main = d.json.threads.find((t) => t.native_thread_id === busy.pid);
          assert.ok(seen && main, JSON.stringify(d.json.threads));
          assert.notEqual(main.gil, true);
          assert.equal(main.gc, false, 'nobody collects');
          assert.equal(main.gc_collecting, false);
          assert.equal(d.json.threads.filter((t) => t.gil === true).length <= 1, true, 'at most one holder');
        }
        assert.equal(seen?.gil, true, `the spinner holds the GIL: ${JSON.stringify(seen)}`);
        // 3.6 creates its GIL with the first thread; busy.py has one, so every version says it is taken.
        assert.equal(seen.gil_locked, true);
        if (py.version[0] >= 3) assert.equal(seen.gil_last_holder, true, 'the holder took the GIL last');
        else assert.equal(seen.gil_last_holder, null, '2.7 records no last holder');
        assert.match(header(text, spinnerId), /^Thread \d+ \((active|idle)\+gil\): "spinner"$/);
        assert.doesNotMatch(text, /interpreter \d/, 'one interpreter: not named');
      } finally {
        busy.child.kill('SIGKILL');
      }
    });

    test('collecting.py: the thread inside gc.collect() holds the GIL and runs the collector', async () => {
      const gc = await start(py, 'collecting.py', /ready/);
      try {
        const d = await dump(gc.pid);
        const main = d.json.threads.find((t) => t.native_thread_id === gc.pid);
        assert.ok(main, JSON.stringify(d.json.threads));
        assert.equal(main.frames[0]?.function, 'spin_in_collection');
        assert.equal(main.gc_collecting, true, 'the collector is running');
        assert.equal(main.gil, true);
        assert.equal(main.gc, true, 'the GIL holder runs it');
        assert.match(header(d.text, gc.pid), /^Thread \d+ \(active\+gil, gc\)/);
      } finally {
        gc.child.kill('SIGKILL');
      }
    });

    test('contended.py: two spinning threads never both hold the GIL; 3.15+ shows the other waiting', async () => {
      const c = await start(py, 'contended.py', /ready (\d+) (\d+)/);
      try {
        const spinners = [Number(c.match[1]), Number(c.match[2])];
        let waitingSeen = 0;
        let waitingShown = 0;
        const rounds = atLeast(py, 3, 15) ? CONTENDED_DUMPS : CONTENDED_DUMPS_WITHOUT_WAITERS;
        for (let i = 0; i < rounds; i++) {
          const d = await dump(c.pid);
          const threads = d.json.threads.filter((t) => spinners.includes(t.native_thread_id ?? -1));
          assert.equal(threads.length, 2, JSON.stringify(d.json.threads));
          assert.ok(threads.filter((t) => t.gil === true).length <= 1, `at most one holder: ${JSON.stringify(threads)}`);
          for (const t of threads) {
            // Memory says "waiting" only where the thread state records it; never for the holder.
            if (t.gil === true) assert.notEqual(t.gil_state, 'waiting');
            if (!atLeast(py, 3, 15)) assert.equal(t.gil_state, null, 'no native stack, no record: nothing said');
            if (t.gil_state === 'waiting') waitingSeen++;
          }
          // The text is another read, a moment later: it is held to the same rule, not the same answer.
          for (const tid of spinners) if (/, waiting for gil\)/.test(header(d.text, tid))) waitingShown++;
        }
        if (atLeast(py, 3, 15)) {
          assert.ok(waitingSeen > 0, `in ${rounds} JSON dumps a spinner was seen waiting for the GIL`);
          assert.ok(waitingShown > 0, `in ${rounds} text dumps a spinner was shown waiting for the GIL`);
        } else assert.equal(waitingShown, 0);
      } finally {
        c.child.kill('SIGKILL');
      }
    });
  });
}

/** The low-level subinterpreter module of a 3.12+ build, if it has one. */
function subinterpreterModule(py: Python): string | undefined {
  if (py.missing) return undefined;
  try {
    return execFileSync(py.path, ['-c', 'import importlib.util as u; print([m for m in ("_interpreters", "_xxsubinterpreters") if u.find_spec(m)][0])'], {
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

for (const py of pythons().filter((p) => atLeast(p, 3, 12))) {
  const module = subinterpreterModule(py);
  const needs = firstSkip(skipIfMissing(py), requireThat(py.missing !== undefined || module !== undefined, `${py.label} has neither _interpreters nor _xxsubinterpreters`));
  describe(`a process with a subinterpreter on ${py.label}`, needs, () => {
    test("each thread's header names its interpreter; the JSON gives its id", async () => {
      const sub = await start(py, 'subinterpreters.py', /ready/);
      try {
        const d = await dump(sub.pid);
        const inSub = d.json.threads.find((t) => t.frames[0]?.function === 'nap_in_subinterpreter');
        assert.ok(inSub, JSON.stringify(d.json.threads.map((t) => [t.native_thread_id, t.interpreter_id, t.frames[0]?.function])));
        assert.notEqual(inSub.interpreter_id, 0);
        const visitor = d.json.threads.find((t) => t.name === 'visitor');
        const main = d.json.threads.find((t) => t.native_thread_id === sub.pid);
        assert.ok(visitor && main);
        assert.equal(visitor.interpreter_id, 0);
        assert.equal(main.interpreter_id, 0);
        // The visiting thread has a thread state in each interpreter: the same kernel thread twice.
        assert.equal(inSub.native_thread_id, visitor.native_thread_id);
        assert.match(header(d.text, inSub.native_thread_id!, inSub.interpreter_id), new RegExp(`^Thread \\d+ \\((idle|active)(\\+gil)?, interpreter ${inSub.interpreter_id}\\)$`));
        assert.match(header(d.text, sub.pid), /^Thread \d+ \((idle|active)(\+gil)?, interpreter 0\): "MainThread"$/);
      } finally {
        sub.child.kill('SIGKILL');
      }
    });
  });
}
