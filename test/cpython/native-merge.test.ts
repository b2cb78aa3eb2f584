// mergeStacks on its own: the rules that the gdb-checked runs (test/native) cannot all reach on
// a healthy process. A merge that cannot be proved keeps every frame; the call machinery is only
// ever marked in the interpreter's own file; a name beyond its symbol's end is no name; an entry
// frame's address picks the C frame whose stack holds it, whatever the frame is called.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame } from '../../src/cpython/model/frames.js';
import { mergeStacks, type MergedFrame, type NativeFrameLike } from '../../src/cpython/native-merge.js';
import type { NativeEvalTraits } from '../../src/cpython/version-traits.js';

const PYTHON = '/opt/python/lib/libpython3.so';
const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const PER_CALL: NativeEvalTraits = { kind: 'per-call', functions: ['_PyEval_EvalFrameDefault'] };
const ENTRY: NativeEvalTraits = { kind: 'entry-frames', functions: ['_PyEval_EvalFrameDefault'] };

function py(name: string): Frame {
  const code = {
    address: 0,
    name,
    qualname: name,
    filename: 'app.py',
    firstLine: 1,
    argCount: 0,
    slotNames: [],
    slotKinds: [],
    slotCells: [],
    lineTable: Buffer.alloc(0),
    fingerprint: { name: 0, filename: 0, firstLine: 0 },
    lines: new Map<number, number | undefined>(),
  };
  return { address: 0, code, line: 1 };
}

let sp = 0x7000;
function c(symbol: string | undefined, module = PYTHON, extra: Partial<NativeFrameLike> = {}): NativeFrameLike {
  sp += 0x100;
  return { pc: sp + 1, sp, module, ...(symbol === undefined ? {} : { symbol }), ...extra };
}

function names(frames: MergedFrame[]): string[] {
  return frames.map((f) => (f.kind === 'python' ? `py:${f.frame.code.name}` : `${f.frame.symbol ?? '??'}${f.machinery ? '*' : ''}`));
}

test('per call: each evaluation call becomes its Python frame; the machinery is marked, libc is not', () => {
  sp = 0x7000;
  const native = [c('read', LIBC), c('_PyEval_EvalFrameDefault'), c('PyObject_Call'), c('PyObject_Call', LIBC), c('_PyEval_EvalFrameDefault'), c('start_thread', LIBC)];
  const m = mergeStacks(native, [py('inner'), py('outer')], undefined, PER_CALL, PYTHON);
  assert.equal(m.merged, true);
  assert.deepEqual(names(m.frames), ['read', 'py:inner', 'PyObject_Call*', 'PyObject_Call', 'py:outer', 'start_thread']);
});

test('per call: counts that differ keep every native frame, then every Python frame, with a note', () => {
  sp = 0x7000;
  const native = [c('read', LIBC), c('_PyEval_EvalFrameDefault'), c('_PyEval_EvalFrameDefault.cold'), c('start_thread', LIBC)];
  const m = mergeStacks(native, [py('a'), py('b'), py('c')], undefined, PER_CALL, PYTHON);
  assert.equal(m.merged, false);
  assert.deepEqual(names(m.frames), ['read', '_PyEval_EvalFrameDefault', '_PyEval_EvalFrameDefault.cold', 'start_thread', 'py:a', 'py:b', 'py:c']);
  assert.match(m.note ?? '', /2 calls of _PyEval_EvalFrameDefault on the C stack for 3 Python frames/);
});

test('per call: a name past the end of its symbol is not an evaluation call', () => {
  sp = 0x7000;
  const native = [c('_PyEval_EvalFrameDefault', PYTHON, { beyondSymbol: true }), c('_PyEval_EvalFrameDefault')];
  const m = mergeStacks(native, [py('only')], undefined, PER_CALL, PYTHON);
  assert.equal(m.merged, true);
  assert.deepEqual(names(m.frames), ['_PyEval_EvalFrameDefault', 'py:only']);
});

test('entry frames: the C frame whose stack holds each entry frame runs its chain, named or not', () => {
  sp = 0x7000;
  // sp: 0x7100, 0x7200, ... A frame's locals lie from its sp up to the next frame's.
  const native = [c('sem_wait', LIBC), c(undefined), c('qsort_r', LIBC), c(undefined), c('start_thread', LIBC)];
  const marks = [
    { before: 2, address: 0x7250 }, // inside the second frame's stack
    { before: 3, address: 0x7480 }, // inside the fourth
    { before: 3, address: 0x1234 }, // the thread's base frame, on no C stack: left out
  ];
  const m = mergeStacks(native, [py('wait'), py('compare'), py('main')], marks, ENTRY, PYTHON);
  assert.equal(m.merged, true, m.note);
  assert.deepEqual(names(m.frames), ['sem_wait', 'py:wait', 'py:compare', 'qsort_r', 'py:main', 'start_thread']);
});

test('entry frames: frames after the last entry frame cannot be placed, and nothing is dropped', () => {
  sp = 0x7000;
  const native = [c('sem_wait', LIBC), c(undefined), c('start_thread', LIBC)];
  const m = mergeStacks(native, [py('wait'), py('main')], [{ before: 1, address: 0x7250 }], ENTRY, PYTHON);
  assert.equal(m.merged, false);
  assert.equal(m.frames.length, native.length + 2);
  assert.match(m.note ?? '', /1 Python frame outside every evaluation call/);
});

test('entry frames: an entry frame in no C frame read falls back to counting calls by name', () => {
  sp = 0x7000;
  const native = [c('sem_wait', LIBC), c('_PyEval_EvalFrameDefault'), c('start_thread', LIBC)];
  const m = mergeStacks(native, [py('wait'), py('main')], [{ before: 2, address: 0x10 }], ENTRY, PYTHON);
  assert.equal(m.merged, true);
  assert.deepEqual(names(m.frames), ['sem_wait', 'py:wait', 'py:main', 'start_thread']);
});
