// Makes a stopped thread of another process run one system call or one C function for pyscope,
// then puts it back exactly as it was: the injection behind an explicit attach (x86-64 Linux
// only). The thread is seized (PTRACE_SEIZE, no signal), interrupted, its registers saved; each
// call sets the registers, lets it run until the call is done, and reads the result; at the end
// the saved registers go back and the thread is let go. A system call interrupted by the stop
// is restarted by the kernel as usual: the calls run with orig_rax = -1, so that the kernel's
// restart logic sees them as no system call, and the saved registers carry the original one.
import { diagnoseRefusal } from './ptrace-errors.js';
import { libc, PTRACE, WALL, type Libc } from './ptrace-libc.js';
import { USER_REGS_SIZE } from './ptrace.js';
import { writeTargetMemory } from './remote-write.js';
import { decodeWaitStatus, signalToPassOn, type WaitStatus } from './wait-status.js';

/** Byte offsets in user_regs_struct (x86-64). */
const REG = { r10: 56, r9: 64, r8: 72, rax: 80, rdx: 96, rsi: 104, rdi: 112, origRax: 120, rip: 128, rsp: 152 } as const;
const ARG_REGS = [REG.rdi, REG.rsi, REG.rdx] as const;
const SYSCALL_ARG_REGS = [REG.rdi, REG.rsi, REG.rdx, REG.r10, REG.r8, REG.r9] as const;
const SIGTRAP = 5;
const SIGSEGV = 11;
/** Below the red zone of the interrupted code, and then some. */
const STACK_GAP = 512;

export class RemoteCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteCallError';
  }
}

export interface StoppedThread {
  /** Runs the `syscall` instruction at `syscallAt` with these arguments; returns rax. */
  syscall(syscallAt: number, nr: number, args: readonly bigint[]): bigint;
  /** Calls the C function at `fn` with up to three integer arguments; returns rax. */
  call(fn: number, args: readonly bigint[], timeoutMs: number): bigint;
}

/**
 * Seizes thread `tid` of process `pid`, stops it, runs `body` with it, then restores its
 * registers and lets it go, whatever `body` did. A PtraceError says why the kernel refused.
 */
export function withStoppedThread<T>(pid: number, tid: number, body: (t: StoppedThread) => T, stopTimeoutMs = 5000): T {
  const c = libc();
  if (c.ptrace(PTRACE.seize, tid, 0) === -1) {
    const e = c.errno();
    if (e === c.E.EPERM) throw diagnoseRefusal(pid, tid);
    throw new RemoteCallError(`cannot stop thread ${tid} of process ${pid}: PTRACE_SEIZE failed with ${c.errnoName(e)}`);
  }
  let pass = 0;
  let stopped = false;
  try {
    if (c.ptrace(PTRACE.interrupt, tid, 0) === -1) throw new RemoteCallError(`cannot stop thread ${tid}: PTRACE_INTERRUPT failed with ${c.errnoName(c.errno())}`);
    const s = waitStop(c, tid, stopTimeoutMs);
    stopped = true;
    pass = signalToPassOn(s);
    const saved = Buffer.alloc(USER_REGS_SIZE);
    if (c.ptrace(PTRACE.getRegs, tid, saved) === -1) throw new RemoteCallError(`cannot read the registers of thread ${tid}: ${c.errnoName(c.errno())}`);
    const thread = new Thread(c, pid, tid, saved, (sig) => {
      if (!pass) pass = sig;
    });
    try {
      return body(thread);
    } finally {
      // the thread is stopped whenever a call returns or throws (a call that timed out was interrupted)
      c.ptrace(PTRACE.setRegs, tid, saved);
    }
  } finally {
    if (stopped) c.ptrace(PTRACE.detach, tid, pass);
    else {
      // never stopped: it is let go when it does, by the kernel when we exit at the latest
      c.ptrace(PTRACE.interrupt, tid, 0);
      try {
        waitStop(c, tid, 1000);
        c.ptrace(PTRACE.detach, tid, 0);
      } catch {
        // gone
      }
    }
  }
}

class Thread implements StoppedThread {
  constructor(
    private readonly c: Libc,
    private readonly pid: number,
    private readonly tid: number,
    private readonly saved: Buffer,
    private readonly holdSignal: (sig: number) => void,
  ) {}

  syscall(syscallAt: number, nr: number, args: readonly bigint[]): bigint {
    const regs = Buffer.from(this.saved);
    regs.writeBigUInt64LE(BigInt(syscallAt), REG.rip);
    regs.writeBigInt64LE(BigInt(nr), REG.rax);
    regs.writeBigInt64LE(-1n, REG.origRax);
    args.forEach((v, i) => regs.writeBigUInt64LE(BigInt.asUintN(64, v), SYSCALL_ARG_REGS[i]!));
    this.set(regs);
    if (this.c.ptrace(PTRACE.singleStep, this.tid, 0) === -1) throw new RemoteCallError(`PTRACE_SINGLESTEP failed with ${this.c.errnoName(this.c.errno())}`);
    const out = this.runUntil((s, r) => s.signal === SIGTRAP && Number(r.readBigUInt64LE(REG.rip)) === syscallAt + 2, 5000, 'a system call');
    return out.readBigInt64LE(REG.rax);
  }

  call(fn: number, args: readonly bigint[], timeoutMs: number): bigint {
    const regs = Buffer.from(this.saved);
    const sp0 = Number(this.saved.readBigUInt64LE(REG.rsp));
    // 16-byte aligned before the call pushes its return address, as the ABI wants at entry
    const sp = (Math.floor((sp0 - STACK_GAP) / 16) * 16) - 8;
    // returning to address 0 faults: that fault is how the end of the call is seen
    writeTargetMemory(this.pid, sp, Buffer.alloc(8));
    regs.writeBigUInt64LE(BigInt(sp), REG.rsp);
    regs.writeBigUInt64LE(BigInt(fn), REG.rip);
    regs.writeBigInt64LE(0n, REG.rax);
    regs.writeBigInt64LE(-1n, REG.origRax);
    args.forEach((v, i) => regs.writeBigUInt64LE(BigInt.asUintN(64, v), ARG_REGS[i]!));
    this.set(regs);
    if (this.c.ptrace(PTRACE.cont, this.tid, 0) === -1) throw new RemoteCallError(`PTRACE_CONT failed with ${this.c.errnoName(this.c.errno())}`);
    const out = this.runUntil((s, r) => s.signal === SIGSEGV && r.readBigUInt64LE(REG.rip) === 0n, timeoutMs, 'the call');
    return out.readBigInt64LE(REG.rax);
  }

  private set(regs: Buffer): void {
    if (this.c.ptrace(PTRACE.setRegs, this.tid, regs) === -1) throw new RemoteCallError(`cannot set the registers of thread ${this.tid}: ${this.c.errnoName(this.c.errno())}`);
  }

  /**
   * Waits for the stop that ends what was started; other signals that arrive meanwhile are held
   * back and the thread resumed (the first is delivered when it is let go). Bounded: a call that
   * does not end in time is interrupted and reported.
   */
  private runUntil(done: (s: Extract<WaitStatus, { kind: 'stopped' }>, regs: Buffer) => boolean, timeoutMs: number, what: string): Buffer {
    const deadline = performance.now() + timeoutMs;
    const regs = Buffer.alloc(USER_REGS_SIZE);
    for (;;) {
      const left = deadline - performance.now();
      let s: WaitStatus;
      try {
        s = waitStop(this.c, this.tid, Math.max(0, left));
      } catch (e) {
        this.c.ptrace(PTRACE.interrupt, this.tid, 0);
        waitStop(this.c, this.tid, 2000);
        throw new RemoteCallError(`${what} in thread ${this.tid} did not return within ${timeoutMs} ms (${e instanceof Error ? e.message : String(e)})`);
      }
      if (s.kind !== 'stopped') throw new RemoteCallError(`thread ${this.tid} ended during ${what}`);
      if (this.c.ptrace(PTRACE.getRegs, this.tid, regs) === -1) throw new RemoteCallError(`cannot read the registers of thread ${this.tid}: ${this.c.errnoName(this.c.errno())}`);
      if (done(s, regs)) return regs;
      if (s.signal === SIGSEGV || (s.event === 0 && s.signal === SIGTRAP)) {
        throw new RemoteCallError(`${what} in thread ${this.tid} faulted at 0x${regs.readBigUInt64LE(REG.rip).toString(16)} (signal ${s.signal})`);
      }
      this.holdSignal(signalToPassOn(s));
      if (this.c.ptrace(PTRACE.cont, this.tid, 0) === -1) throw new RemoteCallError(`PTRACE_CONT failed with ${this.c.errnoName(this.c.errno())}`);
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Waits (polling, bounded) for the thread's next stop or end. */
function waitStop(c: Libc, tid: number, timeoutMs: number): WaitStatus {
  const deadline = performance.now() + timeoutMs;
  const status = Buffer.alloc(4);
  let nap = 0.05;
  for (;;) {
    const r = c.waitpid(tid, status, WALL | 1);
    if (r === tid) return decodeWaitStatus(status.readInt32LE(0));
    if (r === -1 && c.errno() !== c.E.EINTR) throw new RemoteCallError(`waitpid on thread ${tid} failed with ${c.errnoName(c.errno())}`);
    if (performance.now() >= deadline) throw new RemoteCallError(`thread ${tid} did not stop within ${Math.round(timeoutMs)} ms`);
    Atomics.wait(sleeper, 0, 0, nap);
    nap = Math.min(nap * 2, 5);
  }
}
