// The ELF files mapped into a target, each with where it landed (its load bias): the unwinder's map
// from a pc to the file whose CFI and symbols describe it. From a live process's /proc/PID/maps or
// from a core's NT_FILE note (through CoreFile, which finds each file here by build-id). A file
// that is gone, or is not the file the process mapped (another build-id), stays in the list with a
// `problem`, so its frames are named by module and shown as addresses rather than misnamed.
import { basename } from 'node:path';
import { buildIdInMemory, describeFileProblem } from '../elf/core-mapped-files.js';
import type { CoreFile } from '../elf/core-file.js';
import { ElfError, ElfFile } from '../elf/elf-file.js';
import { loadBias } from '../elf/load-bias.js';
import { readMaps, type Mapping } from '../memory/proc.js';
import type { MemorySource } from '../memory/source.js';

export interface NativeModule {
  /** The file to read here (CFI, symbols); the path the process mapped unless a core's file was found elsewhere. */
  path: string;
  start: number;
  end: number;
  /** Runtime address minus the file's own virtual address. */
  bias: number;
  buildId?: string;
  /** The path as the process mapped it, when it differs from `path`. */
  mappedPath?: string;
  /** Why the file cannot describe the module's frames (gone, another build): frames stay addresses. */
  problem?: string;
  /** The image is read from the target's memory, not a file: the vDSO. */
  inMemory?: boolean;
}

/** The vDSO's name in /proc/PID/maps, and the module name it is given. */
export const VDSO = '[vdso]';
/** AT_SYSINFO_EHDR: where the kernel mapped the vDSO (auxv). */
const AT_SYSINFO_EHDR = 33;

/** The vDSO as a module, mapped at `start`. Its ELF image sits in memory; vaddrs start at 0. */
function vdsoModule(start: number, end: number): NativeModule {
  return { path: VDSO, start, end, bias: start, inMemory: true };
}

/** Modules of a live process from its maps; with `memory`, each file's build-id is checked against the mapped image. */
export function modulesOfProcess(pid: number, memory?: MemorySource): NativeModule[] {
  return modulesFromMappings(readMaps(pid), memory);
}

/** Modules from mappings (of a live process, or a core's rewritten to the files found here). */
export function modulesFromMappings(mappings: readonly Mapping[], memory?: MemorySource): NativeModule[] {
  const byPath = new Map<string, Mapping[]>();
  for (const m of mappings) {
    if (!m.path.startsWith('/')) continue;
    const list = byPath.get(m.path);
    if (list) list.push(m);
    else byPath.set(m.path, [m]);
  }
  const out: NativeModule[] = [];
  const vdso = mappings.find((m) => m.path === VDSO);
  if (vdso) out.push(vdsoModule(vdso.start, vdso.end));
  for (const [path, list] of byPath) {
    // Only files with code: a mapped data file (a locale archive, a font) has no frames.
    if (!list.some((m) => m.executable)) continue;
    const m = moduleOf(path, list, mappings, memory);
    if (m) out.push(m);
  }
  return out.sort((a, b) => a.start - b.start);
}

function moduleOf(path: string, list: readonly Mapping[], mappings: readonly Mapping[], memory?: MemorySource): NativeModule | undefined {
  const start = Math.min(...list.map((m) => m.start));
  const end = Math.max(...list.map((m) => m.end));
  const head = list.filter((m) => m.fileOffset === 0).sort((a, b) => a.start - b.start)[0];
  // Without the file, a shared object's first PT_LOAD is assumed at address 0, as linkers put it.
  const guess = head?.start ?? start;
  let elf: ElfFile;
  try {
    elf = ElfFile.open(path, 'mapped file');
  } catch (e) {
    // A mapped file that is not ELF (a locale archive, a cache) holds no code to unwind.
    if (e instanceof ElfError && / is not an ELF file$/.test(e.message)) return undefined;
    return { path, start, end, bias: guess, problem: `${path} cannot be read here: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    const bias = loadBias(elf, mappings) ?? guess;
    const buildId = elf.buildId();
    const module: NativeModule = { path, start, end, bias, ...(buildId !== undefined ? { buildId } : {}) };
    if (memory && head && buildId !== undefined) {
      const mapped = buildIdInMemory(head.start, (a, l) => {
        try {
          return memory.read(a, l);
        } catch {
          return undefined;
        }
      });
      if (mapped !== undefined && mapped !== buildId) {
        module.buildId = mapped;
        module.problem = `${path} is not the file the process mapped (build-id ${buildId.slice(0, 12)} on disk, ${mapped.slice(0, 12)} in memory): it was replaced since`;
      }
    }
    return module;
  } finally {
    elf.close();
  }
}

/** Modules of a core: its NT_FILE mappings, each with the file found here for it (or why none fits). */
export function modulesOfCore(core: CoreFile): NativeModule[] {
  const mappings = core.mappings();
  const usable = modulesFromMappings(
    mappings.map((m) => ({ ...m, executable: true })),
    undefined,
  );
  // Local paths back to the names the core gives, so frames name what the process ran.
  const local = new Map<string, string>();
  for (const f of core.mappedFiles.values()) if (f.localPath !== undefined && (f.status === 'ok' || f.status === 'unverified')) local.set(f.localPath, f.corePath);
  const out: NativeModule[] = [];
  for (const m of usable) {
    const corePath = local.get(m.path);
    const file = corePath === undefined ? undefined : core.mappedFiles.get(corePath);
    if (file?.coreBuildId !== undefined) m.buildId = file.coreBuildId;
    if (corePath !== undefined && corePath !== m.path) m.mappedPath = corePath;
    out.push(m);
  }
  // NT_FILE lists only files: the vDSO is found through the auxiliary vector, and its pages are
  // in the core (kernel cores and gcore dump it).
  const vdsoStart = core.auxv.get(AT_SYSINFO_EHDR);
  if (vdsoStart !== undefined && vdsoStart > 0) {
    const size = elfImageSize(core, vdsoStart);
    if (size !== undefined) out.push(vdsoModule(vdsoStart, vdsoStart + size));
  }
  for (const f of core.fileProblems()) {
    const list = core.files.filter((x) => x.path === f.corePath);
    if (list.length === 0) continue;
    const head = list.filter((x) => x.fileOffset === 0).sort((a, b) => a.start - b.start)[0];
    out.push({
      path: f.corePath,
      start: Math.min(...list.map((x) => x.start)),
      end: Math.max(...list.map((x) => x.end)),
      bias: head?.start ?? Math.min(...list.map((x) => x.start)),
      ...(f.coreBuildId !== undefined ? { buildId: f.coreBuildId } : {}),
      problem: describeFileProblem(f),
    });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Largest ELF image read from memory: the vDSO is two or three pages. */
export const MAX_IMAGE = 1 << 20;

/** The size of the ELF image mapped at `start` (to the end of its section headers), read from memory. */
export function elfImageSize(memory: MemorySource, start: number): number | undefined {
  let h: Buffer;
  try {
    h = memory.read(start, 64);
  } catch {
    return undefined;
  }
  if (h.readUInt32BE(0) !== 0x7f454c46 || h[4] !== 2 || h[5] !== 1) return undefined;
  const shoff = Number(h.readBigUInt64LE(40));
  const size = shoff + h.readUInt16LE(58) * h.readUInt16LE(60);
  return size > 64 && size <= MAX_IMAGE ? size : undefined;
}

/** The module holding `address`, by binary search over modules sorted by start. */
export function moduleAt(modules: readonly NativeModule[], address: number): NativeModule | undefined {
  let lo = 0;
  let hi = modules.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = modules[mid]!;
    if (address < m.start) hi = mid - 1;
    else if (address >= m.end) lo = mid + 1;
    else return m;
  }
  return undefined;
}

/** The short name a frame line shows: the file name of what the process mapped. */
export function moduleName(m: NativeModule): string {
  return basename(m.mappedPath ?? m.path);
}
