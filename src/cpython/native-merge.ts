// One thread's stack with native and Python frames together, innermost first: each C call of the
// evaluation loop is replaced by the Python frames it ran. Which calls those are, and how they are
// matched with the frames, is the version's trait (version-traits.ts, NativeEvalTraits). A match
// that cannot be proved (counts that differ, an entry frame outside every C frame) is not guessed:
// the native stack is shown whole and unmerged, followed by the Python stack, with a note saying
// why. No frame is ever dropped; the interpreter's call machinery is only marked, for the
// formatter to hide unless every frame is asked for.
import { basename } from 'node:path';
import { isCallMachinery, plainSymbol } from './call-machinery.js';
import type { EvalMark, Frame } from './model/frames.js';
import type { NativeEvalTraits } from './version-traits.js';

/** What the merge needs of a native frame (src/native's NativeFrame is one). */
export interface NativeFrameLike {
  pc: number;
  /** The stack pointer in this frame: its locals lie between it and the next outer frame's. */
  sp: number;
  /** Path of the ELF file holding pc. */
  module?: string;
  symbol?: string;
  /** Other names of the same function (aliases at its address). */
  aliases?: string[];
  /** The symbol is only the nearest one before pc (pc lies past its end): not the function's name. */
  beyondSymbol?: boolean;
  file?: string;
  line?: number;
}

/** The function a native frame is in, when its symbol says so. */
export function functionOf(n: NativeFrameLike): string | undefined {
  return n.beyondSymbol ? undefined : n.symbol;
}

export type MergedFrame =
  | { kind: 'python'; frame: Frame }
  /** `machinery`: a frame of the interpreter's call machinery, hidden unless every frame is asked for. */
  | { kind: 'native'; frame: NativeFrameLike; machinery: boolean };

export interface MergedStack {
  /** Merged: one stack. Not merged: the native frames, then the Python frames. */
  frames: MergedFrame[];
  merged: boolean;
  /** Why the stacks could not be merged. */
  note?: string;
}

/** How far above a frame's stack pointer its locals can lie when it is the outermost frame read. */
const LAST_FRAME_SPAN = 1 << 20;

export function mergeStacks(native: readonly NativeFrameLike[], python: readonly Frame[], marks: readonly EvalMark[] | undefined, traits: NativeEvalTraits, interpreter: string): MergedStack {
  const hosts = traits.kind === 'per-call' ? perCallHosts(native, python, traits) : entryHosts(native, python, marks ?? [], traits);
  if (typeof hosts === 'string') return unmerged(native, python, interpreter, hosts);
  const frames: MergedFrame[] = [];
  const byHost = new Map(hosts.map((h) => [h.index, h]));
  native.forEach((n, i) => {
    const host = byHost.get(i);
    // A call that ran no Python frame (a generator's finished frame, a shim) stays visible as itself.
    if (host && host.end > host.start) for (let k = host.start; k < host.end; k++) frames.push({ kind: 'python', frame: python[k]! });
    else frames.push(nativeEntry(n, interpreter));
  });
  return { frames, merged: true };
}

/** A native frame index replaced by the Python frames [start, end). */
interface Host {
  index: number;
  start: number;
  end: number;
}

function isEvalCall(n: NativeFrameLike, traits: NativeEvalTraits): boolean {
  const name = functionOf(n);
  return name !== undefined && traits.functions.includes(plainSymbol(name));
}

function perCallHosts(native: readonly NativeFrameLike[], python: readonly Frame[], traits: NativeEvalTraits): Host[] | string {
  const calls = native.flatMap((n, i) => (isEvalCall(n, traits) ? [i] : []));
  if (calls.length !== python.length) return countMismatch(calls.length, python.length, traits);
  return calls.map((index, k) => ({ index, start: k, end: k + 1 }));
}

function countMismatch(calls: number, frames: number, traits: NativeEvalTraits): string {
  return `${calls} call${calls === 1 ? '' : 's'} of ${traits.functions.join('/')} on the C stack for ${frames} Python frame${frames === 1 ? '' : 's'}`;
}

/**
 * 3.11+: the Python frames split at the marks, each group hosted by the C frame that holds the
 * group's entry frame (or _PyCFrame) among its locals. Without addresses for every group, the
 * evaluation calls found by symbol are matched with the groups when their counts agree.
 */
function entryHosts(native: readonly NativeFrameLike[], python: readonly Frame[], marks: readonly EvalMark[], traits: NativeEvalTraits): Host[] | string {
  const groups: { start: number; end: number; address?: number }[] = [];
  let start = 0;
  for (const m of marks) {
    groups.push({ start, end: m.before, address: m.address });
    start = m.before;
  }
  if (start < python.length) return `${python.length - start} Python frame${python.length - start === 1 ? '' : 's'} outside every evaluation call (the frame chain has no entry frame for them)`;
  // The outermost marks may be the thread's base frame (3.15: in the thread state, not on the C
  // stack), which no C call hosts: an empty group that no frame places is left out.
  while (groups.length > 0) {
    const last = groups[groups.length - 1]!;
    if (last.end > last.start || (last.address !== undefined && frameHolding(native, last.address) !== undefined)) break;
    groups.pop();
  }
  const placed = groups.map((g) => (g.address === undefined ? undefined : frameHolding(native, g.address)));
  if (placed.every((p) => p !== undefined) && placed.every((p, i) => i === 0 || p! > placed[i - 1]!)) {
    return groups.map((g, i) => ({ index: placed[i]!, start: g.start, end: g.end }));
  }
  const calls = native.flatMap((n, i) => (isEvalCall(n, traits) ? [i] : []));
  if (calls.length === groups.length) return groups.map((g, i) => ({ index: calls[i]!, start: g.start, end: g.end }));
  const lost = placed.filter((p) => p === undefined).length;
  const counted = `${calls.length} call${calls.length === 1 ? '' : 's'} of ${traits.functions.join('/')} found by name`;
  return lost > 0
    ? `${lost} of ${groups.length} evaluation calls' entry frames lie in no C frame read, and ${counted}`
    : `the evaluation calls' entry frames are not in the order of the C stack, and ${counted}`;
}

/** The native frame whose locals include `address`: between its stack pointer and the next one's. */
function frameHolding(native: readonly NativeFrameLike[], address: number): number | undefined {
  for (let i = 0; i < native.length; i++) {
    const low = native[i]!.sp;
    const high = i + 1 < native.length ? native[i + 1]!.sp : low + LAST_FRAME_SPAN;
    if (address >= low && address < high) return i;
  }
  return undefined;
}

function nativeEntry(n: NativeFrameLike, interpreter: string): MergedFrame {
  const own = n.module !== undefined && (n.module === interpreter || basename(n.module) === basename(interpreter));
  const name = functionOf(n);
  return { kind: 'native', frame: n, machinery: own && name !== undefined && isCallMachinery(name) };
}

function unmerged(native: readonly NativeFrameLike[], python: readonly Frame[], interpreter: string, why: string): MergedStack {
  return {
    frames: [...native.map((n) => nativeEntry(n, interpreter)), ...python.map((frame): MergedFrame => ({ kind: 'python', frame }))],
    merged: false,
    note: `native and Python frames not merged: ${why}`,
  };
}
