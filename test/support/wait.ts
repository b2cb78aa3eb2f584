// Bounded waits that fail with a diagnosis: what was awaited (the step), for how long, and what
// the caller knows about the state of things at that moment (events seen, output tails).
import { WAIT } from './timeouts.js';

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1);
}

/** A wait that ran out of time; its message is the whole diagnosis. */
export class WaitTimeout extends Error {
  constructor(
    readonly step: string,
    readonly ms: number,
    detail: string,
  ) {
    super(`timed out after ${seconds(ms)} s waiting for: ${step}${detail ? `\n${detail}` : ''}`);
    this.name = 'WaitTimeout';
  }
}

export interface WaitOptions {
  /** What is awaited, for the failure message, e.g. 'waitFor("stopped") after continue'. */
  step?: string;
  /** The limit in milliseconds (already scaled); each harness has its own default. */
  timeoutMs?: number;
}

/**
 * `promise`, or a WaitTimeout after `ms` whose detail `diagnose()` gives at that moment. The
 * timer never keeps the process alive once the promise settled.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, step: string, diagnose: () => string = () => ''): Promise<T> {
  if (!Number.isFinite(ms)) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeout(step, ms, diagnose())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Polls `probe` until it returns something other than undefined/false, at most `timeoutMs`;
 * for conditions nobody signals (a file appearing, a thread being listed, a screen).
 */
export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions & { intervalMs?: number; diagnose?: () => string | Promise<string> } = {},
): Promise<T> {
  const ms = options.timeoutMs ?? WAIT.output;
  const step = options.step ?? 'a condition';
  const interval = options.intervalMs ?? 50;
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() >= deadline) throw new WaitTimeout(step, ms, options.diagnose ? await options.diagnose() : '');
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** One line for an object in a failure message: JSON, cut to `max` characters. */
export function brief(value: unknown, max = 160): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
