// The 3.13+ declarations against running interpreters (the only truth for the Debian 3.14/3.15
// builds, which carry no DWARF): read _Py_DebugOffsets out of _PyRuntime with ctypes and decode it
// with the engine's layout of our declaration, then compare with sizes Python states itself
// (__basicsize__, getsizeof). Then read real str, dict and set objects and decode them with the
// '3.13'+ declarations: state bits, dict keys and entries, set tables, PyObject's refcount.
// The same scripts run inside Pyodide (CPython 3.14 compiled to wasm32), where ctypes reads the
// WebAssembly memory: the wasm32 ABI checked against a real wasm32 CPython, not only by hand.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { declare, LP64, WASM32, type Abi, type Declarations, type StructLayout } from '../../src/layout/index.js';
import { TRAITS } from '../../src/cpython/version-traits.js';
import { pythonsFrom, skipIfMissing, type Python } from '../support/pythons.js';
import { firstSkip, onPath, partNeeds, requireThat } from '../support/requirements.js';
import { scaled } from '../support/timeouts.js';

/** Each version's declarations as transcribed, before the model's extras. */
const DECLARATIONS: Record<string, string> = Object.fromEntries(Object.entries(TRAITS).map(([k, t]) => [k, t.structs]));
/** The _Py_DebugOffsets header each 3.13+ version is read with. */
const DEBUG_OFFSETS_DECLARATIONS: Record<string, string> = Object.fromEntries(Object.entries(TRAITS).flatMap(([k, t]) => (t.debugOffsets ? [[k, t.debugOffsets.declarations]] : [])));

// Prints the table's bytes and the sizes each type reports about itself.
const READ_TABLE = `
import ctypes, json, sys, types
n = int(sys.argv[1])
runtime = ctypes.addressof(ctypes.c_char.in_dll(ctypes.pythonapi, "_PyRuntime"))
def sz(t): return [t.__basicsize__, t.__itemsize__]
print(json.dumps({
  "table": ctypes.string_at(runtime, n).hex(), "hexversion": sys.hexversion,
  "object": sz(object), "tuple": sz(tuple), "list": sz(list), "dict": sz(dict), "float": sz(float),
  "int": sz(int), "bytes": sz(bytes), "set": sz(set), "code": sz(types.CodeType),
  "emptystr": sys.getsizeof(""),
}))
`;

// Dumps real objects; the offsets to follow pointers come from the test, computed by the engine.
const READ_OBJECTS = `
import ctypes, json, sys
off = json.loads(sys.argv[1])
def mem(addr, n): return ctypes.string_at(addr, n).hex()
def ptr(addr): return ctypes.c_void_p.from_address(addr).value or 0
strings = ["abc", "h\\u00e9llo", "\\u20ac uro", "\\U0001F600!", sys.intern("pyscope_interned_" + str(len(sys.argv)))]
out = {"strings": [{"len": len(s), "mem": mem(id(s), 64)} for s in strings]}
def dump_dict(d):
  keys = ptr(id(d) + off["ma_keys"])
  return {"keys": mem(keys, 1024), "items": [[id(k), id(v), hash(k)] for k, v in d.items()]}
out["unicode_dict"] = dump_dict({"alpha": 1, "beta": 2.5, "gamma": None})
out["general_dict"] = dump_dict({1: "one", 2: "two", (3, 4): "pair"})
s = {10, 20, 30, "x"}
table = ptr(id(s) + off["set_table"])
out["set"] = {"mem": mem(id(s), off["set_size"]), "id": id(s), "table": table, "items": [[id(x), hash(x)] for x in s]}
out["set"]["table_mem"] = mem(table, (ctypes.c_ssize_t.from_address(id(s) + off["set_mask"]).value + 1) * off["entry_size"])
o = object()
before = mem(id(o), off["object_size"])
refs = [o] * 5
out["refcount"] = {"before": before, "after": mem(id(o), off["object_size"]), "type": id(object)}
print(json.dumps(out))
`;

/** Runs one of the scripts above in a target interpreter and parses the JSON it prints. */
type Run = (script: string, arg: string) => Promise<Record<string, unknown>>;

function nativeRun(p: Python): Run {
  return async (script, arg) => JSON.parse(execFileSync(p.path, ['-c', script, arg], { encoding: 'utf8', timeout: scaled(60_000) })) as Record<string, unknown>;
}

type LoadPyodide = typeof import('pyodide').loadPyodide;
const loadPyodide: LoadPyodide | string = await import('pyodide').then(
  (m) => m.loadPyodide,
  (e: unknown) => `pyodide is not installed (${String(e).split('\n')[0]})`,
);
let pyodideRun: Promise<{ run: Run; version: [number, number, number] }> | undefined;

/** One Pyodide for the whole file: loading it takes seconds. */
function pyodide(load: LoadPyodide): Promise<{ run: Run; version: [number, number, number] }> {
  pyodideRun ??= (async () => {
    const py = await load();
    let printed: string[] = [];
    py.setStdout({ batched: (line: string) => printed.push(line) });
    const run: Run = async (script, arg) => {
      printed = [];
      py.runPython(`import sys; sys.argv = ["-c", ${JSON.stringify(arg)}]`);
      py.runPython(script);
      return JSON.parse(printed.join('\n')) as Record<string, unknown>;
    };
    const version = (py.runPython('import sys; list(sys.version_info[:3])') as { toJs(): number[] }).toJs() as [number, number, number];
    return { run, version };
  })();
  return pyodideRun;
}

/** Little-endian reads from a hex dump. */
class Bytes {
  private readonly buf: Buffer;
  constructor(hex: string) {
    this.buf = Buffer.from(hex, 'hex');
  }
  u64(offset: number): number {
    return Number(this.buf.readBigUInt64LE(offset));
  }
  u32(offset: number): number {
    return this.buf.readUInt32LE(offset);
  }
  u8(offset: number): number {
    return this.buf.readUInt8(offset);
  }
  i64(offset: number): number {
    return Number(this.buf.readBigInt64LE(offset));
  }
  /** An integer of a field's own size (pointers and Py_ssize_t are 4 bytes on wasm32). */
  uint(offset: number, size: number): number {
    return size === 8 ? this.u64(offset) : this.u32(offset);
  }
  int(offset: number, size: number): number {
    return size === 8 ? this.i64(offset) : this.buf.readInt32LE(offset);
  }
  text(offset: number, length: number): string {
    return this.buf.subarray(offset, offset + length).toString('latin1');
  }
  bits(s: StructLayout, path: string, base = 0): number {
    const f = s.field(path);
    const unit = f.size === 4 ? this.u32(base + f.offset) : this.u8(base + f.offset);
    return (unit >>> (f.bitOffset ?? 0)) & ((1 << (f.bitWidth ?? f.size * 8)) - 1);
  }
}

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

function libpython(p: Python): string | undefined {
  const lib = join(dirname(dirname(p.path)), 'lib');
  if (!existsSync(lib)) return undefined;
  const name = readdirSync(lib).find((f) => /^libpython3\.\d+\.so\.1\.0$/.test(f));
  return name ? join(lib, name) : undefined;
}

/** The live table against Python's own sizes, our declarations and, given a DWARF build, gdb. */
async function checkTable(t: TestContext, key: string, abi: Abi, run: Run, lib: string | undefined): Promise<void> {
  const debug = declare(DEBUG_OFFSETS_DECLARATIONS[key]!, abi, `_Py_DebugOffsets ${key}`);
  const extras = declare(DECLARATIONS[key]!, abi, `CPython ${key}`);
  const table = debug.struct('_Py_DebugOffsets');
  const live = (await run(READ_TABLE, String(table.size))) as Record<string, [number, number]> & { table: string; hexversion: number; emptystr: number };
  const b = new Bytes(live.table);
  const at = (path: string): number => b.u64(table.offset(path));

  assert.equal(b.text(table.offset('cookie'), 8), 'xdebugpy');
  assert.equal(at('version'), live.hexversion);
  assert.equal(at('free_threaded'), 0);
  assert.equal(at('pyobject.size'), live.object[0]);
  assert.equal(at('pyobject.ob_type'), extras.struct('PyObject').offset('ob_type'));
  assert.equal(at('tuple_object.ob_item'), live.tuple[0]);
  assert.equal(at('tuple_object.size'), live.tuple[0] + live.tuple[1]);
  assert.equal(at('list_object.size'), live.list[0]);
  assert.equal(at('dict_object.size'), live.dict[0]);
  assert.equal(at('float_object.size'), live.float[0]);
  assert.equal(at('long_object.ob_digit'), live.int[0]);
  assert.equal(at('long_object.size'), roundUp(live.int[0] + live.int[1], abi.pointer.align));
  assert.equal(at('bytes_object.ob_sval'), live.bytes[0] - 1);
  assert.equal(at('code_object.co_code_adaptive'), live.code[0]);
  // The string facts must agree three ways: the table, getsizeof, and our declaration.
  const ascii = extras.struct('PyASCIIObject');
  assert.equal(at('unicode_object.asciiobject_size'), live.emptystr - 1);
  assert.equal(at('unicode_object.asciiobject_size'), ascii.size);
  assert.equal(at('unicode_object.state'), ascii.offset('state'));
  assert.equal(at('unicode_object.length'), ascii.offset('length'));
  if (table.has('set_object')) {
    const set = extras.struct('PySetObject');
    assert.equal(at('set_object.size'), live.set[0]);
    assert.equal(at('set_object.size'), set.size);
    for (const f of ['used', 'table', 'mask']) assert.equal(at(`set_object.${f}`), set.offset(f), `set_object.${f}`);
  }
  if (table.has('unicode_object.compactunicodeobject_size'))
    assert.equal(at('unicode_object.compactunicodeobject_size'), extras.struct('PyCompactUnicodeObject').size);

  // Where a DWARF build exists, the sizes the table states must be the compiler's.
  if (lib && partNeeds(t, onPath('gdb'), 'gdb is not installed: the sizes the table states are not compared with the DWARF')) {
    const sizes: [string, string][] = [
      ['thread_state.size', 'PyThreadState'],
      ['interpreter_state.size', 'PyInterpreterState'],
      ['interpreter_frame.size', 'struct _PyInterpreterFrame'],
      ['code_object.size', 'PyCodeObject'],
      ['runtime_state.size', '_PyRuntimeState'],
      ['type_object.size', 'PyTypeObject'],
    ];
    const out = execFileSync('gdb', ['-batch', '-nx', ...sizes.flatMap(([, c]) => ['-ex', `print sizeof(${c})`]), lib], { encoding: 'utf8', timeout: scaled(300_000) });
    const values = [...out.matchAll(/^\$\d+ = (\d+)$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(values, sizes.map(([path]) => at(path)));
    t.diagnostic(`sizes checked against DWARF: ${sizes.map(([p, c]) => `${c}=${at(p)}`).join(', ')}`);
  }
}

/** Real str, dict, set and object memory decoded with a version's declarations. */
async function checkObjects(key: string, abi: Abi, run: Run): Promise<void> {
  const debug = declare(DEBUG_OFFSETS_DECLARATIONS[key]!, abi).struct('_Py_DebugOffsets');
  const d: Declarations = declare(DECLARATIONS[key]!, abi, `CPython ${key}`);
  const table = new Bytes((await run(READ_TABLE, String(debug.size))).table as string);
  const set = d.struct('PySetObject');
  const ptrSize = abi.pointer.size; // also Py_ssize_t's and Py_hash_t's
  const offsets = {
    ma_keys: table.u64(debug.offset('dict_object.ma_keys')),
    set_table: set.offset('table'),
    set_mask: set.offset('mask'),
    set_size: set.size,
    entry_size: d.sizeof('setentry'),
    object_size: d.struct('PyObject').size,
  };
  const live = (await run(READ_OBJECTS, JSON.stringify(offsets))) as {
    strings: { len: number; mem: string }[];
    unicode_dict: { keys: string; items: [number, number, number][] };
    general_dict: { keys: string; items: [number, number, number][] };
    set: { mem: string; id: number; table: number; table_mem: string; items: [number, number][] };
    refcount: { before: string; after: string; type: number };
  };

  // str: length and the state bits (kind 1/2/4, compact, ascii, interned).
  const ascii = d.struct('PyASCIIObject');
  const expected = [
    { kind: 1, ascii: 1 },
    { kind: 1, ascii: 0 },
    { kind: 2, ascii: 0 },
    { kind: 4, ascii: 0 },
    { kind: 1, ascii: 1 },
  ];
  live.strings.forEach((s, i) => {
    const m = new Bytes(s.mem);
    assert.equal(m.int(ascii.offset('length'), ascii.field('length').size), s.len, `string ${i} length`);
    assert.equal(m.bits(ascii, 'state.kind'), expected[i]!.kind, `string ${i} kind`);
    assert.equal(m.bits(ascii, 'state.ascii'), expected[i]!.ascii, `string ${i} ascii`);
    assert.equal(m.bits(ascii, 'state.compact'), 1, `string ${i} compact`);
  });
  assert.notEqual(new Bytes(live.strings[4]!.mem).bits(ascii, 'state.interned'), 0, 'sys.intern() result is interned');

  // dict keys: a unicode-keyed table holds PyDictUnicodeEntry, a general one PyDictKeyEntry,
  // both after the index array of 1 << dk_log2_index_bytes bytes.
  const keys = d.struct('PyDictKeysObject');
  for (const [dict, kind, entryName] of [
    [live.unicode_dict, 1, 'PyDictUnicodeEntry'],
    [live.general_dict, 0, 'PyDictKeyEntry'],
  ] as const) {
    const k = new Bytes(dict.keys);
    assert.equal(k.u8(keys.offset('dk_kind')), kind, 'dk_kind');
    assert.equal(k.int(keys.offset('dk_nentries'), keys.field('dk_nentries').size), dict.items.length, 'dk_nentries');
    assert.ok(k.u8(keys.offset('dk_log2_size')) >= 3, 'dk_log2_size');
    const entries = keys.offset('dk_indices') + 2 ** k.u8(keys.offset('dk_log2_index_bytes'));
    const entry = d.struct(entryName);
    dict.items.forEach(([keyId, valueId, hash], i) => {
      const base = entries + i * entry.size;
      assert.equal(k.uint(base + entry.offset('me_key'), ptrSize), keyId, `${entryName}[${i}].me_key`);
      assert.equal(k.uint(base + entry.offset('me_value'), ptrSize), valueId, `${entryName}[${i}].me_value`);
      if (entry.has('me_hash')) assert.equal(k.int(base + entry.offset('me_hash'), entry.field('me_hash').size), hash, `${entryName}[${i}].me_hash`);
    });
  }

  // set: used, mask, the table pointer (the small table inside the object), and its entries.
  const s = new Bytes(live.set.mem);
  assert.equal(s.int(set.offset('used'), ptrSize), live.set.items.length);
  assert.equal(s.int(set.offset('mask'), ptrSize), 7);
  assert.equal(s.uint(set.offset('table'), ptrSize), live.set.table);
  assert.equal(live.set.table, live.set.id + set.offset('smalltable'));
  const entry = d.struct('setentry');
  const t = new Bytes(live.set.table_mem);
  const found = new Map<number, number>();
  for (let i = 0; i <= 7; i++) {
    const key = t.uint(i * entry.size + entry.offset('key'), ptrSize);
    if (key) found.set(key, t.int(i * entry.size + entry.offset('hash'), ptrSize));
  }
  assert.deepEqual(new Map(live.set.items.map(([id, hash]) => [id, hash])), found);

  // PyObject: ob_type, and ob_refcnt grows by exactly the 5 references taken.
  const obj = d.struct('PyObject');
  const before = new Bytes(live.refcount.before);
  const after = new Bytes(live.refcount.after);
  assert.equal(before.uint(obj.offset('ob_type'), ptrSize), live.refcount.type);
  const refcnt = obj.field('ob_refcnt');
  const read = (m: Bytes): number => m.int(refcnt.offset, refcnt.size);
  assert.equal(read(after) - read(before), 5);
}

for (const p of pythonsFrom(3, 13)) {
  const key = `${p.version[0]}.${p.version[1]}`;
  const skip = firstSkip(skipIfMissing(p), requireThat(DEBUG_OFFSETS_DECLARATIONS[key] !== undefined, `no _Py_DebugOffsets declaration for ${key}`));
  test(`_Py_DebugOffsets ${key} decodes the live table of ${p.label}`, skip, (t) => checkTable(t, key, LP64, nativeRun(p), libpython(p)));
  test(`CPython ${key} dict, set, str and PyObject declarations read live objects of ${p.label}`, skip, () => checkObjects(key, LP64, nativeRun(p)));
}

const wasmSkip = requireThat(typeof loadPyodide !== 'string', typeof loadPyodide === 'string' ? loadPyodide : '');
test('wasm32: _Py_DebugOffsets decodes the live table of Pyodide', wasmSkip, async (t) => {
  const { run, version } = await pyodide(loadPyodide as LoadPyodide);
  t.diagnostic(`Pyodide runs CPython ${version.join('.')}`);
  await checkTable(t, `${version[0]}.${version[1]}`, WASM32, run, undefined);
});
test('wasm32: dict, set, str and PyObject declarations read live objects of Pyodide', wasmSkip, async () => {
  const { run, version } = await pyodide(loadPyodide as LoadPyodide);
  await checkObjects(`${version[0]}.${version[1]}`, WASM32, run);
});
