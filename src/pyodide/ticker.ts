// Sampling ticks for a Pyodide program: each tick sets the interrupt buffer, and the program's
// SIGINT handler (profiler.py) records its stack. A tick the program has not taken yet counts as
// missed, never queued. Browser-safe.
import { TICK_SIGNAL } from './profilee.js';

/** Int32 slots of the ticker's control buffer. */
const STOP = 0;
const TICKS = 1;
const MISSED = 2;

export function createTickerControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(12);
}

/** One tick; true if the program had taken the previous one. */
export function tick(flag: Uint8Array, control: Int32Array): boolean {
  const taken = Atomics.compareExchange(flag, 0, 0, TICK_SIGNAL) === 0;
  Atomics.add(control, taken ? TICKS : MISSED, 1);
  return taken;
}

export function tickCounts(control: SharedArrayBuffer): { ticks: number; missed: number } {
  const c = new Int32Array(control);
  return { ticks: Atomics.load(c, TICKS), missed: Atomics.load(c, MISSED) };
}

export function stopTicker(control: SharedArrayBuffer): void {
  const c = new Int32Array(control);
  Atomics.store(c, STOP, 1);
  Atomics.notify(c, STOP);
}

/**
 * Ticks at `rate` per second until stopTicker(). Blocks: meant for a worker of its own, where
 * Atomics.wait keeps time to well under a millisecond, unlike a page's timers, which browsers
 * clamp to 4 ms.
 */
export function runTicker(interrupt: SharedArrayBuffer, control: SharedArrayBuffer, rate: number): void {
  const flag = new Uint8Array(interrupt);
  const c = new Int32Array(control);
  const period = 1000 / rate;
  const start = performance.now();
  for (let n = 1; Atomics.load(c, STOP) === 0; n++) {
    // absolute deadlines: a late wake-up does not push every later tick back
    const wait = start + n * period - performance.now();
    if (wait > 0 && Atomics.wait(c, STOP, 0, wait) !== 'timed-out') break;
    tick(flag, c);
  }
}

/** The same ticks from a timer on the calling thread, for where no ticker worker is available. */
export function intervalTicker(interrupt: SharedArrayBuffer, control: SharedArrayBuffer, rate: number): () => void {
  const flag = new Uint8Array(interrupt);
  const c = new Int32Array(control);
  const timer = setInterval(() => tick(flag, c), 1000 / rate);
  return () => clearInterval(timer);
}
