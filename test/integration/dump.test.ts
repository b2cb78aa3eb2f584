// `pyscope dump` against live processes of every interpreter of the matrix, compared with the truth
// the target records about itself from inside (test/fixtures/dump/target.py), and with py-spy.
import { readableFile } from '../../src/common/file-names.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasNativeStacks, pythons, skipIfMissing, REPO_ROOT, type Python } from '../support/pythons.js';
import { startDumpTarget, type DumpTarget, type TruthFrame, type TruthThread } from '../support/dump-target.js';
import { runCommand, runPyscope, describeFailure, type RunResult } from '../support/pyscope.js';
import { skipOrFail } from '../support/requirements.js';
import type { DumpFrame, DumpJson, DumpThread, PySpyThread } from '../support/dump-json.js';
import { parseTextDump } from '../support/dump-text.js';

const PYSPY = join(REPO_ROOT, 'bench', '.venv', 'bin', 'py-spy');

/**
 * Targets py-spy (0.4) itself cannot read, and what it says then: the comparison expects exactly
 * that failure there (and compares as everywhere else once py-spy can read them).
 */
const PYSPY_CANNOT: { applies: (py: Python) => boolean; why: string; says: RegExp }[] = [
  {
    applies: (py) => py.label.startsWith('sid-'),
    why: "the sid interpreters run through their own dynamic loader, so /proc/PID/exe is ld.so and py-spy finds no Python version in it",
    says: /Failed to find python version from target process/,
  },
  {
    applies: (py) => py.pointerBits === 32,
    why: 'py-spy reads 64-bit targets only, and this 32-bit (i386) interpreter also runs through its own dynamic loader',
    says: /Failed to find python version from target process/,
  },
];

// Every target starts at once, on the first suite that needs one: they park in parallel.
let starting: Map<string, Promise<DumpTarget>> | undefined;
const running: DumpTarget[] = [];
let finished = false;

function targetOf(py: Python): Promise<DumpTarget> {
  if (!starting) {
    starting = new Map();
    for (const p of pythons().filter((x) => !x.missing)) {
      const promise = startDumpTarget(p);
      promise.then(
        (t) => (finished ? t.stop() : running.push(t)),
        () => undefined,
      );
      starting.set(p.label, promise);
    }
  }
  const promise = starting.get(py.label);
  if (!promise) throw new Error(`no target for ${py.label}`);
  return promise;
}

after(() => {
  finished = true;
  for (const t of running) t.stop();
});

function parseJson(r: RunResult): DumpJson {
  assert.equal(r.code, 0, describeFailure(r));
  return JSON.parse(r.stdout) as DumpJson;
}

function byNativeId<T extends { native_thread_id: number | null }>(threads: T[]): T[] {
  return [...threads].sort((a, b) => (a.native_thread_id ?? 0) - (b.native_thread_id ?? 0));
}

function frameKey(f: TruthFrame | DumpFrame): object {
  return { function: f.function, qualname: f.qualname, file: f.file, line: f.line, first_line: f.first_line };
}

function threadKey(t: TruthThread | DumpThread): object {
  return { native_thread_id: t.native_thread_id, thread_id: t.thread_id, name: t.name, frames: t.frames.map(frameKey) };
}

/** What the text mode prints for a frame: qualname where the code object has one. */
function frameLine(f: TruthFrame, fullFilenames: boolean): string {
  return `${f.qualname ?? f.function} (${fullFilenames ? f.file : readableFile(f.file)}:${f.line})`;
}

for (const py of pythons()) {
  describe(`pyscope dump on ${py.label}`, skipIfMissing(py), () => {
    let target: DumpTarget;
    let runs: Record<'json' | 'locals' | 'text' | 'full', Promise<RunResult>>;

    before(async () => {
      target = await targetOf(py);
      const pid = String(target.pid);
      // Started together; each test awaits the one it checks.
      runs = {
        json: runPyscope(['dump', '--json', pid]),
        locals: runPyscope(['dump', '--json', '--locals', '--pid', pid]),
        text: runPyscope(['dump', pid]),
        full: runPyscope(['dump', '--full-filenames', '--pid', pid]),
      };
    });

    test('--json: process, interpreter, and every thread with its name, ids and exact stack', async () => {
      const dump = parseJson(await runs.json);
      const truth = target.truth;
      assert.equal(dump.pid, target.pid);
      assert.match(dump.command, /target\.py/);
      assert.deepEqual(dump.python, { version: truth.version, binary: truth.binary });
      assert.deepEqual(byNativeId(dump.threads).map(threadKey), byNativeId(truth.threads).map(threadKey));
      for (const t of dump.threads) {
        // Every thread of the target is blocked in the kernel, so none runs or holds the GIL.
        assert.equal(t.status, 'idle', `status of thread ${t.native_thread_id} (${t.name})`);
        assert.notEqual(t.gil, true, `gil of thread ${t.native_thread_id} (${t.name})`);
        assert.equal(t.interpreter_id, 0);
        for (const f of t.frames) assert.equal(f.locals, undefined, 'locals appear only with --locals');
      }
    });

    test('doctor: the ABI and the int digit size, as the interpreter itself reports them', async () => {
      const r = await runPyscope(['doctor', String(target.pid)]);
      assert.equal(r.code, 0, describeFailure(r));
      const self = execFileSync(py.path, ['-c', 'import sys; i = getattr(sys, "int_info", None) or sys.long_info; print(i.bits_per_digit)'], { encoding: 'utf8', timeout: 60_000 }).trim();
      const row = (name: string) => new RegExp(`^  ${name}:\\s+(.*)$`, 'm').exec(r.stdout)?.[1];
      assert.equal(row('ABI'), py.pointerBits === 32 ? 'i386, ILP32, 4-byte pointers' : 'x86-64, LP64, 8-byte pointers', r.stdout);
      assert.equal(row('int digits'), `${self}-bit`, r.stdout);
      assert.match(row('result') ?? '', /^ok: /, r.stdout);
    });

    if (!hasNativeStacks(py)) {
      test('--native: refused in one line, naming the 32-bit ABI', async () => {
        const r = await runPyscope(['dump', '--native', String(target.pid)]);
        assert.equal(r.code, 2, describeFailure(r));
        assert.equal(r.stdout, '');
        assert.equal(r.stderr, 'pyscope: error: native stacks of 32-bit targets are not supported (this one is i386, ILP32): leave out --native\n');
      });
    }

    test('--json --locals: every local the target recorded, with its kind and rendering', async () => {
      const dump = parseJson(await runs.locals);
      const ours = new Map(dump.threads.map((t) => [t.native_thread_id, t]));
      let checked = 0;
      for (const truthThread of target.truth.threads) {
        const thread = ours.get(truthThread.native_thread_id);
        assert.ok(thread, `thread ${truthThread.native_thread_id} (${truthThread.name}) is missing`);
        assert.deepEqual(thread.frames.map(frameKey), truthThread.frames.map(frameKey));
        truthThread.frames.forEach((truthFrame, i) => {
          const frame = thread.frames[i]!;
          const where = `${truthThread.name ?? 'unnamed'}: ${frameLine(truthFrame, false)}`;
          assert.ok(Array.isArray(frame.locals), `${where}: no locals array`);
          if (truthFrame.locals === null) return;
          const got = new Map(frame.locals.map((l) => [l.name, l]));
          assert.deepEqual([...got.keys()].sort(), truthFrame.locals.map((l) => l.name).sort(), `${where}: local names`);
          for (const want of truthFrame.locals) {
            const local = got.get(want.name)!;
            assert.equal(local.kind, want.kind, `${where}: kind of ${want.name}`);
            if (want.value !== null) assert.equal(local.value, want.value, `${where}: value of ${want.name}`);
            else if (want.text !== undefined) assert.ok(local.value.includes(want.text), `${where}: ${want.name} = ${local.value} lacks ${JSON.stringify(want.text)}`);
            else assert.ok(local.value.length > 0, `${where}: empty value for ${want.name}`);
            checked++;
          }
        });
      }
      assert.ok(checked > 40, `only ${checked} locals checked`);
    });

    for (const [mode, full] of [['text', false], ['full', true]] as const) {
      test(`text output${full ? ' with --full-filenames' : ''}: header and frame lines in the py-spy format`, async () => {
        const r = await runs[mode];
        assert.equal(r.code, 0, describeFailure(r));
        const text = parseTextDump(r.stdout);
        const truth = target.truth;
        assert.equal(text.pid, target.pid);
        assert.match(text.command, /target\.py/);
        assert.equal(text.version, truth.version);
        assert.equal(text.binary, truth.binary);
        const want = byNativeId(truth.threads).map((t) => ({
          id: String(t.native_thread_id),
          status: 'idle',
          name: t.name,
          frames: t.frames.map((f) => frameLine(f, full)),
        }));
        assert.deepEqual([...text.threads].sort((a, b) => Number(a.id) - Number(b.id)), want);
      });
    }

    test('py-spy agrees on threads, function names, lines and the locals it sees', async (t) => {
      if (!existsSync(PYSPY)) return skipOrFail(t, 'bench/.venv/bin/py-spy is absent (.ci/run installs it)');
      const spy = await runCommand(PYSPY, ['dump', '--json', '--locals', '--pid', String(target.pid)]);
      if (spy.code !== 0) {
        const known = PYSPY_CANNOT.find((k) => k.applies(py));
        assert.ok(known, `py-spy fails on ${py.label}, which it is expected to read:\n${describeFailure(spy)}`);
        assert.match(spy.stderr, known.says, `py-spy fails on ${py.label} otherwise than documented`);
        t.diagnostic(`py-spy cannot read ${py.label} (expected: ${known.why}); nothing to compare with`);
        return;
      }
      const ours = new Map(parseJson(await runs.locals).threads.map((x) => [x.native_thread_id, x]));
      const theirs = JSON.parse(spy.stdout) as PySpyThread[];
      assert.equal(theirs.length, ours.size, 'thread count');
      for (const s of theirs) {
        const mine = ours.get(s.os_thread_id);
        assert.ok(mine, `py-spy's thread ${s.os_thread_id} is not in our dump`);
        assert.equal(mine.thread_id, s.thread_id);
        if (s.thread_name !== null) assert.equal(mine.name, s.thread_name);
        assert.deepEqual(
          s.frames.map((f) => `${f.name}:${f.filename}:${f.line}`),
          // py-spy prints co_name where we have co_qualname; it is the same frame when either matches.
          mine.frames.map((f, i) => `${s.frames[i]?.name === f.qualname ? f.qualname : f.function}:${f.file}:${f.line}`),
          `stack of thread ${s.os_thread_id}`,
        );
        // py-spy leaves out cell and free variables and calls *args/**kwargs locals, so only this
        // much must hold: every local it shows is ours too, and its arguments are ours.
        s.frames.forEach((f, i) => {
          const mineByName = new Map((mine.frames[i]?.locals ?? []).map((l) => [l.name, l]));
          for (const l of f.locals ?? []) {
            const m = mineByName.get(l.name);
            assert.ok(m, `${f.name} (${f.line}): py-spy shows local ${l.name}, we do not`);
            if (l.arg) assert.equal(m.kind, 'argument', `${f.name} (${f.line}): kind of ${l.name}`);
          }
        });
      }
    });
  });
}
