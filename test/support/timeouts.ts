// How long the harnesses wait for anything, in one place. Every wait of a test (a DAP response,
// an event, a child's output, a screen) has its own limit, generous enough for a loaded machine,
// so that a hang fails at the step that hung instead of at the test runner's last-resort timeout.
// PYSCOPE_TEST_TIMEOUT_SCALE multiplies them all (e.g. 3 on a very slow machine, 0.1 to try a
// diagnosis quickly).

function scaleFromEnv(): number {
  const raw = process.env.PYSCOPE_TEST_TIMEOUT_SCALE;
  if (raw === undefined || raw.trim() === '') return 1;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`PYSCOPE_TEST_TIMEOUT_SCALE must be a positive number, not "${raw}"`);
  return v;
}

export const TIMEOUT_SCALE = scaleFromEnv();

/** A limit in milliseconds, scaled by PYSCOPE_TEST_TIMEOUT_SCALE. */
export function scaled(ms: number): number {
  return Math.round(ms * TIMEOUT_SCALE);
}

/** The default limits of the harnesses' waits (already scaled). */
export const WAIT = {
  /** A DAP request's response (or any request/response exchange). */
  request: scaled(30_000),
  /** A request that starts a program: launch, attach, restart, configurationDone (Pyodide loads). */
  start: scaled(120_000),
  /** A stop: `stopped` after a continue, a step, a pause or at a breakpoint. */
  stop: scaled(60_000),
  /** An event that needs the program to start or run to its end (initialized, exited, terminated). */
  event: scaled(120_000),
  /** A line a child process prints (a target's "ready", a prompt, a screen in tmux). */
  output: scaled(60_000),
  /** A child process or an adapter to end once asked to. */
  exit: scaled(30_000),
} as const;

/**
 * A test's timeout: only the last resort when a harness wait itself is not reached (a loop that
 * never ends). Always well above any single wait, so a wait fails first. Give it to each test, not
 * to a describe: in Node 20 a describe's timeout bounds the whole suite, which a loaded machine
 * can take many minutes over (CI saw a 180 s suite limit fire in the middle of a wait).
 */
export function lastResort(ms = 600_000): number {
  return scaled(Math.max(ms, 240_000));
}
