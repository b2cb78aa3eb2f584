// The parsed form of the declaration subset: types as written, before any ABI gives them sizes.

export type TypeExpr =
  | { readonly kind: 'base'; readonly name: string } // "int", "unsigned long", "void", "_Bool"...
  | { readonly kind: 'named'; readonly name: string } // a typedef name
  | { readonly kind: 'record'; readonly record: RecordRef }
  | { readonly kind: 'enum' }
  | { readonly kind: 'pointer'; readonly to: TypeExpr }
  | { readonly kind: 'array'; readonly of: TypeExpr; readonly length: number };

/** A struct or union as referenced: by tag only, or with its body (then `def` is set). */
export interface RecordRef {
  readonly keyword: 'struct' | 'union';
  readonly tag: string | undefined;
  readonly def: RecordDef | undefined;
}

export interface RecordDef {
  readonly keyword: 'struct' | 'union';
  /** The tag, or a name made up for an anonymous record (its typedef name when it has one). */
  displayName: string;
  readonly members: readonly Member[];
  readonly line: number;
}

export interface Member {
  /** Undefined for anonymous struct/union members and unnamed bit-fields. */
  readonly name: string | undefined;
  readonly type: TypeExpr;
  readonly bitWidth: number | undefined;
  /** From `__attribute__((aligned(N)))` / `_Alignas(N)`: at least this alignment. */
  readonly align: number | undefined;
}

export interface Program {
  readonly typedefs: ReadonlyMap<string, TypeExpr>;
  /** Tagged records with bodies, keyed "struct tag" / "union tag". */
  readonly tagged: ReadonlyMap<string, RecordDef>;
  /** Every record body in the source, in order, nested ones included. */
  readonly records: readonly RecordDef[];
}
