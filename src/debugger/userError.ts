// A request the client got wrong, or a program that cannot run: shown to the user as is, never
// as an internal error. Browser-safe.

/**
 * What kind of failure an error response reports, as its body.error.id: a client such as
 * `pyscope debug` sets its exit status from it (README "Exit codes") rather than from words.
 */
export const FailureId = {
  other: 1,
  /** The interpreter is older than the debugger supports. */
  interpreterTooOld: 2,
  /** The interpreter, or the process to attach to, is not a Python at all. */
  notPython: 3,
  /** No process has the pid to attach to. */
  noSuchProcess: 4,
  /** An attach gave up waiting for the target to run Python code. */
  attachGaveUp: 5,
  /** The interpreter to launch with does not exist (a wrong --python or "python" setting). */
  interpreterNotFound: 6,
} as const;
export type FailureId = (typeof FailureId)[keyof typeof FailureId];

export class UserError extends Error {
  constructor(
    message: string,
    readonly id: FailureId = FailureId.other,
  ) {
    super(message);
  }
}

/** An attach gave up: the target ran no Python code within the bound. Nothing of it was left in the target. */
export class AttachGaveUp extends UserError {
  constructor(message: string) {
    super(message, FailureId.attachGaveUp);
  }
}
