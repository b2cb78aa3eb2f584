// What the unwinder needs of one ELF file, read once and kept: its CFI sections (.eh_frame with
// .eh_frame_hdr, .debug_frame, and the debug file's .debug_frame) and its symbol table (the file's
// and its separate debug file's). Sections are copied into memory and the files closed, so a cache
// of many modules holds no descriptors. Kept per file identity (path, size, mtime, build-id): a
// file replaced on disk is read again.
import { statSync } from 'node:fs';
import { ElfFile } from '../elf/elf-file.js';
import { CfiEntries, type Fde } from './cfi-entries.js';
import { ruleRowAt, type RuleRow } from './cfa-program.js';
import { CfiError } from './dwarf-reader.js';
import { openDebugFile } from './debug-file.js';
import { SymbolTable, type SymbolHit } from './symbols.js';
import { LineTable, type SourceLine } from './line-table.js';
import { PyscopeError } from '../common/errors.js';

export class ModuleInfo {
  private rows = new Map<number, RuleRow | undefined>();
  /** Read on first use: a module's line table costs more than its CFI and symbols together. */
  private lineTable?: LineTable | null;

  constructor(
    readonly path: string,
    private readonly cfi: readonly CfiEntries[],
    readonly symbols: SymbolTable,
    /** The separate debug file used, if any. */
    readonly debugFile?: string,
  ) {}

  /** The rule row for `pc` (the file's own address), or undefined where no FDE covers it. */
  ruleRow(pc: number): RuleRow | undefined {
    if (this.rows.has(pc)) return this.rows.get(pc);
    let row: RuleRow | undefined;
    for (const table of this.cfi) {
      let fde: Fde | undefined;
      try {
        fde = table.find(pc);
        if (fde) row = ruleRowAt(fde, pc, `${this.path}: CFI for 0x${pc.toString(16)}`);
      } catch (e) {
        // A corrupt entry is no row: the unwinder falls back to frame pointers there.
        if (!(e instanceof CfiError)) throw e;
      }
      if (row) break;
    }
    // Rows repeat (every thread parks in the same few functions); the map stays small.
    if (this.rows.size > 50_000) this.rows.clear();
    this.rows.set(pc, row);
    return row;
  }

  symbol(pc: number): SymbolHit | undefined {
    return this.symbols.lookup(pc);
  }

  /** The source line of `pc` (the file's own address) from .debug_line of the debug file or the file. */
  line(pc: number): SourceLine | undefined {
    if (this.lineTable === undefined) {
      this.lineTable = null;
      const opened: ElfFile[] = [];
      try {
        for (const p of this.debugFile !== undefined ? [this.debugFile, this.path] : [this.path]) opened.push(ElfFile.open(p, 'mapped file'));
        this.lineTable = LineTable.load(opened) ?? null;
      } catch (e) {
        // No line information is no error: frames keep their function names.
        if (!(e instanceof PyscopeError)) throw e;
      } finally {
        for (const f of opened) f.close();
      }
    }
    return this.lineTable?.lookup(pc);
  }

  static load(path: string): ModuleInfo {
    const elf = ElfFile.open(path, 'mapped file');
    let debug: ElfFile | undefined;
    try {
      debug = openDebugFile(elf);
      return ModuleInfo.fromElf(elf, debug);
    } finally {
      debug?.close();
      elf.close();
    }
  }

  /** The info of an ELF image read from the target's memory (the vDSO): CFI and symbols, no lines. */
  static fromImage(name: string, image: Buffer): ModuleInfo {
    const info = ModuleInfo.fromElf(ElfFile.fromImage(name, image), undefined);
    info.lineTable = null;
    return info;
  }

  private static fromElf(elf: ElfFile, debug: ElfFile | undefined): ModuleInfo {
    const path = elf.path;
    const cfi: CfiEntries[] = [];
    const eh = elf.section('.eh_frame');
    const ehData = elf.sectionBytes('.eh_frame');
    if (eh && ehData) {
      const hdr = elf.section('.eh_frame_hdr');
      const hdrData = elf.sectionBytes('.eh_frame_hdr');
      cfi.push(new CfiEntries(path, { kind: 'eh', data: ehData, address: eh.addr }, hdr && hdrData ? { data: hdrData, address: hdr.addr } : undefined));
    }
    for (const f of debug ? [elf, debug] : [elf]) {
      const data = f.sectionBytes('.debug_frame');
      if (data) cfi.push(new CfiEntries(f.path, { kind: 'debug', data, address: 0 }));
    }
    const symbols = new SymbolTable(debug ? [elf, debug] : [elf]);
    return new ModuleInfo(path, cfi, symbols, debug?.path);
  }
}

/** Module infos by file identity, shared by every unwinder of the process (bounded). */
export class ModuleInfoCache {
  private entries = new Map<string, ModuleInfo | Error>();

  constructor(private readonly limit = 512) {}

  get(path: string, buildId?: string): ModuleInfo | Error {
    let key: string;
    try {
      const st = statSync(path);
      key = `${path}\0${st.size}\0${st.mtimeMs}\0${buildId ?? ''}`;
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
    const hit = this.entries.get(key);
    if (hit) return hit;
    let info: ModuleInfo | Error;
    try {
      info = ModuleInfo.load(path);
    } catch (e) {
      info = e instanceof Error ? e : new Error(String(e));
    }
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, info);
    return info;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The cache unwinders share unless given their own. */
export const sharedModuleInfo = new ModuleInfoCache();
