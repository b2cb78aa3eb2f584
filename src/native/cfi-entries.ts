// The call frame information of one ELF file: its CIEs and FDEs in .eh_frame (found through
// .eh_frame_hdr's sorted table when there is one) and .debug_frame (DWARF 4 section 6.4; the
// .eh_frame flavour: LSB Core Specification, "Exception Frames"). Addresses are the file's own
// (unrelocated) virtual addresses. Every length is checked against its section, and a full scan
// walks forward by each entry's length, so a hostile file ends in a CfiError, never a loop.
import { CfiError, DW_EH_PE_omit, DwarfReader, type PointerBases } from './dwarf-reader.js';

export interface CfiSection {
  /** .eh_frame or .debug_frame. */
  kind: 'eh' | 'debug';
  data: Buffer;
  /** Virtual address of the section (0 for a .debug_frame in a file that does not load it). */
  address: number;
}

export interface Cie {
  codeAlign: number;
  dataAlign: number;
  returnRegister: number;
  /** Pointer encoding of the FDEs' addresses ('R' augmentation). */
  fdeEncoding: number;
  /** The FDEs carry an augmentation data length ('z'). */
  hasAugmentationData: boolean;
  /** A signal trampoline's frame ('S'): its pc is not after a call, so it is looked up as is. */
  signalFrame: boolean;
  instructions: Buffer;
  /** Start of `instructions` within the section, for messages. */
  addressSize: number;
}

export interface Fde {
  cie: Cie;
  begin: number;
  end: number;
  instructions: Buffer;
}

/** Upper bound on the FDEs indexed per section: far above any real library (libxul has ~250k). */
const MAX_ENTRIES = 4_000_000;

export class CfiEntries {
  private cies = new Map<number, Cie>();
  private index?: { begin: number; end: number; offset: number }[];

  constructor(
    readonly path: string,
    readonly section: CfiSection,
    /** .eh_frame_hdr, when the file has one and it describes this .eh_frame. */
    private readonly header?: { data: Buffer; address: number },
    private readonly bases: { text?: number; data?: number } = {},
  ) {}

  /** The FDE covering `pc` (an unrelocated address), or undefined. */
  find(pc: number): Fde | undefined {
    const viaHeader = this.header && this.section.kind === 'eh' ? this.searchHeader(pc) : null;
    if (viaHeader !== null) return viaHeader;
    const index = this.buildIndex();
    let lo = 0;
    let hi = index.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (index[mid]!.begin <= pc) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Overlapping FDEs are rare but legal: look back a few entries for one that covers pc.
    for (let i = best; i >= 0 && i > best - 8; i--) {
      const e = index[i]!;
      if (pc >= e.begin && pc < e.end) return this.fdeAt(e.offset);
    }
    return undefined;
  }

  /**
   * Binary search of .eh_frame_hdr's table; null when the header cannot be used (then the section
   * is scanned), undefined when it says no FDE covers pc.
   */
  private searchHeader(pc: number): Fde | undefined | null {
    const h = this.header!;
    const r = new DwarfReader(h.data, 0, h.data.length, `${this.path}: .eh_frame_hdr`);
    const bases: PointerBases = { section: h.address, data: h.address };
    try {
      if (r.u8() !== 1) return null;
      const framePtrEnc = r.u8();
      const countEnc = r.u8();
      const tableEnc = r.u8();
      r.pointer(framePtrEnc, bases);
      const count = countEnc === DW_EH_PE_omit ? undefined : r.pointer(countEnc, bases);
      // The table is searchable only as fixed-size datarel entries; sdata4 is what every linker writes.
      if (count === undefined || tableEnc !== 0x3b) return null;
      const tableStart = r.offset;
      if (count > (h.data.length - tableStart) / 8) throw new CfiError(`${this.path}: .eh_frame_hdr's table runs past its end`);
      const locAt = (i: number): number => h.address + h.data.readInt32LE(tableStart + i * 8);
      let lo = 0;
      let hi = count - 1;
      let best = -1;
      while (lo <= hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (locAt(mid) <= pc) {
          best = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (best < 0) return undefined;
      const fdeAddress = h.address + h.data.readInt32LE(tableStart + best * 8 + 4);
      const fde = this.fdeAt(fdeAddress - this.section.address);
      return fde && pc >= fde.begin && pc < fde.end ? fde : undefined;
    } catch (e) {
      if (e instanceof CfiError) return null;
      throw e;
    }
  }

  /** Every FDE's range, sorted, from one forward walk of the section (built once, on demand). */
  private buildIndex(): { begin: number; end: number; offset: number }[] {
    if (this.index) return this.index;
    const list: { begin: number; end: number; offset: number }[] = [];
    const data = this.section.data;
    let offset = 0;
    while (offset + 4 <= data.length && list.length < MAX_ENTRIES) {
      const entry = this.entryBounds(offset);
      if (entry === undefined) break; // the zero terminator of .eh_frame
      if (!entry.isCie) {
        try {
          const fde = this.fdeAt(offset);
          if (fde && fde.end > fde.begin) list.push({ begin: fde.begin, end: fde.end, offset });
        } catch (e) {
          if (!(e instanceof CfiError)) throw e;
        }
      }
      offset = entry.next;
    }
    list.sort((a, b) => a.begin - b.begin);
    this.index = list;
    return list;
  }

  /** Length and kind of the entry at `offset`; undefined at a terminator. */
  private entryBounds(offset: number): { bodyStart: number; next: number; isCie: boolean; ciePointer: number; idOffset: number } | undefined {
    const r = new DwarfReader(this.section.data, offset, this.section.data.length, `${this.path}: ${this.name}`);
    let length = r.u32();
    if (length === 0) return undefined;
    let is64 = false;
    if (length === 0xffffffff) {
      length = r.u64();
      is64 = true;
    }
    const bodyStart = r.offset;
    if (length > this.section.data.length - bodyStart) throw new CfiError(`${this.path}: ${this.name} entry at ${offset} runs past the section`);
    const idOffset = r.offset;
    const id = is64 ? r.u64() : r.u32();
    const isCie = this.section.kind === 'eh' ? id === 0 : is64 ? id === Number.MAX_SAFE_INTEGER || id === 2 ** 64 - 1 : id === 0xffffffff;
    return { bodyStart, next: bodyStart + length, isCie, ciePointer: id, idOffset };
  }

  private get name(): string {
    return this.section.kind === 'eh' ? '.eh_frame' : '.debug_frame';
  }

  /** The FDE at `offset`, or undefined if a CIE is there. */
  fdeAt(offset: number): Fde | undefined {
    if (offset < 0 || offset >= this.section.data.length) throw new CfiError(`${this.path}: FDE offset ${offset} outside ${this.name}`);
    const e = this.entryBounds(offset);
    if (!e || e.isCie) return undefined;
    // .eh_frame's CIE pointer counts back from the field itself; .debug_frame's is a section offset.
    const cieOffset = this.section.kind === 'eh' ? e.idOffset - e.ciePointer : e.ciePointer;
    const cie = this.cieAt(cieOffset);
    const what = `${this.path}: ${this.name} FDE at ${offset}`;
    const r = new DwarfReader(this.section.data, e.idOffset + (this.isWide(offset) ? 8 : 4), e.next, what);
    const bases: PointerBases = { section: this.section.address, ...this.bases };
    let begin: number;
    let range: number;
    if (this.section.kind === 'eh') {
      begin = r.pointer(cie.fdeEncoding, bases) ?? 0;
      // The range is a plain size: the encoding's format without its base.
      range = r.pointer(cie.fdeEncoding & 0x0f, bases) ?? 0;
    } else {
      begin = cie.addressSize === 4 ? r.u32() : r.u64();
      range = cie.addressSize === 4 ? r.u32() : r.u64();
    }
    if (cie.hasAugmentationData) r.skip(r.uleb());
    return { cie, begin, end: begin + range, instructions: r.bytes(e.next - r.offset) };
  }

  private isWide(offset: number): boolean {
    return this.section.data.readUInt32LE(offset) === 0xffffffff;
  }

  private cieAt(offset: number): Cie {
    const cached = this.cies.get(offset);
    if (cached) return cached;
    if (offset < 0 || offset >= this.section.data.length) throw new CfiError(`${this.path}: CIE offset ${offset} outside ${this.name}`);
    const e = this.entryBounds(offset);
    if (!e || !e.isCie) throw new CfiError(`${this.path}: ${this.name}: an FDE points to ${offset}, which holds no CIE`);
    const what = `${this.path}: ${this.name} CIE at ${offset}`;
    const r = new DwarfReader(this.section.data, e.idOffset + (this.isWide(offset) ? 8 : 4), e.next, what);
    const version = r.u8();
    if (version !== 1 && version !== 3 && version !== 4) throw new CfiError(`${what}: unknown version ${version}`);
    const augmentation = r.cstring();
    let addressSize = 8;
    if (version === 4) {
      addressSize = r.u8();
      r.u8(); // segment selector size
      if (addressSize !== 4 && addressSize !== 8) throw new CfiError(`${what}: address size ${addressSize}`);
    }
    const codeAlign = r.uleb();
    const dataAlign = r.sleb();
    const returnRegister = version === 1 ? r.u8() : r.uleb();
    const cie: Cie = { codeAlign, dataAlign, returnRegister, fdeEncoding: 0, hasAugmentationData: false, signalFrame: false, instructions: Buffer.alloc(0), addressSize };
    if (augmentation.startsWith('z')) {
      const length = r.uleb();
      const augEnd = r.offset + length;
      if (augEnd > e.next) throw new CfiError(`${what}: augmentation data runs past the entry`);
      cie.hasAugmentationData = true;
      const bases: PointerBases = { section: this.section.address, ...this.bases };
      for (const c of augmentation.slice(1)) {
        if (c === 'R') cie.fdeEncoding = r.u8();
        else if (c === 'L') r.u8();
        else if (c === 'P') {
          const enc = r.u8();
          // The personality routine's address is not needed to unwind; skip it by its size.
          skipPointer(r, enc, bases);
        } else if (c === 'S') cie.signalFrame = true;
        else if (c === 'B' || c === 'G') continue;
        else break; // unknown augmentation: the length lets us skip the rest
      }
      r.offset = augEnd;
    } else if (augmentation !== '' && augmentation !== 'eh') {
      throw new CfiError(`${what}: unknown augmentation "${augmentation}"`);
    } else if (augmentation === 'eh') r.skip(addressSize);
    cie.instructions = r.bytes(e.next - r.offset);
    this.cies.set(offset, cie);
    return cie;
  }
}

function skipPointer(r: DwarfReader, enc: number, bases: PointerBases): void {
  if (enc & 0x80) {
    // An indirect personality pointer: read it as the direct one it points through.
    r.pointer(enc & 0x7f, bases);
  } else r.pointer(enc, bases);
}
