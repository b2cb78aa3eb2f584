// Profiles one run of a program in Pyodide in a Web Worker, from the page's main thread: starts
// the worker's program under profiler.py, drives the sampling ticks, and turns the dump into the
// profile model that record's output formats write (the playground shows its flame graph).
// Browser-safe.
import type { Profile } from '../profile/model.js';
import type { WorkerHandle } from './browserSession.js';
import { profileFromDump, type ProfileDump } from '../profile/pyodide-dump.js';
import { STOP_SIGNAL, type ProfileeMessage, type ProfileStartMessage } from '../pyodide/profilee.js';
import { createTickerControl, intervalTicker, stopTicker, tickCounts } from '../pyodide/ticker.js';
import type { TickerStartMessage } from '../pyodide/tickerWorker.js';

export interface ProfileRunOptions {
  /** Starts a worker that loaded Pyodide and called serveProfilee (one per run). */
  createWorker: () => WorkerHandle;
  /** A worker running tickerWorker.js; without it the ticks come from a timer on this thread. */
  createTicker?: () => WorkerHandle;
  profilerSource: string;
  /** Path of the program in Pyodide's filesystem, e.g. /home/pyodide/main.py. */
  program: string;
  /** Its text, written to `program` before it runs. */
  source?: string;
  args?: string[];
  /** Samples per second (default 1000 with a ticker worker, else 250: page timers are clamped). */
  rate?: number;
  onOutput?: (category: 'stdout' | 'stderr', text: string) => void;
}

export interface ProfileRunResult {
  /** The program's exit status; null if it was ended before it ran or could not be stopped. */
  code: number | null;
  /** Undefined when no profile came (the program did not compile, or the worker was ended). */
  profile?: Profile;
  ticks: number;
  missed: number;
}

/** After a stop, how long the program may take to notice before its worker is ended. */
const STOP_GRACE_MS = 2000;

export class PyodideProfileRun {
  readonly done: Promise<ProfileRunResult>;
  readonly rate: number;
  private readonly interrupt = new SharedArrayBuffer(1);
  private readonly control = createTickerControl();
  private readonly worker: WorkerHandle;
  private ticker?: WorkerHandle;
  private stopTimer?: () => void;
  private started = false;
  private settle: (code: number | null) => void = () => undefined;

  constructor(options: ProfileRunOptions) {
    this.rate = options.rate ?? (options.createTicker ? 1000 : 250);
    if (!(this.rate > 0 && this.rate <= 10_000)) throw new Error(`rate must be between 1 and 10000 samples per second, got ${this.rate}`);
    const startedAt = Date.now();
    let dump: ProfileDump | undefined;
    const ended = new Promise<number | null>((res) => (this.settle = res));
    this.done = ended.then((code) => {
      this.endTicks();
      this.worker.terminate();
      const { ticks, missed } = tickCounts(this.control);
      const command = [options.program.slice(options.program.lastIndexOf('/') + 1), ...(options.args ?? [])].join(' ');
      // The page's program runs in its own folder (Pyodide's home): its files are named from there.
      const cwd = options.program.slice(0, options.program.lastIndexOf('/')) || undefined;
      const profile = dump ? profileFromDump(dump, { command, rate: this.rate, startedAt, ticks, missed, timeline: true, cwd }) : undefined;
      return { code, ticks, missed, ...(profile ? { profile } : {}) };
    });
    const start: ProfileStartMessage = {
      kind: 'profile',
      interrupt: this.interrupt,
      options: {
        program: options.program,
        args: options.args ?? [],
        profilerSource: options.profilerSource,
        ...(options.source !== undefined ? { files: { [options.program]: options.source } } : {}),
      },
    };
    const worker = (this.worker = options.createWorker());
    // started now, so the first ticks do not wait for a worker to boot
    this.ticker = options.createTicker?.();
    worker.addEventListener('message', (event) => {
      const m = event.data as ProfileeMessage;
      switch (m.kind) {
        case 'ready':
          worker.postMessage(start);
          return;
        case 'started':
          this.started = true;
          this.startTicks();
          return;
        case 'stdout':
        case 'stderr':
          options.onOutput?.(m.kind, m.text);
          return;
        case 'profile':
          dump = JSON.parse(m.text) as ProfileDump;
          return;
        case 'exit':
          this.settle(m.code);
          return;
        case 'failed':
          options.onOutput?.('stderr', `pyscope: Pyodide could not start: ${m.message}\n`);
          this.settle(1);
          return;
      }
    });
  }

  /** Ticks so far, and ticks the program had not yet taken when the next came. */
  counts(): { ticks: number; missed: number } {
    return tickCounts(this.control);
  }

  /** Ends the program; what it ran so far is still profiled. */
  stop(): void {
    if (!this.started) return this.settle(null);
    this.endTicks();
    Atomics.store(new Uint8Array(this.interrupt), 0, STOP_SIGNAL);
    // a program blocked where Python never checks for signals cannot be stopped politely
    setTimeout(() => this.settle(null), STOP_GRACE_MS);
  }

  private startTicks(): void {
    if (this.ticker) {
      const m: TickerStartMessage = { kind: 'tick', interrupt: this.interrupt, control: this.control, rate: this.rate };
      this.ticker.postMessage(m);
    } else {
      this.stopTimer = intervalTicker(this.interrupt, this.control, this.rate);
    }
  }

  private endTicks(): void {
    stopTicker(this.control);
    this.stopTimer?.();
    this.stopTimer = undefined;
    // the ticker leaves its loop at the stop flag; ending it also frees the thread at once
    this.ticker?.terminate();
    this.ticker = undefined;
  }
}
