// 3.11: where each evaluation call's frames end is flagged on the frame (is_entry), but the frame
// lives in the thread's data stack, not on the C stack. What is on the C stack is each call's
// _PyCFrame: tstate->cframe is the innermost call's, and `previous` leads to the next call out.
// The n-th mark without an address gets the n-th _PyCFrame of that chain.
import { Target } from '../target.js';
import type { EvalMark } from './frames.js';
import type { ThreadState } from './threads.js';

export function placeMarksOnCFrames(t: Target, state: ThreadState, marks: EvalMark[]): void {
  const f = t.b.tstate.frame;
  if (f.kind !== 'cframe' || f.cframePrevious === undefined) return;
  let cframe = t.ptr(state.address + f.cframe);
  const seen = new Set<number>();
  for (const m of marks) {
    if (m.address !== undefined) continue;
    // The chain is as long as the marks at most; a cycle or a zero ends it (the merge then counts).
    if (cframe === 0 || seen.has(cframe)) return;
    seen.add(cframe);
    m.address = cframe;
    cframe = t.ptr(cframe + f.cframePrevious);
  }
}
