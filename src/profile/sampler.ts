// Takes samples of a live Python process without stopping it. One Sampler keeps its code-object
// cache across samples (code objects are immutable; the cache checks each entry's fingerprint
// before reuse), so a steady-state sample reads thread states and frames only.
import { asyncSnapshot } from '../cpython/asyncio-snapshot.js';
import { functionOf, type MergedFrame } from '../cpython/native-merge.js';
import { liveModules, liveNativeStacks, mergeThreads, requireNativeSupport } from '../cpython/native-stacks.js';
import { openLiveProcess, type LiveProcess } from '../cpython/process.js';
import { snapshot, type SnapshotOptions, type ThreadSnapshot } from '../cpython/snapshot.js';
import type { CodeInfo } from '../cpython/model/code.js';
import type { NativeModule } from '../native/index.js';
import { taskIds, ThreadStatusReader } from '../memory/proc.js';
import { libc } from '../memory/ptrace-libc.js';
import { asyncAwareSamples } from './async-paths.js';
import { KernelStates } from './kernel-states.js';
import { isActive } from './thread-activity.js';
import type { Sample, SampleFrame, ThreadSample } from './sample.js';

/**
 * Names change rarely (Thread.name can be set): reread them this often, in milliseconds. By time,
 * not by samples: reading them walks dicts on pages no other read shares (dozens of reads), which
 * every 100 samples at 1 kHz would be most of the reads of the steady state.
 */
const NAMES_EVERY_MS = 1000;

export interface SamplerOptions {
  /** Read Python thread names (one extra dict walk per sample). */
  names?: boolean;
  /** Walk only the frames of threads the kernel reports running (idle ones come back empty). */
  activeOnly?: boolean;
  /**
   * record --native: each sampled thread's native stack too, merged with its Python frames; the
   * interpreter's call machinery is left out unless `all`. Each thread sampled is stopped while
   * its registers and stack are copied.
   */
  native?: { all: boolean };
  /** record --async-aware: attribute event-loop threads' samples to their tasks' logical paths. */
  asyncAware?: boolean;
}

export class Sampler {
  readonly process: LiveProcess;
  private start = performance.now();
  private tids: number[] = [];
  private tidsAge = 0;
  private statuses: ThreadStatusReader;
  private kernel: KernelStates;
  /** Thread names by thread id: read again only every NAMES_EVERY_MS or for a new thread. */
  private names = new Map<number, string>();
  /** Threads present when names were last read, named or not. */
  private namesSeen = new Set<number>();
  /** performance.now() when names are due again (0: at the next sample). */
  private namesDue = 0;
  /**
   * Interned frames: one SampleFrame per code object and line, shared by every sample (and never
   * changed), so that a steady-state sample allocates no frame and the profile can map the object
   * itself to its frame id. Weak: a code object evicted from the code cache takes its frames along.
   */
  private frames = new WeakMap<CodeInfo, Map<number, SampleFrame>>();
  // The sample handed out, its threads and their frame arrays: reused by the next sample (the
  // recorder's sink and top's table take what they need from a sample before the next is taken).
  private current: Sample = { time: 0, threads: [] };
  private threads: ThreadSample[] = [];
  private threadSamples: ThreadSample[] = [];
  /** What each snapshot is asked for (names and the task list change), and its frame arrays: reused likewise. */
  private snapshotOptions: SnapshotOptions;
  /** record --native: the process's modules, read once (a library loaded later is found again on a miss). */
  private modules: NativeModule[] | undefined;

  constructor(
    readonly pid: number,
    private readonly opts: SamplerOptions = {},
  ) {
    // The libc bridge for the scatter reads (~40 ms to load, far more on a loaded machine) is loaded
    // before the target's memory is opened, not between that and the first tick: a target that
    // exits in that window is an error of the start, not the end of a recording.
    preloadBridge();
    this.process = openLiveProcess(pid);
    if (opts.native) {
      try {
        requireNativeSupport(this.process);
      } catch (e) {
        this.process.memory.close();
        throw e;
      }
    }
    this.statuses = new ThreadStatusReader(pid);
    this.kernel = new KernelStates(this.statuses);
    const kernel = this.kernel;
    this.snapshotOptions = {
      names: false,
      activeOnly: opts.activeOnly ?? false,
      tasks: { ids: this.tids, status: (tid, clues) => kernel.status(tid, clues) },
      evalMarks: opts.native !== undefined,
      frameArrays: [],
    };
    // Each sample reads what the last one read in one scatter read, then only what changed.
    this.process.memory.keepWarm?.();
  }

  /** Memory reads issued so far (system calls: a scatter read counts once; for reads-per-sample reporting). */
  get reads(): number {
    return this.process.memory.readCount;
  }

  /** Reads of /proc made so far: thread run states and task listings (for reads-per-sample reporting). */
  get procReads(): number {
    return this.kernel.reads + this.taskListings;
  }
  private taskListings = 0;

  /** A sample of every thread: valid until the next call, which reuses its objects and arrays. */
  sample(): Sample {
    // The task list changes rarely; re-listing it every sample would cost a directory read.
    if (this.tidsAge-- <= 0) {
      this.tids = taskIds(this.pid);
      this.taskListings++;
      this.statuses.retain(this.tids);
      this.kernel.retain(this.tids);
      this.tidsAge = 50;
    }
    const wantNames = this.opts.names ?? true;
    const now = performance.now();
    const readNames = wantNames && now >= this.namesDue;
    if (readNames) this.namesDue = now + NAMES_EVERY_MS;
    const native = this.opts.native;
    // Native stacks first, of the threads whose frames are wanted: each is held while it is copied.
    const stacks = native
      ? liveNativeStacks(
          this.process,
          this.tids.filter((tid) => !this.opts.activeOnly || this.statuses.status(tid) !== 'idle'),
          (this.modules ??= liveModules(this.process)),
          { lines: false },
        )
      : undefined;
    const snapshotOptions = this.snapshotOptions;
    snapshotOptions.names = readNames;
    snapshotOptions.tasks!.ids = this.tids;
    const threads = snapshot(this.process, snapshotOptions);
    const views = stacks ? mergeThreads(this.process, threads, stacks) : undefined;
    if (readNames) {
      this.names.clear();
      this.namesSeen.clear();
      for (const t of threads) {
        this.namesSeen.add(t.threadId);
        if (t.name !== undefined) this.names.set(t.threadId, t.name);
      }
    } else if (wantNames) {
      // A thread we have not named yet: read names at the next sample.
      for (const t of threads) if (!this.namesSeen.has(t.threadId)) this.namesDue = 0;
    }
    let kept = 0;
    for (const t of threads) {
      if (t.torn) continue;
      const ts = (this.threadSamples[kept] ??= { threadId: 0, nativeThreadId: undefined, threadName: undefined, active: false, holdsGil: undefined, frames: [] });
      ts.threadId = t.threadId;
      ts.nativeThreadId = t.nativeThreadId;
      ts.threadName = wantNames ? this.names.get(t.threadId) : undefined;
      ts.active = isActive(t);
      ts.holdsGil = t.holdsGil;
      const view = views?.get(t);
      if (view) ts.frames = view.stack.frames.filter((f) => native!.all || f.kind === 'python' || !f.machinery).map((f) => (f.kind === 'python' ? this.pythonFrame(f.frame) : nativeFrame(f)));
      else {
        const frames = ts.frames;
        for (let i = 0; i < t.frames.length; i++) frames[i] = this.pythonFrame(t.frames[i]!);
        if (frames.length !== t.frames.length) frames.length = t.frames.length;
      }
      this.threads[kept++] = ts;
    }
    if (this.threads.length !== kept) this.threads.length = kept;
    const torn = threads.length - kept;
    const out = this.current;
    out.time = performance.now() - this.start;
    out.threads = this.opts.asyncAware ? asyncAwareSamples(this.threads, threads.filter((t) => !t.torn), asyncSnapshot(this.process)) : this.threads;
    out.torn = torn > 0 ? torn : undefined;
    return out;
  }

  private pythonFrame(f: ThreadSnapshot['frames'][number]): SampleFrame {
    const line = f.line ?? f.code.firstLine;
    let byLine = this.frames.get(f.code);
    if (!byLine) this.frames.set(f.code, (byLine = new Map()));
    let frame = byLine.get(line);
    if (!frame) byLine.set(line, (frame = { name: f.code.qualname || f.code.name, file: f.code.filename, line, firstLine: f.code.firstLine }));
    return frame;
  }

  close(): void {
    this.statuses.close();
    this.process.memory.close();
  }
}

function preloadBridge(): void {
  try {
    libc();
  } catch {
    // No bridge on this machine: the memory reads fall back to /proc/PID/mem (LiveProcessMemory).
  }
}

function nativeFrame(f: Extract<MergedFrame, { kind: 'native' }>): SampleFrame {
  const n = f.frame;
  return { name: functionOf(n) ?? `0x${n.pc.toString(16)}`, file: n.module ?? '', line: 0, firstLine: 0, native: true };
}
