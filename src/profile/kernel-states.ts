// Kernel run states of a sampled process's threads, read only where the interpreter's own state
// cannot answer. A thread that holds the GIL runs Python (or is about to): active without asking
// the kernel. A thread the kernel last found sleeping and whose innermost frame has not moved
// since (same frame, same instruction) is still in the same blocking call: idle, asked again only
// every RECHECK_EVERY samples, staggered across threads so the remaining /proc reads spread evenly
// over the samples instead of coming in bursts. Whatever else is read from /proc as before: a
// thread that runs, one that moved, one whose frame cannot be read.
//
// The one case the cache can get wrong is a C call that goes from sleeping to computing without
// the GIL and without returning to Python (rare); it is counted idle for at most RECHECK_EVERY
// samples. A thread woken from a wait that is still at the instruction of that wait is counted
// idle, as thread-activity.ts counts such a thread anyway.
import type { ThreadClues } from '../cpython/snapshot.js';
import type { ThreadStatus, ThreadStatusReader } from '../memory/proc.js';

/** A thread unchanged since the kernel found it sleeping is asked again every this many samples. */
export const RECHECK_EVERY = 10;

interface Known {
  frame: number;
  position: number;
  /** Samples left before the kernel is asked again. */
  left: number;
}

export class KernelStates {
  /** Threads last found sleeping, with where they slept. */
  private idle = new Map<number, Known>();
  private stagger = 0;
  /** /proc reads made (for reads-per-sample reporting). */
  reads = 0;

  constructor(private readonly reader: ThreadStatusReader) {}

  status(tid: number, clues: ThreadClues): ThreadStatus {
    if (clues.holdsGil === true) {
      this.idle.delete(tid);
      return 'active';
    }
    const known = this.idle.get(tid);
    if (known !== undefined && known.left > 0 && known.frame === clues.frame) {
      const position = clues.position();
      if (position !== undefined && position === known.position) {
        known.left--;
        return 'idle';
      }
    }
    this.reads++;
    const status = this.reader.status(tid);
    if (status !== 'idle') {
      this.idle.delete(tid);
      return status;
    }
    const position = clues.position();
    if (position === undefined) {
      this.idle.delete(tid);
      return status;
    }
    // A thread seen sleeping for the first time gets a staggered first recheck.
    const left = known === undefined ? 1 + (this.stagger++ % RECHECK_EVERY) : RECHECK_EVERY;
    if (known) {
      known.frame = clues.frame;
      known.position = position;
      known.left = left;
    } else this.idle.set(tid, { frame: clues.frame, position, left });
    return status;
  }

  /** Forgets threads that are gone. */
  retain(tids: readonly number[]): void {
    if (this.idle.size === 0) return;
    const keep = new Set(tids);
    for (const tid of [...this.idle.keys()]) if (!keep.has(tid)) this.idle.delete(tid);
  }
}
