// Turns parsed declarations into the Declarations contract: every record is laid out eagerly so a
// mistake in a declaration set fails at declare() time, naming the struct.
import type { Abi } from './abi.js';
import type { Declarations, FieldLayout, StructLayout } from './api.js';
import type { Program } from './ast.js';
import { LayoutError } from './errors.js';
import { parse } from './parser.js';
import { Layouter, type LaidMember, type LaidRecord, type Sized } from './records.js';

export function declare(cSource: string, abi: Abi, label = 'declarations'): Declarations {
  const prelude = parse(abi.prelude, `${abi.name} prelude`);
  const own = parse(cSource, label, abi.macros);
  const program: Program = {
    typedefs: new Map([...prelude.typedefs, ...own.typedefs]),
    tagged: new Map([...prelude.tagged, ...own.tagged]),
    records: [...prelude.records, ...own.records],
  };
  const layouter = new Layouter(program, abi, label);
  // Typedefs are checked where records use them: an unused or opaque one is no error in C either.
  for (const def of own.records) layouter.layout(def);
  return new LaidDeclarations(program, layouter, abi, label, new Set(own.typedefs.keys()), [...own.tagged.keys()]);
}

/** The engine's declarations with the questions a table is made of (src/layout/table.ts). */
export function declareForTable(cSource: string, abi: Abi, label: string): { declarations: Declarations; lookupNames(): string[]; sizedNames(): Map<string, number> } {
  const d = declare(cSource, abi, label) as LaidDeclarations;
  return { declarations: d, lookupNames: () => d.lookupNames(), sizedNames: () => d.sizedNames() };
}

class LaidDeclarations implements Declarations {
  readonly abi;
  private readonly structs = new Map<string, StructLayout>();

  constructor(
    private readonly program: Program,
    private readonly layouter: Layouter,
    abi: Abi,
    private readonly label: string,
    private readonly ownTypedefs: ReadonlySet<string>,
    private readonly ownTagged: readonly string[],
  ) {
    this.abi = abi.name;
  }

  has(structName: string): boolean {
    return this.findRecord(structName) !== undefined;
  }

  struct(structName: string): StructLayout {
    const cached = this.structs.get(structName);
    if (cached) return cached;
    const record = this.findRecord(structName);
    if (!record) throw new LayoutError(`${this.label}: no struct or union named '${structName}'`);
    const layout = new RecordLayout(structName, record, this.label);
    this.structs.set(structName, layout);
    return layout;
  }

  sizeof(typeName: string): number {
    const parsed = parse(`typedef ${typeName} __pyscope_sizeof;`, `${this.label}: sizeof(${typeName})`);
    const type = parsed.typedefs.get('__pyscope_sizeof');
    if (!type) throw new LayoutError(`${this.label}: cannot read type '${typeName}'`);
    return this.layouter.sized(type, `sizeof(${typeName})`).size;
  }

  /**
   * Every name has() answers yes to, spelled as given: typedef names, "struct tag" and "union tag",
   * and bare tags where no typedef of that name shadows them (what a table must hold).
   */
  lookupNames(): string[] {
    const candidates = new Set<string>(this.program.typedefs.keys());
    for (const key of this.program.tagged.keys()) {
      candidates.add(key);
      candidates.add(key.replace(/^(struct|union) /, ''));
    }
    return [...candidates].filter((name) => this.has(name));
  }

  /** Typedef names and "struct tag"/"union tag" whose sizeof is known (what a table must hold). */
  sizedNames(): Map<string, number> {
    const sizes = new Map<string, number>();
    for (const name of [...this.program.typedefs.keys(), ...this.program.tagged.keys()]) {
      try {
        sizes.set(name, this.sizeof(name));
      } catch {
        // void, an opaque struct, a function type: sizeof asks the engine, which says why not
      }
    }
    return sizes;
  }

  structNames(): string[] {
    const names: string[] = [];
    const reached = new Set<LaidRecord>();
    for (const name of this.program.typedefs.keys()) {
      if (!this.ownTypedefs.has(name)) continue;
      const record = this.findRecord(name);
      if (!record) continue;
      names.push(name);
      reached.add(record);
    }
    for (const key of this.ownTagged) {
      const record = this.findRecord(key);
      if (record && !reached.has(record)) names.push(key);
    }
    return names;
  }

  /** A typedef name, "struct tag", "union tag" or a bare tag; undefined when absent or incomplete. */
  private findRecord(name: string): LaidRecord | undefined {
    const spelled = /^(struct|union)\s+(\w+)$/.exec(name.trim());
    const typedef = this.program.typedefs.get(name);
    const def = typedef
      ? this.layouter.recordDefinition(typedef)
      : spelled
        ? this.program.tagged.get(`${spelled[1]} ${spelled[2]}`)
        : (this.program.tagged.get(`struct ${name}`) ?? this.program.tagged.get(`union ${name}`));
    return def ? this.layouter.layout(def) : undefined;
  }
}

class RecordLayout implements StructLayout {
  readonly size: number;
  readonly align: number;
  readonly fields: readonly FieldLayout[];

  constructor(
    readonly name: string,
    private readonly record: LaidRecord,
    private readonly label: string,
  ) {
    this.size = record.size;
    this.align = record.align;
    this.fields = flatten(record, 0);
  }

  has(path: string): boolean {
    return this.resolve(path) !== undefined;
  }

  offset(path: string): number {
    return this.field(path).offset;
  }

  field(path: string): FieldLayout {
    const found = this.resolve(path);
    if (!found) throw new LayoutError(`${this.label}: ${this.name} has no member '${path}'`);
    return found;
  }

  paths(): string[] {
    return memberPaths(this.record, '');
  }

  /** Follows "a.b[2].c" through nested records and arrays, accumulating the offset. */
  private resolve(path: string): FieldLayout | undefined {
    let record: LaidRecord | undefined = this.record;
    let base = 0;
    let result: FieldLayout | undefined;
    for (const segment of path.split('.')) {
      const m = /^(\w+)((?:\[\d+\])*)$/.exec(segment);
      if (!m || !record) return undefined;
      const found = findMember(record, m[1]!, base);
      if (!found) return undefined;
      let { member, offset } = found;
      let type = member.type;
      for (const idx of m[2]!.match(/\d+/g) ?? []) {
        const elem = type.element;
        if (!elem) return undefined;
        offset += Number(idx) * elem.size;
        type = elem;
      }
      result = toField(m[1]!, offset, type, member.bitOffset, member.bitWidth);
      record = type.record;
      base = offset;
    }
    return result;
  }
}

function findMember(record: LaidRecord, name: string, base: number): { member: LaidMember; offset: number } | undefined {
  for (const member of record.members) {
    if (member.name === name) return { member, offset: base + member.offset };
    if (member.name === undefined && member.type.record) {
      const inner = findMember(member.type.record, name, base + member.offset);
      if (inner) return inner;
    }
  }
  return undefined;
}

function memberPaths(record: LaidRecord, prefix: string): string[] {
  const out: string[] = [];
  for (const m of record.members) {
    if (m.name === undefined) {
      if (m.type.record) out.push(...memberPaths(m.type.record, prefix));
      continue;
    }
    const path = prefix + m.name;
    out.push(path);
    if (m.type.record) out.push(...memberPaths(m.type.record, `${path}.`));
  }
  return out;
}

function flatten(record: LaidRecord, base: number): FieldLayout[] {
  const out: FieldLayout[] = [];
  for (const m of record.members) {
    if (m.name === undefined) {
      if (m.type.record) out.push(...flatten(m.type.record, base + m.offset));
      continue;
    }
    out.push(toField(m.name, base + m.offset, m.type, m.bitOffset, m.bitWidth));
  }
  return out;
}

function toField(name: string, offset: number, type: Sized, bitOffset?: number, bitWidth?: number): FieldLayout {
  const field: FieldLayout = { name, offset, size: type.size, align: type.align, typeName: type.typeName, isPointer: type.isPointer };
  return bitWidth === undefined ? field : { ...field, bitOffset, bitWidth };
}
