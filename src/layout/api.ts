// The contract of the C layout engine. The engine (src/layout/*.ts) computes offsets, sizes and
// alignments exactly as a C compiler does for a given ABI; everything above it asks only these
// questions and never hard-codes an offset.

export type AbiName = 'lp64' | 'wasm32' | 'i386';

export interface FieldLayout {
  readonly name: string;
  /** Byte offset from the start of the enclosing struct (for bit-fields: of its storage unit). */
  readonly offset: number;
  readonly size: number;
  readonly align: number;
  /** C spelling of the field's type after typedefs, e.g. "long", "struct _object *", "char[8]". */
  readonly typeName: string;
  readonly isPointer: boolean;
  /** For bit-fields: bit position inside the storage unit at `offset` and width in bits. */
  readonly bitOffset?: number;
  readonly bitWidth?: number;
}

export interface StructLayout {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly fields: readonly FieldLayout[];
  /** True when the member path exists ("a", or "a.b.c" through nested struct/union members). */
  has(path: string): boolean;
  /** Byte offset of a member path from the start of this struct; throws LayoutError if absent. */
  offset(path: string): number;
  field(path: string): FieldLayout;
  /** Every member path, nested struct/union members included ("a", "a.b"); arrays are not entered. */
  paths(): string[];
}

/** A set of C declarations laid out for one ABI (one CPython version's structs, say). */
export interface Declarations {
  readonly abi: AbiName;
  has(structName: string): boolean;
  struct(structName: string): StructLayout;
  sizeof(typeName: string): number;
  /** Names of the records this source defines: typedef names, and "struct tag" for tag-only ones. */
  structNames(): string[];
}
