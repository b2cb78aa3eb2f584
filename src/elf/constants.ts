// ELF constants used by pyscope (from the System V ABI and Linux's elf.h).
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

export const PT_LOAD = 1;
export const PT_NOTE = 4;

export const SHT_SYMTAB = 2;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;

export const SHN_UNDEF = 0;

export const NT_PRSTATUS = 1;
export const NT_PRPSINFO = 3;
export const NT_AUXV = 6;
export const NT_GNU_BUILD_ID = 3;
export const NT_SIGINFO = 0x53494749;
export const NT_FILE = 0x46494c45;

export const EM_386 = 3;
export const EM_ARM = 40;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

export const STT_FUNC = 2;
export const STT_GNU_IFUNC = 10;
