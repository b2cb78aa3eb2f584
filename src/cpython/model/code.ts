// Code objects: names, file, first line, line table and local variable names, read once per
// address. Code objects are immutable, so a cached entry stays right while the object lives; the
// cache is checked against the object's name and file pointers before reuse (see `CodeCache.get`).
import { readBytes, readName } from '../objects/strings.js';
import { sequenceItems } from '../objects/containers.js';
import { lineForOffset } from '../linetable.js';
import type { Target } from '../target.js';

export interface CodeInfo {
  address: number;
  name: string;
  qualname: string | undefined;
  filename: string;
  firstLine: number;
  argCount: number;
  /** Names of the frame's local slots, in slot order (fast locals, then cells, then frees). */
  slotNames: string[];
  /** Per slot: "argument" | "local" | "cell" | "free", or undefined for hidden slots. */
  slotKinds: (LocalKind | undefined)[];
  /** Per slot: whether it holds a cell object (to dereference) once the frame runs. */
  slotCells: boolean[];
  lineTable: Buffer;
  /** Identity of the object's contents, to detect a freed code object whose address was reused. */
  fingerprint: Fingerprint;
  /** Lines already decoded, by instruction offset. */
  lines: Map<number, number | undefined>;
}

export type LocalKind = 'argument' | 'local' | 'cell' | 'free';

const CO_VARARGS = 0x4;
const CO_VARKEYWORDS = 0x8;
// 3.11+ co_localspluskinds bits (Include/internal/pycore_code.h).
const CO_FAST_HIDDEN = 0x10;
const CO_FAST_LOCAL = 0x20;
const CO_FAST_CELL = 0x40;
const CO_FAST_FREE = 0x80;

const MAX_LINETABLE = 1 << 20;
const TORN = /[\u0000-\u001f\u007f]/;
const MAX_SLOTS = 4096;

export class CodeCache {
  private cache = new Map<number, CodeInfo>();
  hits = 0;
  misses = 0;

  constructor(private readonly t: Target) {}

  get(address: number): CodeInfo {
    const hit = this.cache.get(address);
    if (hit && stillSame(this.t, address, hit.fingerprint)) {
      this.hits++;
      return hit;
    }
    this.misses++;
    const info = readCode(this.t, address);
    // A code object read while it is being created or freed can give torn names: use them for
    // this sample, but never cache them.
    if (TORN.test(info.name) || TORN.test(info.filename)) return info;
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(address, info);
    return info;
  }

  /** Line of an instruction offset: bytes (<= 3.9) or code units (3.10+), as the frame records it. */
  line(info: CodeInfo, offset: number): number | undefined {
    if (info.lines.has(offset)) return info.lines.get(offset);
    const line = lineForOffset(this.t.b.code.lineTableFormat, info.lineTable, info.firstLine, offset);
    if (info.lines.size < 4096) info.lines.set(offset, line);
    return line;
  }
}

/** co_name and co_filename pointers and co_firstlineno: a reused address rarely matches all three. */
export interface Fingerprint {
  name: number;
  filename: number;
  firstLine: number;
}

function fingerprint(t: Target, address: number): Fingerprint {
  const c = t.b.code;
  return { name: t.ptr(address + c.name), filename: t.ptr(address + c.filename), firstLine: t.i32(address + c.firstlineno) };
}

/** The code object at `address` still has this fingerprint (compared field by field: no object per frame). */
function stillSame(t: Target, address: number, f: Fingerprint): boolean {
  const c = t.b.code;
  return t.ptr(address + c.name) === f.name && t.ptr(address + c.filename) === f.filename && t.i32(address + c.firstlineno) === f.firstLine;
}

function readCode(t: Target, address: number): CodeInfo {
  const c = t.b.code;
  const type = t.typeName(address);
  if (type !== 'code') throw new Error(`object at 0x${address.toString(16)} is a ${type}, not code`);
  const ptr = (off: number) => t.ptr(address + off);
  const int = (off: number) => t.i32(address + off);
  const name = readName(t, ptr(c.name));
  const filename = readName(t, ptr(c.filename));
  const qualname = c.qualname !== undefined ? readName(t, ptr(c.qualname)) : undefined;
  const firstLine = int(c.firstlineno);
  const lt = ptr(c.lineTable);
  // Copied: reads may be views of pooled pages that the next snapshot reuses.
  const lineTable = lt ? Buffer.from(readBytes(t, lt, MAX_LINETABLE).bytes) : Buffer.alloc(0);
  const flags = c.flags !== undefined ? int(c.flags) : 0;
  let argCount = int(c.argcount) + (c.kwonlyargcount !== undefined ? int(c.kwonlyargcount) : 0);
  if (flags & CO_VARARGS) argCount++;
  if (flags & CO_VARKEYWORDS) argCount++;

  const slotNames: string[] = [];
  const slotKinds: (LocalKind | undefined)[] = [];
  const slotCells: boolean[] = [];
  const names = (tupleOff: number | undefined) => (tupleOff === undefined ? [] : sequenceItems(t, ptr(tupleOff), 'tuple', MAX_SLOTS).items.map((s) => readName(t, s, 256)));
  if (c.localsplusnames !== undefined && c.localspluskinds !== undefined) {
    const all = names(c.localsplusnames);
    const kinds = readBytes(t, ptr(c.localspluskinds), MAX_SLOTS).bytes;
    all.forEach((n, i) => {
      const k = kinds[i] ?? CO_FAST_LOCAL;
      slotNames.push(n);
      slotCells.push((k & (CO_FAST_CELL | CO_FAST_FREE)) !== 0);
      if (k & CO_FAST_HIDDEN) slotKinds.push(undefined);
      else if (k & CO_FAST_FREE) slotKinds.push('free');
      else if (i < argCount) slotKinds.push('argument');
      else if (k & CO_FAST_CELL && !(k & CO_FAST_LOCAL)) slotKinds.push('cell');
      else slotKinds.push('local');
    });
  } else {
    const varnames = names(c.varnames);
    const nlocals = c.nlocals !== undefined ? Math.min(int(c.nlocals), varnames.length) : varnames.length;
    for (let i = 0; i < nlocals; i++) {
      slotNames.push(varnames[i]!);
      slotKinds.push(i < argCount ? 'argument' : 'local');
      slotCells.push(false);
    }
    for (const n of names(c.cellvars)) {
      slotNames.push(n);
      slotKinds.push('cell');
      slotCells.push(true);
    }
    for (const n of names(c.freevars)) {
      slotNames.push(n);
      slotKinds.push('free');
      slotCells.push(true);
    }
  }
  return { address, name, qualname, filename, firstLine, argCount, slotNames, slotKinds, slotCells, lineTable, fingerprint: fingerprint(t, address), lines: new Map() };
}
