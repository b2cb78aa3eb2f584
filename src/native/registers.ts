// A thread's registers as the unwinder sees them: indexed by DWARF register number, the numbering
// CFI rules use, so a rule's register is an index with no translation table in between.
// The kernel hands registers over as `struct user_regs_struct` (PTRACE_GETREGS and the pr_reg of a
// core's NT_PRSTATUS hold the same bytes); its layout is declared below as data and laid out by the
// layout engine rather than written down as offsets.
import { declarePrebuilt, LP64, type StructLayout } from '../layout/index.js';

/** Register values by DWARF number; undefined where unknown (a callee-saved register not recovered). */
export type Registers = readonly (number | undefined)[];

/** DWARF register numbers of x86-64 (System V psABI, "DWARF Register Number Mapping"). */
export const X86_64 = {
  rax: 0,
  rdx: 1,
  rcx: 2,
  rbx: 3,
  rsi: 4,
  rdi: 5,
  rbp: 6,
  rsp: 7,
  r8: 8,
  r9: 9,
  r10: 10,
  r11: 11,
  r12: 12,
  r13: 13,
  r14: 14,
  r15: 15,
  /** The return address column: rip. */
  rip: 16,
} as const;

export const REGISTER_COUNT = 17;

// glibc sysdeps/unix/sysv/linux/x86/sys/user.h, struct user_regs_struct (x86-64 branch), the
// members in the kernel's order (arch/x86/include/asm/user_64.h). Data only.
const USER_REGS_DECLARATION = `
struct user_regs_struct {
  unsigned long long int r15;
  unsigned long long int r14;
  unsigned long long int r13;
  unsigned long long int r12;
  unsigned long long int rbp;
  unsigned long long int rbx;
  unsigned long long int r11;
  unsigned long long int r10;
  unsigned long long int r9;
  unsigned long long int r8;
  unsigned long long int rax;
  unsigned long long int rcx;
  unsigned long long int rdx;
  unsigned long long int rsi;
  unsigned long long int rdi;
  unsigned long long int orig_rax;
  unsigned long long int rip;
  unsigned long long int cs;
  unsigned long long int eflags;
  unsigned long long int rsp;
  unsigned long long int ss;
  unsigned long long int fs_base;
  unsigned long long int gs_base;
  unsigned long long int ds;
  unsigned long long int es;
  unsigned long long int fs;
  unsigned long long int gs;
};
`;

/** The declaration as laid out: a build-time table is made for exactly this text, ABI and label. */
export const USER_REGS = { source: USER_REGS_DECLARATION, abi: LP64, label: 'glibc sys/user.h' } as const;

let laid: StructLayout | undefined;

/** The laid-out struct user_regs_struct of x86-64 Linux (216 bytes). */
export function userRegsLayout(): StructLayout {
  laid ??= declarePrebuilt(USER_REGS.source, USER_REGS.abi, USER_REGS.label).struct('struct user_regs_struct');
  return laid;
}

/** Decodes the kernel's struct user_regs_struct into registers by DWARF number. */
export function registersFromUserRegs(raw: Buffer): Registers {
  const layout = userRegsLayout();
  if (raw.length < layout.size) throw new RangeError(`user_regs_struct needs ${layout.size} bytes, got ${raw.length}`);
  const out: (number | undefined)[] = new Array<number | undefined>(REGISTER_COUNT).fill(undefined);
  for (const [name, dwarf] of Object.entries(X86_64)) out[dwarf] = u64(raw, layout.offset(name));
  return out;
}

function u64(b: Buffer, o: number): number {
  const v = b.readBigUInt64LE(o);
  // Registers hold any 64-bit value; an address never exceeds 2^53, so a larger value is only data.
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** A register set from the values of a few registers by DWARF number, the rest unknown. */
export function registersOf(values: Readonly<Record<number, number>>): Registers {
  const out: (number | undefined)[] = new Array<number | undefined>(REGISTER_COUNT).fill(undefined);
  for (const [k, v] of Object.entries(values)) out[Number(k)] = v;
  return out;
}
