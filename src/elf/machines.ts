// Names of the ELF machines (e_machine) pyscope may meet, for messages: a core or a binary of a
// machine pyscope does not read is named, not just refused.
import { EM_386, EM_AARCH64, EM_ARM, EM_X86_64 } from './constants.js';

const NAMES: Record<number, string> = {
  [EM_386]: 'i386',
  [EM_ARM]: 'ARM',
  [EM_X86_64]: 'x86-64',
  [EM_AARCH64]: 'AArch64',
  2: 'SPARC',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'S/390',
  43: 'SPARC V9',
  243: 'RISC-V',
  258: 'LoongArch',
};

/** "ARM", or "e_machine 1234" for a machine without a name here. */
export function machineName(machine: number): string {
  const name = NAMES[machine];
  return name ? name : `e_machine ${machine}`;
}
