// Interpreters and their thread states, from _PyRuntime (3.7+) or interp_head (2.7, 3.6).
// Both lists are bounded and cycle-checked.
import { LIMITS, Target } from '../target.js';

export interface ThreadState {
  address: number;
  interpreter: number;
  interpreterId: number;
  /** threading.get_ident(): the pthread_t. */
  threadId: number;
  /** Kernel thread id, where the interpreter records it (3.8+). */
  nativeThreadId?: number;
  /** Address of the innermost frame (PyFrameObject or _PyInterpreterFrame), or 0. */
  frame: number;
}

export interface InterpreterRoots {
  runtime?: number;
  interpHead?: number;
}

export function interpreters(t: Target, roots: InterpreterRoots): number[] {
  const b = t.b;
  let head: number;
  if (b.interpreters.via === 'runtime') {
    if (roots.runtime === undefined) throw new Error('no _PyRuntime address');
    head = t.ptr(roots.runtime + b.interpreters.headOffset);
  } else {
    if (roots.interpHead === undefined) throw new Error('no interp_head address');
    head = t.ptr(roots.interpHead);
  }
  const out: number[] = [];
  for (let i = head; i !== 0 && out.length < LIMITS.interpreters && !out.includes(i); i = t.ptr(i + b.interp.next)) out.push(i);
  return out;
}

export function threadStates(t: Target, interp: number, interpreterId: number): ThreadState[] {
  const b = t.b;
  const ts = b.tstate;
  const span = Math.max(ts.next, ts.interp, ts.threadId, ts.nativeThreadId ?? 0, ts.frame.kind === 'direct' ? ts.frame.offset : ts.frame.cframe) + 8;
  const out: ThreadState[] = [];
  const seen = new Set<number>();
  for (let a = t.ptr(interp + b.interp.threadsHead); a !== 0 && out.length < LIMITS.threads && !seen.has(a); ) {
    seen.add(a);
    const raw = t.read(a, span);
    let frame: number;
    if (ts.frame.kind === 'direct') frame = Target.ptrAt(raw, ts.frame.offset);
    else {
      const cframe = Target.ptrAt(raw, ts.frame.cframe);
      frame = cframe ? t.ptr(cframe + ts.frame.currentFrame) : 0;
    }
    const native = ts.nativeThreadId !== undefined ? Number(raw.readBigInt64LE(ts.nativeThreadId)) : undefined;
    out.push({
      address: a,
      interpreter: interp,
      interpreterId,
      threadId: Target.ptrAt(raw, ts.threadId),
      nativeThreadId: native !== undefined && native > 0 ? native : undefined,
      frame,
    });
    a = Target.ptrAt(raw, ts.next);
  }
  return out;
}

export function interpreterId(t: Target, interp: number, index: number): number {
  const off = t.b.interp.id;
  return off !== undefined ? t.i64(interp + off) : index;
}

/** The thread state holding the GIL, 0 when none does, undefined when this build does not say. */
export function gilHolder(t: Target, roots: InterpreterRoots & { threadStateCurrent?: number }, interp: number): number | undefined {
  const g = t.b.gil;
  if (!g) return undefined;
  switch (g.via) {
    case 'tstate-current':
      return roots.threadStateCurrent !== undefined ? t.ptr(roots.threadStateCurrent) : undefined;
    case 'runtime': {
      if (roots.runtime === undefined) return undefined;
      const locked = t.i32(roots.runtime + g.lockedOffset);
      return locked ? t.ptr(roots.runtime + g.holderOffset) : 0;
    }
    case 'interpreter': {
      const locked = t.i32(interp + g.lockedOffset);
      return locked ? t.ptr(interp + g.holderOffset) : 0;
    }
    case 'interpreter-pointer': {
      const gil = t.ptr(interp + g.pointerOffset);
      if (!gil) return undefined;
      const locked = t.i32(gil + g.lockedOffset);
      return locked ? t.ptr(gil + g.holderOffset) : 0;
    }
  }
}
