// A reader of the protobuf wire format, enough to decode profile.proto back in the tests
// (written independently of the encoder in src/profile/output/protobuf.ts).
import { gunzipSync } from 'node:zlib';

type Field = { wire: 0; value: bigint } | { wire: 2; bytes: Uint8Array };

export function fields(buf: Uint8Array): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let pos = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    let f: Field;
    if (wire === 0) f = { wire: 0, value: varint() };
    else if (wire === 2) {
      const len = Number(varint());
      if (pos + len > buf.length) throw new Error('truncated field');
      f = { wire: 2, bytes: buf.subarray(pos, pos + len) };
      pos += len;
    } else throw new Error(`unexpected wire type ${wire} (field ${field})`);
    const list = out.get(field) ?? [];
    list.push(f);
    out.set(field, list);
  }
  return out;
}

function ints(m: Map<number, Field[]>, field: number): number[] {
  const out: number[] = [];
  for (const f of m.get(field) ?? []) {
    if (f.wire === 0) out.push(Number(f.value));
    else {
      // packed
      const inner = fields(new Uint8Array([...encodeKeyless(f.bytes)]));
      for (const g of inner.get(1) ?? []) if (g.wire === 0) out.push(Number(g.value));
    }
  }
  return out;
}

/** Re-frames packed varints as repeated field 1 so the one reader decodes them. */
function* encodeKeyless(bytes: Uint8Array): Generator<number> {
  let start = true;
  for (const b of bytes) {
    if (start) yield 0x08;
    yield b;
    start = (b & 0x80) === 0;
  }
}

const int = (m: Map<number, Field[]>, field: number): number => ints(m, field)[0] ?? 0;
const sub = (m: Map<number, Field[]>, field: number): Map<number, Field[]>[] =>
  (m.get(field) ?? []).map((f) => {
    if (f.wire !== 2) throw new Error(`field ${field} is not a message`);
    return fields(f.bytes);
  });

export interface DecodedProfile {
  strings: string[];
  sampleTypes: { type: string; unit: string }[];
  samples: { locations: number[]; values: number[] }[];
  locations: Map<number, { functionId: number; line: number }[]>;
  functions: Map<number, { name: string; filename: string; startLine: number }>;
  period: number;
  periodType: { type: string; unit: string };
  durationNanos: number;
}

export function decodePprof(gz: Uint8Array): DecodedProfile {
  const m = fields(gunzipSync(gz));
  const strings = (m.get(6) ?? []).map((f) => (f.wire === 2 ? new TextDecoder().decode(f.bytes) : ''));
  const s = (i: number): string => {
    if (i < 0 || i >= strings.length) throw new Error(`string index ${i} out of range`);
    return strings[i]!;
  };
  const vt = (x: Map<number, Field[]>) => ({ type: s(int(x, 1)), unit: s(int(x, 2)) });
  const locations = new Map<number, { functionId: number; line: number }[]>();
  for (const l of sub(m, 4)) locations.set(int(l, 1), sub(l, 4).map((ln) => ({ functionId: int(ln, 1), line: int(ln, 2) })));
  const functions = new Map<number, { name: string; filename: string; startLine: number }>();
  for (const f of sub(m, 5)) functions.set(int(f, 1), { name: s(int(f, 2)), filename: s(int(f, 4)), startLine: int(f, 5) });
  return {
    strings,
    sampleTypes: sub(m, 1).map(vt),
    samples: sub(m, 2).map((x) => ({ locations: ints(x, 1), values: ints(x, 2) })),
    locations,
    functions,
    period: int(m, 12),
    periodType: vt(sub(m, 11)[0] ?? new Map()),
    durationNanos: int(m, 10),
  };
}
