// The ABIs pyscope reads. Only sizes and alignments of the base types differ between them; the
// record layout rules (gcc's, which clang follows for wasm32) are the same.
import type { AbiName } from './api.js';

export interface ScalarInfo {
  readonly size: number;
  readonly align: number;
}

export interface Abi {
  readonly name: AbiName;
  readonly pointer: ScalarInfo;
  /** Keyed by the canonical spelling of each base type, e.g. "unsigned long long". */
  readonly scalars: Readonly<Record<string, ScalarInfo>>;
  /** Macros a declaration may test with `#if NAME OP NUMBER`, as the headers do (SIZEOF_VOID_P...). */
  readonly macros: Readonly<Record<string, number>>;
  /** Typedefs every declaration set may use (fixed-width types, Py_ssize_t...), as C text. */
  readonly prelude: string;
}

/** `wide`: the alignment of the 8-byte types (double, long long) inside a struct. */
function sizes(long: number, longDouble: ScalarInfo, wide = 8): Record<string, ScalarInfo> {
  const s = (size: number, align = size): ScalarInfo => ({ size, align });
  const table: Record<string, ScalarInfo> = {
    _Bool: s(1),
    float: s(4),
    double: s(8, wide),
    'long double': longDouble,
  };
  const integers: [string, ScalarInfo][] = [
    ['char', s(1)],
    ['short', s(2)],
    ['int', s(4)],
    ['long', s(long)],
    ['long long', s(8, wide)],
  ];
  for (const [name, info] of integers) {
    table[name] = info;
    table[`signed ${name}`] = info;
    table[`unsigned ${name}`] = info;
  }
  return table;
}

// Fixed-width and CPython base typedefs. Declared in C so that typeName reports what a C compiler
// would say; int64_t differs because glibc uses long where emscripten's libc uses long long.
function prelude(int64: string): string {
  return `
    typedef signed char int8_t;       typedef unsigned char uint8_t;
    typedef short int16_t;            typedef unsigned short uint16_t;
    typedef int int32_t;              typedef unsigned int uint32_t;
    typedef ${int64} int64_t;         typedef unsigned ${int64} uint64_t;
    typedef long intptr_t;            typedef unsigned long uintptr_t;
    typedef unsigned long size_t;     typedef long ssize_t;
    typedef long ptrdiff_t;           typedef int wchar_t;
    typedef ssize_t Py_ssize_t;       typedef ssize_t Py_hash_t;
    typedef size_t Py_uhash_t;
    typedef uint32_t digit;           typedef int32_t sdigit;
    typedef uint32_t Py_UCS4;         typedef uint16_t Py_UCS2;         typedef uint8_t Py_UCS1;
  `;
}

export const LP64: Abi = {
  name: 'lp64',
  pointer: { size: 8, align: 8 },
  scalars: sizes(8, { size: 16, align: 16 }), // long double: x87 80-bit, padded to 16
  macros: { SIZEOF_VOID_P: 8, SIZEOF_LONG: 8, SIZEOF_SIZE_T: 8 },
  prelude: prelude('long'),
};

// wasm32 (emscripten, ILP32): like i386 except that 8-byte types keep 8-byte alignment inside
// structs, so `gcc -m32` cannot stand in for it.
export const WASM32: Abi = {
  name: 'wasm32',
  pointer: { size: 4, align: 4 },
  scalars: sizes(4, { size: 16, align: 16 }), // long double: IEEE binary128
  macros: { SIZEOF_VOID_P: 4, SIZEOF_LONG: 4, SIZEOF_SIZE_T: 4 },
  prelude: prelude('long long'),
};

// i386 (System V, ILP32): 8-byte types are 4-aligned inside structs (the psABI's rule, which
// `gcc -m32` follows; wasm32 differs there), and long double is the x87 80-bit type in 12 bytes.
export const I386: Abi = {
  name: 'i386',
  pointer: { size: 4, align: 4 },
  scalars: sizes(4, { size: 12, align: 4 }, 4),
  macros: { SIZEOF_VOID_P: 4, SIZEOF_LONG: 4, SIZEOF_SIZE_T: 4 },
  prelude: prelude('long long'),
};
