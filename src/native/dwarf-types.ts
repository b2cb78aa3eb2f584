// The struct and union types of a file's DWARF (.debug_info with .debug_abbrev, versions 2 to 5),
// enough to say where each member of a named type sits and how large it is: what
// `doctor --verify-layout` holds pyscope's declarations against. Only type entries are kept;
// functions and variables are skipped by their DW_AT_sibling where the producer gives one. Every
// read goes through the bounded DwarfReader and the walk stops after MAX_ENTRIES entries, so a
// damaged or hostile file gives a CfiError or an incomplete index, never a long loop.
import type { ElfFile } from '../elf/elf-file.js';
import { CfiError, DwarfReader } from './dwarf-reader.js';
import { debugSection } from './line-table.js';

/** Entries walked at most: libpython's DWARF has a few million. */
const MAX_ENTRIES = 40_000_000;
/** Nesting of entries followed at most (real C types nest a few levels). */
const MAX_DEPTH = 256;
/** Typedef, qualifier and array links followed at most while resolving one type. */
const MAX_CHAIN = 64;

const TAG = {
  array: 0x01,
  enumeration: 0x04,
  member: 0x0d,
  pointer: 0x0f,
  reference: 0x10,
  structure: 0x13,
  subroutine: 0x15,
  typedef: 0x16,
  union: 0x17,
  subrange: 0x21,
  base: 0x24,
  const: 0x26,
  volatile: 0x35,
  restrict: 0x37,
  atomic: 0x47,
} as const;

/** The tags whose entries are kept; the others are walked over. */
const KEPT = new Set<number>(Object.values(TAG));
/** Tags that only qualify another type: same size and layout. */
const QUALIFIERS = new Set<number>([TAG.typedef, TAG.const, TAG.volatile, TAG.restrict, TAG.atomic]);

const AT = {
  sibling: 0x01,
  location: 0x02,
  name: 0x03,
  byteSize: 0x0b,
  bitOffset: 0x0c,
  bitSize: 0x0d,
  upperBound: 0x2f,
  count: 0x37,
  dataMemberLocation: 0x38,
  declaration: 0x3c,
  type: 0x49,
  dataBitOffset: 0x6b,
  strOffsetsBase: 0x72,
} as const;

interface Entry {
  tag: number;
  name?: string;
  byteSize?: number;
  /** .debug_info offset of the entry DW_AT_type names. */
  type?: number;
  memberLocation?: number;
  bitOffset?: number;
  bitSize?: number;
  dataBitOffset?: number;
  upperBound?: number;
  count?: number;
  declaration?: boolean;
  /** Offsets of the kept children (members, subranges). */
  children?: number[];
  /** The unit's address size (a pointer without DW_AT_byte_size has it). */
  addressSize: number;
}

export interface DwarfMember {
  /** Undefined for an anonymous struct or union member. */
  name: string | undefined;
  /** Byte offset from the start of the type asked for. */
  offset: number;
  /** For bit-fields: the bit position from the start of the type asked for, and the width. */
  bitPosition?: number;
  bitSize?: number;
  /** Size of the member's type in bytes (of its storage type, for a bit-field). */
  size: number;
  /** The member's type, when it is a struct or union (through typedefs and qualifiers). */
  record?: DwarfRecord;
}

export interface DwarfRecord {
  name: string;
  isUnion: boolean;
  size: number;
  members: DwarfMember[];
}

interface Abbrev {
  tag: number;
  hasChildren: boolean;
  attrs: { at: number; form: number; implicit?: number }[];
}

export class DwarfTypes {
  private readonly entries = new Map<number, Entry>();
  /** "struct tag" / "union tag" of complete definitions, and typedef names, to entry offsets. */
  private readonly byName = new Map<string, number>();
  private readonly records = new Map<number, DwarfRecord | undefined>();
  /** Entries walked, for the caller to report. */
  walked = 0;
  /** True when the walk stopped at MAX_ENTRIES. */
  incomplete = false;

  private constructor() {}

  /** The types of `elf`'s .debug_info, or undefined when it has none. */
  static read(elf: ElfFile): DwarfTypes | undefined {
    const info = debugSection(elf, '.debug_info');
    const abbrev = debugSection(elf, '.debug_abbrev');
    if (!info || !abbrev || info.length === 0) return undefined;
    const types = new DwarfTypes();
    types.parse(info, abbrev, {
      str: debugSection(elf, '.debug_str'),
      lineStr: debugSection(elf, '.debug_line_str'),
      strOffsets: debugSection(elf, '.debug_str_offsets'),
    }, elf.path);
    return types;
  }

  /** A struct or union by typedef name ("PyObject") or tag ("struct _ts"), undefined if unknown. */
  record(name: string): DwarfRecord | undefined {
    const at = this.byName.get(name);
    return at === undefined ? undefined : this.recordAt(at, name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private parse(info: Buffer, abbrevSection: Buffer, strings: { str?: Buffer; lineStr?: Buffer; strOffsets?: Buffer }, path: string): void {
    const abbrevCache = new Map<number, Map<number, Abbrev>>();
    let unitStart = 0;
    while (unitStart + 11 <= info.length && !this.incomplete) {
      const r = new DwarfReader(info, unitStart, info.length, `${path}: .debug_info unit at ${unitStart}`);
      let length = r.u32();
      let offsetSize = 4;
      if (length === 0xffffffff) {
        length = r.u64();
        offsetSize = 8;
      } else if (length >= 0xfffffff0) throw new CfiError(`${path}: .debug_info unit at ${unitStart} has a reserved length`);
      const end = r.offset + length;
      if (end > info.length) throw new CfiError(`${path}: .debug_info unit at ${unitStart} runs past the section`);
      r.end = end;
      const version = r.u16();
      if (version < 2 || version > 5) {
        unitStart = end;
        continue;
      }
      let unitType = 0x01;
      let addressSize: number;
      let abbrevOffset: number;
      if (version >= 5) {
        unitType = r.u8();
        addressSize = r.u8();
        abbrevOffset = offsetSize === 8 ? r.u64() : r.u32();
        if (unitType === 0x04 || unitType === 0x05) r.skip(8); // skeleton, split compile: dwo_id
        else if (unitType === 0x02 || unitType === 0x06) r.skip(8 + offsetSize); // type units: signature, type offset
      } else {
        abbrevOffset = offsetSize === 8 ? r.u64() : r.u32();
        addressSize = r.u8();
      }
      let abbrevs = abbrevCache.get(abbrevOffset);
      if (!abbrevs) {
        abbrevs = readAbbrevs(abbrevSection, abbrevOffset, path);
        abbrevCache.set(abbrevOffset, abbrevs);
      }
      // Type units (DWARF 4 .debug_types is not read; DWARF 5 type units in .debug_info are) hold
      // types like any unit: their entries are read the same way.
      this.readUnit(r, { unitStart, version, offsetSize, addressSize, abbrevs, strings, path });
      unitStart = end;
    }
  }

  private readUnit(
    r: DwarfReader,
    u: { unitStart: number; version: number; offsetSize: number; addressSize: number; abbrevs: Map<number, Abbrev>; strings: { str?: Buffer; lineStr?: Buffer; strOffsets?: Buffer }; path: string },
  ): void {
    // Each open level: the kept parent entry its kept children attach to (undefined when the
    // parent is not kept, such as a function).
    const parents: (Entry | undefined)[] = [];
    let strOffsetsBase = 8;
    let first = true;
    while (!r.atEnd) {
      if (++this.walked > MAX_ENTRIES) {
        this.incomplete = true;
        return;
      }
      const at = r.offset;
      const code = r.uleb();
      if (code === 0) {
        parents.pop();
        if (parents.length === 0 && !first) return;
        continue;
      }
      const ab = u.abbrevs.get(code);
      if (!ab) throw new CfiError(`${u.path}: .debug_info entry at ${at} uses unknown abbreviation ${code}`);
      const kept = KEPT.has(ab.tag);
      const e: Entry = { tag: ab.tag, addressSize: u.addressSize };
      let sibling: number | undefined;
      for (const a of ab.attrs) {
        const v = readForm(r, a.form, a.implicit, u);
        if (a.at === AT.sibling && v.kind === 'ref') sibling = v.value;
        else if (first && a.at === AT.strOffsetsBase && v.kind === 'number') strOffsetsBase = v.value;
        if (!kept) continue;
        switch (a.at) {
          case AT.name:
            e.name = stringOf(v, u.strings, strOffsetsBase, u.offsetSize);
            break;
          case AT.byteSize:
            if (v.kind === 'number') e.byteSize = v.value;
            break;
          case AT.type:
            if (v.kind === 'ref') e.type = v.value;
            break;
          case AT.dataMemberLocation:
            e.memberLocation = v.kind === 'number' ? v.value : v.kind === 'block' ? plusUconst(v.bytes) : undefined;
            break;
          case AT.bitOffset:
            if (v.kind === 'number') e.bitOffset = v.value;
            break;
          case AT.bitSize:
            if (v.kind === 'number') e.bitSize = v.value;
            break;
          case AT.dataBitOffset:
            if (v.kind === 'number') e.dataBitOffset = v.value;
            break;
          case AT.upperBound:
            if (v.kind === 'number') e.upperBound = v.value;
            break;
          case AT.count:
            if (v.kind === 'number') e.count = v.value;
            break;
          case AT.declaration:
            e.declaration = v.kind === 'number' && v.value !== 0;
            break;
        }
      }
      const parent = parents[parents.length - 1];
      if (kept) {
        this.entries.set(at, e);
        if (parent && (e.tag === TAG.member || e.tag === TAG.subrange)) (parent.children ??= []).push(at);
        this.index(at, e, parents.length);
      }
      if (ab.hasChildren) {
        // What is inside a function or a variable holds no type pyscope asks for by name:
        // its sibling link, when given, jumps over it.
        if (!kept && !first && sibling !== undefined && sibling > r.offset && sibling <= r.end) {
          r.offset = sibling;
          continue;
        }
        if (parents.length >= MAX_DEPTH) throw new CfiError(`${u.path}: .debug_info entries nest deeper than ${MAX_DEPTH} at ${at}`);
        parents.push(kept ? e : undefined);
      } else if (first) return;
      first = false;
    }
  }

  private index(at: number, e: Entry, depth: number): void {
    if (e.name === undefined || depth > 1) return;
    if (e.tag === TAG.typedef) {
      if (!this.byName.has(e.name)) this.byName.set(e.name, at);
    } else if ((e.tag === TAG.structure || e.tag === TAG.union) && !e.declaration && e.byteSize !== undefined) {
      const key = `${e.tag === TAG.union ? 'union' : 'struct'} ${e.name}`;
      if (!this.byName.has(key)) this.byName.set(key, at);
    }
  }

  /** Follows typedefs and qualifiers to the type itself; a declared-only struct to its definition. */
  private underlying(at: number | undefined): Entry | undefined {
    for (let i = 0; i < MAX_CHAIN && at !== undefined; i++) {
      const e = this.entries.get(at);
      if (!e) return undefined;
      if (QUALIFIERS.has(e.tag)) {
        at = e.type;
        continue;
      }
      if ((e.tag === TAG.structure || e.tag === TAG.union) && e.declaration && e.name !== undefined) {
        const def = this.byName.get(`${e.tag === TAG.union ? 'union' : 'struct'} ${e.name}`);
        return def === undefined ? e : this.entries.get(def);
      }
      return e;
    }
    return undefined;
  }

  private sizeOf(at: number | undefined, depth = 0): number | undefined {
    const e = this.underlying(at);
    if (!e || depth > MAX_CHAIN) return undefined;
    if (e.tag === TAG.array) {
      const element = this.sizeOf(e.type, depth + 1);
      if (element === undefined) return undefined;
      let n = 1;
      for (const c of e.children ?? []) {
        const s = this.entries.get(c);
        if (!s) continue;
        // A flexible array member ([]) has no bound: it takes no room.
        n *= s.count ?? (s.upperBound !== undefined ? s.upperBound + 1 : 0);
      }
      return element * n;
    }
    if (e.byteSize !== undefined) return e.byteSize;
    if (e.tag === TAG.pointer || e.tag === TAG.reference) return e.addressSize;
    return undefined;
  }

  private recordAt(at: number, name: string, depth = 0): DwarfRecord | undefined {
    if (this.records.has(at)) return this.records.get(at);
    const e = this.underlying(at);
    if (!e || (e.tag !== TAG.structure && e.tag !== TAG.union) || e.byteSize === undefined || depth > MAX_CHAIN) {
      this.records.set(at, undefined);
      return undefined;
    }
    const members: DwarfMember[] = [];
    const record: DwarfRecord = { name, isUnion: e.tag === TAG.union, size: e.byteSize, members };
    this.records.set(at, record);
    for (const c of e.children ?? []) {
      const m = this.entries.get(c);
      if (!m || m.tag !== TAG.member) continue;
      const size = this.sizeOf(m.type) ?? 0;
      const offset = m.memberLocation ?? 0;
      const member: DwarfMember = { name: m.name, offset, size };
      if (m.bitSize !== undefined) {
        member.bitSize = m.bitSize;
        if (m.dataBitOffset !== undefined) member.bitPosition = m.dataBitOffset;
        // DWARF 2-4: DW_AT_bit_offset counts from the most significant bit of the storage unit
        // (little-endian targets: the storage unit's size minus the field's end).
        else member.bitPosition = offset * 8 + ((m.byteSize ?? size) * 8 - (m.bitOffset ?? 0) - m.bitSize);
        member.offset = Math.floor(member.bitPosition / 8);
      }
      const inner = this.underlying(m.type);
      if (inner && (inner.tag === TAG.structure || inner.tag === TAG.union) && m.type !== undefined) {
        member.record = this.recordAt(m.type, inner.name ?? '(anonymous)', depth + 1);
      }
      members.push(member);
    }
    return record;
  }
}

type FormValue = { kind: 'number'; value: number } | { kind: 'ref'; value: number } | { kind: 'string'; value: string } | { kind: 'strp'; section: 'str' | 'lineStr'; value: number } | { kind: 'strx'; value: number } | { kind: 'block'; bytes: Buffer } | { kind: 'none' };

const NONE: FormValue = { kind: 'none' };

function readForm(r: DwarfReader, form: number, implicit: number | undefined, u: { unitStart: number; version: number; offsetSize: number; addressSize: number }): FormValue {
  const offset = () => (u.offsetSize === 8 ? r.u64() : r.u32());
  switch (form) {
    case 0x01: // addr
      r.skip(u.addressSize);
      return NONE;
    case 0x03: // block2
      return { kind: 'block', bytes: r.bytes(r.u16()) };
    case 0x04: // block4
      return { kind: 'block', bytes: r.bytes(r.u32()) };
    case 0x05: // data2
      return { kind: 'number', value: r.u16() };
    case 0x06: // data4
      return { kind: 'number', value: r.u32() };
    case 0x07: // data8
      return { kind: 'number', value: r.u64() };
    case 0x08: // string
      return { kind: 'string', value: r.cstring() };
    case 0x09: // block
    case 0x18: // exprloc
      return { kind: 'block', bytes: r.bytes(r.uleb()) };
    case 0x0a: // block1
      return { kind: 'block', bytes: r.bytes(r.u8()) };
    case 0x0b: // data1
    case 0x0c: // flag
      return { kind: 'number', value: r.u8() };
    case 0x0d: // sdata
      return { kind: 'number', value: r.sleb() };
    case 0x0e: // strp
      return { kind: 'strp', section: 'str', value: offset() };
    case 0x0f: // udata
      return { kind: 'number', value: r.uleb() };
    case 0x10: // ref_addr: an offset into .debug_info (an address's size in DWARF 2)
      return { kind: 'ref', value: u.version === 2 ? (u.addressSize === 8 ? r.u64() : r.u32()) : offset() };
    case 0x11: // ref1
      return { kind: 'ref', value: u.unitStart + r.u8() };
    case 0x12: // ref2
      return { kind: 'ref', value: u.unitStart + r.u16() };
    case 0x13: // ref4
      return { kind: 'ref', value: u.unitStart + r.u32() };
    case 0x14: // ref8
      return { kind: 'ref', value: u.unitStart + r.u64() };
    case 0x15: // ref_udata
      return { kind: 'ref', value: u.unitStart + r.uleb() };
    case 0x16: // indirect
      return readForm(r, r.uleb(), implicit, u);
    case 0x17: // sec_offset
      return { kind: 'number', value: offset() };
    case 0x19: // flag_present
      return { kind: 'number', value: 1 };
    case 0x1a: // strx
    case 0x1f02: // GNU_str_index
      return { kind: 'strx', value: r.uleb() };
    case 0x1b: // addrx
    case 0x22: // loclistx
    case 0x23: // rnglistx
    case 0x1f01: // GNU_addr_index
      r.uleb();
      return NONE;
    case 0x1c: // ref_sup4
      r.skip(4);
      return NONE;
    case 0x1d: // strp_sup
    case 0x1f20: // GNU_ref_alt
    case 0x1f21: // GNU_strp_alt
      offset();
      return NONE;
    case 0x1e: // data16
      r.skip(16);
      return NONE;
    case 0x1f: // line_strp
      return { kind: 'strp', section: 'lineStr', value: offset() };
    case 0x20: // ref_sig8: a type unit's signature, not an offset
    case 0x24: // ref_sup8
      r.skip(8);
      return NONE;
    case 0x21: // implicit_const
      return { kind: 'number', value: implicit ?? 0 };
    case 0x25: // strx1
      return { kind: 'strx', value: r.u8() };
    case 0x26: // strx2
      return { kind: 'strx', value: r.u16() };
    case 0x27: // strx3
      return { kind: 'strx', value: r.u16() | (r.u8() << 16) };
    case 0x28: // strx4
      return { kind: 'strx', value: r.u32() };
    case 0x29: // addrx1
      r.skip(1);
      return NONE;
    case 0x2a: // addrx2
      r.skip(2);
      return NONE;
    case 0x2b: // addrx3
      r.skip(3);
      return NONE;
    case 0x2c: // addrx4
      r.skip(4);
      return NONE;
    default:
      throw new CfiError(`${r.what}: unknown DWARF form 0x${form.toString(16)} at offset ${r.offset}`);
  }
}

function cstringAt(buf: Buffer | undefined, at: number): string | undefined {
  if (!buf || at < 0 || at >= buf.length) return undefined;
  const nul = buf.indexOf(0, at);
  return buf.toString('utf8', at, nul < 0 ? buf.length : nul);
}

function stringOf(v: FormValue, s: { str?: Buffer; lineStr?: Buffer; strOffsets?: Buffer }, strOffsetsBase: number, offsetSize: number): string | undefined {
  if (v.kind === 'string') return v.value;
  if (v.kind === 'strp') return cstringAt(v.section === 'str' ? s.str : s.lineStr, v.value);
  if (v.kind === 'strx' && s.strOffsets) {
    const at = strOffsetsBase + v.value * offsetSize;
    if (at + offsetSize > s.strOffsets.length) return undefined;
    const off = offsetSize === 8 ? Number(s.strOffsets.readBigUInt64LE(at)) : s.strOffsets.readUInt32LE(at);
    return cstringAt(s.str, off);
  }
  return undefined;
}

/** DWARF 2/3 member locations are expressions; gcc's are a lone DW_OP_plus_uconst. */
function plusUconst(bytes: Buffer): number | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x23) return undefined;
  const r = new DwarfReader(bytes, 1, bytes.length, 'DW_AT_data_member_location');
  return r.uleb();
}

function readAbbrevs(section: Buffer, offset: number, path: string): Map<number, Abbrev> {
  const out = new Map<number, Abbrev>();
  const r = new DwarfReader(section, offset, section.length, `${path}: .debug_abbrev at ${offset}`);
  for (;;) {
    const code = r.uleb();
    if (code === 0) return out;
    const tag = r.uleb();
    const hasChildren = r.u8() !== 0;
    const attrs: Abbrev['attrs'] = [];
    for (;;) {
      const at = r.uleb();
      const form = r.uleb();
      if (at === 0 && form === 0) break;
      attrs.push(form === 0x21 ? { at, form, implicit: Number(r.slebBig()) } : { at, form });
    }
    out.set(code, { tag, hasChildren, attrs });
  }
}
