// A lazily read little-endian ELF file, ELF64 or ELF32 (a 32-bit target read by the 64-bit tool):
// headers first, tables only when asked. Only a regular
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

/** Where an ELF class keeps the fields pyscope reads: the two classes order and size them differently. */
interface ClassLayout {
  /** Bytes of an address or offset field (Elf32_Addr, Elf64_Addr). */
  word: 4 | 8;
  header: { phoff: number; shoff: number; phentsize: number; phnum: number; shentsize: number; shnum: number; shstrndx: number; size: number };
  ph: { size: number; flags: number; offset: number; vaddr: number; filesz: number; memsz: number; align: number };
  sh: { size: number; flags: number; addr: number; offset: number; size_: number; link: number; entsize: number };
  sym: { size: number; info: number; shndx: number; value: number; size_: number };
}

const ELF64: ClassLayout = {
  word: 8,
  header: { phoff: 32, shoff: 40, phentsize: 54, phnum: 56, shentsize: 58, shnum: 60, shstrndx: 62, size: 64 },
  ph: { size: 56, flags: 4, offset: 8, vaddr: 16, filesz: 32, memsz: 40, align: 48 },
  sh: { size: 64, flags: 8, addr: 16, offset: 24, size_: 32, link: 40, entsize: 56 },
  sym: { size: 24, info: 4, shndx: 6, value: 8, size_: 16 },
};

const ELF32: ClassLayout = {
  word: 4,
  header: { phoff: 28, shoff: 32, phentsize: 42, phnum: 44, shentsize: 46, shnum: 48, shstrndx: 50, size: 52 },
  ph: { size: 32, flags: 24, offset: 4, vaddr: 8, filesz: 16, memsz: 20, align: 28 },
  sh: { size: 40, flags: 8, addr: 12, offset: 16, size_: 20, link: 24, entsize: 36 },
  sym: { size: 16, info: 12, shndx: 14, value: 4, size_: 8 },
};

function word(b: Buffer, o: number, size: 4 | 8): number {
  return size === 8 ? num(b.readBigUInt64LE(o)) : b.readUInt32LE(o);
}

export class ElfFile {
  readonly type: number;
  readonly machine: number;
  /** 4 for ELF32 (ILP32 targets), 8 for ELF64: the size of the file's addresses and of its target's pointers. */
  readonly wordSize: 4 | 8;
  private layout: ClassLayout;
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

  /** Opens `path`, named `what` in errors, if it is a regular file holding a little-endian ELF image. */
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
    const ident = this.readAt(0, 16, 'ELF header');
    if (ident.readUInt32BE(0) !== 0x7f454c46) throw new ElfError(`${path} is not an ELF file`);
    if (ident[4] !== 1 && ident[4] !== 2) throw new ElfError(`${path} has an unknown ELF class ${ident[4]}`);
    if (ident[5] !== 1) throw new ElfError(`${path} is big-endian; pyscope reads little-endian targets`);
    const L = (this.layout = ident[4] === 2 ? ELF64 : ELF32);
    this.wordSize = L.word;
    const H = L.header;
    const h = this.readAt(0, H.size, 'ELF header');
    this.type = h.readUInt16LE(16);
    this.machine = h.readUInt16LE(18);
    this.phoff = word(h, H.phoff, L.word);
    this.shoff = word(h, H.shoff, L.word);
    const phentsize = h.readUInt16LE(H.phentsize);
    const phnum = h.readUInt16LE(H.phnum);
    this.shentsize = h.readUInt16LE(H.shentsize);
    this.shnum = h.readUInt16LE(H.shnum);
    this.shstrndx = h.readUInt16LE(H.shstrndx);
    if (phnum > 0 && phentsize < L.ph.size) throw new ElfError(`${path}: bad program header size ${phentsize}`);
    const ph = phnum ? this.readAt(this.phoff, phnum * phentsize, 'program headers') : Buffer.alloc(0);
    const phs: ProgramHeader[] = [];
    const P = L.ph;
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      phs.push({
        type: ph.readUInt32LE(o),
        flags: ph.readUInt32LE(o + P.flags),
        offset: word(ph, o + P.offset, L.word),
        vaddr: word(ph, o + P.vaddr, L.word),
        filesz: word(ph, o + P.filesz, L.word),
        memsz: word(ph, o + P.memsz, L.word),
        align: word(ph, o + P.align, L.word),
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
    const S = this.layout.sh;
    const w = this.layout.word;
    if (this.shnum === 0 || this.shoff === 0 || this.shentsize < S.size || this.shoff + this.shnum * this.shentsize > this.fileSize) {
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
        flags: word(sh, o + S.flags, w),
        addr: word(sh, o + S.addr, w),
        offset: word(sh, o + S.offset, w),
        size: word(sh, o + S.size_, w),
        link: sh.readUInt32LE(o + S.link),
        entsize: word(sh, o + S.entsize, w),
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
   * A defined symbol by name, from .dynsym first, then .symtab; the first defined entry of the
   * table when several have the name (file-local statics may). Native searches do the work, no
   * loop over the entries in JavaScript: a libpython .symtab holds tens of thousands of symbols,
   * and the name most often asked about at start-up is one a normal build lacks (a debug build's
   * marker), which the string table alone shows absent.
   */
  symbol(name: string): ElfSymbol | undefined {
    if (this.lookups.has(name)) return this.lookups.get(name);
    let found: ElfSymbol | undefined;
    for (const table of ['.dynsym', '.symtab'] as const) {
      const t = this.symbolTable(table);
      found = t && name !== '' ? this.firstDefined(t, name) : undefined;
      if (found) break;
    }
    this.lookups.set(name, found);
    return found;
  }

  private firstDefined(t: { data: Buffer; strings: Buffer }, name: string): ElfSymbol | undefined {
    // Every place the name's bytes end a string is a st_name that names it (tails are shared).
    const want = Buffer.from(name + '\0', 'utf8');
    const E = this.layout.sym.size;
    const key = Buffer.alloc(4);
    let first: number | undefined;
    for (let at = t.strings.indexOf(want); at !== -1; at = t.strings.indexOf(want, at + 1)) {
      key.writeUInt32LE(at);
      // The entries whose st_name (their first word, in both classes) is that offset.
      for (let o = t.data.indexOf(key); o !== -1 && (first === undefined || o < first); o = t.data.indexOf(key, o + 1)) {
        if (o % E !== 0 || o + E > t.data.length) continue;
        if (decodeSymbol(t.data, o, name, this.layout).defined) {
          first = o;
          break;
        }
      }
    }
    return first === undefined ? undefined : decodeSymbol(t.data, first, name, this.layout);
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
      const Y = this.layout.sym;
      for (let o = 0; o + Y.size <= t.data.length; o += Y.size) {
        const type = t.data[o + Y.info]! & 0xf;
        if (type !== STT_FUNC && type !== STT_GNU_IFUNC) continue;
        if (t.data.readUInt16LE(o + Y.shndx) === SHN_UNDEF) continue;
        const nameOff = t.data.readUInt32LE(o);
        const sym = decodeSymbol(t.data, o, cstring(t.strings, nameOff), this.layout);
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

function decodeSymbol(data: Buffer, o: number, name: string, layout: ClassLayout): ElfSymbol {
  const Y = layout.sym;
  return {
    name,
    type: data[o + Y.info]! & 0xf,
    binding: data[o + Y.info]! >> 4,
    value: word(data, o + Y.value, layout.word),
    size: word(data, o + Y.size_, layout.word),
    defined: data.readUInt16LE(o + Y.shndx) !== SHN_UNDEF,
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
