// Registers and stack of live threads, each thread stopped only while they are copied: a native
// unwind then walks the copy (StackOverlayMemory) after the thread runs again. One thread at a
// time: PTRACE_SEIZE (no signal sent, nothing the target can see), PTRACE_INTERRUPT, a bounded
// wait for the stop, PTRACE_GETREGS, one process_vm_readv of the used stack, PTRACE_DETACH.
// Every request comes from this one thread inside one synchronous call, as ptrace demands. The
// target's memory is never written.
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { libc, PTRACE, WALL, WNOHANG, type Libc } from './ptrace-libc.js';
import { diagnoseRefusal, PtraceError, ThreadCaptureError } from './ptrace-errors.js';
import { parseMaps, type Mapping } from './proc.js';
import { decodeWaitStatus, signalToPassOn, type WaitStatus } from './wait-status.js';

export { PtraceError, ThreadCaptureError } from './ptrace-errors.js';

/**
 * sizeof(struct user_regs_struct) on x86_64 (glibc sys/user.h): 27 unsigned long long, the bytes
 * PTRACE_GETREGS writes and NT_PRSTATUS's pr_reg holds. native/registers.ts decodes them.
 */
export const USER_REGS_SIZE = 27 * 8;
/** The System V x86_64 red zone: a leaf function may keep data this far below rsp. */
export const RED_ZONE = 128;
/** Stack copied above sp by default: enough for the C frames of deep Python stacks of 3.11+. */
export const DEFAULT_STACK_BYTES = 256 * 1024;
/** How long a thread may take to stop once interrupted; a loaded machine can delay it a while. */
export const DEFAULT_STOP_TIMEOUT_MS = 2000;

export interface CapturedThread {
  tid: number;
  /** struct user_regs_struct as PTRACE_GETREGS wrote it (USER_REGS_SIZE bytes). */
  regs: Buffer;
  /** The stack from sp - RED_ZONE up to sp + stackBytes or the end of its mapping, whichever is lower. */
  stack: { address: number; bytes: Buffer };
  /** Milliseconds from PTRACE_SEIZE to PTRACE_DETACH: the most the thread was held. */
  heldMs: number;
  /** A signal that arrived while the thread was stopped and was delivered when it was let go, if any. */
  passedSignal?: number;
}

export interface CaptureOptions {
  /** Stack bytes to copy above sp (DEFAULT_STACK_BYTES). */
  stackBytes?: number;
  /** How long to wait for each thread to stop (DEFAULT_STOP_TIMEOUT_MS). */
  stopTimeoutMs?: number;
}

/**
 * Stops each thread in turn, copies its registers and stack, and lets it go at once. A thread
 * that ended, or did not stop in time, is a ThreadCaptureError for it alone; one held by another
 * tracer is a PtraceError for it alone. Throws a PtraceError when ptrace is refused for the
 * process as a whole (Yama, another user, no capability), or when no thread could be captured
 * because another tracer holds them.
 */
export function captureThreads(pid: number, tids: readonly number[], options: CaptureOptions = {}): Map<number, CapturedThread | Error> {
  const c = libc();
  releasePending(c);
  const stackBytes = Math.max(0, Math.floor(options.stackBytes ?? DEFAULT_STACK_BYTES));
  const timeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  // Read before any thread stops, so that no thread waits on it; a stack mapped since is looked up again.
  const stacks = new StackMaps(pid);
  const copier = new StackCopier(c, pid);
  const out = new Map<number, CapturedThread | Error>();
  for (const tid of tids) {
    const r = captureOne(c, pid, tid, stackBytes, timeoutMs, stacks, copier);
    if (r instanceof PtraceError && r.reason !== 'tracer') throw r;
    out.set(tid, r);
  }
  settlePending(c);
  const results = [...out.values()];
  const refused = results.find((r): r is PtraceError => r instanceof PtraceError);
  if (refused && !results.some((r) => !(r instanceof Error))) throw refused;
  return out;
}

function captureOne(c: Libc, pid: number, tid: number, stackBytes: number, timeoutMs: number, stacks: StackMaps, copier: StackCopier): CapturedThread | Error {
  // Only the leader lingers as a zombie while its process lives (others are reaped when they end,
  // and then seizing them fails): a seized zombie never stops, so it is not seized. Asked only of
  // the leader, as reading /proc costs as much as stopping a thread.
  if (tid === pid && threadEnded(pid, tid)) return exited(tid, 'before it could be stopped');
  const start = performance.now();
  // A thread an earlier capture gave up waiting for is still ours: seizing it again would fail
  // as "already traced" (by us); it is interrupted and waited for like a freshly seized one.
  const seized = pending.delete(tid);
  if (!seized && c.ptrace(PTRACE.seize, tid, 0) === -1) {
    const e = c.errno();
    if (e === c.E.ESRCH) return exited(tid, 'before it could be stopped');
    // The kernel also refuses a thread that is exiting (its exit_state is set): that one ended,
    // whatever the permissions (CI saw it blamed on a missing CAP_SYS_PTRACE, as root).
    if (e === c.E.EPERM) return threadEnded(pid, tid) ? exited(tid, 'before it could be stopped (it was exiting)') : diagnoseRefusal(pid, tid);
    return new ThreadCaptureError(`cannot stop thread ${tid}: PTRACE_SEIZE failed with ${c.errnoName(e)}`, tid, 'failed');
  }
  // From here on the thread is ours until let go: whatever happens, release() runs.
  const held: { state: Held } = { state: 'running' };
  let result: CapturedThread | Error;
  try {
    result = stopAndCopy(c, pid, tid, stackBytes, timeoutMs, stacks, copier, held);
  } finally {
    release(c, tid, held.state);
  }
  if (!(result instanceof Error)) result.heldMs = performance.now() - start;
  return result;
}

/** Where a seized thread stands: running (not stopped yet), stopped (this status), or gone (reaped). */
type Held = 'running' | 'gone' | Extract<WaitStatus, { kind: 'stopped' }>;

function stopAndCopy(c: Libc, pid: number, tid: number, stackBytes: number, timeoutMs: number, stacks: StackMaps, copier: StackCopier, held: { state: Held }): CapturedThread | Error {
  if (c.ptrace(PTRACE.interrupt, tid, 0) === -1) {
    const e = c.errno();
    return e === c.E.ESRCH ? exited(tid, 'before it could be stopped') : new ThreadCaptureError(`cannot stop thread ${tid}: PTRACE_INTERRUPT failed with ${c.errnoName(e)}`, tid, 'failed');
  }
  const stop = waitForStop(c, tid, timeoutMs);
  if (stop === 'timeout') return new ThreadCaptureError(`thread ${tid} did not stop within ${timeoutMs} ms (uninterruptible sleep?); it is let go as soon as it stops`, tid, 'no-stop');
  if (stop.kind === 'exited' || stop.kind === 'killed') {
    held.state = 'gone';
    return exited(tid, 'while it was being stopped');
  }
  if (stop.kind !== 'stopped') return new ThreadCaptureError(`thread ${tid} reported an unexpected wait status while being stopped`, tid, 'failed');
  held.state = stop;
  // Held by us, the thread cannot end and free its id: whether it belongs to the process is
  // settled here, where a thread that ended after it was listed and whose id went to another
  // process is told apart (a check before the seize could not be sure).
  if (!existsSync(`/proc/${pid}/task/${tid}`)) return new ThreadCaptureError(`thread ${tid} is not a thread of process ${pid} (it ended and its id was reused)`, tid, 'exited');
  const regs = Buffer.alloc(USER_REGS_SIZE);
  if (c.ptrace(PTRACE.getRegs, tid, regs) === -1) {
    const e = c.errno();
    return e === c.E.ESRCH ? exited(tid, 'while it was stopped') : new ThreadCaptureError(`cannot read the registers of thread ${tid}: ${c.errnoName(e)}`, tid, 'failed');
  }
  const sp = Number(regs.readBigUInt64LE(RSP_OFFSET));
  const captured: CapturedThread = { tid, regs, stack: copier.copy(tid, stacks.range(tid, sp, stackBytes)), heldMs: 0 };
  const passed = signalToPassOn(stop);
  if (passed) captured.passedSignal = passed;
  return captured;
}

/** Offset of rsp in user_regs_struct (r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp). */
const RSP_OFFSET = 19 * 8;

function exited(tid: number, when: string): ThreadCaptureError {
  return new ThreadCaptureError(`thread ${tid} exited ${when}`, tid, 'exited');
}

/** Polls waitpid for the thread's stop, sleeping a little longer each time, up to `timeoutMs`. */
function waitForStop(c: Libc, tid: number, timeoutMs: number): WaitStatus | 'timeout' {
  const deadline = performance.now() + timeoutMs;
  let nap = 0.02;
  for (;;) {
    const s = poll(c, tid);
    if (s !== undefined) return s;
    if (performance.now() >= deadline) return 'timeout';
    pause(nap);
    nap = Math.min(nap * 2, 1);
  }
}

const ENDED: WaitStatus = { kind: 'exited', code: 0 };

/** One waitpid(WNOHANG): the thread's new state, or undefined while nothing changed. */
function poll(c: Libc, tid: number): WaitStatus | undefined {
  const status = Buffer.alloc(4);
  for (let tries = 0; tries < 100; tries++) {
    const r = c.waitpid(tid, status, WALL | WNOHANG);
    if (r === tid) return decodeWaitStatus(status.readInt32LE(0));
    if (r === 0) return undefined;
    if (c.errno() !== c.E.EINTR) return ENDED; // ECHILD: no longer our tracee, so gone
  }
  return undefined;
}

/**
 * Lets the thread go: detached from its stop, passing on the signal it stopped for. A thread that
 * has not stopped (yet) cannot be detached, since the kernel detaches only stopped tracees; it is
 * kept and let go by the next capture, or by the kernel when pyscope exits. A thread that died
 * while stopped is reaped, so it does not linger as our zombie.
 */
function release(c: Libc, tid: number, held: Held): void {
  if (held === 'gone') return;
  if (held === 'running') {
    pending.add(tid);
    releasePending(c);
    return;
  }
  if (c.ptrace(PTRACE.detach, tid, signalToPassOn(held)) === 0) return;
  if (c.errno() === c.E.ESRCH) {
    // Killed while stopped (SIGKILL ends a stopped tracee): reap it.
    const deadline = performance.now() + 100;
    while (performance.now() < deadline) {
      const s = poll(c, tid);
      if (s !== undefined && s.kind !== 'stopped') return;
      pause(1);
    }
  }
  pending.add(tid);
}

/** Threads seized but not yet let go (they had not stopped when their capture gave up on them). */
const pending = new Set<number>();

/** Detaches or reaps every pending thread that has stopped or ended since; the others stay pending. */
function releasePending(c: Libc): void {
  for (const tid of [...pending]) {
    const s = poll(c, tid);
    if (s === undefined) continue;
    if (s.kind === 'stopped' && c.ptrace(PTRACE.detach, tid, signalToPassOn(s)) === -1 && c.errno() !== c.E.ESRCH) continue;
    pending.delete(tid);
  }
}

/** How long a capture waits at its end for threads that did not stop in time, to let them go. */
const SETTLE_MS = 100;

/**
 * A thread left pending stays ours until it stops and is detached: each capture lets go of those
 * that have stopped since, and waits a little at its end for the rest. Whatever is still pending
 * then is released by the next capture or, at the latest, by the kernel when pyscope exits.
 */
function settlePending(c: Libc): void {
  const deadline = performance.now() + SETTLE_MS;
  while (pending.size > 0 && performance.now() < deadline) {
    releasePending(c);
    if (pending.size > 0) pause(1);
  }
}

/** Threads seized by an earlier capture that have not stopped yet, so are not let go yet. */
export function pendingThreads(): number[] {
  return [...pending];
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** True when the thread is gone or a zombie. */
function threadEnded(pid: number, tid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
  } catch {
    return true;
  }
  const state = stat.charAt(stat.lastIndexOf(')') + 2);
  return state === 'Z' || state === 'X' || state === 'x';
}

/** The mappings of the process, to bound each stack copy by the end of the mapping sp lies in. */
class StackMaps {
  private maps: Mapping[];

  constructor(private readonly pid: number) {
    this.maps = this.read(`/proc/${pid}/maps`);
  }

  /**
   * The range to copy for thread tid whose stack pointer is sp. A stack mapped since the maps were
   * read, or a process whose leader has exited (its /proc/PID/maps is then empty), is looked up
   * again in the thread's own view of the same address space.
   */
  range(tid: number, sp: number, stackBytes: number): { address: number; length: number } {
    let m = this.find(sp);
    if (!m) {
      this.maps = this.read(`/proc/${this.pid}/task/${tid}/maps`);
      m = this.find(sp);
    }
    if (!m) return { address: Math.max(0, sp - RED_ZONE), length: 0 };
    const address = Math.max(m.start, sp - RED_ZONE);
    return { address, length: Math.max(0, Math.min(sp + stackBytes, m.end) - address) };
  }

  private find(address: number): Mapping | undefined {
    return this.maps.find((m) => m.start <= address && address < m.end);
  }

  private read(path: string): Mapping[] {
    try {
      return parseMaps(readFileSync(path, 'latin1'));
    } catch {
      return []; // the process or thread is gone; its seize will say so
    }
  }
}

/** Copies a stack range: one process_vm_readv, or /proc/PID/mem where that call is unavailable. */
class StackCopier {
  private static readvBroken = false;

  constructor(
    private readonly c: Libc,
    private readonly pid: number,
  ) {}

  /** Reads through the thread itself: a process whose leader has exited has no memory under its pid. */
  copy(tid: number, range: { address: number; length: number }): { address: number; bytes: Buffer } {
    const buf = Buffer.allocUnsafe(range.length);
    if (range.length === 0) return { address: range.address, bytes: buf };
    if (!StackCopier.readvBroken) {
      const n = this.c.readRemote(tid, buf, range.address);
      if (n >= 0) return { address: range.address, bytes: buf.subarray(0, n) };
      const e = this.c.errno();
      // Seccomp filters (some containers) and kernels without CROSS_MEMORY_ATTACH refuse the call itself.
      if (e !== this.c.E.ENOSYS && e !== this.c.E.EPERM) return { address: range.address, bytes: buf.subarray(0, 0) };
      StackCopier.readvBroken = true;
    }
    return { address: range.address, bytes: buf.subarray(0, this.readMem(tid, buf, range.address)) };
  }

  /** Bytes read from /proc/PID/mem at address, up to the first that cannot be read. */
  private readMem(tid: number, buf: Buffer, address: number): number {
    let fd: number | undefined;
    try {
      fd = openSync(`/proc/${this.pid}/task/${tid}/mem`, 'r');
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, address + got);
        if (n <= 0) break;
        got += n;
      }
      return got;
    } catch {
      return 0;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}
