// Interpreters and their thread states, from _PyRuntime (3.7+) or interp_head (2.7, 3.6).
// Both lists are bounded and cycle-checked.
import { ExitCode, PyscopeError } from '../../common/errors.js';
import { AddressTable } from '../../common/address-table.js';
import { LIMITS, targetExited, type Target } from '../target.js';

export interface ThreadState {
  address: number;
  interpreter: number;
  interpreterId: number;
  /** threading.get_ident(): the pthread_t. */
  threadId: number;
  /** Kernel thread id, where the interpreter records it (3.8+). */
  nativeThreadId?: number;
  /** 3.15+: the thread's own word on the GIL (tstate->holds_gil, tstate->gil_requested). */
  holdsGil?: boolean;
  gilRequested?: boolean;
  /** Address of the innermost frame (PyFrameObject or _PyInterpreterFrame), or 0. */
  frame: number;
  /** Why the frame pointer could not be read (the thread state changed under the reader). */
  torn?: string;
}

export interface InterpreterRoots {
  runtime?: number;
  interpHead?: number;
}

export function interpreters(t: Target, roots: InterpreterRoots): number[] {
  const b = t.b;
  let head: number;
  if (b.interpreters.via === 'runtime') {
    if (roots.runtime === undefined) throw new PyscopeError('this Python keeps its interpreters in _PyRuntime, but its file defines no _PyRuntime', ExitCode.unsupportedVersion);
    head = t.ptr(roots.runtime + b.interpreters.headOffset);
  } else {
    if (roots.interpHead === undefined) throw new PyscopeError('this Python keeps its interpreters in interp_head, but its file defines no interp_head', ExitCode.unsupportedVersion);
    head = t.ptr(roots.interpHead);
  }
  const out: number[] = [];
  for (let i = head; i !== 0 && out.length < LIMITS.interpreters && !out.includes(i); i = t.ptr(i + b.interp.next)) out.push(i);
  return out;
}

export interface ThreadList {
  states: ThreadState[];
  /** Why the list may lack threads: it changed while it was read (a thread being freed). */
  torn?: string;
}

/** The list's cycle check, kept from one read to the next (see walkFrames' for why). */
let spareSeen: AddressTable | undefined = new AddressTable();

/** Tries to read the list whole this many times before settling for the longest torn read. */
const LIST_ATTEMPTS = 3;

/**
 * The thread states of an interpreter. Threads start and end while we read: a thread state freed
 * under the reader tears the list, which is then read again from its head.
 */
export function threadStates(t: Target, interp: number, interpreterId: number): ThreadList {
  let best: ThreadList | undefined;
  for (let attempt = 0; attempt < LIST_ATTEMPTS; attempt++) {
    const list = readThreadList(t, interp, interpreterId);
    if (list.torn === undefined) return list;
    if (!best || list.states.length > best.states.length) best = list;
    // Cached pages are what tore the list (read at different moments): read it afresh.
    t.memory.refresh?.();
  }
  return best!;
}

function readThreadList(t: Target, interp: number, interpreterId: number): ThreadList {
  const b = t.b;
  const ts = b.tstate;
  const span = Math.max(ts.prev ?? 0, ts.next, ts.interp, ts.threadId, ts.nativeThreadId ?? 0, ts.holdsGil ?? 0, ts.gilRequested ?? 0, ts.frame.kind === 'direct' ? ts.frame.offset : ts.frame.cframe) + 8; // 8: the widest field read (int64 on every ABI)
  const seen = spareSeen ?? new AddressTable();
  spareSeen = undefined;
  // One buffer for every thread state, filled in place where the source can.
  const scratch = t.memory.readInto ? Buffer.allocUnsafe(span) : undefined;
  try {
    return readStates(t, interp, interpreterId, span, seen, scratch);
  } finally {
    seen.clear();
    spareSeen = seen;
  }
}

function readStates(t: Target, interp: number, interpreterId: number, span: number, seen: AddressTable, scratch: Buffer | undefined): ThreadList {
  const b = t.b;
  const ts = b.tstate;
  const states: ThreadState[] = [];
  let previous = 0;
  for (let a = t.ptr(interp + b.interp.threadsHead); a !== 0 && states.length < LIMITS.threads; ) {
    if (seen.has(a)) return { states, torn: 'the thread list has a cycle' };
    seen.set(a, 1);
    let raw: Buffer;
    try {
      if (scratch) {
        t.memory.readInto!(scratch, a);
        raw = scratch;
      } else raw = t.read(a, span);
    } catch (e) {
      if (targetExited(e)) throw e;
      return { states, torn: `thread state at 0x${a.toString(16)} is unreadable` };
    }
    // A live thread state names its interpreter and, in a doubly linked list, the one before it.
    // A freed one fails either: the allocator writes its own links over the first words.
    const linked = ts.prev === undefined || t.pointerAt(raw, ts.prev) === previous;
    if (t.pointerAt(raw, ts.interp) !== interp || !linked) return { states, torn: `thread state at 0x${a.toString(16)} is stale (its thread was ending)` };
    let frame: number;
    let torn: string | undefined;
    if (ts.frame.kind === 'direct') frame = t.pointerAt(raw, ts.frame.offset);
    else {
      const cframe = t.pointerAt(raw, ts.frame.cframe);
      try {
        frame = cframe ? t.ptr(cframe + ts.frame.currentFrame) : 0;
      } catch (e) {
        if (targetExited(e)) throw e;
        frame = 0;
        torn = `its current frame pointer (0x${cframe.toString(16)}) is unreadable`;
      }
    }
    // native_thread_id is an unsigned long: the target's word.
    const native = ts.nativeThreadId !== undefined ? t.ssizeAt(raw, ts.nativeThreadId) : undefined;
    states.push({
      address: a,
      interpreter: interp,
      interpreterId,
      threadId: t.pointerAt(raw, ts.threadId),
      nativeThreadId: native !== undefined && native > 0 ? native : undefined,
      holdsGil: ts.holdsGil !== undefined ? raw.readInt32LE(ts.holdsGil) !== 0 : undefined,
      gilRequested: ts.gilRequested !== undefined ? raw.readInt32LE(ts.gilRequested) !== 0 : undefined,
      frame,
      torn,
    });
    previous = a;
    a = t.pointerAt(raw, ts.next);
  }
  return { states };
}

/** The innermost frame of a thread state, read afresh: a walk that tore starts again from here. */
export function currentFrame(t: Target, state: ThreadState): number {
  const f = t.b.tstate.frame;
  if (f.kind === 'direct') return t.ptr(state.address + f.offset);
  const cframe = t.ptr(state.address + f.cframe);
  return cframe ? t.ptr(cframe + f.currentFrame) : 0;
}

export function interpreterId(t: Target, interp: number, index: number): number {
  const off = t.b.interp.id;
  return off !== undefined ? t.i64(interp + off) : index;
}
