// Why the kernel refused to let pyscope stop a thread, said in one line with how to fix it, and
// the per-thread failures of a capture that are not the user's to fix (a thread that ended).
// The diagnosis reads what the kernel exposes: TracerPid of the thread (another debugger or
// profiler holds it), Yama's ptrace_scope, and whose process it is.
import { readFileSync } from 'node:fs';
import { ExitCode, PyscopeError } from '../common/errors.js';

export type RefusalReason = 'tracer' | 'yama' | 'user' | 'capability';

/** ptrace refused: exit code 4 (permission), as for any other permission the user must grant. */
export class PtraceError extends PyscopeError {
  constructor(
    message: string,
    readonly pid: number,
    readonly tid: number,
    readonly reason: RefusalReason,
    /** The process that already traces the thread, when that is the reason. */
    readonly tracer?: { pid: number; name: string },
  ) {
    super(message, ExitCode.permission);
    this.name = 'PtraceError';
  }
}

/** A thread that could not be captured for a reason of its own; the other threads are unaffected. */
export class ThreadCaptureError extends Error {
  constructor(
    message: string,
    readonly tid: number,
    /** exited: the thread ended before or while it was stopped; no-stop: it did not stop in time; failed: anything else. */
    readonly reason: 'exited' | 'no-stop' | 'failed',
  ) {
    super(message);
    this.name = 'ThreadCaptureError';
  }
}

/** What the kernel tells about a refused PTRACE_SEIZE. */
export interface RefusalFacts {
  pid: number;
  tid: number;
  /** TracerPid of the thread, 0 when none. */
  tracerPid: number;
  tracerName?: string;
  /** kernel.yama.ptrace_scope, undefined without Yama. */
  yamaScope?: number;
  /** Our effective uid and the target's real uid (undefined if unreadable). */
  uid: number;
  targetUid?: number;
  /** Whether pyscope is an ancestor of the target (Yama scope 1 allows that). */
  ancestor: boolean;
}

/** The one-line explanation of an EPERM from PTRACE_SEIZE. */
export function explainRefusal(f: RefusalFacts): PtraceError {
  const what = f.tid === f.pid ? `process ${f.pid}` : `thread ${f.tid} of process ${f.pid}`;
  if (f.tracerPid > 0) {
    const name = f.tracerName ?? 'another process';
    return new PtraceError(
      `cannot stop ${what}: it is already traced by ${name} (pid ${f.tracerPid}); a thread has one tracer at a time: detach or end ${name} (gdb: detach; py-spy: let it finish) and try again`,
      f.pid,
      f.tid,
      'tracer',
      { pid: f.tracerPid, name },
    );
  }
  const root = f.uid === 0;
  if (f.yamaScope !== undefined && f.yamaScope >= 3) {
    return new PtraceError(
      `cannot stop ${what}: kernel.yama.ptrace_scope is 3, which forbids ptrace for everyone until the next reboot; set it lower at boot (sysctl.conf) to use --native`,
      f.pid,
      f.tid,
      'yama',
    );
  }
  if (f.yamaScope === 2 && !root) {
    return new PtraceError(
      `cannot stop ${what}: kernel.yama.ptrace_scope is 2 (only CAP_SYS_PTRACE may trace): run pyscope with sudo`,
      f.pid,
      f.tid,
      'yama',
    );
  }
  if (f.yamaScope === 1 && !root && !f.ancestor) {
    return new PtraceError(
      `cannot stop ${what}: kernel.yama.ptrace_scope is 1 (only a process's ancestors may trace it): run pyscope with sudo, or allow it until reboot with 'sudo sysctl kernel.yama.ptrace_scope=0'`,
      f.pid,
      f.tid,
      'yama',
    );
  }
  if (!root && f.targetUid !== undefined && f.targetUid !== f.uid) {
    return new PtraceError(`cannot stop ${what}: it belongs to uid ${f.targetUid}, not to you (uid ${f.uid}): run pyscope as that user or with sudo`, f.pid, f.tid, 'user');
  }
  return new PtraceError(
    `cannot stop ${what}: ptrace is not permitted${root ? ' even as root: the container or security policy lacks CAP_SYS_PTRACE (docker: --cap-add=SYS_PTRACE)' : ': run pyscope with sudo or CAP_SYS_PTRACE'}`,
    f.pid,
    f.tid,
    'capability',
  );
}

/** Gathers the facts about a refusal from /proc and explains it. */
export function diagnoseRefusal(pid: number, tid: number): PtraceError {
  const status = readText(`/proc/${pid}/task/${tid}/status`) ?? readText(`/proc/${pid}/status`) ?? '';
  const tracerPid = Number(/^TracerPid:\s*(\d+)/m.exec(status)?.[1] ?? 0);
  const uidText = /^Uid:\s*(\d+)/m.exec(status)?.[1];
  const scopeText = readText('/proc/sys/kernel/yama/ptrace_scope')?.trim();
  const tracerName = tracerPid > 0 ? readText(`/proc/${tracerPid}/comm`)?.trim() : undefined;
  return explainRefusal({
    pid,
    tid,
    tracerPid,
    tracerName: tracerName || undefined,
    yamaScope: scopeText ? Number(scopeText) : undefined,
    uid: process.geteuid?.() ?? -1,
    targetUid: uidText === undefined ? undefined : Number(uidText),
    ancestor: isAncestor(pid),
  });
}

function isAncestor(pid: number): boolean {
  // Walk up from the target through PPid; bounded, as a pid namespace is finite but a race could loop.
  let p = pid;
  for (let i = 0; i < 4096 && p > 1; i++) {
    const ppid = Number(/^PPid:\s*(\d+)/m.exec(readText(`/proc/${p}/status`) ?? '')?.[1] ?? 0);
    if (ppid === process.pid) return true;
    p = ppid;
  }
  return false;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
