// Walks one thread's Python frames, innermost first. The walk is bounded in frames and detects
// cycles, so a frame chain that is being rewritten under us, or is corrupt, ends instead of looping.
import { AddressTable } from '../../common/address-table.js';
import { LIMITS, targetExited, type Target } from '../target.js';
import { render, type RenderLimits } from '../objects/render.js';
import type { CodeCache, CodeInfo, LocalKind } from './code.js';

export interface LocalVariable {
  name: string;
  kind: LocalKind;
  value: string;
  /** Address of the value object. */
  address: number;
}

export interface Frame {
  address: number;
  code: CodeInfo;
  line: number | undefined;
  locals?: LocalVariable[];
}

export interface FrameWalkOptions {
  locals?: RenderLimits;
  maxFrames?: number;
  /** 3.11+: collect where one evaluation call's frames end (for merging with the native stack). */
  evalMarks?: boolean;
  /**
   * Walks without locals: the array to return the frames in, its Frame objects overwritten (the
   * sampler's, one per thread, so that a steady-state walk allocates none). What an earlier walk
   * returned in it changes.
   */
  into?: Frame[];
}

/**
 * The end of the frames one C call of the evaluation loop ran (3.11+): the frames before index
 * `before` (innermost first) that follow the previous mark. `address` is the call's entry frame
 * (3.12+), a local on the C stack; on 3.11 the frame only says is_entry, and the address comes
 * from the chain of _PyCFrames (model/eval-marks.ts).
 */
export interface EvalMark {
  before: number;
  address?: number;
}

export interface FrameWalk {
  frames: Frame[];
  /** With `evalMarks`: the ends of the evaluation calls, innermost first. */
  marks?: EvalMark[];
  /** Why the walk stopped early, if it did (cycle, limit, unreadable memory). */
  truncated?: string;
  /**
   * The chain was inconsistent (a cycle, a frame that cannot be read) rather than too long: in a
   * live process, frames freed or reused while they were read.
   */
  inconsistent?: boolean;
}

/**
 * The walk's cycle check, kept from one walk to the next (a Set per walk was most of a sample's
 * garbage). Taken while a walk runs: a walk started inside another (a coroutine's frame while
 * rendering locals) gets a table of its own.
 */
let spareSeen: AddressTable | undefined = new AddressTable();
/** One buffer for every frame's header, kept like spareSeen. */
let spareHeader: Buffer | undefined;

export function walkFrames(t: Target, codes: CodeCache, first: number, opts: FrameWalkOptions = {}): FrameWalk {
  const seen = spareSeen ?? new AddressTable();
  spareSeen = undefined;
  const f = t.b.frame;
  const header = (f.kind === 'frameobject' ? Math.max(f.back, f.code, f.lasti) : Math.max(f.previous, f.code, f.instr, f.owner)) + t.pointerSize;
  // Filled in place where the source can: each field is taken from it before anything else is read.
  let scratch: Buffer | undefined;
  if (t.memory.readInto) {
    scratch = spareHeader !== undefined && spareHeader.length === header ? spareHeader : Buffer.allocUnsafe(header);
    spareHeader = undefined;
  }
  try {
    return walk(t, codes, first, opts, seen, header, scratch);
  } finally {
    seen.clear();
    spareSeen = seen;
    if (scratch) spareHeader = scratch;
  }
}

function walk(t: Target, codes: CodeCache, first: number, opts: FrameWalkOptions, seen: AddressTable, header: number, scratch: Buffer | undefined): FrameWalk {
  const f = t.b.frame;
  const max = opts.maxFrames ?? LIMITS.frames;
  const frames: Frame[] = opts.locals ? [] : (opts.into ?? []);
  let n = 0;
  let addr = first;
  const marks: EvalMark[] | undefined = opts.evalMarks && f.kind === 'interpreterframe' ? [] : undefined;
  try {
    while (addr !== 0) {
      if (seen.has(addr)) return result(frames, n, marks, 'frame chain has a cycle', true);
      if (n >= max) return result(frames, n, marks, `more than ${max} frames`);
      seen.set(addr, 1);
      let raw: Buffer;
      if (scratch) {
        t.memory.readInto!(scratch, addr);
        raw = scratch;
      } else raw = t.read(addr, header);
      if (f.kind === 'frameobject') {
        const codeAddr = t.pointerAt(raw, f.code);
        const lasti = raw.readInt32LE(f.lasti);
        const back = t.pointerAt(raw, f.back);
        const code = codes.get(codeAddr);
        const frame = place(frames, n++, addr, code, codes.line(code, Math.max(0, lasti)) ?? code.firstLine);
        if (opts.locals) frame.locals = readLocals(t, code, addr + f.localsplus, false, opts.locals);
        addr = back;
        continue;
      }
      const next = t.pointerAt(raw, f.previous);
      const owner = raw[f.owner]!;
      let codeAddr = t.pointerAt(raw, f.code);
      const instr = t.pointerAt(raw, f.instr);
      const entry = f.isEntry !== undefined && raw[f.isEntry] !== 0;
      if (f.taggedRefs) codeAddr -= codeAddr % 4;
      if (!f.skipOwners.includes(owner) && codeAddr !== 0 && t.typeName(codeAddr) === 'code') {
        const code = codes.get(codeAddr);
        const index = Math.floor((instr - (codeAddr + t.b.code.codeAdaptive!)) / 2);
        const frame = place(frames, n++, addr, code, index >= 0 ? (codes.line(code, index) ?? code.firstLine) : code.firstLine);
        if (opts.locals) frame.locals = readLocals(t, code, addr + f.localsplus, f.taggedRefs, opts.locals);
        if (marks && entry) marks.push({ before: n });
      } else if (marks && f.skipOwners.includes(owner)) {
        marks.push({ before: n, address: addr });
      }
      addr = next;
    }
  } catch (e) {
    if (n === 0 || targetExited(e)) {
      frames.length = 0;
      throw e;
    }
    return result(frames, n, marks, `frame at 0x${addr.toString(16)} is unreadable`, true);
  }
  return result(frames, n, marks);
}

/** The frame at index n of `frames`: the object already there, overwritten, or a new one. */
function place(frames: Frame[], n: number, address: number, code: CodeInfo, line: number | undefined): Frame {
  const frame = frames[n];
  if (frame === undefined) return (frames[n] = { address, code, line });
  frame.address = address;
  frame.code = code;
  frame.line = line;
  return frame;
}

function result(frames: Frame[], n: number, marks: EvalMark[] | undefined, truncated?: string, inconsistent?: boolean): FrameWalk {
  if (frames.length !== n) frames.length = n;
  const w: FrameWalk = truncated === undefined ? { frames } : inconsistent ? { frames, truncated, inconsistent } : { frames, truncated };
  if (marks) w.marks = marks;
  return w;
}

function readLocals(t: Target, code: CodeInfo, slots: number, tagged: boolean, limits: RenderLimits): LocalVariable[] {
  const n = code.slotNames.length;
  if (n === 0) return [];
  const ptrs = t.pointers(slots, n);
  const out: LocalVariable[] = [];
  for (let i = 0; i < n; i++) {
    const kind = code.slotKinds[i];
    if (kind === undefined) continue;
    let value = ptrs[i]!;
    if (tagged) value -= value % 4;
    if (value === 0) continue;
    if (code.slotCells[i]) {
      // A cell slot holds the cell once the frame runs (before that, on 3.11+, the raw value).
      try {
        if (t.typeName(value) === 'cell') {
          value = t.ptr(value + t.b.cell.ref);
          if (value === 0) continue;
        }
      } catch {
        // leave it to render, which reports unreadable memory
      }
    }
    out.push({ name: code.slotNames[i]!, kind, value: render(t, value, limits), address: value });
  }
  return out;
}

/**
 * Where a frame is in its code: f_lasti (2.7-3.10) or the instruction pointer (3.11+). With the
 * frame's address it tells whether a thread moved between two readings; undefined when the frame
 * cannot be read.
 */
export function framePosition(t: Target, frame: number): number | undefined {
  if (frame === 0) return 0;
  const f = t.b.frame;
  try {
    if (f.kind === 'frameobject') return t.read(frame + f.lasti, 4).readInt32LE(0);
    return t.ptr(frame + f.instr);
  } catch (e) {
    if (targetExited(e)) throw e;
    return undefined;
  }
}
