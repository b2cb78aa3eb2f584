// `pyscope dump --native` (live and of a gcore core) on every interpreter of the matrix, against
// two truths: the Python frames the target records about itself (blocked.py), exactly, and gdb's
// `thread apply all bt` of the same process attached after the dump (or of the same core): the
// innermost native frame, every libc and libffi frame in gdb's order, and in the qsort thread a
// qsort frame between the comparator and its caller. Where py-spy is installed, what `py-spy dump
// --native` makes of the same process is recorded as a diagnostic, not asserted.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gcore, hasGcore, kernelCoresUnavailable } from '../core/cores.js';
import { startBlocked, type BlockedTarget, type BlockedThread } from '../support/blocked-target.js';
import { baseName, gdbAvailable, gdbCore, gdbLive, physicalFrames, programOf, type GdbBacktrace, type GdbFrame } from '../support/gdb-bt.js';
import { pythons, skipIfMissing, REPO_ROOT, type Python, hasNativeStacks } from '../support/pythons.js';
import { describeFailure, runCommand, runPyscope, type RunResult } from '../support/pyscope.js';
import { partNeeds, requireTool } from '../support/requirements.js';

const PYSPY = join(REPO_ROOT, 'bench', '.venv', 'bin', 'py-spy');

/** `dump --native --json`, as docs/dump-json.md states it. */
interface NativeDumpFrame {
  kind: 'python' | 'native';
  function: string | null;
  file?: string;
  line?: number | null;
  address?: string;
  library?: string | null;
  aliases?: string[];
}

interface NativeDumpThread {
  native_thread_id: number | null;
  name: string | null;
  native?: { merged: boolean; note?: string; unwind_note?: string };
  frames: NativeDumpFrame[];
}

interface NativeDumpJson {
  threads: NativeDumpThread[];
  core?: { lost_stacks: number[] };
}

const SYSTEM_LIBRARY = /^(libc\.so|libffi\.so)/;

function parse(r: RunResult): NativeDumpJson {
  assert.equal(r.code, 0, describeFailure(r));
  return JSON.parse(r.stdout) as NativeDumpJson;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** A library by the file it is (gdb names libffi.so.8, the mapping its target libffi.so.8.1.2). */
function libraryFile(path: string | null | undefined): string {
  if (!path) return '?';
  try {
    return basename(realpathSync(path));
  } catch {
    return basename(path);
  }
}

/** A native frame as one comparable line: the pc, and the name with glibc's aliases taken off. */
function describeNative(address: string, name: string | null | undefined, library: string | null | undefined): string {
  return `${address} ${name ? baseName(name) : '??'} (${libraryFile(library)})`;
}

/** Our name for a frame, or the alias at the same address that gdb chose (__libc_start_main is __libc_start_main_impl). */
function nameLike(f: NativeDumpFrame, gdbName: string | undefined): string | null {
  if (gdbName === undefined) return null;
  const names = [f.function, ...(f.aliases ?? [])].filter((n): n is string => n !== null);
  return names.find((n) => baseName(n) === baseName(gdbName)) ?? f.function;
}

function checkThread(where: string, truth: BlockedThread, ours: NativeDumpThread, gdbFrames: GdbFrame[], gdbStopped: string | undefined, t?: TestContext): void {
  const at = `${where} thread ${truth.role} (${truth.native_thread_id})`;
  assert.ok(ours.native?.merged, `${at}: not merged: ${ours.native?.note ?? 'no native object'}`);
  // The Python frames, exactly, in order.
  const python = ours.frames.filter((f) => f.kind === 'python').map((f) => `${f.function} (${f.file}:${f.line})`);
  assert.deepEqual(python, truth.frames.map((f) => `${f.function} (${f.file}:${f.line})`), `${at}: Python frames`);
  const native = ours.frames.filter((f) => f.kind === 'native');
  assert.ok(native.length > 0, `${at}: no native frame`);
  assert.equal(ours.frames[0]!.kind, 'native', `${at}: the innermost frame is not native`);
  const physical = gdbFrames;
  assert.ok(physical.length > 0, `${at}: gdb has no frame`);
  // The innermost native frame: gdb's pc, and gdb's name where gdb has one.
  const first = native[0]!;
  const g0 = physical[0]!;
  assert.equal(first.address, hex(g0.pc), `${at}: innermost pc`);
  if (g0.name !== undefined) assert.equal(baseName(nameLike(first, g0.name) ?? '??'), baseName(g0.name), `${at}: innermost function`);
  // Every libc/libffi frame, in gdb's order, at gdb's pcs, with gdb's names where gdb has them.
  const theirs = physical.filter((f) => f.library !== undefined && SYSTEM_LIBRARY.test(basename(f.library)));
  // Where gdb's own unwind gave up early, the comparison ends at gdb's outermost frame.
  let reach = native;
  if (gdbStopped !== undefined) {
    const last = hex(physical[physical.length - 1]!.pc);
    const at2 = native.findIndex((f) => f.address === last);
    if (at2 >= 0) reach = native.slice(0, at2 + 1);
    t?.diagnostic(`${at}: gdb's unwind stopped (${gdbStopped}) at ${last}; pyscope went on for ${native.length - reach.length} more native frames`);
  }
  const mine = reach.filter((f) => f.library && SYSTEM_LIBRARY.test(basename(f.library)));
  assert.deepEqual(
    mine.map((f, i) => describeNative(f.address!, nameLike(f, theirs[i]?.name), f.library)),
    theirs.map((f) => describeNative(hex(f.pc), f.name, f.library)),
    `${at}: libc/libffi frames against gdb`,
  );
  if (truth.role === 'qsort') {
    const compare = ours.frames.findIndex((f) => f.kind === 'python' && f.function === 'compare');
    const caller = ours.frames.findIndex((f) => f.kind === 'python' && f.function === 'block_in_qsort');
    const between = ours.frames.slice(compare + 1, caller);
    assert.ok(compare >= 0 && caller > compare, `${at}: compare and block_in_qsort in order`);
    // Stripped libcs (Debian sid's) name qsort_r only by its exported symbol, as gdb does.
    assert.ok(
      between.some((f) => f.kind === 'native' && f.function !== null && /qsort/.test(f.function)),
      `${at}: no qsort frame between the comparator and its caller: ${between.map((f) => f.function ?? f.address).join(', ')}`,
    );
  }
}

function checkAll(where: string, target: BlockedTarget, json: NativeDumpJson, gdb: GdbBacktrace, t?: TestContext): void {
  for (const truth of target.truth.threads) {
    // gcore writes zeros for the stacks of threads whose stack has a guard region (glibc 2.41+,
    // Debian sid's): neither pyscope nor gdb can unwind those, and pyscope says so.
    if (json.core?.lost_stacks.includes(truth.native_thread_id)) {
      t?.diagnostic(`${where} (${target.python.label}): thread ${truth.role}'s stack is zeros in the core (lost_stacks), not compared`);
      continue;
    }
    const ours = json.threads.find((t) => t.native_thread_id === truth.native_thread_id);
    assert.ok(ours, `${where}: thread ${truth.role} (${truth.native_thread_id}) missing from the dump`);
    const theirs = gdb.threads.get(truth.native_thread_id);
    assert.ok(theirs, `${where}: gdb has no LWP ${truth.native_thread_id}:\n${gdb.text.slice(0, 4000)}`);
    try {
      checkThread(where, truth, ours, physicalFrames(theirs), theirs.stopped, t);
    } catch (e) {
      const mine = ours.frames.map((f) => (f.kind === 'python' ? `  py ${f.function}` : `  ${describeNative(f.address!, f.function, f.library)}`)).join('\n');
      const gdbs = physicalFrames(theirs)
        .map((f) => `  ${describeNative(hex(f.pc), f.name, f.library)}`)
        .join('\n');
      (e as Error).message += `\n--- pyscope:\n${mine}\n--- gdb:\n${gdbs}`;
      throw e;
    }
  }
}

/** What py-spy's native dump gets wrong on the same process: frames left as addresses, merge failures. */
async function pySpyDiagnostic(t: TestContext, target: BlockedTarget): Promise<void> {
  const r = await runCommand(PYSPY, ['dump', '--native', '--pid', String(target.pid)]);
  if (r.code !== 0) {
    const said = `${r.stderr}\n${r.stdout}`.split('\n').find((l) => /error/i.test(l)) ?? `exit ${r.code}`;
    t.diagnostic(`py-spy dump --native (${target.python.label}): fails: ${said.trim()}`);
    return;
  }
  const lines = r.stdout.split('\n').filter((l) => /^\s{4}\S/.test(l));
  const libcBare = lines.filter((l) => /^\s+0x[0-9a-f]+ \(libc\.so/.test(l)).length;
  const libc = lines.filter((l) => /\(libc\.so/.test(l)).length;
  // sorted() calls its key function from C (builtin_sorted, list_sort): those frames belong between the two Python frames.
  const sortedBlock = r.stdout.split(/\n(?=Thread )/).find((b) => b.includes('sort_key')) ?? '';
  const between = sortedBlock.slice(sortedBlock.indexOf('sort_key'), sortedBlock.indexOf('block_in_sorted'));
  const sortedC = /sort/.test(between.replace(/sort_key[^\n]*/, ''));
  const missing = target.truth.threads.flatMap((th) => th.frames.map((f) => f.function)).filter((name) => !r.stdout.includes(name));
  t.diagnostic(
    `py-spy dump --native (${target.python.label}): ${libcBare} of its ${libc} libc frames are bare addresses (gdb and pyscope name them); ` +
      `sorted()'s C frames between sort_key and block_in_sorted ${sortedC ? 'shown' : 'missing'}; ` +
      `${missing.length} Python frames of the truth missing${missing.length ? ` (${[...new Set(missing)].join(', ')})` : ''}`,
  );
}

function nativeTest(py: Python): void {
  test(`${py.label}: dump --native, live, of a gcore core and of a kernel core, against the truth and gdb`, { ...skipIfMissing(py), ...requireTool('gdb', gdbAvailable()) }, async (t) => {
    const target = await startBlocked(py, { MALLOC_ARENA_MAX: '1' }, { coreDumps: kernelCoresUnavailable() === undefined });
    const dir = mkdtempSync(join(tmpdir(), 'pyscope-native-'));
    try {
      const program = programOf(target.pid);
      const json = parse(await runPyscope(['dump', '--native-all', '--json', String(target.pid)]));
      const text = await runPyscope(['dump', '--native', String(target.pid)]);
      const live = await gdbLive(target.pid);
      checkAll('live', target, json, live, t);
      // The text form: a native line names its library, and the call machinery is hidden.
      assert.equal(text.code, 0, describeFailure(text));
      assert.match(text.stdout, /^ {4}\S+ \((libc\.so\.6|[\w.-]+\.[ch]:\d+)\)$/m);
      assert.match(text.stdout, /^ {4}block_in_qsort \(blocked\.py:\d+\)$/m);
      assert.doesNotMatch(text.stdout, /^ {4}(_PyObject_Vectorcall\w*|method_vectorcall\w*|_PyFunction_Vectorcall) \(/m);
      if (existsSync(PYSPY)) await pySpyDiagnostic(t, target);
      if (partNeeds(t, hasGcore(), 'gcore is not installed')) {
        const core = await gcore(target.pid, dir);
        const fromCore = parse(await runPyscope(['dump', '--core', core, '--native-all', '--json']));
        checkAll('gcore core', target, fromCore, await gdbCore(core, program), t);
        rmSync(core, { force: true });
      }
      const noKernelCores = kernelCoresUnavailable();
      if (noKernelCores !== undefined) t.diagnostic(`kernel core not checked: ${noKernelCores}`);
      else {
        // SIGABRT's default action: the kernel writes the core of every thread where it stands.
        process.kill(target.pid, 'SIGABRT');
        await target.ended;
        const name = readdirSync(target.dir).find((f) => f === 'core' || /^core\.\d+$/.test(f));
        assert.ok(name, `${py.label}: SIGABRT left no core in ${target.dir}`);
        const core = join(target.dir, name);
        const fromCore = parse(await runPyscope(['dump', '--core', core, '--native-all', '--json']));
        checkAll('kernel core', target, fromCore, await gdbCore(core, program), t);
      }
    } finally {
      target.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

describe('dump --native', () => {
  // 32-bit targets are left out: pyscope refuses --native for them (dump.test.ts checks the refusal).
  for (const py of pythons().filter(hasNativeStacks)) nativeTest(py);
});
