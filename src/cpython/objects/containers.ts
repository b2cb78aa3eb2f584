// tuple, list, dict, set: element addresses, never more than `max` of them.
import type { Target } from '../target.js';

export interface Items {
  items: number[];
  /** Number of elements the container says it holds. */
  total: number;
}

export function sequenceItems(t: Target, obj: number, kind: 'tuple' | 'list', max: number): Items {
  const b = kind === 'tuple' ? t.b.tuple : t.b.list;
  const total = Math.max(0, t.i64(obj + b.size));
  const n = Math.min(total, max);
  const base = kind === 'tuple' ? obj + b.items : t.ptr(obj + b.items);
  const raw = n ? t.read(base, n * 8) : Buffer.alloc(0);
  const items: number[] = [];
  for (let i = 0; i < n; i++) items.push(Number(raw.readBigUInt64LE(i * 8)));
  return { items, total };
}

export interface DictEntries {
  entries: [key: number, value: number][];
  total: number;
}

/** Live (key, value) pairs of a dict in insertion order (3.6+) or table order (2.7). */
export function dictEntries(t: Target, dict: number, max: number): DictEntries {
  const b = t.b.dict;
  const total = Math.max(0, t.i64(dict + b.used));
  const entries: [number, number][] = [];
  if (b.kind === 'table-2.7') {
    const mask = t.i64(dict + b.mask);
    if (mask < 0 || mask > 1 << 26) return { entries, total };
    const table = t.ptr(dict + b.table);
    const raw = t.read(table, (mask + 1) * b.entrySize);
    for (let i = 0; i <= mask && entries.length < max; i++) {
      const key = Number(raw.readBigUInt64LE(i * b.entrySize + b.entryKey));
      const value = Number(raw.readBigUInt64LE(i * b.entrySize + b.entryValue));
      if (key && value) entries.push([key, value]);
    }
    return { entries, total };
  }
  const keys = t.ptr(dict + b.keys);
  const values = t.ptr(dict + b.values);
  const head = t.read(keys, b.keysIndices);
  let size: number;
  if (b.keysSize.log2) size = 2 ** head[b.keysSize.field]!;
  else size = Number(head.readBigInt64LE(b.keysSize.field));
  if (!(size > 0 && size <= 1 << 26)) return { entries, total };
  const nentries = Number(head.readBigInt64LE(b.keysNentries));
  let indexBytes: number;
  if (b.keysLog2IndexBytes !== undefined) indexBytes = 2 ** head[b.keysLog2IndexBytes]!;
  else indexBytes = size * (size <= 0xff ? 1 : size <= 0xffff ? 2 : size <= 0xffffffff ? 4 : 8);
  const unicode = b.keysKind !== undefined && head[b.keysKind] !== 0;
  const entrySize = unicode ? b.unicodeEntrySize! : b.entrySize;
  const keyOff = unicode ? b.unicodeEntryKey! : b.entryKey;
  const valueOff = unicode ? b.unicodeEntryValue! : b.entryValue;
  const n = Math.min(Math.max(0, nentries), size, 1 << 20);
  const raw = n ? t.read(keys + b.keysIndices + indexBytes, n * entrySize) : Buffer.alloc(0);
  const vals = values && n ? t.read(values + b.valuesArrayOffset, n * 8) : undefined;
  for (let i = 0; i < n && entries.length < max; i++) {
    const key = Number(raw.readBigUInt64LE(i * entrySize + keyOff));
    const value = vals ? Number(vals.readBigUInt64LE(i * 8)) : Number(raw.readBigUInt64LE(i * entrySize + valueOff));
    if (key && value) entries.push([key, value]);
  }
  return { entries, total };
}

export function setItems(t: Target, obj: number, max: number): Items {
  const b = t.b.set;
  if (!b) return { items: [], total: 0 };
  const total = Math.max(0, t.i64(obj + b.used));
  const mask = t.i64(obj + b.mask);
  if (mask < 0 || mask > 1 << 26) return { items: [], total };
  const table = t.ptr(obj + b.table);
  const raw = t.read(table, (mask + 1) * b.entrySize);
  const items: number[] = [];
  for (let i = 0; i <= mask && items.length < max; i++) {
    const key = Number(raw.readBigUInt64LE(i * b.entrySize + b.entryKey));
    if (key && !t.typeName(key).startsWith('<dummy')) items.push(key);
  }
  return { items, total };
}
