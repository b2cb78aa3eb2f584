// A lazily read ELF64 little-endian file: headers first, tables only when asked. Only a regular
// file is opened (regular-file.ts), and every count and offset taken from the file is checked
// against its size, so a truncated or hostile file gives an ElfError, never an endless loop, a
// wait or a huge allocation.
import { closeSync, readSync } from 'node:fs';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { openRegularFile, type RegularFile } from './regular-file.js';
import { NT_GNU_BUILD_ID, PT_LOAD, PT_NOTE, SHN_UNDEF, STT_FUNC, STT_GNU_IFUNC, SHT_DYNSYM, SHT_NOBITS, SHT_NOTE, SHT_SYMTAB } from './constants.js';

export class ElfError extends PyscopeError {
  constructor(message: string) {
    super(message, ExitCode.badFile);
    this.name = 'ElfError';
  }
}

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

export interface SectionHeader {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: number;
  /** STB_LOCAL 0, STB_GLOBAL 1, STB_WEAK 2. */
  binding: number;
  defined: boolean;
}

export interface ElfNote {
  name: string;
  type: number;
  desc: Buffer;
  /** File offset of the descriptor, for callers that need to re-read it. */
  descOffset: number;
}

const MAX_TABLE = 1 << 28;

export class ElfFile {
  readonly type: number;
  readonly machine: number;
  readonly programHeaders: readonly ProgramHeader[];
  /** The open file, or undefined for an image held in memory (fromImage). */
  private fd: number | undefined;
  private image?: Buffer;
  readonly fileSize: number;
  private phoff: number;
  private shoff: number;
  private shnum: number;
  private shentsize: number;
  private shstrndx: number;
  private sectionsCache?: SectionHeader[];
  private lookups = new Map<string, ElfSymbol | undefined>();
  private tables = new Map<string, { data: Buffer; strings: Buffer } | undefined>();

  /** Opens `path`, named `what` in errors, if it is a regular file holding an ELF64 LE image. */
  static open(path: string, what = 'ELF file'): ElfFile {
    return ElfFile.fromFile(path, openRegularFile(path, what));
  }

  /** Reads the ELF image of a file already opened; takes the descriptor over (closed on failure). */
  static fromFile(path: string, file: RegularFile): ElfFile {
    try {
      return new ElfFile(path, file);
    } catch (e) {
      closeSync(file.fd);
      throw e;
    }
  }

  /**
   * An ELF image already in memory, named `path` in errors: the vDSO, which the kernel maps into
   * every process with no file behind it. Reads are bounded by the buffer like a file's by its size.
   */
  static fromImage(path: string, image: Buffer): ElfFile {
    return new ElfFile(path, { fd: -1, size: image.length }, image);
  }

  private constructor(
    readonly path: string,
    file: RegularFile,
    image?: Buffer,
  ) {
    this.fd = image ? undefined : file.fd;
    if (image) this.image = image;
    this.fileSize = file.size;
    const h = this.readAt(0, 64, 'ELF header');
    if (h.readUInt32BE(0) !== 0x7f454c46) throw new ElfError(`${path} is not an ELF file`);
    if (h[4] !== 2) throw new ElfError(`${path} is a 32-bit ELF file; pyscope reads 64-bit targets`);
    if (h[5] !== 1) throw new ElfError(`${path} is big-endian; pyscope reads little-endian targets`);
    this.type = h.readUInt16LE(16);
    this.machine = h.readUInt16LE(18);
    this.phoff = num(h.readBigUInt64LE(32));
    this.shoff = num(h.readBigUInt64LE(40));
    const phentsize = h.readUInt16LE(54);
    const phnum = h.readUInt16LE(56);
    this.shentsize = h.readUInt16LE(58);
    this.shnum = h.readUInt16LE(60);
    this.shstrndx = h.readUInt16LE(62);
    if (phnum > 0 && phentsize < 56) throw new ElfError(`${path}: bad program header size ${phentsize}`);
    const ph = phnum ? this.readAt(this.phoff, phnum * phentsize, 'program headers') : Buffer.alloc(0);
    const phs: ProgramHeader[] = [];
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      phs.push({
        type: ph.readUInt32LE(o),
        flags: ph.readUInt32LE(o + 4),
        offset: num(ph.readBigUInt64LE(o + 8)),
        vaddr: num(ph.readBigUInt64LE(o + 16)),
        filesz: num(ph.readBigUInt64LE(o + 32)),
        memsz: num(ph.readBigUInt64LE(o + 40)),
        align: num(ph.readBigUInt64LE(o + 48)),
      });
    }
    this.programHeaders = phs;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }

  /** Reads file bytes; throws ElfError naming `what` if the file is too short. */
  readAt(offset: number, length: number, what: string): Buffer {
    if (length < 0 || length > MAX_TABLE || offset < 0 || offset + length > this.fileSize) {
      throw new ElfError(`${this.path}: ${what} lies outside the file (truncated or corrupt)`);
    }
    if (this.image) return Buffer.from(this.image.subarray(offset, offset + length));
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd!, buf, got, length - got, offset + got);
      if (n === 0) throw new ElfError(`${this.path}: unexpected end of file reading ${what}`);
      got += n;
    }
    return buf;
  }

  get sections(): readonly SectionHeader[] {
    if (this.sectionsCache) return this.sectionsCache;
    const list: SectionHeader[] = [];
    // A stripped or truncated file may lack section headers: callers then use dynamic info only.
    if (this.shnum === 0 || this.shoff === 0 || this.shentsize < 64 || this.shoff + this.shnum * this.shentsize > this.fileSize) {
      this.sectionsCache = list;
      return list;
    }
    const sh = this.readAt(this.shoff, this.shnum * this.shentsize, 'section headers');
    const raw = [];
    for (let i = 0; i < this.shnum; i++) {
      const o = i * this.shentsize;
      raw.push({
        nameOff: sh.readUInt32LE(o),
        type: sh.readUInt32LE(o + 4),
        flags: num(sh.readBigUInt64LE(o + 8)),
        addr: num(sh.readBigUInt64LE(o + 16)),
        offset: num(sh.readBigUInt64LE(o + 24)),
        size: num(sh.readBigUInt64LE(o + 32)),
        link: sh.readUInt32LE(o + 40),
        entsize: num(sh.readBigUInt64LE(o + 56)),
      });
    }
    const strtab = raw[this.shstrndx];
    const names = strtab && strtab.type !== SHT_NOBITS ? this.tryRead(strtab.offset, strtab.size) : undefined;
    for (const r of raw) {
      list.push({ name: names ? cstring(names, r.nameOff) : '', type: r.type, flags: r.flags, addr: r.addr, offset: r.offset, size: r.size, link: r.link, entsize: r.entsize });
    }
    this.sectionsCache = list;
    return list;
  }

  section(name: string): SectionHeader | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /**
   * A defined symbol by name, from .dynsym first, then .symtab. Scans the raw tables comparing
   * bytes, without decoding every name: a libpython .symtab holds tens of thousands of symbols.
   */
  symbol(name: string): ElfSymbol | undefined {
    if (this.lookups.has(name)) return this.lookups.get(name);
    const want = Buffer.from(name + '\0', 'utf8');
    let found: ElfSymbol | undefined;
    for (const table of ['.dynsym', '.symtab'] as const) {
      const t = this.symbolTable(table);
      if (!t) continue;
      for (let o = 0; o + 24 <= t.data.length && !found; o += 24) {
        const nameOff = t.data.readUInt32LE(o);
        if (nameOff === 0 || nameOff + want.length > t.strings.length || t.strings[nameOff] !== want[0]) continue;
        if (t.strings.compare(want, 0, want.length, nameOff, nameOff + want.length) !== 0) continue;
        const sym = decodeSymbol(t.data, o, name);
        if (sym.defined) found = sym;
      }
      if (found) break;
    }
    this.lookups.set(name, found);
    return found;
  }

  private symbolTable(table: '.dynsym' | '.symtab'): { data: Buffer; strings: Buffer } | undefined {
    if (this.tables.has(table)) return this.tables.get(table);
    const want = table === '.dynsym' ? SHT_DYNSYM : SHT_SYMTAB;
    const sec = this.sections.find((x) => x.type === want);
    const strsec = sec ? this.sections[sec.link] : undefined;
    let result: { data: Buffer; strings: Buffer } | undefined;
    if (sec && strsec && sec.type !== SHT_NOBITS && strsec.type !== SHT_NOBITS) {
      const data = this.tryRead(sec.offset, sec.size);
      const strings = this.tryRead(strsec.offset, strsec.size);
      if (data && strings) result = { data, strings };
    }
    this.tables.set(table, result);
    return result;
  }

  /**
   * Every defined function symbol (STT_FUNC, STT_GNU_IFUNC) of .symtab and .dynsym, both tables
   * decoded in full, for address-to-name lookups. Names repeat when both tables hold one.
   */
  functionSymbols(): ElfSymbol[] {
    const out: ElfSymbol[] = [];
    for (const table of ['.symtab', '.dynsym'] as const) {
      const t = this.symbolTable(table);
      if (!t) continue;
      for (let o = 0; o + 24 <= t.data.length; o += 24) {
        const type = t.data[o + 4]! & 0xf;
        if (type !== STT_FUNC && type !== STT_GNU_IFUNC) continue;
        if (t.data.readUInt16LE(o + 6) === SHN_UNDEF) continue;
        const nameOff = t.data.readUInt32LE(o);
        const sym = decodeSymbol(t.data, o, cstring(t.strings, nameOff));
        if (sym.value !== 0 && sym.name !== '') out.push(sym);
      }
    }
    return out;
  }

  /** A section's bytes as stored (undefined for a missing or SHT_NOBITS section, or one outside the file). */
  sectionBytes(name: string): Buffer | undefined {
    const s = this.section(name);
    if (!s || s.type === SHT_NOBITS) return undefined;
    return this.tryRead(s.offset, s.size);
  }

  /** .gnu_debuglink: the separate debug file's name and the CRC-32 of its contents. */
  debugLink(): { name: string; crc: number } | undefined {
    const data = this.sectionBytes('.gnu_debuglink');
    if (!data) return undefined;
    const name = cstring(data, 0);
    // The name, its NUL, padding to 4 bytes, then the CRC.
    const crcAt = (name.length + 1 + 3) & ~3;
    if (name === '' || crcAt + 4 > data.length) return undefined;
    return { name, crc: data.readUInt32LE(crcAt) };
  }

  /** Notes from PT_NOTE segments (cores, executables) or SHT_NOTE sections. */
  notes(): ElfNote[] {
    const out: ElfNote[] = [];
    const ranges = this.programHeaders.filter((p) => p.type === PT_NOTE).map((p) => [p.offset, p.filesz] as const);
    if (ranges.length === 0) for (const s of this.sections) if (s.type === SHT_NOTE) ranges.push([s.offset, s.size]);
    for (const [offset, size] of ranges) {
      const buf = this.tryRead(offset, size);
      // One push per note: a spread of a mutated segment's hundred thousand notes overflows the stack.
      if (buf) for (const n of parseNotes(buf, offset)) out.push(n);
    }
    return out;
  }

  /** The GNU build-id as lowercase hex, if the file has one. */
  buildId(): string | undefined {
    const n = this.notes().find((x) => x.name === 'GNU' && x.type === NT_GNU_BUILD_ID);
    return n ? n.desc.toString('hex') : undefined;
  }

  /** The file bytes backing a virtual address range (unrelocated), or undefined (e.g. .bss). */
  readVirtual(vaddr: number, length: number): Buffer | undefined {
    for (const p of this.programHeaders) {
      if (p.type !== PT_LOAD) continue;
      if (vaddr >= p.vaddr && vaddr + length <= p.vaddr + p.filesz) {
        return this.tryRead(p.offset + (vaddr - p.vaddr), length);
      }
    }
    return undefined;
  }

  private tryRead(offset: number, length: number): Buffer | undefined {
    try {
      return this.readAt(offset, length, 'table');
    } catch {
      return undefined;
    }
  }
}

function decodeSymbol(data: Buffer, o: number, name: string): ElfSymbol {
  return {
    name,
    type: data[o + 4]! & 0xf,
    binding: data[o + 4]! >> 4,
    value: num(data.readBigUInt64LE(o + 8)),
    size: num(data.readBigUInt64LE(o + 16)),
    defined: data.readUInt16LE(o + 6) !== SHN_UNDEF,
  };
}

function num(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  return Number(v);
}

/**
 * n rounded up to a multiple of 4. Plain arithmetic: a note size is a uint32, and `(n + 3) & ~3`
 * would wrap one near 2^31 to a negative offset.
 */
function align4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}

/**
 * The notes in a buffer of note entries (namesz, descsz, type, name, desc, each padded to 4 bytes),
 * `fileOffset` being where the buffer starts. A size that runs past the buffer ends the list.
 */
export function parseNotes(buf: Buffer, fileOffset = 0): ElfNote[] {
  const out: ElfNote[] = [];
  let o = 0;
  while (o + 12 <= buf.length) {
    const namesz = buf.readUInt32LE(o);
    const descsz = buf.readUInt32LE(o + 4);
    const type = buf.readUInt32LE(o + 8);
    const nameStart = o + 12;
    const descStart = nameStart + align4(namesz);
    if (descStart + descsz > buf.length) break;
    // A header of zeros names nothing and carries nothing: it is padding or a segment that is not
    // notes at all (a mutated core's PT_LOAD labelled PT_NOTE), and making an object of each 12
    // bytes of it costs memory for no information.
    if (namesz === 0 && descsz === 0 && type === 0) {
      o = descStart;
      continue;
    }
    const name = buf.toString('latin1', nameStart, nameStart + Math.max(0, namesz - 1));
    out.push({ name, type, desc: buf.subarray(descStart, descStart + descsz), descOffset: fileOffset + descStart });
    o = descStart + align4(descsz);
  }
  return out;
}

export function cstring(buf: Buffer, offset: number, max = 4096): string {
  if (offset >= buf.length) return '';
  let end = offset;
  const limit = Math.min(buf.length, offset + max);
  while (end < limit && buf[end] !== 0) end++;
  return buf.toString('utf8', offset, end);
}
