// One error type for every failure a user can cause or meet. The CLI prints its message as one
// line and exits with its code; anything else that escapes is a bug in pyscope.

/** Documented exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  noSuchProcess: 3,
  /** Also ptrace refused (memory/ptrace-errors PtraceError): Yama, another user, another tracer. */
  permission: 4,
  notPython: 5,
  unsupportedVersion: 6,
  processExited: 7,
  unreadableMemory: 8,
  badFile: 9,
  /** pyscope debug -p gave up waiting for the process to run Python code (detached, nothing left in it). */
  attachGaveUp: 10,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class PyscopeError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failure,
  ) {
    super(message);
    this.name = 'PyscopeError';
  }
}

/** A read of target memory that failed: unmapped address, process gone, short read. */
export class MemoryReadError extends PyscopeError {
  constructor(
    message: string,
    readonly address: number,
    readonly length: number,
    exitCode: ExitCode = ExitCode.unreadableMemory,
  ) {
    super(message, exitCode);
    this.name = 'MemoryReadError';
  }
}

export function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}
