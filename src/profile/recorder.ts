// The sampling loop of `record` and `top`. Ticks are scheduled on an absolute clock (start +
// k/rate) so the rate never drifts; when a tick comes too late (a slow sample, a busy machine, a
// timer that overslept) the ticks it jumped over are counted as missed, never hidden.
// Waiting: Atomics.wait, which sleeps without spinning, is precise to tens of microseconds and
// costs one wake-up per tick (a timer first and a precise wait after would cost two, and a
// wake-up is most of the loop's own CPU). The event loop, which handles signals, child exits and
// key presses, gets its turn at least every YIELD_EVERY_MS.
import { ExitCode, PyscopeError } from '../common/errors.js';
import type { ProcessInfo } from './aggregate.js';
import { descendants, processGone } from '../memory/proc.js';
import type { Sample } from './sample.js';
import { Sampler, type SamplerOptions } from './sampler.js';

export interface RecorderOptions {
  rate: number;
  /** Stop after this many milliseconds. */
  durationMs?: number;
  /** Follow the descendants of the main process that are Python. */
  subprocesses: boolean;
  /** How descendants found by --subprocesses are sampled (as the main process is: --native too). */
  sampler?: SamplerOptions;
  /** Receives each sample; returns how many thread-samples it kept. */
  sink: (proc: ProcessInfo, sample: Sample) => number;
}

export interface RecorderStats {
  ticks: number;
  /** Thread-samples kept by the sink. */
  samples: number;
  missed: number;
  errors: number;
  reads: number;
  /** Reads of /proc (thread states, task lists) by all samplers. */
  procReads: number;
  /** performance.now() of the first tick. */
  start: number;
  /** Milliseconds since the first tick (up to the end once stopped). */
  elapsed: number;
  /** Processes sampled right now. */
  processes: number;
}

export type StopReason = 'exited' | 'duration' | 'interrupted';

interface Followed {
  info: ProcessInfo;
  sampler: Sampler;
  readsAtStart: number;
  procReadsAtStart: number;
}

/** Longest stretch without letting the event loop run (signals, child exits, key presses). */
const YIELD_EVERY_MS = 50;
const SCAN_EVERY_MS = 500;
/** A new descendant that is not (yet) Python is looked at this many times: it may exec python later. */
const NOT_PYTHON_RETRIES = 6;

/**
 * A process that is not Python, recorded for its descendants that are (--subprocesses of a shell,
 * make, tox, a start script): it is looked at again in case it execs Python.
 */
export interface RootProcess {
  pid: number;
}

export class Recorder {
  readonly stats: RecorderStats = { ticks: 0, samples: 0, missed: 0, errors: 0, reads: 0, procReads: 0, start: 0, elapsed: 0, processes: 1 };
  /** The process whose descendants --subprocesses follows. */
  readonly rootPid: number;
  /** The root is not (yet) Python: the recording ends when it and every process followed have ended. */
  private readonly rootOnly: boolean;
  /** The first process sampled (for the profile's interpreter version). */
  firstSampler: Sampler | undefined;
  private readonly followed: Followed[] = [];
  private readonly ignored = new Map<number, number>();
  private readonly gate = new Int32Array(new SharedArrayBuffer(4));
  private stopping: StopReason | undefined;
  private readsOfGone = 0;
  private procReadsOfGone = 0;
  private finished = false;

  /** `main` may be several processes (record --all, --pid repeated): the first is the root. */
  constructor(
    main: Sampler | RootProcess | readonly Sampler[],
    private readonly opts: RecorderOptions,
  ) {
    const samplers = main instanceof Sampler ? [main] : 'pid' in main ? [] : main;
    this.rootPid = 'pid' in main ? main.pid : (main[0]?.pid ?? 0);
    this.rootOnly = samplers.length === 0;
    for (const s of samplers) this.followed.push({ info: { pid: s.pid, command: s.process.commandLine }, sampler: s, readsAtStart: s.reads, procReadsAtStart: s.procReads });
    this.firstSampler = samplers[0];
    this.stats.processes = this.followed.length;
  }

  /** Ends the recording before the next tick (from a signal handler, a key press, a timer). */
  stop(reason: StopReason = 'interrupted'): void {
    this.stopping ??= reason;
  }

  async run(): Promise<StopReason> {
    const period = 1000 / this.opts.rate;
    const t0 = performance.now();
    this.stats.start = t0;
    let k = 0;
    let lastYield = t0;
    let lastScan = t0;
    if (this.rootOnly) this.scan();
    try {
      for (;;) {
        // k * period, not due - t0: (t0 + 500) - t0 can come out as 499.99999999994.
        const ended = this.opts.durationMs !== undefined && k * period >= this.opts.durationMs;
        // Once no tick is left before the end, the recording still lasts the duration asked for:
        // at --rate 1 -d 3 the last tick is at 2 s, and stopping there would report 2 s at 1.5/s.
        const due = ended ? t0 + this.opts.durationMs! : t0 + k * period;
        for (;;) {
          if (this.stopping) break;
          const now = performance.now();
          if (now - lastYield >= YIELD_EVERY_MS) {
            await new Promise<void>((r) => setImmediate(r));
            lastYield = now;
            continue;
          }
          if (due <= now) break;
          Atomics.wait(this.gate, 0, 0, Math.min(due - now, YIELD_EVERY_MS - (now - lastYield)));
        }
        if (ended) this.stop('duration');
        if (this.stopping) break;

        this.tick();
        k++;
        const now = performance.now();
        this.stats.elapsed = now - t0;
        if (this.followed.length === 0 && (!this.rootOnly || processGone(this.rootPid))) this.stop('exited');
        let late = Math.floor((now - t0) / period);
        // Ticks past the end of a --duration are not missed: they were never due.
        if (this.opts.durationMs !== undefined) late = Math.min(late, Math.ceil(this.opts.durationMs / period));
        if (late >= k) {
          this.stats.missed += late - k;
          k = late;
        }
        if (this.opts.subprocesses && now - lastScan >= SCAN_EVERY_MS) {
          this.scan();
          lastScan = performance.now();
        }
      }
    } finally {
      this.stats.elapsed = performance.now() - t0;
      this.stats.reads = this.totalReads();
      this.stats.procReads = this.followed.reduce((n, f) => n + f.sampler.procReads - f.procReadsAtStart, this.procReadsOfGone);
    }
    return this.stopping ?? 'interrupted';
  }

  /** Reads issued by all samplers since the recording started. */
  totalReads(): number {
    return this.followed.reduce((n, f) => n + f.sampler.reads - f.readsAtStart, this.readsOfGone);
  }

  close(): void {
    if (this.finished) return;
    this.finished = true;
    for (const f of this.followed) f.sampler.close();
  }

  private tick(): void {
    this.stats.ticks++;
    for (let i = 0; i < this.followed.length; i++) {
      const f = this.followed[i]!;
      try {
        const sample = f.sampler.sample();
        // A thread that changed under the reader is left out of its sample, which counts as an error.
        if (sample.torn) this.stats.errors++;
        this.stats.samples += this.opts.sink(f.info, sample);
      } catch (e) {
        if ((e instanceof PyscopeError && e.exitCode === ExitCode.processExited) || processGone(f.info.pid)) {
          this.drop(i--);
        } else {
          // The target runs while we read it: a stack that changed under us is an error of one
          // sample, not of the recording.
          this.stats.errors++;
        }
      }
    }
    this.stats.processes = this.followed.length;
  }

  private drop(index: number): void {
    const [f] = this.followed.splice(index, 1);
    if (!f) return;
    this.readsOfGone += f.sampler.reads - f.readsAtStart;
    this.procReadsOfGone += f.sampler.procReads - f.procReadsAtStart;
    f.sampler.close();
  }

  private scan(): void {
    const known = new Set(this.followed.map((f) => f.info.pid));
    const candidates = descendants(this.rootPid);
    if (this.rootOnly && !processGone(this.rootPid)) candidates.unshift(this.rootPid);
    for (const pid of candidates) {
      if (known.has(pid)) continue;
      const tries = this.ignored.get(pid) ?? 0;
      if (tries >= NOT_PYTHON_RETRIES) continue;
      try {
        const sampler = new Sampler(pid, this.opts.sampler);
        this.followed.push({ info: { pid, command: sampler.process.commandLine }, sampler, readsAtStart: sampler.reads, procReadsAtStart: sampler.procReads });
        this.firstSampler ??= sampler;
        this.ignored.delete(pid);
      } catch {
        this.ignored.set(pid, tries + 1);
      }
    }
    this.stats.processes = this.followed.length;
  }
}
