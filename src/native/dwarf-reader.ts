// A bounded cursor over the bytes of a DWARF section: every read checks the section's end, so a
// hostile length or a LEB128 that never ends gives a CfiError instead of garbage or a long loop.
import { ExitCode, PyscopeError } from '../common/errors.js';

export class CfiError extends PyscopeError {
  constructor(message: string) {
    super(message, ExitCode.badFile);
    this.name = 'CfiError';
  }
}

// DW_EH_PE_*: how .eh_frame and .eh_frame_hdr encode a pointer (LSB "Linux Standard Base Core
// Specification", section "DWARF Extensions").
export const DW_EH_PE_omit = 0xff;
const DW_EH_PE_absptr = 0x00;
const DW_EH_PE_uleb128 = 0x01;
const DW_EH_PE_udata2 = 0x02;
const DW_EH_PE_udata4 = 0x03;
const DW_EH_PE_udata8 = 0x04;
const DW_EH_PE_sleb128 = 0x09;
const DW_EH_PE_sdata2 = 0x0a;
const DW_EH_PE_sdata4 = 0x0b;
const DW_EH_PE_sdata8 = 0x0c;
const DW_EH_PE_pcrel = 0x10;
const DW_EH_PE_textrel = 0x20;
const DW_EH_PE_datarel = 0x30;
const DW_EH_PE_funcrel = 0x40;
const DW_EH_PE_aligned = 0x50;
const DW_EH_PE_indirect = 0x80;

/** The bases pointer encodings are relative to, as unrelocated virtual addresses. */
export interface PointerBases {
  /** Virtual address of byte 0 of the buffer being read (for pcrel). */
  section: number;
  text?: number;
  data?: number;
  func?: number;
}

const TWO_64 = 1n << 64n;

/** A 64-bit two's-complement value as a JS number, wrapping to the unsigned range. */
export function wrap64(v: bigint): number {
  const u = ((v % TWO_64) + TWO_64) % TWO_64;
  return u > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(u);
}

export class DwarfReader {
  offset: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    /** Reads may not go past this offset (the end of the current entry). */
    public end = buf.length,
    readonly what = 'DWARF data',
  ) {
    this.offset = offset;
    if (end > buf.length) this.end = buf.length;
  }

  get atEnd(): boolean {
    return this.offset >= this.end;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.end) throw new CfiError(`${this.what}: runs past its end at offset ${at}`);
    this.offset = at + n;
    return at;
  }

  u8(): number {
    return this.buf[this.need(1)]!;
  }
  u16(): number {
    return this.buf.readUInt16LE(this.need(2));
  }
  u32(): number {
    return this.buf.readUInt32LE(this.need(4));
  }
  s8(): number {
    return this.buf.readInt8(this.need(1));
  }
  s16(): number {
    return this.buf.readInt16LE(this.need(2));
  }
  s32(): number {
    return this.buf.readInt32LE(this.need(4));
  }
  u64big(): bigint {
    return this.buf.readBigUInt64LE(this.need(8));
  }
  s64big(): bigint {
    return this.buf.readBigInt64LE(this.need(8));
  }
  u64(): number {
    return wrap64(this.u64big());
  }

  skip(n: number): void {
    this.need(n);
  }

  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  cstring(): string {
    const nul = this.buf.indexOf(0, this.offset);
    if (nul < 0 || nul >= this.end) throw new CfiError(`${this.what}: unterminated string at offset ${this.offset}`);
    const s = this.buf.toString('latin1', this.offset, nul);
    this.offset = nul + 1;
    return s;
  }

  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new CfiError(`${this.what}: LEB128 number longer than 64 bits at offset ${this.offset}`);
  }

  slebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= 1n << shift;
        return result;
      }
    }
    throw new CfiError(`${this.what}: LEB128 number longer than 64 bits at offset ${this.offset}`);
  }

  /** An unsigned LEB128 that must fit a safe integer (counts, lengths, register numbers). */
  uleb(): number {
    // Most numbers take one or two bytes: read those without bigints.
    const at = this.offset;
    if (at < this.end) {
      const b0 = this.buf[at]!;
      if (b0 < 0x80) {
        this.offset = at + 1;
        return b0;
      }
      if (at + 1 < this.end && this.buf[at + 1]! < 0x80) {
        this.offset = at + 2;
        return (b0 & 0x7f) | (this.buf[at + 1]! << 7);
      }
    }
    const v = this.ulebBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CfiError(`${this.what}: number too large at offset ${this.offset}`);
    return Number(v);
  }

  sleb(): number {
    const at = this.offset;
    if (at < this.end) {
      const b0 = this.buf[at]!;
      if (b0 < 0x80) {
        this.offset = at + 1;
        return b0 & 0x40 ? b0 - 0x80 : b0;
      }
      if (at + 1 < this.end && this.buf[at + 1]! < 0x80) {
        this.offset = at + 2;
        const v = (b0 & 0x7f) | (this.buf[at + 1]! << 7);
        return v & 0x2000 ? v - 0x4000 : v;
      }
    }
    const v = this.slebBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new CfiError(`${this.what}: number too large at offset ${this.offset}`);
    return Number(v);
  }

  /**
   * A pointer in encoding `enc`; undefined for DW_EH_PE_omit. Indirect pointers (to a GOT entry)
   * are refused: CFI lookups never need them (only personality routines do).
   */
  pointer(enc: number, bases: PointerBases): number | undefined {
    if (enc === DW_EH_PE_omit) return undefined;
    const here = bases.section + this.offset;
    let base = 0;
    switch (enc & 0x70) {
      case DW_EH_PE_absptr:
        break;
      case DW_EH_PE_pcrel:
        base = here;
        break;
      case DW_EH_PE_textrel:
        base = bases.text ?? 0;
        break;
      case DW_EH_PE_datarel:
        base = bases.data ?? 0;
        break;
      case DW_EH_PE_funcrel:
        base = bases.func ?? 0;
        break;
      case DW_EH_PE_aligned:
        this.need((8 - (this.offset % 8)) % 8);
        break;
      default:
        throw new CfiError(`${this.what}: unknown pointer encoding 0x${enc.toString(16)}`);
    }
    let v: bigint;
    switch (enc & 0x0f) {
      case DW_EH_PE_absptr:
      case DW_EH_PE_udata8:
        v = this.u64big();
        break;
      case DW_EH_PE_uleb128:
        v = this.ulebBig();
        break;
      case DW_EH_PE_udata2:
        v = BigInt(this.u16());
        break;
      case DW_EH_PE_udata4:
        v = BigInt(this.u32());
        break;
      case DW_EH_PE_sleb128:
        v = this.slebBig();
        break;
      case DW_EH_PE_sdata2:
        v = BigInt(this.s16());
        break;
      case DW_EH_PE_sdata4:
        v = BigInt(this.s32());
        break;
      case DW_EH_PE_sdata8:
        v = this.s64big();
        break;
      default:
        throw new CfiError(`${this.what}: unknown pointer encoding 0x${enc.toString(16)}`);
    }
    if (enc & DW_EH_PE_indirect) throw new CfiError(`${this.what}: indirect pointer where CFI needs a direct one`);
    return wrap64(BigInt(base) + v);
  }
}
