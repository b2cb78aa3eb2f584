// Native unwinding of every thread of a real core, held against gdb on the same core. The target
// (test/fixtures/native/blocking.py) parks threads in time.sleep, on a threading.Lock, in os.read on
// a pipe and in a Python comparator that libc's qsort calls through ctypes and libffi; gcore writes
// its core; each thread is unwound from its NT_PRSTATUS registers and compared with gdb's frames:
// every frame on the stack, in gdb's order, at gdb's pc, naming the same function (or, where gdb
// has no name, in the same library). gdb's inline frames live inside one stack frame, and its
// tail-call frames (inferred from DWARF call sites) on none: both are listed, not unwound.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CoreFile } from '../../src/elf/core-file.js';
import { ModuleInfoCache } from '../../src/native/module-info.js';
import { modulesOfCore, VDSO } from '../../src/native/modules.js';
import { readEach, type MemorySource } from '../../src/memory/source.js';
import { registersFromUserRegs, X86_64 } from '../../src/native/registers.js';
import { NativeUnwinder, type UnwindResult } from '../../src/native/unwind.js';
import { gcore, needsGcore, needsKernelCores } from '../core/cores.js';
import { watch } from '../support/child.js';
import { pythonsFrom, REPO_ROOT, skipIfMissing, type Python, hasNativeStacks } from '../support/pythons.js';
import { firstSkip } from '../support/requirements.js';
import { cloneBase, describeFrames, gdbFrames, physicalFrames, sameFunction, sameLine, sameModule, type GdbFrame, type PhysicalFrame } from './gdb-truth.js';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'native', 'blocking.py');
const QSORT_NAMES = new Set(['qsort', 'qsort_r', '__qsort_r', '__GI___qsort_r', '__GI_qsort', 'msort_with_tmp']);

interface Made {
  dir: string;
  core: string;
  exe: string;
  roles: Record<string, number>;
}

type CoreKind = 'gcore' | 'kernel';

/** `memory` with one 64-bit word changed at `address` (a return address pushed by a call). */
function withWord(memory: MemorySource, address: number, value: number): MemorySource {
  const read = (at: number, length: number): Buffer => {
    const b = Buffer.from(memory.read(at, length));
    for (let i = 0; i < 8; i++) {
      const o = address + i - at;
      if (o >= 0 && o < length) b[o] = Number((BigInt(value) >> BigInt(8 * i)) & 0xffn);
    }
    return b;
  };
  return { read, readMany: (r) => readEach({ read }, r), readCount: 0, close: () => undefined };
}

/**
 * Runs the fixture until every thread is parked, then takes its core: gcore's of the live process,
 * or the kernel's, written when SIGQUIT kills it (the child raises its own core size limit).
 */
async function makeCore(python: Python, kind: CoreKind): Promise<Made> {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-native-'));
  // One malloc arena keeps the core small (test/core/cores.ts says why).
  const env = { ...process.env, MALLOC_ARENA_MAX: '1', PYTHONDONTWRITEBYTECODE: '1' };
  const child =
    kind === 'kernel'
      ? spawn('sh', ['-c', 'ulimit -c unlimited && exec "$0" "$@"', python.path, FIXTURE], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(python.path, [FIXTURE], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const watched = watch(child, `blocking.py on ${python.label}`);
  try {
    const m = await watched.waitFor(/^\{.*\}$/m);
    const ready = JSON.parse(m[0]) as { pid: number; roles: Record<string, number> };
    const exe = readlinkSync(`/proc/${ready.pid}/exe`);
    let core: string;
    if (kind === 'gcore') core = await gcore(ready.pid, dir);
    else {
      process.kill(ready.pid, 'SIGQUIT');
      await watched.exited();
      const name = readdirSync(dir).find((f) => f === 'core' || /^core\.\d+$/.test(f));
      if (!name) throw new Error(`${python.label}: SIGQUIT left no core in ${dir}\n${watched.diagnosis()}`);
      core = join(dir, name);
    }
    return { dir, core, exe, roles: ready.roles };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    child.kill('SIGKILL');
    await watched.exited().catch(() => undefined);
  }
}

/** Our frames against the frames gdb finds on the stack: pcs, functions, modules and lines. */
function compareFrames(what: string, result: UnwindResult, physical: readonly PhysicalFrame[], table: string): void {
  assert.deepEqual(
    result.frames.map((f) => f.pc.toString(16)),
    physical.map((f) => f.pc.toString(16)),
    `${what}: ours | gdb\n${table}\nnote: ${result.note ?? '-'}`,
  );
  result.frames.forEach((f, i) => {
    assert.ok(sameFunction(f, physical[i]!), `frame ${i}: ${f.symbol} is not gdb's ${physical[i]!.name}\n${table}`);
    assert.ok(sameModule(f, physical[i]!), `frame ${i}: ${f.module} is not gdb's ${physical[i]!.lib}\n${table}`);
    assert.ok(sameLine(f, physical[i]!), `frame ${i}: ${f.file}:${f.line} is not gdb's ${physical[i]!.file}:${physical[i]!.line}\n${table}`);
    assert.equal(f.signalFrame === true, physical[i]!.kind === 'sigtramp', `frame ${i}: a signal trampoline for both or neither\n${table}`);
  });
}

/** A kernel core of a segfault inside libc (ctypes.string_at(0)) caught by faulthandler, which re-raises it from its handler. */
async function segfaultCore(python: Python): Promise<{ dir: string; core: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-native-sig-'));
  const child = spawn('sh', ['-c', 'ulimit -c unlimited && exec "$0" "$@"', python.path, '-X', 'faulthandler', '-c', 'import ctypes; ctypes.string_at(0)'], {
    cwd: dir,
    env: { ...process.env, MALLOC_ARENA_MAX: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watched = watch(child, `segfault on ${python.label}`);
  await watched.exited();
  const name = readdirSync(dir).find((f) => f === 'core' || /^core\.\d+$/.test(f));
  if (!name) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${python.label}: the segfault left no core\n${watched.diagnosis()}`);
  }
  return { dir, core: join(dir, name) };
}

for (const python of pythonsFrom(3, 8).filter(hasNativeStacks)) {
  test(`a segfault in libc re-raised by faulthandler: unwound through the signal trampoline as gdb does, ${python.label}`, firstSkip(skipIfMissing(python), needsKernelCores()), async () => {
    const made = await segfaultCore(python);
    try {
      const core = CoreFile.open(made.core);
      try {
        const interpreter = [...core.mappedFiles.values()].find((f) => /\/python[\d.]*d?$/.test(f.corePath) && f.localPath !== undefined);
        const truth = await gdbFrames(interpreter?.localPath ?? python.path, made.core);
        const thread = core.crashedThread ?? core.threads[0]!;
        const result = new NativeUnwinder(core, modulesOfCore(core), { cache: new ModuleInfoCache() }).unwind(registersFromUserRegs(thread.regs!));
        const { frames: physical } = physicalFrames(truth.get(thread.tid)!);
        const table = describeFrames(result.frames, physical);
        compareFrames(`${python.label} segfault`, result, physical, table);
        assert.ok(result.frames.some((f) => f.signalFrame), `a signal frame\n${table}`);
      } finally {
        core.close();
      }
    } finally {
      rmSync(made.dir, { recursive: true, force: true });
    }
  });
}

for (const python of pythonsFrom(3, 8).filter(hasNativeStacks)) for (const kind of ['gcore', 'kernel'] as const) {
  describe(`native unwind of a ${kind} core: ${python.label}`, firstSkip(skipIfMissing(python), kind === 'gcore' ? needsGcore() : needsKernelCores()), () => {
    let made: Made;
    let truth: Map<number, GdbFrame[]>;
    let ours: Map<number, UnwindResult>;
    let lost: Set<number>;
    let timing = '';
    before(async () => {
      made = await makeCore(python, kind);
      const core = CoreFile.open(made.core);
      try {
        // gdb is given the interpreter's own ELF file: a sid build runs under its own loader, so
        // /proc/PID/exe (and AT_PHDR) name ld.so, and gdb would then read no CFI of the interpreter.
        const interpreter = [...core.mappedFiles.values()].find((f) => /\/python[\d.]*d?$/.test(f.corePath) && f.localPath !== undefined);
        const local = interpreter?.localPath;
        truth = await gdbFrames(local ?? made.exe, made.core);
        lost = new Set(core.lostStacks());
        const started = performance.now();
        const unwinder = new NativeUnwinder(core, modulesOfCore(core), { cache: new ModuleInfoCache() });
        const unwindAll = (): Map<number, UnwindResult> => new Map(core.threads.map((t) => [t.tid, unwinder.unwind(registersFromUserRegs(t.regs!))]));
        ours = unwindAll();
        const cold = performance.now() - started;
        const again = performance.now();
        unwindAll();
        const warm = performance.now() - again;
        const frames = [...ours.values()].reduce((n, r) => n + r.frames.length, 0);
        timing = (`${python.label}: ${core.threads.length} threads, ${frames} frames: cold ${cold.toFixed(1)} ms (modules, CFI, symbols, line tables read), warm ${warm.toFixed(2)} ms`);
      } finally {
        core.close();
      }
    });
    after(() => {
      if (made) rmSync(made.dir, { recursive: true, force: true });
    });

    test('time to unwind every thread, cold and warm', (t) => {
      t.diagnostic(timing);
    });

    test('a call into the vDSO unwinds through the CFI and symbols read from its image in the core', () => {
      const core = CoreFile.open(made.core);
      try {
        const modules = modulesOfCore(core);
        const vdso = modules.find((m) => m.path === VDSO);
        assert.ok(vdso, 'the vDSO is a module (AT_SYSINFO_EHDR)');
        const thread = core.threads.find((x) => x.tid === made.roles.sleep)!;
        const regs = registersFromUserRegs(thread.regs!);
        const plain = new NativeUnwinder(core, modules, { lines: false }).unwind(regs);
        const info = new NativeUnwinder(core, modules, { lines: false }).infoOf(vdso);
        const entry = info?.symbols.addressOf('__vdso_clock_gettime');
        assert.ok(entry !== undefined, 'the vDSO names __vdso_clock_gettime');
        // The thread as it would be one instruction into a call of clock_gettime from where it
        // sleeps: its pc pushed as the return address, the pc at the vDSO function's entry.
        const sp = regs[X86_64.rsp]! - 8;
        const called = regs.map((v, i) => (i === X86_64.rsp ? sp : i === X86_64.rip ? vdso.bias + entry : v));
        const memory = withWord(core, sp, regs[X86_64.rip]!);
        const through = new NativeUnwinder(memory, modules, { lines: false }).unwind(called);
        assert.equal(through.frames[0]!.module, VDSO);
        assert.ok([through.frames[0]!.symbol, ...(through.frames[0]!.aliases ?? [])].includes('__vdso_clock_gettime'), through.frames[0]!.symbol);
        assert.deepEqual(
          through.frames.slice(1).map((f) => f.pc),
          plain.frames.map((f) => f.pc),
        );
        assert.equal(through.frames[1]!.how, 'cfi');
      } finally {
        core.close();
      }
    });

    for (const role of ['main', 'sleep', 'lock', 'read', 'qsort']) {
      test(`${role}: the frames gdb finds on the stack, in order, at its pcs, same functions`, (t) => {
        const tid = made.roles[role]!;
        const result = ours.get(tid);
        const gdb = truth.get(tid);
        assert.ok(result && gdb, `thread ${tid} is in both`);
        const { frames: physical, tailcalls } = physicalFrames(gdb);
        const table = describeFrames(result.frames, physical);
        if (tailcalls.length) t.diagnostic(`gdb's tail-call frames (no stack frame of their own): ${tailcalls.join(', ')}`);
        if (lost.has(tid)) {
          // gcore lost this stack (zeros where glibc 2.41+ put a guard region in the stack
          // mapping; test/core/cores.ts): the innermost frame must still be right.
          assert.equal(kind, 'gcore', 'only gcore loses stacks');
          assert.equal(result.frames[0]?.pc, physical[0]?.pc, table);
          return;
        }
        compareFrames(`${python.label} ${role} (thread ${tid})`, result, physical, table);
        assert.equal(result.note, undefined, `the walk reached the outermost frame\n${table}`);
        if (role === 'qsort') {
          const names = result.frames.map((f) => cloneBase(f.symbol ?? ''));
          const libffi = result.frames.map((f) => /libffi/.test(basename(f.module ?? '')));
          const sort = names.findIndex((n) => QSORT_NAMES.has(n));
          const call = names.indexOf('ffi_call');
          assert.ok(sort > 0 && libffi.slice(0, sort).some(Boolean), `a libffi closure frame above qsort\n${table}`);
          assert.ok(call > sort, `qsort below the comparator's frames and above ffi_call\n${table}`);
        }
      });
    }
  });
}
