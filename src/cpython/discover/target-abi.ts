// The ABI of a target interpreter, from its ELF file: the machine and the class (ELF32 or ELF64)
// decide the pointer size and the C layout every declaration is laid out with. Every read of a
// pointer, a Py_ssize_t or a long in the model follows from here, never from a constant.
import { ExitCode, PyscopeError } from '../../common/errors.js';
import { EM_386, EM_X86_64, machineName } from '../../elf/index.js';
import { I386, LP64, type Abi } from '../../layout/index.js';

export interface TargetAbi {
  /** "x86-64", "i386", "AArch64". */
  machine: string;
  /** The C data model: LP64 (64-bit Linux) or ILP32 (32-bit). */
  model: 'LP64' | 'ILP32';
  pointerSize: 4 | 8;
  /** The layout engine's ABI for this target's declarations. */
  layout: Abi;
}

export const X86_64_ABI: TargetAbi = { machine: 'x86-64', model: 'LP64', pointerSize: 8, layout: LP64 };
export const I386_ABI: TargetAbi = { machine: 'i386', model: 'ILP32', pointerSize: 4, layout: I386 };

/** The ABI of an ELF file; a machine pyscope cannot lay structs out for is refused, naming it. */
export function targetAbi(elf: { machine: number; wordSize: 4 | 8; path: string }): TargetAbi {
  if (elf.wordSize === 8) {
    // 64-bit Linux lays C structs out the same way (LP64) on every machine pyscope meets.
    return elf.machine === EM_X86_64 ? X86_64_ABI : { ...X86_64_ABI, machine: machineName(elf.machine) };
  }
  if (elf.machine === EM_386) return I386_ABI;
  throw new PyscopeError(`${elf.path} is a 32-bit ${machineName(elf.machine)} binary: not supported yet (pyscope reads 32-bit i386 targets)`, ExitCode.badFile);
}

/** "x86-64, LP64" or "i386, ILP32", as doctor prints it. */
export function describeAbi(abi: TargetAbi): string {
  return `${abi.machine}, ${abi.model}`;
}
