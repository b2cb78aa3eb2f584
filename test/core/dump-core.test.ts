// `pyscope dump --core` on both kinds of core of every interpreter of the matrix: a gcore core of the
// parked dump target and a kernel core of a real crash (crash.py), compared with the truth the
// target recorded from inside; where gdb and pythonX.Y-gdb.py exist, gdb's py-bt must agree.
import { readableFile } from '../../src/common/file-names.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pythons, skipIfMissing, type Python } from '../support/pythons.js';
import type { TruthFrame, TruthThread } from '../support/dump-target.js';
import { runCommand, runPyscope, describeFailure, type RunResult } from '../support/pyscope.js';
import type { DumpFrame, DumpJson, DumpThread } from '../support/dump-json.js';
import { parseTextDump } from '../support/dump-text.js';
import { firstSkip } from '../support/requirements.js';
import { crashLine, gcoreOfTarget, kernelCore, needsGcore, needsKernelCores, type CrashMode, type MadeCore } from './cores.js';

interface CoreDumpJson extends DumpJson {
  crash?: { signal: string; address?: string; thread?: number };
  core: { file: string; signal_number: number | null; si_code: number | null; missing_bytes: number; lost_stacks: number[] };
}

const gcoreSkip = needsGcore();
const kernelSkip = needsKernelCores();

const LOST_WARNING = /^pyscope: warning: the core holds only zeros where the stacks? of threads? ([\d, ]+) should be, .*a kernel-written core has them\)\n$/;

/** The threads whose stacks the core lost, from the warning on stderr (which must be all there is). */
function lostInWarning(stderr: string): number[] {
  if (stderr === '') return [];
  const m = LOST_WARNING.exec(stderr);
  assert.ok(m, `on stderr only the lost-stacks warning, not: ${stderr}`);
  return m[1]!.split(', ').map(Number);
}

/** The dump; on stderr nothing, or only the warning naming the threads whose stacks gcore lost. */
function parseJson(r: RunResult): CoreDumpJson {
  assert.equal(r.code, 0, describeFailure(r));
  const dump = JSON.parse(r.stdout) as CoreDumpJson;
  if (dump.core.lost_stacks.length === 0) assert.equal(r.stderr, '', 'nothing on stderr');
  else assert.deepEqual(LOST_WARNING.exec(r.stderr)?.[1]?.split(', ').map(Number), dump.core.lost_stacks, r.stderr);
  return dump;
}

/**
 * Threads compared with the truth: all of them exactly, except that a thread whose stack the core
 * lost (gcore, glibc guard regions) must show the innermost part of its stack and nothing wrong.
 */
function compareStacks(dump: CoreDumpJson, truthThreads: TruthThread[]): void {
  const lost = new Set(dump.core.lost_stacks);
  if (lost.size === 0) {
    assert.deepEqual(byNativeId(dump.threads.filter((t) => truthThreads.some((x) => x.thread_id === t.thread_id))).map(threadKey), byNativeId(truthThreads).map(threadKey));
    return;
  }
  for (const want of truthThreads) {
    const got = dump.threads.find((t) => t.thread_id === want.thread_id);
    assert.ok(got, `thread ${want.native_thread_id} (${want.name}) is missing`);
    const frames = got.frames.map(frameKey);
    if (lost.has(want.native_thread_id)) {
      assert.ok(frames.length > 0, `thread ${want.native_thread_id}: no frame at all`);
      assert.deepEqual(frames, want.frames.slice(0, frames.length).map(frameKey), `thread ${want.native_thread_id} (${want.name})`);
    } else {
      assert.deepEqual(frames, want.frames.map(frameKey), `thread ${want.native_thread_id} (${want.name})`);
    }
  }
}

function frameKey(f: TruthFrame | DumpFrame): object {
  return { function: f.function, qualname: f.qualname, file: f.file, line: f.line, first_line: f.first_line };
}

function threadKey(t: TruthThread | DumpThread): object {
  return { native_thread_id: t.native_thread_id, thread_id: t.thread_id, name: t.name, frames: t.frames.map(frameKey) };
}

function byNativeId<T extends { native_thread_id: number | null }>(threads: T[]): T[] {
  return [...threads].sort((a, b) => (a.native_thread_id ?? 0) - (b.native_thread_id ?? 0));
}

/** Every local the target recorded must appear with its kind and rendering; returns how many. */
function checkLocals(dump: CoreDumpJson, truthThreads: TruthThread[]): number {
  const ours = new Map(dump.threads.map((t) => [t.thread_id, t]));
  const lost = new Set(dump.core.lost_stacks);
  let checked = 0;
  for (const truthThread of truthThreads) {
    const thread = ours.get(truthThread.thread_id);
    assert.ok(thread, `thread ${truthThread.name} is missing`);
    truthThread.frames.forEach((truthFrame, i) => {
      const frame = thread.frames[i];
      if (!frame && lost.has(truthThread.native_thread_id)) return;
      const where = `${truthThread.name ?? 'unnamed'}: ${truthFrame.function} line ${truthFrame.line}`;
      assert.ok(frame && Array.isArray(frame.locals), `${where}: no locals array`);
      if (truthFrame.locals === null) return;
      const got = new Map(frame.locals.map((l) => [l.name, l]));
      assert.deepEqual([...got.keys()].sort(), truthFrame.locals.map((l) => l.name).sort(), `${where}: local names`);
      for (const want of truthFrame.locals) {
        const local = got.get(want.name)!;
        assert.equal(local.kind, want.kind, `${where}: kind of ${want.name}`);
        if (want.value !== null) assert.equal(local.value, want.value, `${where}: value of ${want.name}`);
        else if (want.text !== undefined) assert.ok(local.value.includes(want.text), `${where}: ${want.name} = ${local.value}`);
        checked++;
      }
    });
  }
  return checked;
}

/**
 * Interpreters gdb's py-bt cannot read, and why: the comparison expects exactly that there (and
 * compares as everywhere else once it can). `noScript`: no pythonX.Y-gdb.py beside the interpreter.
 */
const PYBT_CANNOT: { applies: (py: Python) => boolean; noScript: boolean; why: string }[] = [
  {
    applies: (py) => py.label.startsWith('debian-') || py.label.startsWith('sid-'),
    noScript: true,
    why: "Debian's builds ship python-gdb.py apart from the interpreter (in pythonX.Y-dbg, with the debug symbols py-bt needs)",
  },
];

/** Where gdb can read this interpreter's Python frames: its executable and python-gdb.py. */
function gdbSupport(py: Python): { exe: string; script: string } | undefined {
  const bin = dirname(py.path);
  const name = `python${py.version[0]}.${py.version[1]}`;
  const script = join(bin, `${name}-gdb.py`);
  const exe = join(bin, name);
  return existsSync(script) && existsSync(exe) ? { exe, script } : undefined;
}

/** `thread apply all py-bt` as {LWP: ["function file:line", ...]} (innermost first). */
function parsePyBt(out: string): Map<number, string[]> {
  const stacks = new Map<number, string[]>();
  let current: string[] | undefined;
  for (const line of out.split('\n')) {
    const thread = /^Thread \d+ \(.*LWP (\d+)\)\):?$/.exec(line);
    if (thread) {
      current = [];
      stacks.set(Number(thread[1]), current);
      continue;
    }
    const frame = /^ {2}File "(.*)", line (\d+), in (.*)$/.exec(line);
    if (frame && current) current.push(`${frame[3]} ${frame[1]}:${frame[2]}`);
  }
  return stacks;
}

/** The file's number of lines, to recognise a line number that cannot be right. */
const lineCounts = new Map<string, number>();
function linesIn(file: string): number {
  let n = lineCounts.get(file);
  if (n === undefined) {
    n = existsSync(file) ? readFileSync(file, 'utf8').split('\n').length : Number.MAX_SAFE_INTEGER;
    lineCounts.set(file, n);
  }
  return n;
}

// python-gdb.py of 3.6-3.9 adds co_lnotab's line deltas as unsigned bytes, so past a backward jump
// it prints lines beyond the end of the file: such a line is left out of the comparison.
function withoutImpossibleLine(frame: string): string {
  const m = /^(.*) (.*):(\d+)$/.exec(frame)!;
  return Number(m[3]) > linesIn(m[2]!) ? `${m[1]} ${m[2]}:(beyond the end of the file)` : frame;
}

const CRASH_MODES: Record<string, CrashMode> = {};
pythons().forEach((p, i) => (CRASH_MODES[p.label] = i % 2 === 0 ? 'abort' : 'segv'));

for (const py of pythons()) {
  describe(`pyscope dump --core, gcore core, ${py.label}`, firstSkip(skipIfMissing(py), gcoreSkip), () => {
    let core: MadeCore;
    let runs: Record<'json' | 'locals' | 'text', Promise<RunResult>>;

    before(async () => {
      core = await gcoreOfTarget(py);
      runs = {
        json: runPyscope(['dump', '--json', '--core', core.path]),
        locals: runPyscope(['dump', '--json', '--locals', '--core', core.path]),
        text: runPyscope(['dump', '--core', core.path]),
      };
      await Promise.all(Object.values(runs));
    });
    after(() => core?.remove());

    test('--json: process, interpreter, every thread with its ids and exact stack, no crash', async () => {
      const dump = parseJson(await runs.json);
      const truth = core.truth;
      assert.equal(dump.pid, truth.pid);
      assert.match(dump.command, /target\.py/);
      assert.deepEqual(dump.python, { version: truth.version, binary: truth.binary });
      assert.equal(dump.crash, undefined, 'a gcore core records no crash');
      assert.equal(dump.core.missing_bytes, 0);
      assert.equal(dump.threads.length, truth.threads.length);
      compareStacks(dump, truth.threads);
      for (const t of dump.threads) assert.equal(t.status, 'unknown', 'a core does not say whether a thread ran');
    });

    test('--json --locals: every local the target recorded', async () => {
      const checked = checkLocals(parseJson(await runs.locals), core.truth.threads);
      assert.ok(checked > 40, `only ${checked} locals checked`);
    });

    test('text output: the live dump format', async () => {
      const r = await runs.text;
      assert.equal(r.code, 0, describeFailure(r));
      // gcore may lose the stacks of some threads (the warning names them, --json checks it): those
      // show the innermost part of their stack; every other thread shows all of it.
      const lost = new Set(lostInWarning(r.stderr));
      const text = parseTextDump(r.stdout);
      assert.equal(text.pid, core.truth.pid);
      assert.equal(text.version, core.truth.version);
      assert.equal(text.binary, core.truth.binary);
      const got = text.threads.map((t) => ({ id: t.id, name: t.name, frames: t.frames })).sort((a, b) => Number(a.id) - Number(b.id));
      const want = byNativeId(core.truth.threads).map((t, i) => {
        // A core does not say its process's working directory: files are named from pyscope's, this test's (issue 15).
        const frames = t.frames.map((f) => `${f.qualname ?? f.function} (${readableFile(f.file, process.cwd())}:${f.line})`);
        const shown = got[i]?.frames.length ?? 0;
        const cut = lost.has(t.native_thread_id) && shown > 0 && shown < frames.length;
        return { id: String(t.native_thread_id), name: t.name, frames: cut ? frames.slice(0, shown) : frames };
      });
      assert.deepEqual(got, want, lost.size ? `stacks of threads ${[...lost].join(', ')} lost by gcore may be cut short` : undefined);
    });

    test("gdb's py-bt agrees on every thread's functions, files and lines", async (t) => {
      const gdb = gdbSupport(py);
      if (!gdb) {
        const known = PYBT_CANNOT.find((k) => k.applies(py) && k.noScript);
        assert.ok(known, `no python${py.version[0]}.${py.version[1]}-gdb.py beside ${py.path}, where the build ships one`);
        t.diagnostic(`gdb cannot read ${py.label} (expected: ${known.why}); nothing to compare with`);
        return;
      }
      const r = await runCommand('gdb', ['-batch', '-nx', '-ex', 'set auto-load off', '-ex', `source ${gdb.script}`, '-ex', 'thread apply all py-bt', gdb.exe, core.path]);
      const theirs = parsePyBt(r.stdout);
      const usable = [...theirs.values()].filter((s) => s.length > 0).length;
      if (usable === 0) {
        const said = r.stdout.split('\n').filter((l) => /Python|Unable|unable/.test(l))[0] ?? '';
        const known = PYBT_CANNOT.find((k) => k.applies(py) && !k.noScript);
        assert.ok(known, `py-bt reads no Python frame on ${py.label}, which it is expected to read: ${said}\n${describeFailure(r)}`);
        t.diagnostic(`py-bt reads no Python frame on ${py.label} (expected: ${known.why}): ${said}`);
        return;
      }
      const ours = parseJson(await runs.json);
      let compared = 0;
      for (const thread of ours.threads) {
        const stack = theirs.get(thread.native_thread_id ?? -1);
        assert.ok(stack && stack.length > 0, `gdb shows no Python frame for thread ${thread.native_thread_id}`);
        // py-bt may stop before the outermost frames (3.11 stops at the first entry frame), so its
        // stack must be the innermost part of ours.
        const mine = thread.frames.slice(0, stack.length).map((f, i) => {
          const gdbFrame = stack[i]!;
          return withoutImpossibleLine(gdbFrame) !== gdbFrame ? `${f.function} ${f.file}:(beyond the end of the file)` : `${f.function} ${f.file}:${f.line}`;
        });
        assert.deepEqual(stack.map(withoutImpossibleLine), mine, `thread ${thread.native_thread_id} (${thread.name})`);
        compared++;
      }
      assert.equal(compared, core.truth.threads.length);
    });
  });

  const mode = CRASH_MODES[py.label]!;
  describe(`pyscope dump --core, kernel core of a ${mode === 'segv' ? 'SIGSEGV' : 'SIGABRT'}, ${py.label}`, firstSkip(skipIfMissing(py), kernelSkip), () => {
    let core: MadeCore & { exitSignal: string };
    let runs: Record<'json' | 'locals' | 'text', Promise<RunResult>>;
    const signal = mode === 'segv' ? 'SIGSEGV' : 'SIGABRT';

    before(async () => {
      core = await kernelCore(py, mode);
      runs = {
        json: runPyscope(['dump', '--json', '--core', core.path]),
        locals: runPyscope(['dump', '--json', '--locals', '--core', core.path]),
        text: runPyscope(['dump', '--core', core.path]),
      };
      await Promise.all(Object.values(runs));
    });
    after(() => core?.remove());

    const parked = (): TruthThread[] => core.truth.threads.filter((t) => t.name !== 'crasher');

    test('--json: the crash reason, the crashed thread, and the exact stacks of the parked threads', async () => {
      assert.equal(core.exitSignal, signal);
      const dump = parseJson(await runs.json);
      assert.equal(dump.pid, core.truth.pid);
      assert.match(dump.command, /crash\.py/);
      assert.deepEqual(dump.python, { version: core.truth.version, binary: core.truth.binary });
      const crasher = dump.threads.find((t) => t.name === 'crasher');
      assert.ok(crasher, 'the crashing thread is in the dump');
      assert.deepEqual(dump.crash, mode === 'segv' ? { signal, address: '0x0', thread: crasher.native_thread_id } : { signal, thread: crasher.native_thread_id });
      assert.equal(dump.core.signal_number, mode === 'segv' ? 11 : 6);
      assert.deepEqual(dump.core.lost_stacks, [], 'a kernel core holds every stack');
      compareStacks(dump, parked());
      // The crasher was recorded waiting; it crashed two calls deeper, from a marked line.
      const truthCrasher = core.truth.threads.find((t) => t.name === 'crasher')!;
      const own = crasher.frames.map((f) => `${f.function} ${basename(f.file)}:${f.line}`);
      const top = mode === 'segv' ? [`crash crash.py:${crashLine('segv')}`] : [`crash crash.py:${crashLine('abort')}`];
      if (mode === 'segv') {
        assert.equal(crasher.frames[0]?.function, 'string_at');
        assert.match(crasher.frames[0]?.file ?? '', /ctypes[/\\]__init__\.py$/);
        own.shift();
      }
      assert.deepEqual(own.slice(0, 2), [...top, `crash_when_parked crash.py:${crashLine('caller')}`]);
      assert.deepEqual(crasher.frames.slice(-(truthCrasher.frames.length - 1)).map(frameKey), truthCrasher.frames.slice(1).map(frameKey));
    });

    test('--json --locals: the locals of the parked threads', async () => {
      const checked = checkLocals(parseJson(await runs.locals), parked());
      assert.ok(checked > 40, `only ${checked} locals checked`);
    });

    test('text output: a Crashed line and the crashed thread marked in its header', async () => {
      const r = await runs.text;
      assert.equal(r.code, 0, describeFailure(r));
      const lines = r.stdout.split('\n');
      const crashed = lines.filter((l) => l.endsWith(' [crashed]'));
      assert.equal(crashed.length, 1, r.stdout.slice(0, 3000));
      assert.match(crashed[0]!, /^Thread \d+.*: "crasher" \[crashed\]$/);
      assert.equal(lines[2], mode === 'segv' ? 'Crashed: SIGSEGV at 0x0' : 'Crashed: SIGABRT');
      // Without the crash line and marker, it is the live dump format.
      const text = parseTextDump(lines.filter((_, i) => i !== 2).map((l) => l.replace(/ \[crashed\]$/, '')).join('\n'));
      assert.equal(text.threads.length, core.truth.threads.length);
    });
  });
}
