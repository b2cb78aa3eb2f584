// When a test may skip, decided in one place. On a developer's machine a missing tool or
// interpreter skips the tests that need it, saying what is missing. In CI (CI=true) the run must
// cover everything .ci/run installs, so a missing tool, interpreter or package fails the run; only
// the reasons in OPTIONAL (the README's test section lists the same) may skip there.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';

export const IN_CI = process.env.CI === 'true';

/** The only reasons a test may skip in CI: things a CI machine cannot be given by .ci/run. */
export const OPTIONAL = {
  kernelCores: 'the kernel cannot write core files into the working folder here (core_pattern is a pipe or a path, or the hard core size limit is not unlimited)',
  notRoot: 'the test runs pyscope as another user, which needs root',
  narrowed: 'PYSCOPE_PYTHONS narrows the matrix and leaves out the interpreter the test needs',
} as const;

export type OptionalReason = keyof typeof OPTIONAL;

export interface SkipOption {
  skip: string | false;
}

const failing = new Set<string>();

/**
 * In CI, a requirement that is not met becomes a failing test of its own (once per file), named
 * after what is missing, while the tests that need it are skipped: the run fails and says why.
 */
function failInCi(missing: string): void {
  if (failing.has(missing)) return;
  failing.add(missing);
  test(`CI requires: ${missing}`, () => {
    throw new Error(`${missing}. In CI (CI=true) a test may skip only for a reason the README lists as optional; .ci/run installs everything else.`);
  });
}

/** node:test options: run when `present`, else skip off CI saying `missing`, and fail in CI. */
export function requireThat(present: boolean, missing: string): SkipOption {
  if (present) return { skip: false };
  if (IN_CI) failInCi(missing);
  return { skip: `skipped: ${missing}` };
}

/** Whether an executable of that name is on PATH. */
export function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** node:test options for a test that runs a tool (gdb, gcore, tmux, gcc...). */
export function requireTool(name: string, present: boolean = onPath(name), hint = '.ci/run installs it'): SkipOption {
  return requireThat(present, `${name} is not installed (${hint})`);
}

/** node:test options for a README-listed optional reason: skips in CI too. */
export function optional(reason: OptionalReason, available: boolean, detail?: string): SkipOption {
  return { skip: available ? false : `skipped (optional): ${OPTIONAL[reason]}${detail ? `: ${detail}` : ''}` };
}

/** The first skip among several requirements (all of them are evaluated, so CI reports each). */
export function firstSkip(...options: SkipOption[]): SkipOption {
  return { skip: options.find((o) => o.skip !== false)?.skip ?? false };
}

/** Inside a running test: skip it off CI, fail it in CI. */
export function skipOrFail(t: TestContext, missing: string): void {
  if (IN_CI) throw new Error(`${missing}. In CI (CI=true) a test may skip only for a reason the README lists as optional.`);
  t.skip(`skipped: ${missing}`);
}

/**
 * Inside a running test, for a part of it that needs something: true when `present`; otherwise
 * off CI the test notes that the part was not checked (and goes on), in CI it fails.
 */
export function partNeeds(t: TestContext, present: boolean, missing: string): boolean {
  if (present) return true;
  if (IN_CI) throw new Error(`${missing}. In CI (CI=true) every part of a test runs; .ci/run installs what it needs.`);
  t.diagnostic(`not checked: ${missing}`);
  return false;
}
