// A set of declarations laid out ahead of time, as plain data. Parsing and laying out a CPython
// version's C text is most of a dump's start-up; a table answers the same questions from JSON. The
// engine stays the truth: a table is made by asking the engine's Declarations every question it
// can answer (tableOf), and a question the table does not hold (an array-indexed path, the sizeof
// of a spelled-out type, a name it lacks) is put to the engine, laid out on first need.
import type { Abi } from './abi.js';
import type { AbiName, Declarations, FieldLayout, StructLayout } from './api.js';
import { declareForTable } from './declarations.js';
import { LayoutError } from './errors.js';

/** offset, size, align, typeName, isPointer, then bitOffset and bitWidth for a bit-field. */
type FieldRow = [number, number, number, string, boolean] | [number, number, number, string, boolean, number, number];

interface RecordRow {
  size: number;
  align: number;
  /** Names of `fields`, each also a key of `members`. */
  fields: string[];
  /** Every member path in the order paths() gives them, with the member it names. */
  members: Record<string, FieldRow>;
}

export interface LayoutTable {
  /** What declare() was given as its label: the start of every error message. */
  label: string;
  abi: AbiName;
  /** Every name has() answers yes to, with its record's index in `records`. */
  names: Record<string, number>;
  records: RecordRow[];
  /** sizeof of every typedef name and "struct tag" that has one. */
  sizes: Record<string, number>;
  structNames: string[];
}

/** Lays `cSource` out with the engine and writes down every answer it gives. */
export function tableOf(cSource: string, abi: Abi, label: string): LayoutTable {
  const laid = declareForTable(cSource, abi, label);
  const d = laid.declarations;
  const records: RecordRow[] = [];
  const rowOf = new Map<string, number>();
  const names: Record<string, number> = {};
  for (const name of laid.lookupNames()) {
    const s = d.struct(name);
    const row: RecordRow = { size: s.size, align: s.align, fields: s.fields.map((f) => f.name), members: {} };
    for (const path of s.paths()) row.members[path] = fieldRow(s.field(path));
    // A typedef and its tag name one record: store it once.
    const text = JSON.stringify(row);
    let index = rowOf.get(text);
    if (index === undefined) {
      index = records.push(row) - 1;
      rowOf.set(text, index);
    }
    names[name] = index;
  }
  return { label, abi: abi.name, names, records, sizes: Object.fromEntries(laid.sizedNames()), structNames: d.structNames() };
}

function fieldRow(f: FieldLayout): FieldRow {
  const row: FieldRow = [f.offset, f.size, f.align, f.typeName, f.isPointer];
  return f.bitWidth === undefined ? row : [...row, f.bitOffset ?? 0, f.bitWidth];
}

function fieldOf(name: string, row: FieldRow): FieldLayout {
  const field: FieldLayout = { name, offset: row[0], size: row[1], align: row[2], typeName: row[3], isPointer: row[4] };
  return row.length === 7 ? { ...field, bitOffset: row[5], bitWidth: row[6] } : field;
}

/** The table's answers as Declarations; `engine` lays the C text out for what the table lacks. */
export function fromTable(table: LayoutTable, engine: () => Declarations): Declarations {
  return new TableDeclarations(table, engine);
}

class TableDeclarations implements Declarations {
  readonly abi: AbiName;
  private readonly structs = new Map<string, StructLayout>();
  private laid?: Declarations;

  constructor(
    private readonly table: LayoutTable,
    private readonly engine: () => Declarations,
  ) {
    this.abi = table.abi;
  }

  has(structName: string): boolean {
    return this.indexOf(structName) !== undefined;
  }

  struct(structName: string): StructLayout {
    const cached = this.structs.get(structName);
    if (cached) return cached;
    const index = this.indexOf(structName);
    // Not in the table: the engine's own error, naming what is missing.
    if (index === undefined) return this.fallback().struct(structName);
    const layout = new TableStruct(structName, this.table.records[index]!, this.table.label, () => this.fallback().struct(structName));
    this.structs.set(structName, layout);
    return layout;
  }

  sizeof(typeName: string): number {
    return Object.hasOwn(this.table.sizes, typeName) ? this.table.sizes[typeName]! : this.fallback().sizeof(typeName);
  }

  structNames(): string[] {
    return [...this.table.structNames];
  }

  /** As the engine finds a record: the name as given, or "struct tag" with any spacing. */
  private indexOf(name: string): number | undefined {
    const names = this.table.names;
    if (Object.hasOwn(names, name)) return names[name];
    const spelled = /^(struct|union)\s+(\w+)$/.exec(name.trim());
    const key = spelled ? `${spelled[1]} ${spelled[2]}` : undefined;
    return key !== undefined && Object.hasOwn(names, key) ? names[key] : undefined;
  }

  private fallback(): Declarations {
    this.laid ??= this.engine();
    return this.laid;
  }
}

class TableStruct implements StructLayout {
  readonly size: number;
  readonly align: number;
  readonly fields: readonly FieldLayout[];

  constructor(
    readonly name: string,
    private readonly row: RecordRow,
    private readonly label: string,
    private readonly engine: () => StructLayout,
  ) {
    this.size = row.size;
    this.align = row.align;
    this.fields = row.fields.map((f) => fieldOf(f, row.members[f]!));
  }

  has(path: string): boolean {
    if (Object.hasOwn(this.row.members, path)) return true;
    return path.includes('[') ? this.engine().has(path) : false;
  }

  offset(path: string): number {
    return this.field(path).offset;
  }

  field(path: string): FieldLayout {
    if (Object.hasOwn(this.row.members, path)) return fieldOf(path.slice(path.lastIndexOf('.') + 1), this.row.members[path]!);
    // An array element ("a[2].b") is computed from the element type, which only the engine keeps.
    if (path.includes('[')) return this.engine().field(path);
    throw new LayoutError(`${this.label}: ${this.name} has no member '${path}'`);
  }

  paths(): string[] {
    return Object.keys(this.row.members);
  }
}
