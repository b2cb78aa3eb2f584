// tuple, list, set: element addresses, never more than `max` of them (dicts: dict.ts).
import type { Target } from '../target.js';

/** Slots looked at, at most, for live entries of a table (deleted ones leave holes). */
const MAX_SCANNED = 1 << 20;

/**
 * Slot ranges of a table to read in turn while looking for `max` live entries: first enough for
 * them all, then doubling batches; never more than MAX_SCANNED slots in all.
 */
export function* batches(slots: number, max: number): Generator<[start: number, count: number]> {
  const end = Math.min(slots, MAX_SCANNED);
  let n = Math.max(64, max);
  for (let start = 0; start < end; start += n, n = Math.min(n * 2, 1 << 16)) yield [start, Math.min(n, end - start)];
}

export interface Items {
  items: number[];
  /** Number of elements the container says it holds. */
  total: number;
}

export function sequenceItems(t: Target, obj: number, kind: 'tuple' | 'list', max: number): Items {
  const b = kind === 'tuple' ? t.b.tuple : t.b.list;
  const total = Math.max(0, t.ssize(obj + b.size));
  const n = Math.min(total, max);
  const base = kind === 'tuple' ? obj + b.items : t.ptr(obj + b.items);
  return { items: t.pointers(base, n), total };
}

export function setItems(t: Target, obj: number, max: number): Items {
  const b = t.b.set;
  if (!b) return { items: [], total: 0 };
  const total = Math.max(0, t.ssize(obj + b.used));
  const mask = t.ssize(obj + b.mask);
  if (mask < 0 || mask > 1 << 26) return { items: [], total };
  const table = t.ptr(obj + b.table);
  const items: number[] = [];
  for (const [start, n] of batches(mask + 1, max)) {
    if (items.length >= max) break;
    const raw = t.read(table + start * b.entrySize, n * b.entrySize);
    for (let i = 0; i < n && items.length < max; i++) {
      const key = t.pointerAt(raw, i * b.entrySize + b.entryKey);
      if (key && !t.typeName(key).startsWith('<dummy')) items.push(key);
    }
  }
  return { items, total };
}
