// One consistent-as-possible picture of every thread of a Python process: thread states, their
// frames (and locals on request), GIL holder, names and kernel status. The target keeps running
// while we read, so each walk is bounded and a failure in one thread does not lose the others.
import { PageCacheMemory } from '../memory/page-cache.js';
import type { RenderLimits } from './objects/render.js';
import type { OpenedPython } from './process.js';
import { walkFrames, type Frame } from './model/frames.js';
import { gilHolder, interpreterId, interpreters, threadStates } from './model/threads.js';
import { nativeIdsFromPthreads } from './model/native-ids.js';
import { threadNames } from './model/thread-names.js';

export interface ThreadSnapshot {
  threadId: number;
  nativeThreadId?: number;
  name?: string;
  status: 'active' | 'idle' | 'unknown';
  holdsGil?: boolean;
  interpreterId: number;
  frames: Frame[];
  /** Why the frame list is incomplete, when it is. */
  truncated?: string;
}

export interface SnapshotOptions {
  locals?: RenderLimits;
  /** Kernel thread ids of the process and a way to read each one's state (live processes). */
  tasks?: { ids: number[]; status: (tid: number) => ThreadSnapshot['status'] };
  names?: boolean;
  /** Skip the frame walk of threads the kernel reports idle (their frames come back empty). */
  activeOnly?: boolean;
}

export function snapshot(p: OpenedPython, opts: SnapshotOptions = {}): ThreadSnapshot[] {
  const t = p.target;
  // A snapshot must not be served pages read for an earlier one: the target has moved on.
  if (p.memory instanceof PageCacheMemory) p.memory.clear();
  const roots = { runtime: p.image.symbols.runtime, interpHead: p.image.symbols.interpHead, threadStateCurrent: p.image.symbols.threadStateCurrent };
  const out: ThreadSnapshot[] = [];
  const interps = interpreters(t, roots);
  interps.forEach((interp, index) => {
    const id = interpreterId(t, interp, index);
    const states = threadStates(t, interp, id);
    let holder: number | undefined;
    try {
      holder = gilHolder(t, roots, interp);
    } catch {
      holder = undefined;
    }
    let names = new Map<number, string>();
    if (opts.names !== false) {
      try {
        names = threadNames(t, interp);
      } catch {
        names = new Map();
      }
    }
    let pthreadTids = new Map<number, number>();
    if (opts.tasks && states.some((s) => s.nativeThreadId === undefined)) {
      pthreadTids = nativeIdsFromPthreads(p.memory, states.map((s) => s.threadId), opts.tasks.ids);
    }
    for (const s of states) {
      const native = s.nativeThreadId ?? pthreadTids.get(s.threadId);
      const status = native !== undefined && opts.tasks ? opts.tasks.status(native) : 'unknown';
      let frames: Frame[] = [];
      let truncated: string | undefined;
      try {
        const walk = s.frame !== 0 && !(opts.activeOnly && status === 'idle');
        const w = walk ? walkFrames(t, p.codes, s.frame, { locals: opts.locals }) : { frames: [] };
        frames = w.frames;
        truncated = w.truncated;
      } catch (e) {
        truncated = `stack unreadable: ${e instanceof Error ? e.message : String(e)}`;
      }
      out.push({
        threadId: s.threadId,
        nativeThreadId: native,
        name: names.get(s.threadId),
        status,
        holdsGil: holder === undefined ? undefined : holder === s.address,
        interpreterId: id,
        frames,
        truncated,
      });
    }
  });
  return out;
}
