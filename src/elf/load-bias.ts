// Where an ELF file's virtual addresses landed in a process: the load bias.
// PIE executables and shared objects are moved by the loader; non-PIE executables sit at their
// link address (bias 0).
import type { Mapping } from '../memory/proc.js';
import { ET_EXEC, PT_LOAD } from './constants.js';
import type { ElfFile } from './elf-file.js';

const PAGE = 4096;

export function loadBias(elf: ElfFile, mappings: readonly Mapping[]): number | undefined {
  if (elf.type === ET_EXEC) return 0;
  const mine = mappings.filter((m) => m.path === elf.path);
  for (const ph of elf.programHeaders) {
    if (ph.type !== PT_LOAD) continue;
    const pageOffset = ph.offset - (ph.offset % PAGE);
    const m = mine.find((x) => x.fileOffset === pageOffset);
    if (m) return m.start - (ph.vaddr - (ph.vaddr % PAGE));
  }
  return undefined;
}
