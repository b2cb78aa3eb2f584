// Decoders for the notes Linux writes into a core file (fs/binfmt_elf.c, and gdb's gcore which
// imitates it). Layouts are those of LP64 Linux; every decoder checks the descriptor's size first,
// so a short or foreign note yields undefined rather than garbage.
import { EM_AARCH64, EM_X86_64 } from './constants.js';

export interface CoreThread {
  tid: number;
  /** pr_cursig: the signal the thread was handling, 0 for none (gcore of a live thread). */
  signal: number;
  pc?: number;
  sp?: number;
  /** pr_reg: the raw struct user_regs_struct (the bytes PTRACE_GETREGS gives), for the unwinder. */
  regs?: Buffer;
}

export interface CoreSignalInfo {
  signal: number;
  code: number;
  errno: number;
  /** si_addr, for the signals that carry a faulting address. */
  address?: number;
  /** si_pid, for signals sent by a process (kill, tgkill, abort's raise). */
  senderPid?: number;
}

export interface CoreProcessInfo {
  pid: number;
  ppid: number;
  uid: number;
  /** The executable's name, at most 15 characters. */
  fname: string;
  /** The start of the command line, at most 80 bytes, arguments separated by spaces. */
  psargs: string;
}

export interface CoreFileEntry {
  start: number;
  end: number;
  fileOffset: number;
  path: string;
}

/** Signals whose siginfo carries the faulting address (si_addr). */
const FAULT_SIGNALS = new Set([4, 5, 7, 8, 11]);

// Linux x86-64 / arm64 generic numbering.
const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
  16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU',
  23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO',
  30: 'SIGPWR', 31: 'SIGSYS',
};

export function signalName(n: number): string {
  return SIGNAL_NAMES[n] ?? (n >= 34 && n <= 64 ? `SIGRTMIN+${n - 34}` : `signal ${n}`);
}

function u64(b: Buffer, o: number): number {
  const v = b.readBigUInt64LE(o);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

function fixedString(b: Buffer, start: number, length: number): string {
  const slice = b.subarray(start, start + length);
  const nul = slice.indexOf(0);
  return slice.toString('utf8', 0, nul < 0 ? slice.length : nul);
}

// struct elf_prstatus: siginfo (12) + cursig (2) + pad, sigpend, sighold, pid at 32, then 4 times,
// then pr_reg at 112.
const PRSTATUS_PID = 32;
const PRSTATUS_REGS = 112;
// user_regs_struct slots: x86-64 rip = 16, rsp = 19; arm64 sp = 31, pc = 32.
const REG_SLOTS: Record<number, { pc: number; sp: number; count: number }> = {
  [EM_X86_64]: { pc: 16, sp: 19, count: 27 },
  [EM_AARCH64]: { pc: 32, sp: 31, count: 34 },
};

export function parsePrstatus(desc: Buffer, machine: number): CoreThread | undefined {
  if (desc.length < PRSTATUS_REGS) return undefined;
  const thread: CoreThread = { tid: desc.readInt32LE(PRSTATUS_PID), signal: desc.readUInt16LE(12) };
  const slots = REG_SLOTS[machine];
  if (slots && desc.length >= PRSTATUS_REGS + slots.count * 8) {
    thread.pc = u64(desc, PRSTATUS_REGS + slots.pc * 8);
    thread.sp = u64(desc, PRSTATUS_REGS + slots.sp * 8);
    thread.regs = Buffer.from(desc.subarray(PRSTATUS_REGS, PRSTATUS_REGS + slots.count * 8));
  }
  return thread;
}

export function parseSiginfo(desc: Buffer): CoreSignalInfo | undefined {
  if (desc.length < 24) return undefined;
  const info: CoreSignalInfo = { signal: desc.readInt32LE(0), errno: desc.readInt32LE(4), code: desc.readInt32LE(8) };
  // si_code > 0 means the kernel raised it (a fault); <= 0 means a process sent it.
  if (FAULT_SIGNALS.has(info.signal) && info.code > 0) info.address = u64(desc, 16);
  else if (info.code <= 0) info.senderPid = desc.readInt32LE(16);
  return info;
}

export function parsePrpsinfo(desc: Buffer): CoreProcessInfo | undefined {
  if (desc.length < 136) return undefined;
  return {
    uid: desc.readUInt32LE(16),
    pid: desc.readInt32LE(24),
    ppid: desc.readInt32LE(28),
    fname: fixedString(desc, 40, 16),
    psargs: fixedString(desc, 56, 80).trimEnd(),
  };
}

export const AT_PHDR = 3;
export const AT_EXECFN = 31;

export function parseAuxv(desc: Buffer): Map<number, number> {
  const out = new Map<number, number>();
  for (let o = 0; o + 16 <= desc.length; o += 16) {
    const type = u64(desc, o);
    if (type === 0) break;
    out.set(type, u64(desc, o + 8));
  }
  return out;
}

/** NT_FILE: count, page size, count (start, end, page offset) triples, then count C strings. */
export function parseNtFile(desc: Buffer): CoreFileEntry[] {
  if (desc.length < 16) return [];
  const count = u64(desc, 0);
  const pageSize = u64(desc, 8);
  if (count > (desc.length - 16) / 24) return [];
  const out: CoreFileEntry[] = [];
  let names = 16 + count * 24;
  for (let i = 0; i < count; i++) {
    const o = 16 + i * 24;
    const end = desc.indexOf(0, names);
    const stop = end < 0 ? desc.length : end;
    out.push({ start: u64(desc, o), end: u64(desc, o + 8), fileOffset: u64(desc, o + 16) * pageSize, path: desc.toString('utf8', names, stop) });
    names = stop + 1;
  }
  return out;
}
