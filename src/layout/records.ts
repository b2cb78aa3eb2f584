// Gives parsed types their sizes under one ABI and lays records out by gcc's rules (x86-64 SysV,
// which clang's wasm32 target shares): members in order at their alignment, bit-fields packed into
// storage units of their declared type, a bit-field that would straddle a unit boundary starts a
// new unit, ":0" aligns to the next unit, size rounded up to the record's alignment.
import type { Abi } from './abi.js';
import type { Program, RecordDef, RecordRef, TypeExpr } from './ast.js';
import { LayoutError } from './errors.js';

export interface Sized {
  readonly size: number;
  readonly align: number;
  /** C spelling after typedefs: "long", "struct _object *", "char[8]". */
  readonly typeName: string;
  readonly isPointer: boolean;
  /** Set when the type is a struct or union laid out here (not for pointers to one). */
  readonly record?: LaidRecord;
  /** Set for arrays. */
  readonly element?: Sized;
}

export interface LaidMember {
  /** Undefined for anonymous struct/union members and unnamed bit-fields. */
  readonly name: string | undefined;
  readonly offset: number;
  readonly type: Sized;
  readonly bitOffset?: number;
  readonly bitWidth?: number;
}

export interface LaidRecord {
  readonly name: string;
  readonly keyword: 'struct' | 'union';
  readonly size: number;
  readonly align: number;
  readonly members: readonly LaidMember[];
}

export class Layouter {
  private readonly done = new Map<RecordDef, LaidRecord>();
  private readonly inProgress = new Set<RecordDef>();

  constructor(
    private readonly program: Program,
    private readonly abi: Abi,
    private readonly label: string,
  ) {}

  /** `context` names the record being laid out, for error messages. */
  sized(type: TypeExpr, context: string, seen: ReadonlySet<string> = new Set()): Sized {
    switch (type.kind) {
      case 'base': {
        if (type.name === 'void') throw this.error(`${context}: a member cannot have type void`);
        const info = this.abi.scalars[type.name];
        if (!info) throw this.error(`${context}: type '${type.name}' is not supported by the ${this.abi.name} ABI`);
        return { size: info.size, align: info.align, typeName: type.name, isPointer: false };
      }
      case 'enum':
        return { ...this.abi.scalars.int!, typeName: 'int', isPointer: false };
      case 'named':
        return this.sized(this.resolveTypedef(type.name, context, seen), context, new Set([...seen, type.name]));
      case 'record': {
        const def = this.definition(type.record);
        const spelling = recordSpelling(type.record, def);
        if (!def) throw this.error(`${context}: ${spelling} is incomplete (declared but never defined)`);
        const record = this.layout(def);
        return { size: record.size, align: record.align, typeName: spelling, isPointer: false, record };
      }
      case 'pointer':
        return { ...this.abi.pointer, typeName: `${this.spell(type.to, seen)} *`, isPointer: true };
      case 'array': {
        const elem = this.sized(type.of, context, seen);
        // int[2][3] is an array of 2 int[3]: the new dimension goes first in the spelling.
        const typeName = elem.element ? elem.typeName.replace('[', `[${type.length}][`) : `${elem.typeName}[${type.length}]`;
        return { size: elem.size * type.length, align: elem.align, typeName, isPointer: false, element: elem };
      }
    }
  }

  /** Spelling of a pointee, which need not be complete or even declared. */
  private spell(type: TypeExpr, seen: ReadonlySet<string>): string {
    switch (type.kind) {
      case 'base':
        return type.name;
      case 'enum':
        return 'int';
      case 'named': {
        const target = this.program.typedefs.get(type.name);
        if (!target || seen.has(type.name)) return type.name;
        return this.spell(target, new Set([...seen, type.name]));
      }
      case 'record':
        return recordSpelling(type.record, this.definition(type.record));
      case 'pointer':
        return `${this.spell(type.to, seen)} *`;
      case 'array':
        return `${this.spell(type.of, seen)}[${type.length}]`;
    }
  }

  private resolveTypedef(name: string, context: string, seen: ReadonlySet<string>): TypeExpr {
    if (seen.has(name)) throw this.error(`${context}: typedef ${name} refers to itself`);
    const target = this.program.typedefs.get(name);
    if (!target) throw this.error(`${context}: unknown type '${name}'`);
    return target;
  }

  /** The struct/union a type names through typedefs, if it is one and it has a body. */
  recordDefinition(type: TypeExpr, seen: ReadonlySet<string> = new Set()): RecordDef | undefined {
    if (type.kind === 'record') return this.definition(type.record);
    if (type.kind !== 'named' || seen.has(type.name)) return undefined;
    const target = this.program.typedefs.get(type.name);
    return target ? this.recordDefinition(target, new Set([...seen, type.name])) : undefined;
  }

  private definition(ref: RecordRef): RecordDef | undefined {
    if (ref.def) return ref.def;
    return this.program.tagged.get(`${ref.keyword} ${ref.tag ?? ''}`);
  }

  layout(def: RecordDef): LaidRecord {
    const cached = this.done.get(def);
    if (cached) return cached;
    const context = `${def.keyword} ${def.displayName}`;
    if (this.inProgress.has(def)) throw this.error(`${context} contains itself`);
    this.inProgress.add(def);
    const isUnion = def.keyword === 'union';
    const members: LaidMember[] = [];
    let bit = 0; // next free bit (structs)
    let maxBits = 0; // extent so far (unions)
    let align = 1;
    for (const m of def.members) {
      const where = m.name === undefined ? context : `${context}, member ${m.name}`;
      const t = this.sized(m.type, where);
      const start = isUnion ? 0 : bit;
      if (m.bitWidth !== undefined) {
        if (t.isPointer || t.record || !/int|char|short|long|_Bool/.test(t.typeName) || t.typeName.includes('['))
          throw this.error(`${where}: bit-field of non-integer type '${t.typeName}'`);
        const unitBits = t.size * 8;
        if (m.bitWidth > unitBits) throw this.error(`${where}: bit-field width ${m.bitWidth} exceeds its type`);
        let pos = start;
        if (m.bitWidth === 0) {
          pos = roundUp(pos, unitBits);
        } else {
          if (Math.floor(pos / unitBits) !== Math.floor((pos + m.bitWidth - 1) / unitBits)) pos = roundUp(pos, unitBits);
          const unitStart = Math.floor(pos / unitBits) * t.size;
          if (m.name !== undefined) {
            // Unnamed bit-fields do not affect the record's alignment on x86-64 SysV.
            align = Math.max(align, t.align);
            members.push({ name: m.name, offset: unitStart, type: t, bitOffset: pos - unitStart * 8, bitWidth: m.bitWidth });
          }
        }
        const end = pos + m.bitWidth;
        if (isUnion) maxBits = Math.max(maxBits, end);
        else bit = end;
        continue;
      }
      const memberAlign = Math.max(t.align, m.align ?? 1);
      const offset = isUnion ? 0 : roundUp(Math.ceil(bit / 8), memberAlign);
      align = Math.max(align, memberAlign);
      members.push({ name: m.name, offset, type: t });
      if (isUnion) maxBits = Math.max(maxBits, t.size * 8);
      else bit = (offset + t.size) * 8;
    }
    const extent = Math.ceil((isUnion ? maxBits : bit) / 8);
    const laid: LaidRecord = { name: def.displayName, keyword: def.keyword, size: roundUp(extent, align), align, members };
    this.inProgress.delete(def);
    this.done.set(def, laid);
    return laid;
  }

  private error(message: string): LayoutError {
    return new LayoutError(`${this.label}: ${message}`);
  }
}

function recordSpelling(ref: RecordRef, def: RecordDef | undefined): string {
  return `${ref.keyword} ${ref.tag ?? def?.displayName ?? '<anonymous>'}`;
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
