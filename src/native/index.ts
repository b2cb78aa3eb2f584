// Native stacks: a thread's registers and its process's mapped ELF files -> its native frames.
export { registersFromUserRegs, registersOf, userRegsLayout, X86_64, REGISTER_COUNT, type Registers } from './registers.js';
export { modulesOfProcess, modulesFromMappings, modulesOfCore, moduleAt, moduleName, VDSO, type NativeModule } from './modules.js';
export { NativeUnwinder, DEFAULT_MAX_FRAMES, type NativeFrame, type UnwindResult, type UnwinderOptions } from './unwind.js';
export { ModuleInfo, ModuleInfoCache, sharedModuleInfo } from './module-info.js';
export { CfiError } from './dwarf-reader.js';
export { DwarfTypes, type DwarfMember, type DwarfRecord } from './dwarf-types.js';
export { openDebugFile, DEBUG_ROOT } from './debug-file.js';
