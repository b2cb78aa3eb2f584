// `--native`: each thread's native stack, unwound from its registers, and merged with the Python
// frames of its thread state. Live threads are stopped one at a time only while their registers
// and stack are copied (memory/ptrace); the unwind walks the copy afterwards. A core holds the
// registers of every thread (NT_PRSTATUS) and its stacks, so nothing is stopped.
import { ExitCode, PyscopeError } from '../common/errors.js';
import type { CoreFile } from '../elf/core-file.js';
import { captureThreads } from '../memory/ptrace.js';
import { StackOverlayMemory } from '../memory/stack-overlay.js';
import type { MemorySource } from '../memory/source.js';
import { modulesFromMappings, modulesOfCore, NativeUnwinder, registersFromUserRegs, type NativeFrame, type NativeModule } from '../native/index.js';
import { gilStateFromNative } from './gil-state.js';
import { functionOf, mergeStacks, type MergedStack } from './native-merge.js';
import type { OpenedPython } from './process.js';
import type { ThreadSnapshot } from './snapshot.js';
import { traitsFor } from './version-traits.js';

export interface NativeStack {
  frames: NativeFrame[];
  /** Why the unwind ended before the outermost frame, or why there is no stack at all. */
  note?: string;
}

/** A thread's merged stack, and the note of its unwind. */
export interface NativeView {
  stack: MergedStack;
  unwindNote?: string;
}

/**
 * The unwinder knows x86-64's registers and stack only (native/registers): a 32-bit target's
 * stacks are refused in one line rather than unwound into wrong frames.
 */
export function requireNativeSupport(p: Pick<OpenedPython, 'abi'>): void {
  if (p.abi.pointerSize !== 8) {
    throw new PyscopeError(`native stacks of 32-bit targets are not supported (this one is ${p.abi.machine}, ${p.abi.model}): leave out --native`, ExitCode.usage);
  }
}

/** The modules of a live process, to unwind with (a sampler keeps them across samples). */
export function liveModules(p: OpenedPython): NativeModule[] {
  return modulesFromMappings(p.maps, p.memory);
}

/** Copies and unwinds the stacks of live threads `tids`: each is stopped only while it is copied. */
export function liveNativeStacks(
  p: OpenedPython & { pid: number },
  tids: readonly number[],
  modules: readonly NativeModule[] = liveModules(p),
  opts: UnwindOptions = {},
): Map<number, NativeStack> {
  requireNativeSupport(p);
  const captured = captureThreads(p.pid, tids);
  const out = new Map<number, NativeStack>();
  for (const [tid, c] of captured) {
    if (c instanceof Error) {
      out.set(tid, { frames: [], note: c.message });
      continue;
    }
    out.set(tid, unwindOne(new StackOverlayMemory(p.memory, c.stack), modules, c.regs, opts));
  }
  return out;
}

/** Unwinds every thread of a core from the registers its NT_PRSTATUS notes hold. */
export function coreNativeStacks(core: CoreFile): Map<number, NativeStack> {
  const modules = modulesOfCore(core);
  const lost = new Set(core.lostStacks());
  const out = new Map<number, NativeStack>();
  for (const t of core.threads) {
    if (!t.regs) {
      out.set(t.tid, { frames: [], note: 'the core holds no registers for this thread' });
      continue;
    }
    const stack = unwindOne(core, modules, t.regs);
    // gcore writes zeros for stacks with guard regions (glibc 2.41+): say so rather than what the zeros made of the walk.
    if (lost.has(t.tid)) stack.note = `the core holds only zeros where this thread's stack should be${stack.note ? ` (${stack.note})` : ''}`;
    out.set(t.tid, stack);
  }
  return out;
}

/** `lines: false` leaves out file:line (a profile names native functions by library only, and reads no line tables). */
export interface UnwindOptions {
  lines?: boolean;
}

function unwindOne(memory: MemorySource, modules: readonly NativeModule[], regs: Buffer, opts: UnwindOptions = {}): NativeStack {
  try {
    const r = new NativeUnwinder(memory, modules, { lines: opts.lines ?? true }).unwind(registersFromUserRegs(regs));
    return r.note === undefined ? { frames: r.frames } : { frames: r.frames, note: r.note };
  } catch (e) {
    return { frames: [], note: `the stack could not be unwound: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Each Python thread's stack merged with its native one (by kernel thread id). A thread whose GIL
 * activity memory did not tell gets it from its native stack (waiting in take_gil, dropping it).
 */
export function mergeThreads(p: OpenedPython, threads: readonly ThreadSnapshot[], stacks: ReadonlyMap<number, NativeStack>): Map<ThreadSnapshot, NativeView> {
  const traits = traitsFor(p.version);
  const out = new Map<ThreadSnapshot, NativeView>();
  if (!traits) return out;
  for (const t of threads) {
    const native = t.nativeThreadId === undefined ? undefined : stacks.get(t.nativeThreadId);
    if (!native) {
      out.set(t, { stack: { frames: t.frames.map((frame) => ({ kind: 'python', frame })), merged: false, note: 'no native stack: the thread has no kernel thread id here' } });
      continue;
    }
    const stack = mergeStacks(native.frames, t.frames, t.evalMarks, traits.nativeEval, p.image.path);
    // The stack was copied a moment before memory was read: a thread memory found holding the GIL
    // has taken it since, and is not shown waiting for it as well.
    const activity = gilStateFromNative(native.frames.map((n) => ({ symbol: functionOf(n) })));
    if (!(activity === 'waiting' && t.holdsGil)) t.gilState ??= activity;
    out.set(t, native.note === undefined ? { stack } : { stack, unwindNote: native.note });
  }
  return out;
}
