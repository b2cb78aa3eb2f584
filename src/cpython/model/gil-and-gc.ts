// What memory alone says about an interpreter's GIL and garbage collector: whether the GIL is
// taken, by which thread state, which one held it last, and whether a collection runs. Where each
// of these lives is a binding (version-traits.ts decides); a build that does not record one leaves
// it undefined.
import type { Target } from '../target.js';

export interface GilState {
  /** The GIL is taken (by whichever thread); undefined when this build does not say. */
  locked?: boolean;
  /** The thread state holding the GIL, 0 when none does. */
  holder: number;
  /** The thread state that took the GIL last, kept after it let go; undefined where not recorded (2.7). */
  lastHolder?: number;
}

export interface GilRoots {
  runtime?: number;
  threadStateCurrent?: number;
}

/** The GIL of interpreter `interp`, or undefined when this build does not say where it is. */
export function readGil(t: Target, roots: GilRoots, interp: number): GilState | undefined {
  const g = t.b.gil;
  if (!g) return undefined;
  let locked: number;
  let lastHolder: number;
  switch (g.via) {
    case 'tstate-current': {
      // 2.7: the thread that runs Python is the one that holds the GIL; its GIL records no holder.
      if (roots.threadStateCurrent === undefined) return undefined;
      const current = t.ptr(roots.threadStateCurrent);
      return { locked: current !== 0, holder: current };
    }
    case 'statics':
      locked = t.i32(g.lockedAddress);
      lastHolder = t.ptr(g.holderAddress);
      // -1: the GIL is not created yet (3.6 creates it with the first thread), so the one thread
      // runs without it: the current thread state is the one running Python.
      if (locked < 0) {
        const current = roots.threadStateCurrent !== undefined ? t.ptr(roots.threadStateCurrent) : 0;
        return { holder: current };
      }
      break;
    case 'runtime':
      if (roots.runtime === undefined) return undefined;
      locked = t.i32(roots.runtime + g.lockedOffset);
      lastHolder = t.ptr(roots.runtime + g.holderOffset);
      break;
    case 'interpreter-pointer': {
      const gil = t.ptr(interp + g.pointerOffset);
      if (!gil) return undefined;
      locked = t.i32(gil + g.lockedOffset);
      lastHolder = t.ptr(gil + g.holderOffset);
      break;
    }
  }
  if (locked < 0) return { holder: 0, lastHolder: lastHolder || undefined };
  return { locked: locked !== 0, holder: locked ? lastHolder : 0, lastHolder: lastHolder || undefined };
}

/** Whether interpreter `interp`'s collector is running a collection; undefined when this build does not say. */
export function gcCollecting(t: Target, roots: GilRoots, interp: number): boolean | undefined {
  const g = t.b.gc;
  if (!g) return undefined;
  switch (g.via) {
    case 'address':
      return t.i32(g.address) !== 0;
    case 'runtime':
      return roots.runtime === undefined ? undefined : t.i32(roots.runtime + g.offset) !== 0;
    case 'interpreter':
      return t.i32(interp + g.offset) !== 0;
  }
}
