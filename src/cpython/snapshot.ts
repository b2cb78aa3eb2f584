// One consistent-as-possible picture of every thread of a Python process: thread states, their
// frames (and locals on request), GIL holder, names and kernel status. A live target keeps running
// while we read, so each walk is bounded and a thread that changes under the reader (a frame freed
// or reused, a thread ending) is marked torn instead of failing the others. A process that exits
// while we read ends the snapshot with ExitCode.processExited, whichever read noticed it.
import { ExitCode, PyscopeError } from '../common/errors.js';
import type { RenderLimits } from './objects/render.js';
import type { OpenedPython } from './process.js';
import { placeMarksOnCFrames } from './model/eval-marks.js';
import { framePosition, walkFrames, type EvalMark, type Frame } from './model/frames.js';
import { currentFrame, interpreterId, interpreters, threadStates, type ThreadState } from './model/threads.js';
import { gcCollecting, readGil, type GilState } from './model/gil-and-gc.js';
import type { GilActivity } from './gil-state.js';
import { nativeIdsFromPthreads } from './model/native-ids.js';
import { threadNames } from './model/thread-names.js';
import { targetExited } from './target.js';

export interface ThreadSnapshot {
  threadId: number;
  nativeThreadId?: number;
  name?: string;
  status: 'active' | 'idle' | 'unknown';
  holdsGil?: boolean;
  /**
   * What the thread is doing with the GIL beyond holding it: waiting to take it or letting it go.
   * Read from the thread state where the interpreter records it (3.15+ gil_requested), else from
   * the native stack (gilStateFromNative) when one was taken.
   */
  gilState?: GilActivity;
  /** The GIL of the thread's interpreter is taken, by whichever thread; undefined when the build does not say. */
  gilLocked?: boolean;
  /** The thread took the GIL last: it holds it, or let go of it and nobody took it since. */
  lastGilHolder?: boolean;
  /** The collector of the thread's interpreter is running; undefined when the build does not say. */
  gcCollecting?: boolean;
  /** This thread runs that collection: the interpreter collects and the thread holds its GIL. */
  gc?: boolean;
  interpreterId: number;
  frames: Frame[];
  /** Why the frame list is incomplete, when it is. */
  truncated?: string;
  /** Live processes: the cut came from the thread changing while it was read; reading again may not cut it. */
  torn?: boolean;
  /** With `evalMarks` (3.11+): where each evaluation call's frames end, for `--native`. */
  evalMarks?: EvalMark[];
}

/** What the interpreter says of a thread that bears on whether it runs (see src/profile/kernel-states.ts). */
export interface ThreadClues {
  holdsGil?: boolean;
  /** Its innermost frame's address (0: none). */
  frame: number;
  /** Where that frame is in its code (f_lasti or the instruction pointer); read on demand. */
  position: () => number | undefined;
}

export interface SnapshotOptions {
  locals?: RenderLimits;
  /**
   * Kernel thread ids of the process and a way to read each one's state (live processes), given
   * what the interpreter says of the thread, which may answer without asking the kernel.
   */
  tasks?: { ids: number[]; status: (tid: number, clues: ThreadClues) => ThreadSnapshot['status'] };
  names?: boolean;
  /** Skip the frame walk of threads the kernel reports idle (their frames come back empty). */
  activeOnly?: boolean;
  /** Also find where each evaluation call's frames end (3.11+), to merge them with native stacks. */
  evalMarks?: boolean;
  /**
   * Repeated snapshots without locals (the sampler): frame arrays to reuse, one per thread in
   * snapshot order, filled by the walk in place (see FrameWalkOptions.into). Each snapshot taken
   * with them overwrites the frames of the one before.
   */
  frameArrays?: Frame[][];
}

/** Why a thread's frames are incomplete, if they are. */
interface Cut {
  truncated?: string;
  torn?: boolean;
}
const WHOLE: Cut = Object.freeze({});
/** The frames of a thread not walked (idle, no frame, unreadable): one array for all, never changed. */
const NO_FRAMES: Frame[] = [];

/** A live process's thread names whose read tore (threading._active being replaced) are read again, at most this often. */
const NAME_ATTEMPTS = 2;
/** A live thread whose walk tore is walked again from its thread state's frame, at most this often. */
const WALK_ATTEMPTS = 2;

export function snapshot(p: OpenedPython, opts: SnapshotOptions = {}): ThreadSnapshot[] {
  // A snapshot must not be served pages read for an earlier one: the target has moved on.
  p.memory.refresh?.();
  const out = readSnapshot(p, opts);
  // A read that found the process gone may have been caught on the way (a name, a value): the
  // snapshot of a process that exited under us is not a snapshot.
  if (p.memory.exited) throw new PyscopeError(`process${p.pid !== undefined ? ` ${p.pid}` : ''} exited while it was being read`, ExitCode.processExited);
  return out;
}

function readSnapshot(p: OpenedPython, opts: SnapshotOptions): ThreadSnapshot[] {
  const t = p.target;
  const roots = { runtime: p.image.symbols.runtime, interpHead: p.image.symbols.interpHead, threadStateCurrent: p.image.symbols.threadStateCurrent };
  const out: ThreadSnapshot[] = [];
  // One clues object for every thread: the kernel-state check reads it before the next thread.
  let cluesState: ThreadState | undefined;
  const clues: ThreadClues = {
    holdsGil: undefined,
    frame: 0,
    // A thread state that tore says nothing reliable about where its thread is.
    position: () => (cluesState !== undefined && cluesState.torn === undefined ? framePosition(t, cluesState.frame) : undefined),
  };
  // In a core nothing moves: an inconsistent chain there is damage, not a torn read.
  const torn = (why: string): Cut => (p.live ? { truncated: `torn read (the thread changed while it was read): ${why}`, torn: true } : { truncated: why });
  const interps = interpreters(t, roots);
  interps.forEach((interp, index) => {
    const id = interpreterId(t, interp, index);
    const list = threadStates(t, interp, id);
    const states = list.states;
    if (states.length === 0 && list.torn !== undefined) {
      const why = p.live ? `changed every time it was read` : `is unreadable`;
      throw new PyscopeError(`the thread list of interpreter ${id} ${why} (${list.torn})`, ExitCode.unreadableMemory);
    }
    let gil: GilState | undefined;
    let collecting: boolean | undefined;
    try {
      gil = readGil(t, roots, interp);
    } catch (e) {
      if (targetExited(e)) throw e;
      gil = undefined;
    }
    try {
      collecting = gcCollecting(t, roots, interp);
    } catch (e) {
      if (targetExited(e)) throw e;
      collecting = undefined;
    }
    let names: Map<number, string> | undefined;
    if (opts.names !== false) {
      for (let attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
        // threading._active read while a thread starts or ends can be a table being replaced
        // (threadNames throws): a live process's names are read again afresh.
        if (attempt > 0) p.memory.refresh?.();
        try {
          names = threadNames(t, interp);
        } catch {
          names = undefined;
        }
        if (names !== undefined || !p.live) break;
      }
    }
    let pthreadTids: Map<number, number> | undefined;
    if (opts.tasks && states.some((s) => s.nativeThreadId === undefined)) {
      pthreadTids = nativeIdsFromPthreads(p.memory, states.map((s) => s.threadId), opts.tasks.ids);
    }
    for (const s of states) {
      const native = s.nativeThreadId ?? pthreadTids?.get(s.threadId);
      // The interpreter's GIL names its holder; a 3.15+ thread state also says so itself.
      const holds = gil !== undefined ? gil.holder !== 0 && gil.holder === s.address : s.holdsGil;
      let status: ThreadSnapshot['status'] = 'unknown';
      if (native !== undefined && opts.tasks) {
        cluesState = s;
        clues.holdsGil = holds;
        clues.frame = s.frame;
        status = opts.tasks.status(native, clues);
      }
      let frames: Frame[] = NO_FRAMES;
      let marks: EvalMark[] | undefined;
      let cut: Cut = WHOLE;
      if (s.torn !== undefined) cut = torn(s.torn);
      else if (s.frame !== 0 && !(opts.activeOnly && status === 'idle')) {
        for (let attempt = 0; attempt < WALK_ATTEMPTS; attempt++) {
          // A torn walk mixed pages read at different moments: the next one reads them afresh.
          if (attempt > 0) p.memory.refresh?.();
          try {
            const into = opts.frameArrays ? (opts.frameArrays[out.length] ??= []) : undefined;
            const w = walkFrames(t, p.codes, attempt === 0 ? s.frame : currentFrame(t, s), { locals: opts.locals, evalMarks: opts.evalMarks, into });
            frames = w.frames;
            marks = w.marks;
            if (marks?.some((m) => m.address === undefined)) placeMarksOnCFrames(t, s, marks);
            cut = w.truncated === undefined ? WHOLE : w.inconsistent ? torn(w.truncated) : { truncated: w.truncated };
          } catch (e) {
            if (targetExited(e)) throw e;
            frames = NO_FRAMES;
            cut = torn(`stack unreadable: ${e instanceof Error ? e.message : String(e)}`);
          }
          if (!cut.torn || !p.live) break;
        }
      }
      const thread: ThreadSnapshot = {
        threadId: s.threadId,
        nativeThreadId: native,
        name: names?.get(s.threadId),
        status,
        // The GIL and collector facts of the thread, from its interpreter's state and its own.
        holdsGil: holds,
        gilState: s.gilRequested && !holds ? 'waiting' : undefined,
        gilLocked: gil?.locked,
        lastGilHolder: gil?.lastHolder === undefined ? undefined : gil.lastHolder === s.address,
        gcCollecting: collecting,
        gc: collecting === undefined || holds === undefined ? undefined : collecting && holds,
        interpreterId: id,
        frames,
      };
      if (marks) thread.evalMarks = marks;
      if (cut.truncated !== undefined) thread.truncated = cut.truncated;
      if (cut.torn !== undefined) thread.torn = cut.torn;
      out.push(thread);
    }
    // The list itself tore after the last thread read: say so where it was cut.
    const last = out[out.length - 1];
    if (list.torn !== undefined && last) {
      const why = `${list.torn}; threads listed after this one may be missing`;
      if (last.truncated === undefined) Object.assign(last, torn(why));
      else Object.assign(last, { truncated: `${last.truncated}; ${why}`, torn: last.torn });
    }
  });
  return out;
}
