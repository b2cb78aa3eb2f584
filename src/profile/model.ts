// The one aggregate every output format is written from (speedscope's importers in reverse: many
// formats out of one model). Functions are keyed by (name, file, firstLine) and frames by
// (function, line), so formats that know lines keep them and the rest can fold them away.
// Stacks are interned in a prefix tree; the aggregate is a count per leaf stack, so memory grows
// with the number of distinct stacks, not with the length of the recording. Only formats that
// need time order (speedscope, gecko) ask for a timeline, which grows with the samples.
import { ABSENT, AddressTable } from '../common/address-table.js';

/** 'native': a C function (record --native), its file the library holding it. */
export type FunctionKind = 'python' | 'native' | 'thread' | 'process';

export interface FunctionInfo {
  name: string;
  file: string;
  firstLine: number;
  /** Synthetic roots (--threads, --subprocesses) are functions of their own kind. */
  kind: FunctionKind;
}

export interface FrameInfo {
  func: number;
  line: number;
}

export interface StackNode {
  frame: number;
  /** -1 for a root. */
  parent: number;
  depth: number;
}

export interface ProfileThread {
  pid: number;
  threadId: number;
  nativeThreadId?: number;
  name?: string;
}

export interface ProfileMeta {
  pid: number;
  command: string;
  pythonVersion: string;
  rate: number;
  /** Wall clock of the first tick (ms since the epoch). */
  startedAt: number;
  /** Milliseconds from the first tick to the end of the recording. */
  duration: number;
  /** Sampling ticks (one tick samples every thread of every process). */
  ticks: number;
  missed: number;
  errors: number;
  /** The recorded program's working directory, when known: its own files are named relative to it. */
  cwd?: string;
}

export class Timeline {
  length = 0;
  time = new Float64Array(1024);
  stack = new Uint32Array(1024);
  thread = new Uint32Array(1024);

  push(time: number, stack: number, thread: number): void {
    if (this.length === this.time.length) {
      const grow = <T extends Float64Array | Uint32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.time = grow(this.time, (n) => new Float64Array(n));
      this.stack = grow(this.stack, (n) => new Uint32Array(n));
      this.thread = grow(this.thread, (n) => new Uint32Array(n));
    }
    this.time[this.length] = time;
    this.stack[this.length] = stack;
    this.thread[this.length] = thread;
    this.length++;
  }
}

export class Profile {
  readonly functions: FunctionInfo[] = [];
  readonly frames: FrameInfo[] = [];
  readonly stacks: StackNode[] = [];
  readonly threads: ProfileThread[] = [];
  /** Thread-samples per leaf stack. */
  readonly counts = new Map<number, number>();
  /** Sum of counts. */
  total = 0;
  readonly timeline?: Timeline;
  meta: ProfileMeta = { pid: 0, command: '', pythonVersion: '', rate: 0, startedAt: Date.now(), duration: 0, ticks: 0, missed: 0, errors: 0 };

  private readonly funcIds = new Map<string, number>();
  private readonly frameIds = new Map<number, Map<number, number>>();
  /** Stack ids by (parent, frame), a number above 2^31: in an AddressTable, which boxes no key. */
  private readonly stackIds = new AddressTable(1024);
  /** Thread ids by process and thread. */
  private readonly threadIds = new Map<number, Map<number, number>>();
  /** Frame ids of interned sample frames (the sampler shares one object per code object and line). */
  private readonly sampleFrameIds = new WeakMap<object, number>();

  constructor(opts: { timeline?: boolean } = {}) {
    if (opts.timeline) this.timeline = new Timeline();
  }

  internFunction(name: string, file: string, firstLine: number, kind: FunctionKind = 'python'): number {
    const key = `${kind}\0${name}\0${file}\0${firstLine}`;
    let id = this.funcIds.get(key);
    if (id === undefined) {
      id = this.functions.length;
      this.functions.push({ name, file, firstLine, kind });
      this.funcIds.set(key, id);
    }
    return id;
  }

  internFrame(func: number, line: number): number {
    let byLine = this.frameIds.get(func);
    if (!byLine) this.frameIds.set(func, (byLine = new Map()));
    let id = byLine.get(line);
    if (id === undefined) {
      id = this.frames.length;
      this.frames.push({ func, line });
      byLine.set(line, id);
    }
    return id;
  }

  /**
   * The frame id of a sample's frame: looked up by the object itself when the sampler interned it
   * (no key string built per sample), else by its function and line.
   */
  internSampleFrame(fr: { name: string; file: string; firstLine: number; line: number; native?: boolean }): number {
    let id = this.sampleFrameIds.get(fr);
    if (id === undefined) {
      id = this.internFrame(this.internFunction(fr.name, fr.file, fr.firstLine, fr.native ? 'native' : 'python'), fr.line);
      this.sampleFrameIds.set(fr, id);
    }
    return id;
  }

  /** The stack that is `parent` (or a root when -1) with `frame` called from it. */
  internStack(parent: number, frame: number): number {
    const key = (parent + 1) * 0x1_0000_0000 + frame;
    let id = this.stackIds.get(key);
    if (id === ABSENT) {
      id = this.stacks.length;
      this.stacks.push({ frame, parent, depth: parent < 0 ? 0 : this.stacks[parent]!.depth + 1 });
      this.stackIds.set(key, id);
    }
    return id;
  }

  internThread(t: ProfileThread): number {
    return this.threadOf(t.pid, t.threadId, t.nativeThreadId, t.name);
  }

  /** internThread without an object per call (once per thread-sample while recording). */
  threadOf(pid: number, threadId: number, nativeThreadId: number | undefined, name: string | undefined): number {
    let byThread = this.threadIds.get(pid);
    if (!byThread) this.threadIds.set(pid, (byThread = new Map()));
    let id = byThread.get(threadId);
    if (id === undefined) {
      id = this.threads.length;
      this.threads.push({ pid, threadId, nativeThreadId, name });
      byThread.set(threadId, id);
    } else if (name !== undefined) {
      this.threads[id]!.name = name;
    }
    return id;
  }

  addSample(stack: number, thread: number, time: number, weight = 1): void {
    this.counts.set(stack, (this.counts.get(stack) ?? 0) + weight);
    this.total += weight;
    this.timeline?.push(time, stack, thread);
  }

  /** Frame ids of a stack, outermost first. */
  framesOf(stack: number): number[] {
    const out: number[] = new Array<number>(this.stacks[stack]!.depth + 1);
    for (let s = stack; s >= 0; s = this.stacks[s]!.parent) out[this.stacks[s]!.depth] = this.stacks[s]!.frame;
    return out;
  }
}
