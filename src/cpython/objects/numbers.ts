// int (any size), 2.7 int and long, float, bool.
import type { Target } from '../target.js';

/** Most digits read from one int: 2**100000 still prints, a corrupted size does not hang us. */
const MAX_DIGITS = 4096;

export function readInt(t: Target, obj: number): { value: bigint; truncated: boolean } {
  const b = t.b.ints;
  let ndigits: number;
  let negative: boolean;
  if (b.kind === 'lv_tag') {
    // lv_tag is a uintptr_t: read at the target's pointer size (the sign is in its low bits).
    const tag = t.pointerAt(t.read(obj + b.tag, t.pointerSize), 0);
    ndigits = Math.floor(tag / 8);
    const sign = 1 - (tag & 3);
    negative = sign < 0;
    if (sign === 0) return { value: 0n, truncated: false };
  } else {
    const size = t.ssize(obj + b.size);
    negative = size < 0;
    ndigits = Math.abs(size);
  }
  const n = Math.min(ndigits, MAX_DIGITS);
  const width = b.digitBits === 30 ? 4 : 2;
  const raw = n ? t.read(obj + b.digits, n * width) : Buffer.alloc(0);
  let value = 0n;
  const shift = BigInt(b.digitBits);
  for (let i = n - 1; i >= 0; i--) {
    const d = width === 4 ? raw.readUInt32LE(i * 4) : raw.readUInt16LE(i * 2);
    value = (value << shift) | BigInt(d);
  }
  return { value: negative ? -value : value, truncated: n < ndigits };
}

/** 2.7's machine-word int. */
export function readPy2Int(t: Target, obj: number): bigint {
  const b = t.b.ints;
  const off = b.kind === 'ob_size' && b.py2Int ? b.py2Int.value : 2 * t.pointerSize;
  return BigInt(t.ssize(obj + off));
}

export function readFloat(t: Target, obj: number): number {
  return t.read(obj + t.b.float.value, 8).readDoubleLE(0);
}

/** Python's repr of a float: shortest round-trip digits, Python's exponent and inf/nan spelling. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0.0';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    // Python switches to exponent form at 1e16 and below 1e-4; two-digit exponent minimum.
    const [mant, exp] = x.toExponential().split('e') as [string, string];
    const e = Number(exp);
    const sign = e < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const s = String(x);
  if (s.includes('e')) return x.toFixed(0) + '.0';
  return s.includes('.') ? s : `${s}.0`;
}
