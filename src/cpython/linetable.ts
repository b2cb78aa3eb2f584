// Line-number decoding for every line-table format CPython has used. Each decoder maps an offset in
// the bytecode to the source line, exactly as the interpreter's own addr2line does, and stops at the
// table's end whatever the bytes say, so corrupted tables cannot loop.
// Formats: Objects/lnotab_notes.txt (<= 3.9 co_lnotab, 3.10 co_linetable) and
// Objects/locations.md (3.11+ location table, PEP 657).

export type LineTableFormat = 'lnotab-unsigned' | 'lnotab' | 'linetable-3.10' | 'locations';

/**
 * Line of the instruction at `offset`: bytes for lnotab formats, code units (2 bytes) for
 * 3.10's table and the 3.11+ location table. Returns undefined where the table says "no line".
 */
export function lineForOffset(format: LineTableFormat, table: Buffer, firstLine: number, offset: number): number | undefined {
  switch (format) {
    case 'lnotab-unsigned':
    case 'lnotab':
      return lnotabLine(table, firstLine, offset, format === 'lnotab');
    case 'linetable-3.10':
      return linetable310Line(table, firstLine, offset * 2);
    case 'locations':
      return locationsLine(table, firstLine, offset);
  }
}

function lnotabLine(t: Buffer, line: number, addrq: number, signedDelta: boolean): number {
  let addr = 0;
  for (let i = 0; i + 1 < t.length; i += 2) {
    addr += t[i]!;
    if (addr > addrq) break;
    const d = t[i + 1]!;
    line += signedDelta && d > 127 ? d - 256 : d;
  }
  return line;
}

function linetable310Line(t: Buffer, line: number, addrq: number): number | undefined {
  let start = 0;
  for (let i = 0; i + 1 < t.length; i += 2) {
    const end = start + t[i]!;
    const raw = t[i + 1]!;
    const delta = raw > 127 ? raw - 256 : raw;
    const none = delta === -128;
    if (!none) line += delta;
    if (addrq >= start && addrq < end) return none ? undefined : line;
    start = end;
  }
  return undefined;
}

export interface LocationEntry {
  /** First code unit and length in code units. */
  start: number;
  length: number;
  line: number | undefined;
}

/** Decodes a 3.11+ location table into entries; bounded by the table length. */
export function decodeLocations(t: Buffer, firstLine: number): LocationEntry[] {
  const out: LocationEntry[] = [];
  let p = 0;
  let line = firstLine;
  let addr = 0;
  const varint = (): number => {
    let b = t[p++] ?? 0;
    let v = b & 63;
    let shift = 6;
    while (b & 64 && p < t.length && shift < 42) {
      b = t[p++]!;
      v += (b & 63) * 2 ** shift;
      shift += 6;
    }
    return v;
  };
  const svarint = (): number => {
    const v = varint();
    return v & 1 ? -Math.floor(v / 2) : Math.floor(v / 2);
  };
  while (p < t.length) {
    const first = t[p++]!;
    if (!(first & 0x80)) break;
    const code = (first >> 3) & 15;
    const length = (first & 7) + 1;
    let entryLine: number | undefined = line;
    if (code === 15) entryLine = undefined;
    else if (code === 14) {
      line += svarint();
      entryLine = line;
      varint();
      varint();
      varint();
    } else if (code === 13) {
      line += svarint();
      entryLine = line;
    } else if (code >= 10) {
      line += code - 10;
      entryLine = line;
      p += 2;
    } else {
      p += 1;
    }
    out.push({ start: addr, length, line: entryLine });
    addr += length;
  }
  return out;
}

function locationsLine(t: Buffer, firstLine: number, index: number): number | undefined {
  for (const e of decodeLocations(t, firstLine)) {
    if (index >= e.start && index < e.start + e.length) return e.line;
  }
  return undefined;
}
