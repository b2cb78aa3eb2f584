// Source lines of a module from DWARF .debug_line (versions 2 to 5; DWARF 5 section 6.2): every
// line program run once into one sorted table of (address, file, line), then a binary search per
// pc. Compressed sections (SHF_COMPRESSED with zlib, as Debian's debug files have them) are
// inflated with a bound on the output size. Headers and programs are read through the bounded
// DwarfReader: a damaged table ends in a CfiError for that table, not a loop.
import { inflateSync } from 'node:zlib';
import type { ElfFile } from '../elf/elf-file.js';
import { CfiError, DwarfReader } from './dwarf-reader.js';

const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
/** Largest section inflated: libpython's .debug_line is a few MiB. */
const MAX_SECTION = 256 << 20;
/** Rows kept per module, far above a large library's count. */
const MAX_ROWS = 20_000_000;

export interface SourceLine {
  file: string;
  line: number;
}

/** A section's bytes, inflated if compressed; undefined if absent, compressed otherwise than with zlib, or too large. */
export function debugSection(elf: ElfFile, name: string): Buffer | undefined {
  const s = elf.section(name);
  const raw = elf.sectionBytes(name);
  if (!s || !raw) return undefined;
  if ((s.flags & SHF_COMPRESSED) === 0) return raw;
  if (raw.length < 24 || raw.readUInt32LE(0) !== ELFCOMPRESS_ZLIB) return undefined;
  const size = Number(raw.readBigUInt64LE(8));
  if (size > MAX_SECTION) return undefined;
  try {
    return inflateSync(raw.subarray(24), { maxOutputLength: Math.max(size, 1) });
  } catch {
    return undefined;
  }
}

export class LineTable {
  private constructor(
    private readonly addresses: Float64Array,
    /** Index into `files`, or -1 for the end of a sequence (no line there). */
    private readonly fileIndex: Int32Array,
    private readonly lines: Uint32Array,
    private readonly files: readonly string[],
  ) {}

  get size(): number {
    return this.addresses.length;
  }

  /** The line of `address` (the module's own address), or undefined. */
  lookup(address: number): SourceLine | undefined {
    const a = this.addresses;
    let lo = 0;
    let hi = a.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]! <= address) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const f = this.fileIndex[best]!;
    if (f < 0) return undefined;
    const line = this.lines[best]!;
    return line === 0 ? undefined : { file: this.files[f]!, line };
  }

  /** The line table of the first of `files` that has a .debug_line, or undefined. */
  static load(files: readonly ElfFile[]): LineTable | undefined {
    for (const elf of files) {
      const data = debugSection(elf, '.debug_line');
      if (!data) continue;
      return LineTable.parse(data, debugSection(elf, '.debug_line_str'), debugSection(elf, '.debug_str'), elf.path);
    }
    return undefined;
  }

  static parse(data: Buffer, lineStr: Buffer | undefined, str: Buffer | undefined, path: string): LineTable {
    const rows = new Rows();
    const files: string[] = [];
    const fileIds = new Map<string, number>();
    const intern = (name: string): number => {
      let id = fileIds.get(name);
      if (id === undefined) {
        id = files.length;
        files.push(name);
        fileIds.set(name, id);
      }
      return id;
    };
    let offset = 0;
    while (offset + 4 <= data.length && rows.address.length < MAX_ROWS) {
      const r = new DwarfReader(data, offset, data.length, `${path}: .debug_line at ${offset}`);
      let length = r.u32();
      let wide = false;
      if (length === 0xffffffff) {
        length = r.u64();
        wide = true;
      }
      const end = r.offset + length;
      if (length === 0 || end > data.length) break;
      try {
        parseUnit(new DwarfReader(data, r.offset, end, r.what), wide, lineStr, str, intern, rows);
      } catch (e) {
        // One damaged unit loses its own rows only.
        if (!(e instanceof CfiError)) throw e;
      }
      offset = end;
    }
    // Addresses only grow inside a sequence (DWARF 5 section 6.2.5.3): sorting the sequences by
    // their first address sorts the rows, without sorting hundreds of thousands of them.
    const sequences = rows.sequences.filter(([from, to]) => to > from).sort((x, y) => rows.address[x[0]]! - rows.address[y[0]]!);
    const n = sequences.reduce((sum, [from, to]) => sum + to - from, 0);
    const addresses = new Float64Array(n);
    const fileIndex = new Int32Array(n);
    const lines = new Uint32Array(n);
    let at = 0;
    for (const [from, to] of sequences) {
      for (let i = from; i < to; i++, at++) {
        addresses[at] = rows.address[i]!;
        fileIndex[at] = rows.file[i]!;
        lines[at] = rows.line[i]!;
      }
    }
    return new LineTable(addresses, fileIndex, lines, files);
  }
}

/** Rows as parallel arrays, and where each sequence's rows start and end. */
class Rows {
  readonly address: number[] = [];
  readonly file: number[] = [];
  readonly line: number[] = [];
  readonly sequences: [number, number][] = [];
  private start = 0;

  push(address: number, file: number, line: number): void {
    // A row at the address of the one before replaces it: the later row is the one that holds.
    const last = this.address.length - 1;
    if (last >= this.start && this.address[last] === address) {
      this.file[last] = file;
      this.line[last] = line;
      return;
    }
    if (last >= this.start && this.address[last]! > address) {
      // Addresses went backwards inside a sequence (a damaged program): start a new sequence.
      this.endSequence();
    }
    this.address.push(address);
    this.file.push(file);
    this.line.push(line);
  }

  endSequence(): void {
    this.sequences.push([this.start, this.address.length]);
    this.start = this.address.length;
  }
}

// DW_FORM_* used by DWARF 5 directory and file entries.
const DW_FORM_block = 0x09;
const DW_FORM_block1 = 0x0a;
const DW_FORM_data1 = 0x0b;
const DW_FORM_data2 = 0x05;
const DW_FORM_data4 = 0x06;
const DW_FORM_data8 = 0x07;
const DW_FORM_data16 = 0x1e;
const DW_FORM_string = 0x08;
const DW_FORM_strp = 0x0e;
const DW_FORM_line_strp = 0x1f;
const DW_FORM_udata = 0x0f;
const DW_FORM_strx = 0x1a;
const DW_FORM_strx1 = 0x25;
const DW_FORM_strx2 = 0x26;
const DW_FORM_strx3 = 0x27;
const DW_FORM_strx4 = 0x28;
const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;

const decoded = new WeakMap<Buffer, Map<number, string>>();

/** A string of a string section; units name the same files over and over, so each is decoded once. */
function stringAt(table: Buffer | undefined, offset: number): string {
  if (!table || offset >= table.length) return '';
  let memo = decoded.get(table);
  if (!memo) decoded.set(table, (memo = new Map()));
  let s = memo.get(offset);
  if (s === undefined) {
    const nul = table.indexOf(0, offset);
    s = table.toString('utf8', offset, nul < 0 ? table.length : nul);
    memo.set(offset, s);
  }
  return s;
}

/** One DWARF 5 entry's value in `form`: a string, a number, or undefined for what is skipped. */
function formValue(r: DwarfReader, form: number, wide: boolean, lineStr: Buffer | undefined, str: Buffer | undefined): string | number | undefined {
  switch (form) {
    case DW_FORM_string:
      return r.cstring();
    case DW_FORM_line_strp:
      return stringAt(lineStr, wide ? r.u64() : r.u32());
    case DW_FORM_strp:
      return stringAt(str, wide ? r.u64() : r.u32());
    case DW_FORM_udata:
      return r.uleb();
    case DW_FORM_data1:
      return r.u8();
    case DW_FORM_data2:
      return r.u16();
    case DW_FORM_data4:
      return r.u32();
    case DW_FORM_data8:
      r.skip(8);
      return undefined;
    case DW_FORM_data16:
      r.skip(16);
      return undefined;
    case DW_FORM_block:
      r.skip(r.uleb());
      return undefined;
    case DW_FORM_block1:
      r.skip(r.u8());
      return undefined;
    // String indexes need .debug_str_offsets and a unit's base: names read through them stay unknown.
    case DW_FORM_strx:
      r.uleb();
      return undefined;
    case DW_FORM_strx1:
      r.skip(1);
      return undefined;
    case DW_FORM_strx2:
      r.skip(2);
      return undefined;
    case DW_FORM_strx3:
      r.skip(3);
      return undefined;
    case DW_FORM_strx4:
      r.skip(4);
      return undefined;
    default:
      throw new CfiError(`${r.what}: unknown form 0x${form.toString(16)} in the line table header`);
  }
}

function entries(r: DwarfReader, wide: boolean, lineStr: Buffer | undefined, str: Buffer | undefined): { path: string; dir: number }[] {
  const formatCount = r.u8();
  const formats: [number, number][] = [];
  for (let i = 0; i < formatCount; i++) formats.push([r.uleb(), r.uleb()]);
  const count = r.uleb();
  if (count > r.end - r.offset) throw new CfiError(`${r.what}: ${count} entries cannot fit`);
  const out: { path: string; dir: number }[] = [];
  for (let i = 0; i < count; i++) {
    const e = { path: '', dir: 0 };
    for (const [type, form] of formats) {
      const v = formValue(r, form, wide, lineStr, str);
      if (type === DW_LNCT_path && typeof v === 'string') e.path = v;
      else if (type === DW_LNCT_directory_index && typeof v === 'number') e.dir = v;
    }
    out.push(e);
  }
  return out;
}

function joinPath(dir: string | undefined, name: string): string {
  if (name.startsWith('/') || !dir) return name;
  return `${dir.replace(/\/$/, '')}/${name}`;
}

function parseUnit(
  r: DwarfReader,
  wide: boolean,
  lineStr: Buffer | undefined,
  str: Buffer | undefined,
  intern: (name: string) => number,
  rows: Rows,
): void {
  const version = r.u16();
  if (version < 2 || version > 5) throw new CfiError(`${r.what}: line table version ${version}`);
  let addressSize = 8;
  if (version >= 5) {
    addressSize = r.u8();
    r.u8(); // segment selector size
  }
  const headerLength = wide ? r.u64() : r.u32();
  const programStart = r.offset + headerLength;
  if (programStart > r.end) throw new CfiError(`${r.what}: header runs past the unit`);
  const minInst = r.u8();
  if (version >= 4) r.u8(); // maximum operations per instruction: 1 on every non-VLIW target
  const defaultIsStmt = r.u8() !== 0;
  void defaultIsStmt;
  const lineBase = r.s8();
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  if (lineRange === 0) throw new CfiError(`${r.what}: line range 0`);
  const argCounts: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) argCounts.push(r.u8());
  // File names by the index the program uses: 0-based in DWARF 5, 1-based before.
  const fileNames: string[] = [];
  if (version >= 5) {
    const dirs = entries(r, wide, lineStr, str).map((d) => d.path);
    // Directory 0 is the compilation directory: named as gdb names it, left out when absolute
    // (a build machine's folder), kept when relative (a build mapped to "./nptl").
    for (const f of entries(r, wide, lineStr, str)) fileNames.push(f.dir === 0 && dirs[0]?.startsWith('/') ? f.path : joinPath(dirs[f.dir], f.path));
  } else {
    const dirs: string[] = [''];
    for (let d = r.cstring(); d !== ''; d = r.cstring()) dirs.push(d);
    fileNames.push('');
    for (let name = r.cstring(); name !== ''; name = r.cstring()) {
      const dir = r.uleb();
      r.uleb();
      r.uleb();
      fileNames.push(dir === 0 ? name : joinPath(dirs[dir], name));
    }
  }
  r.offset = programStart;
  const ids = new Map<number, number>();
  const fileId = (i: number): number => {
    let id = ids.get(i);
    if (id === undefined) {
      id = intern(fileNames[i] ?? `file ${i}`);
      ids.set(i, id);
    }
    return id;
  };
  let address = 0;
  let file = 1;
  let line = 1;
  const emit = (): void => {
    rows.push(address, fileId(file), line);
  };
  const reset = (): void => {
    address = 0;
    file = 1;
    line = 1;
  };
  while (!r.atEnd) {
    const op = r.u8();
    if (op >= opcodeBase) {
      const adjusted = op - opcodeBase;
      address += Math.floor(adjusted / lineRange) * minInst;
      line += lineBase + (adjusted % lineRange);
      emit();
      continue;
    }
    switch (op) {
      case 0: {
        const len = r.uleb();
        const next = r.offset + len;
        if (len === 0 || next > r.end) throw new CfiError(`${r.what}: extended opcode runs past the unit`);
        const sub = r.u8();
        if (sub === 1) {
          // DW_LNE_end_sequence: no line from here to the next sequence.
          rows.push(address, -1, 0);
          rows.endSequence();
          reset();
        } else if (sub === 2) address = addressSize === 4 ? r.u32() : r.u64();
        r.offset = next;
        break;
      }
      case 1:
        emit();
        break;
      case 2:
        address += r.uleb() * minInst;
        break;
      case 3:
        line += r.sleb();
        break;
      case 4:
        file = r.uleb();
        break;
      case 8:
        address += Math.floor((255 - opcodeBase) / lineRange) * minInst;
        break;
      case 9:
        address += r.u16();
        break;
      default:
        for (let i = 0; i < (argCounts[op] ?? 0); i++) r.uleb();
    }
  }
}
