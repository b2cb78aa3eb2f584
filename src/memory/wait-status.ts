// The status word waitpid(2) gives a tracer, decoded as <sys/wait.h>'s macros do, with the ptrace
// event in its third byte (ptrace(2), "PTRACE_SEIZE"): a stop with an event of 0 is a
// signal-delivery-stop, whose signal the tracer must pass on when it lets the thread go; a stop
// with PTRACE_EVENT_STOP is the stop PTRACE_INTERRUPT asked for (signal SIGTRAP) or a group-stop
// (the stopping signal), which a detach leaves as it was.

/** PTRACE_EVENT_STOP of <sys/ptrace.h>. */
export const PTRACE_EVENT_STOP = 128;

export type WaitStatus =
  | { kind: 'exited'; code: number }
  | { kind: 'killed'; signal: number }
  | { kind: 'stopped'; signal: number; event: number }
  | { kind: 'continued' }
  | { kind: 'unknown'; raw: number };

export function decodeWaitStatus(status: number): WaitStatus {
  const low = status & 0x7f;
  if ((status & 0xff) === 0x7f) return { kind: 'stopped', signal: (status >> 8) & 0xff, event: (status >> 16) & 0xff };
  if (status === 0xffff) return { kind: 'continued' };
  if (low === 0) return { kind: 'exited', code: (status >> 8) & 0xff };
  if (low !== 0x7f) return { kind: 'killed', signal: low };
  return { kind: 'unknown', raw: status };
}

/**
 * The signal a stop holds back from the thread, which a detach must deliver: that of a
 * signal-delivery-stop; none for an event stop (PTRACE_INTERRUPT's, or a group-stop that the
 * kernel keeps in place across the detach).
 */
export function signalToPassOn(status: WaitStatus): number {
  return status.kind === 'stopped' && status.event === 0 ? status.signal : 0;
}
