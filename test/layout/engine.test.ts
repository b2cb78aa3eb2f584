// The engine's own behaviour: wasm32 layouts, type spellings, lookups and error messages.
// wasm32 is checked by hand here rather than against a compiler: no wasm C compiler is installed,
// and `gcc -m32` (i386) aligns long long and double to 4 inside structs where wasm32 aligns them
// to 8. live-layout.test.ts also checks wasm32 layouts against CPython running in Pyodide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declare, I386, LayoutError, LP64, WASM32 } from '../../src/layout/index.js';

const SOURCE = `
typedef struct _object { Py_ssize_t ob_refcnt; struct _typeobject *ob_type; } PyObject;
typedef struct { const char *ml_name; void *ml_meth; int ml_flags; const char *ml_doc; } PyMethodDef;
typedef struct { char c; long long ll; } CharLongLong;
typedef struct { int i; double d; } IntDouble;
typedef struct { char c; long l; char d; } CharLongChar;
typedef struct { PyObject ob_base; Py_ssize_t ob_size; uint32_t ob_digit[1]; } PyLongObject;
typedef struct { uint64_t a; uint32_t b; } U64U32;
typedef struct { unsigned int kind:3; unsigned long long big:40; } WideBits;
`;

test('wasm32: pointers, long and size_t are 4 bytes, 8-byte types align to 8 in structs', () => {
  const d = declare(SOURCE, WASM32, 'wasm32 sample');
  assert.equal(d.abi, 'wasm32');
  const obj = d.struct('PyObject');
  assert.deepEqual([obj.offset('ob_refcnt'), obj.offset('ob_type'), obj.size, obj.align], [0, 4, 8, 4]);
  const md = d.struct('PyMethodDef');
  assert.deepEqual(['ml_name', 'ml_meth', 'ml_flags', 'ml_doc'].map((f) => md.offset(f)), [0, 4, 8, 12]);
  assert.equal(md.size, 16);
  assert.deepEqual([d.struct('CharLongLong').offset('ll'), d.struct('CharLongLong').size, d.struct('CharLongLong').align], [8, 16, 8]);
  assert.deepEqual([d.struct('IntDouble').offset('d'), d.struct('IntDouble').size], [8, 16]);
  const clc = d.struct('CharLongChar');
  assert.deepEqual([clc.offset('l'), clc.offset('d'), clc.size], [4, 8, 12]);
  const long = d.struct('PyLongObject');
  assert.deepEqual([long.offset('ob_size'), long.offset('ob_digit'), long.size], [8, 12, 16]);
  assert.deepEqual([d.struct('U64U32').size, d.struct('U64U32').align], [16, 8]);
  const wb = d.struct('WideBits');
  assert.deepEqual([wb.field('big').offset, wb.field('big').bitOffset, wb.size], [0, 3, 8]);
  assert.equal(d.sizeof('Py_ssize_t'), 4);
  assert.equal(d.sizeof('void *'), 4);
  assert.equal(d.sizeof('uint64_t'), 8);
});

test('LP64 spellings, pointers, paths and sizeof', () => {
  const d = declare(SOURCE, LP64);
  const obj = d.struct('PyObject');
  assert.equal(obj.field('ob_refcnt').typeName, 'long');
  assert.equal(obj.field('ob_type').typeName, 'struct _typeobject *');
  assert.equal(obj.field('ob_type').isPointer, true);
  assert.equal(d.struct('PyLongObject').field('ob_digit').typeName, 'unsigned int[1]');
  assert.equal(d.struct('PyLongObject').offset('ob_base.ob_type'), 8);
  assert.equal(d.struct('PyLongObject').has('ob_base.ob_refcnt'), true);
  assert.equal(d.struct('PyLongObject').has('ob_base.nope'), false);
  assert.equal(d.struct('struct _object').size, 16);
  assert.equal(d.has('_object'), true);
  assert.equal(d.has('Nope'), false);
  assert.equal(d.sizeof('PyObject *'), 8);
  assert.equal(d.sizeof('struct _object'), 16);
  assert.equal(d.sizeof('unsigned long long'), 8);
  assert.deepEqual(d.struct('PyObject').paths(), ['ob_refcnt', 'ob_type']);
  assert.deepEqual(d.structNames().slice(0, 3), ['PyObject', 'PyMethodDef', 'CharLongLong']);
});

test('errors name the struct and the unknown type', () => {
  assert.throws(() => declare('typedef struct { int a; Mystery m; } Holder;', LP64, 'CPython 9.9'), (e: unknown) => {
    assert.ok(e instanceof LayoutError);
    assert.match(e.message, /CPython 9\.9/);
    assert.match(e.message, /Holder/);
    assert.match(e.message, /unknown type 'Mystery'/);
    return true;
  });
  // A pointer to an undeclared type is fine: a pointer is a pointer.
  assert.equal(declare('struct a { Mystery *m; struct nowhere *n; };', LP64).struct('struct a').size, 16);
  assert.throws(() => declare('struct a { struct b inner; }; struct b;', LP64), /struct a.*struct b is incomplete/);
  assert.throws(() => declare('struct a { int x }', LP64), /expected ';'/);
  assert.throws(() => declare('struct a { int x; };', LP64).struct('a').offset('y'), /struct a|a has no member 'y'/);
});

test('opaque typedefs are fine until a member needs their size', () => {
  const d = declare('typedef struct _frame PyFrameObject; typedef struct { PyFrameObject *f; } Holder;', LP64);
  assert.equal(d.has('PyFrameObject'), false);
  assert.equal(d.struct('Holder').size, 8);
  assert.deepEqual(d.structNames(), ['Holder']);
});

test('#if on ABI macros picks the branch the headers would', () => {
  const src = `
    typedef struct {
      union {
        Py_ssize_t ob_refcnt;
    #if SIZEOF_VOID_P > 4
        uint32_t ob_refcnt_split[2];
    #else
        char narrow;
    #endif
      };
      void *ob_type;
    } Obj;`;
  assert.equal(declare(src, LP64).struct('Obj').has('ob_refcnt_split'), true);
  assert.equal(declare(src, LP64).struct('Obj').has('narrow'), false);
  assert.equal(declare(src, WASM32).struct('Obj').has('ob_refcnt_split'), false);
  assert.equal(declare(src, WASM32).struct('Obj').has('narrow'), true);
  assert.equal(declare(src, WASM32).struct('Obj').size, 8);
  assert.throws(() => declare('#if defined(FOO)\n#endif\n', LP64), /unsupported condition/);
  assert.throws(() => declare('#if SIZEOF_VOID_P == 8\nstruct a { int x; };\n', LP64), /#if without #endif/);
});

test('long double is 16 bytes, 16-aligned, on both ABIs', () => {
  for (const abi of [LP64, WASM32]) {
    const s = declare('struct ld { char c; long double x; };', abi).struct('ld');
    assert.deepEqual([s.offset('x'), s.size, s.align], [16, 32, 16], abi.name);
  }
});

test('multi-dimensional arrays, function pointer arrays and several declarators per line', () => {
  const d = declare('struct m { char grid[3][5]; int (*table[4])(void); int a, *b, c[2]; };', LP64).struct('m');
  assert.equal(d.field('grid').typeName, 'char[3][5]');
  assert.equal(d.offset('grid[2][4]'), 14);
  assert.deepEqual([d.offset('table'), d.field('table').size, d.offset('table[3]')], [16, 32, 40]);
  assert.deepEqual([d.offset('a'), d.offset('b'), d.offset('c'), d.size], [48, 56, 64, 72]);
  assert.equal(d.field('b').isPointer, true);
});

test('attributes other than aligned are refused, not ignored', () => {
  assert.throws(() => declare('struct p { char c; int x __attribute__((packed)); };', LP64), /unsupported attribute 'packed'/);
  assert.throws(() => declare('typedef __attribute__((aligned(8))) int wide_int;', LP64), /struct members only/);
  assert.throws(() => declare('struct p { _Alignas(3) int x; };', LP64), /power of two/);
  const s = declare('struct p { char c; __attribute__((aligned(8))) struct { char a; } inner; char d; };', LP64).struct('p');
  assert.deepEqual([s.offset('inner'), s.offset('inner.a'), s.offset('d'), s.size, s.align], [8, 8, 9, 16, 8]);
});

test('i386 (ILP32): 4-byte pointers and longs, 8-byte types 4-aligned in structs, 12-byte long double', () => {
  // The i386 psABI's rules (gcc -m32), which differ from wasm32's in the alignment of 8-byte types.
  const src = 'struct w { char c; double d; long long q; long l; void *p; long double x; };';
  const s = declare(src, I386).struct('w');
  assert.deepEqual(
    ['d', 'q', 'l', 'p', 'x'].map((f) => s.offset(f)),
    [4, 12, 20, 24, 28],
  );
  assert.deepEqual([s.size, s.align], [40, 4]);
  const wasm = declare(src, WASM32).struct('w');
  assert.deepEqual([wasm.offset('d'), wasm.offset('q')], [8, 16], 'wasm32 keeps them 8-aligned');
  assert.equal(declare('typedef struct { Py_ssize_t n; size_t s; } T;', I386).struct('T').size, 8);
});
