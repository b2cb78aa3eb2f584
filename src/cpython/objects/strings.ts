// Text objects: PEP 393 compact unicode (3.x), and str/unicode of 2.7. Lengths are bounded so a
// corrupted length cannot make pyscope read megabytes.
import type { Target } from '../target.js';

export interface TextRead {
  text: string;
  /** True when the object held more characters than were read. */
  truncated: boolean;
}

export function readUnicode(t: Target, obj: number, maxChars: number): TextRead {
  const s = t.b.strings;
  if (s.kind === 'py2') {
    const length = t.ssize(obj + s.unicodeLength);
    const n = clamp(length, maxChars);
    const data = t.ptr(obj + s.unicodeStr);
    const raw = n ? t.read(data, n * s.unicodeWidth) : Buffer.alloc(0);
    return { text: s.unicodeWidth === 2 ? raw.toString('utf16le') : ucs4(raw), truncated: length > n };
  }
  const head = t.read(obj, s.compactSize);
  const length = t.ssizeAt(head, s.length);
  const state = head.readUInt32LE(s.state);
  const kind = (state >>> s.kindShift) & 7;
  const compact = (state >>> s.compactBit) & 1;
  const ascii = (state >>> s.asciiBit) & 1;
  const n = clamp(length, maxChars);
  let data: number;
  if (compact) data = obj + (ascii ? s.asciiSize : s.compactSize);
  else data = t.ptr(obj + s.compactSize); // legacy (non-compact) strings keep their data elsewhere
  const width = kind === 1 || kind === 2 || kind === 4 ? kind : 1;
  const raw = n ? t.read(data, n * width) : Buffer.alloc(0);
  const text = width === 1 ? raw.toString('latin1') : width === 2 ? raw.toString('utf16le') : ucs4(raw);
  return { text, truncated: length > n };
}

/** 2.7 str (PyStringObject) and 3.x bytes: the raw bytes. */
export function readBytes(t: Target, obj: number, maxBytes: number): { bytes: Buffer; truncated: boolean } {
  const s = t.b.strings;
  const sizeOff = s.kind === 'py2' ? s.strSize : t.b.bytes!.size;
  const svalOff = s.kind === 'py2' ? s.strSval : t.b.bytes!.sval;
  const size = t.ssize(obj + sizeOff);
  const n = clamp(size, maxBytes);
  return { bytes: n ? t.read(obj + svalOff, n) : Buffer.alloc(0), truncated: size > n };
}

/** A name-like string (co_name, co_filename...): unicode on 3.x, str on 2.7. */
export function readName(t: Target, obj: number, maxChars = 4096): string {
  if (obj === 0) return '';
  if (t.b.strings.kind === 'py2') {
    const tn = t.typeName(obj);
    if (tn === 'unicode') return readUnicode(t, obj, maxChars).text;
    return readBytes(t, obj, maxChars).bytes.toString('utf8');
  }
  return readUnicode(t, obj, maxChars).text;
}

function clamp(length: number, max: number): number {
  if (!Number.isFinite(length) || length < 0) return 0;
  return Math.min(length, max);
}

function ucs4(raw: Buffer): string {
  let out = '';
  for (let i = 0; i + 3 < raw.length; i += 4) {
    const cp = raw.readUInt32LE(i);
    out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  }
  return out;
}
