// Decoders for the notes Linux writes into a core file (fs/binfmt_elf.c, and gdb's gcore which
// imitates it). Layouts are those of LP64 Linux, or of 32-bit i386 Linux for an ELF32 core
// (`word` 4: longs, pointers and NT_FILE's entries are 4 bytes, and the structs shrink with them);
// every decoder checks the descriptor's size first, so a short or foreign note yields undefined
// rather than garbage.
import { EM_386, EM_AARCH64, EM_X86_64 } from './constants.js';

/** Bytes of a long (and a pointer) in the core's notes: the core's ELF class says which. */
export type NoteWord = 4 | 8;

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

/** An unsigned long of the core's width. */
function ulong(b: Buffer, o: number, word: NoteWord): number {
  return word === 8 ? u64(b, o) : b.readUInt32LE(o);
}

function fixedString(b: Buffer, start: number, length: number): string {
  const slice = b.subarray(start, start + length);
  const nul = slice.indexOf(0);
  return slice.toString('utf8', 0, nul < 0 ? slice.length : nul);
}

// struct elf_prstatus: siginfo (12) + cursig (2) + pad, sigpend, sighold (longs), pid, ppid, pgrp,
// sid, then 4 timevals (2 longs each), then pr_reg: pid at 32 and pr_reg at 112 on LP64, pid at 24
// and pr_reg at 72 on i386.
const PRSTATUS = { 8: { pid: 32, regs: 112 }, 4: { pid: 24, regs: 72 } } as const;
// user_regs_struct slots (each a long): x86-64 rip = 16, rsp = 19; arm64 sp = 31, pc = 32;
// i386 eip = 12, esp = 15 (ebx ecx edx esi edi ebp eax ds es fs gs orig_eax eip cs eflags esp ss).
const REG_SLOTS: Record<number, { pc: number; sp: number; count: number }> = {
  [EM_X86_64]: { pc: 16, sp: 19, count: 27 },
  [EM_AARCH64]: { pc: 32, sp: 31, count: 34 },
  [EM_386]: { pc: 12, sp: 15, count: 17 },
};

export function parsePrstatus(desc: Buffer, machine: number, word: NoteWord = 8): CoreThread | undefined {
  const at = PRSTATUS[word];
  if (desc.length < at.regs) return undefined;
  const thread: CoreThread = { tid: desc.readInt32LE(at.pid), signal: desc.readUInt16LE(12) };
  const slots = REG_SLOTS[machine];
  if (slots && desc.length >= at.regs + slots.count * word) {
    thread.pc = ulong(desc, at.regs + slots.pc * word, word);
    thread.sp = ulong(desc, at.regs + slots.sp * word, word);
    thread.regs = Buffer.from(desc.subarray(at.regs, at.regs + slots.count * word));
  }
  return thread;
}

export function parseSiginfo(desc: Buffer, word: NoteWord = 8): CoreSignalInfo | undefined {
  // The union after si_signo, si_errno, si_code is pointer-aligned: at 16 on LP64, 12 on i386.
  const union = word === 8 ? 16 : 12;
  if (desc.length < union + word) return undefined;
  const info: CoreSignalInfo = { signal: desc.readInt32LE(0), errno: desc.readInt32LE(4), code: desc.readInt32LE(8) };
  // si_code > 0 means the kernel raised it (a fault); <= 0 means a process sent it.
  if (FAULT_SIGNALS.has(info.signal) && info.code > 0) info.address = ulong(desc, union, word);
  else if (info.code <= 0) info.senderPid = desc.readInt32LE(union);
  return info;
}

export function parsePrpsinfo(desc: Buffer, word: NoteWord = 8): CoreProcessInfo | undefined {
  if (word === 4) {
    // i386: pr_flag is 4 bytes and uid/gid are 16-bit (the kernel's compat layout, which gcore writes too).
    if (desc.length < 124) return undefined;
    return { uid: desc.readUInt16LE(8), pid: desc.readInt32LE(12), ppid: desc.readInt32LE(16), fname: fixedString(desc, 28, 16), psargs: fixedString(desc, 44, 80).trimEnd() };
  }
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

export function parseAuxv(desc: Buffer, word: NoteWord = 8): Map<number, number> {
  const out = new Map<number, number>();
  for (let o = 0; o + 2 * word <= desc.length; o += 2 * word) {
    const type = ulong(desc, o, word);
    if (type === 0) break;
    out.set(type, ulong(desc, o + word, word));
  }
  return out;
}

/** NT_FILE: count, page size, count (start, end, page offset) triples, then count C strings; every number a long. */
export function parseNtFile(desc: Buffer, word: NoteWord = 8): CoreFileEntry[] {
  if (desc.length < 2 * word) return [];
  const count = ulong(desc, 0, word);
  const pageSize = ulong(desc, word, word);
  if (count > (desc.length - 2 * word) / (3 * word)) return [];
  const out: CoreFileEntry[] = [];
  let names = 2 * word + count * 3 * word;
  for (let i = 0; i < count; i++) {
    const o = 2 * word + i * 3 * word;
    const end = desc.indexOf(0, names);
    const stop = end < 0 ? desc.length : end;
    out.push({ start: ulong(desc, o, word), end: ulong(desc, o + word, word), fileOffset: ulong(desc, o + 2 * word, word) * pageSize, path: desc.toString('utf8', names, stop) });
    names = stop + 1;
  }
  return out;
}
