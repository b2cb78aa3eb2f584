// Which file on this machine stands for each file a core says was mapped. A core holds only the
// memory the kernel chose to dump; the rest (code, .rodata) must come from the very file the
// process ran, so each candidate is checked against the GNU build-id found in the core: the kernel
// dumps the first page of every ELF mapping, and that page holds the build-id note.
import { existsSync } from 'node:fs';
import { notRegularFile } from './regular-file.js';
import { basename, join } from 'node:path';
import { ET_DYN, NT_GNU_BUILD_ID, PT_LOAD, PT_NOTE } from './constants.js';
import { ElfFile, parseNotes } from './elf-file.js';
import type { CoreFileEntry } from './core-notes.js';

export interface MappedFile {
  /** The path the core names. */
  corePath: string;
  /** The file used here to read memory the core lacks, when one fits. */
  localPath?: string;
  /** ok: build-ids agree; unverified: the core holds no build-id for it; missing / mismatch: unusable. */
  status: 'ok' | 'unverified' | 'missing' | 'mismatch';
  coreBuildId?: string;
  /** For a mismatch: the build-id of the first candidate found. */
  diskBuildId?: string;
  /** Candidates looked at, in order. */
  tried: string[];
  /** Why a candidate that exists was not used: it is not a regular file (a FIFO, a device...). */
  refused?: string;
}

export interface ResolveOptions {
  /** Stands in for the core's executable (and for any mapped file of the same name). */
  exe?: string;
  /** Folders searched, before the recorded path, for files by name or as a sysroot. */
  libSearchPath: readonly string[];
  /** The core path of the main executable, when known (from AT_PHDR). */
  executable?: string;
}

/** Reads memory from the core itself only (never from files on disk); undefined where it has none. */
export type CoreOnlyReader = (address: number, length: number) => Buffer | undefined;

export function resolveMappedFiles(entries: readonly CoreFileEntry[], readCore: CoreOnlyReader, opts: ResolveOptions): Map<string, MappedFile> {
  const byPath = new Map<string, CoreFileEntry[]>();
  for (const e of entries) {
    const list = byPath.get(e.path);
    if (list) list.push(e);
    else byPath.set(e.path, [e]);
  }
  const diskIds = new Map<string, string | undefined>();
  const diskBuildId = (path: string): string | undefined => {
    if (!diskIds.has(path)) {
      let id: string | undefined;
      try {
        const elf = ElfFile.open(path);
        id = elf.buildId();
        elf.close();
      } catch {
        id = undefined;
      }
      diskIds.set(path, id);
    }
    return diskIds.get(path);
  };
  const out = new Map<string, MappedFile>();
  for (const [corePath, list] of byPath) {
    const head = list.filter((e) => e.fileOffset === 0).sort((a, b) => a.start - b.start)[0];
    const coreBuildId = head ? buildIdInMemory(head.start, readCore) : undefined;
    const tried = candidates(corePath, opts);
    // Only regular files stand in for a mapped file: a FIFO would block, a device never ends.
    const existing: string[] = [];
    let refused: string | undefined;
    for (const p of tried) {
      const why = notRegularFile(p);
      if (why === undefined) existing.push(p);
      else if (existsSync(p)) refused ??= why;
    }
    const file: MappedFile = { corePath, status: 'missing', coreBuildId, tried, ...(refused !== undefined ? { refused } : {}) };
    if (existing.length > 0) {
      if (coreBuildId === undefined) {
        file.status = 'unverified';
        file.localPath = existing[0];
      } else {
        const match = existing.find((p) => diskBuildId(p) === coreBuildId);
        if (match) {
          file.status = 'ok';
          file.localPath = match;
        } else {
          file.status = 'mismatch';
          file.diskBuildId = diskBuildId(existing[0]!);
        }
      }
    }
    out.set(corePath, file);
  }
  return out;
}

function candidates(recorded: string, opts: ResolveOptions): string[] {
  // A file deleted or replaced after it was mapped is named "path (deleted)"; the build-id check
  // tells whether what is there now is still the same file.
  const corePath = recorded.replace(/ \(deleted\)$/, '');
  const list: string[] = [];
  if (opts.exe !== undefined && (recorded === opts.executable || basename(corePath) === basename(opts.exe))) list.push(opts.exe);
  for (const dir of opts.libSearchPath) {
    list.push(join(dir, basename(corePath)));
    if (corePath.startsWith('/')) list.push(join(dir, corePath));
  }
  list.push(corePath);
  return [...new Set(list)];
}

const MAX_PHNUM = 128;

/** The GNU build-id of the ELF image mapped at `start`, read from the core's dump of its first page. */
export function buildIdInMemory(start: number, readCore: CoreOnlyReader): string | undefined {
  const h = readCore(start, 52);
  if (!h || h.readUInt32BE(0) !== 0x7f454c46 || (h[4] !== 1 && h[4] !== 2) || h[5] !== 1) return undefined;
  // ELF64 or ELF32 (a 32-bit process's images): the header and program header fields move.
  const is64 = h[4] === 2;
  const h64 = is64 ? readCore(start, 64) : h;
  if (!h64) return undefined;
  const type = h64.readUInt16LE(16);
  const phoff = is64 ? Number(h64.readBigUInt64LE(32)) : h64.readUInt32LE(28);
  const phentsize = h64.readUInt16LE(is64 ? 54 : 42);
  const phnum = h64.readUInt16LE(is64 ? 56 : 44);
  if (phentsize < (is64 ? 56 : 32) || phnum === 0 || phnum > MAX_PHNUM || phoff > 1 << 20) return undefined;
  const ph = readCore(start + phoff, phnum * phentsize);
  if (!ph) return undefined;
  const headers = [];
  for (let i = 0; i < phnum; i++) {
    const o = i * phentsize;
    headers.push(
      is64
        ? { type: ph.readUInt32LE(o), vaddr: Number(ph.readBigUInt64LE(o + 16)), filesz: Number(ph.readBigUInt64LE(o + 32)) }
        : { type: ph.readUInt32LE(o), vaddr: ph.readUInt32LE(o + 8), filesz: ph.readUInt32LE(o + 16) },
    );
  }
  // Shared objects and PIE executables are moved by the loader: relocate by the first PT_LOAD.
  const firstLoad = headers.find((p) => p.type === PT_LOAD);
  const bias = type === ET_DYN && firstLoad ? start - (firstLoad.vaddr - (firstLoad.vaddr % 4096)) : 0;
  for (const p of headers) {
    if (p.type !== PT_NOTE || p.filesz > 1 << 16) continue;
    const notes = readCore(bias + p.vaddr, p.filesz);
    const id = notes && parseNotes(notes).find((n) => n.type === NT_GNU_BUILD_ID && n.name === 'GNU');
    if (id) return id.desc.toString('hex');
  }
  return undefined;
}

/** One line naming an unusable file and how to point pyscope at the right one. */
export function describeFileProblem(f: MappedFile): string {
  if (f.status === 'missing') {
    const deleted = / \(deleted\)$/.test(f.corePath);
    const path = f.corePath.replace(/ \(deleted\)$/, '');
    if (f.refused !== undefined) return `${path}, mapped in the core, cannot be read here (${f.refused}): give the folder that holds it with --lib-search-path DIR (or the executable with --exe PATH)`;
    return `${path}, mapped in the core, ${deleted ? 'was deleted while mapped and ' : ''}is not on this machine: give the folder that holds it with --lib-search-path DIR (or the executable with --exe PATH)`;
  }
  return (
    `${f.tried.find((p) => notRegularFile(p) === undefined) ?? f.corePath} is not the file the process ran (build-id ${short(f.diskBuildId)} here, ${short(f.coreBuildId)} in the core): ` +
    `give the folder that holds the right ${basename(f.corePath)} with --lib-search-path DIR (or the executable with --exe PATH)`
  );
}

function short(id: string | undefined): string {
  return id === undefined ? 'none' : id.slice(0, 12);
}
