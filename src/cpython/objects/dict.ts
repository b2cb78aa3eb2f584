// The one decoder of dict contents, for every walk of a dict in the model: values rendered as
// locals, sys.modules and a module's globals looked up by name, threading._active, and instance
// attributes (a __dict__, or 3.11+ values keyed by the type's shared keys). Bounded throughout:
// sizes are checked before use, entries are read in batches and the walk stops at `max` live
// entries or 2^20 slots, so a huge or corrupt dict costs at most a few reads.
import type { Target } from '../target.js';
import { batches } from './containers.js';
import { readName } from './strings.js';

export interface DictEntries {
  entries: [key: number, value: number][];
  /** Number of items the dict says it holds. */
  total: number;
}

/** Largest table a dict can have that pyscope will believe (2^26 slots, as for sets). */
const MAX_SIZE = 1 << 26;

/** Live (key, value) pairs of a dict in insertion order (3.6+) or table order (2.7), at most `max`. */
export function dictEntries(t: Target, dict: number, max: number): DictEntries {
  const b = t.b.dict;
  const total = Math.max(0, t.ssize(dict + b.used));
  if (b.kind === 'table-2.7') return { entries: oldTableEntries(t, dict, max), total };
  return { entries: keysEntries(t, t.ptr(dict + b.keys), t.ptr(dict + b.values), max), total };
}

/**
 * Live (key, value) pairs of a PyDictKeysObject (3.6+), at most `max`: the values are in the
 * entries (combined table) or, when `values` is not 0, in that split-table values block, by
 * entry index (a split dict's own values, or an instance's values keyed by its type's shared keys).
 */
export function keysEntries(t: Target, keys: number, values: number, max: number): [number, number][] {
  const b = t.b.dict;
  if (b.kind !== 'split-keys' || keys === 0 || max <= 0) return [];
  const head = t.read(keys, b.keysIndices);
  let size: number;
  if (b.keysSize.log2) {
    const log2 = head[b.keysSize.field]!;
    if (log2 > 26) return [];
    size = 2 ** log2;
  } else size = t.ssizeAt(head, b.keysSize.field);
  if (!(size > 0 && size <= MAX_SIZE)) return [];
  let indexBytes: number;
  if (b.keysLog2IndexBytes !== undefined) {
    const log2 = head[b.keysLog2IndexBytes]!;
    if (log2 > 29) return [];
    indexBytes = 2 ** log2;
  } else indexBytes = size * (size <= 0xff ? 1 : size <= 0xffff ? 2 : size <= 0xffffffff ? 4 : 8);
  const nentries = Math.min(Math.max(0, t.ssizeAt(head, b.keysNentries)), size);
  const unicode = b.keysKind !== undefined && head[b.keysKind] !== 0;
  const entrySize = unicode ? b.unicodeEntrySize! : b.entrySize;
  const keyOff = unicode ? b.unicodeEntryKey! : b.entryKey;
  const valueOff = unicode ? b.unicodeEntryValue! : b.entryValue;
  const first = keys + b.keysIndices + indexBytes;
  const out: [number, number][] = [];
  for (const [start, n] of batches(nentries, max)) {
    if (out.length >= max) break;
    const raw = t.read(first + start * entrySize, n * entrySize);
    const ps = t.pointerSize;
    const vals = values ? t.read(values + b.valuesArrayOffset + start * ps, n * ps) : undefined;
    for (let i = 0; i < n && out.length < max; i++) {
      const key = t.pointerAt(raw, i * entrySize + keyOff);
      const value = vals ? t.pointerAt(vals, i * ps) : t.pointerAt(raw, i * entrySize + valueOff);
      if (key && value) out.push([key, value]);
    }
  }
  return out;
}

/** 2.7: an open-addressing table of (hash, key, value) with empty and dummy slots. */
function oldTableEntries(t: Target, dict: number, max: number): [number, number][] {
  const b = t.b.dict;
  if (b.kind !== 'table-2.7') return [];
  const mask = t.ssize(dict + b.mask);
  if (mask < 0 || mask >= MAX_SIZE) return [];
  const table = t.ptr(dict + b.table);
  const out: [number, number][] = [];
  for (const [start, n] of batches(mask + 1, max)) {
    if (out.length >= max) break;
    const raw = t.read(table + start * b.entrySize, n * b.entrySize);
    for (let i = 0; i < n && out.length < max; i++) {
      const key = t.pointerAt(raw, i * b.entrySize + b.entryKey);
      const value = t.pointerAt(raw, i * b.entrySize + b.entryValue);
      if (key && value) out.push([key, value]);
    }
  }
  return out;
}

/** The value of the first entry whose key is a str (2.7: str or unicode) equal to `name`. */
export function valueOfName(t: Target, entries: readonly [number, number][], name: string): number | undefined {
  for (const [k, v] of entries) {
    const tn = t.typeName(k);
    if ((tn === 'str' || tn === 'unicode') && readName(t, k, 256) === name) return v;
  }
  return undefined;
}
