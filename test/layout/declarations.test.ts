// Every struct and member path the CPython model asks for exists in the declarations of each
// version that has it (the DWARF test proves the offsets; this proves nothing needed is missing),
// and every version's declarations lay out on both ABIs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declare, LP64, WASM32 } from '../../src/layout/index.js';
import { TRAITS } from '../../src/cpython/version-traits.js';

/** Each version's declarations as transcribed, before the model's extras. */
const DECLARATIONS: Record<string, string> = Object.fromEntries(Object.entries(TRAITS).map(([k, t]) => [k, t.structs]));

type Need = [from: string, to: string, struct: string, paths: string[]];

const NEEDS: Need[] = [
  ['2.7', '3.15', 'PyObject', ['ob_refcnt', 'ob_type']],
  ['2.7', '3.12', 'PyVarObject', ['ob_size']],
  ['3.6', '3.12', 'PyVarObject', ['ob_base']], // 2.7 spells PyObject_VAR_HEAD out: ob_refcnt, ob_type, ob_size
  ['2.7', '3.12', 'PyTypeObject', ['tp_name', 'tp_basicsize', 'tp_itemsize', 'tp_flags', 'tp_dictoffset']],
  ['2.7', '3.12', 'PyInterpreterState', ['next']],
  ['3.7', '3.12', 'PyInterpreterState', ['id']],
  ['2.7', '3.10', 'PyInterpreterState', ['tstate_head', 'modules']],
  ['3.11', '3.11', 'PyInterpreterState', ['threads.head', 'modules']],
  ['3.12', '3.12', 'PyInterpreterState', ['threads.head', 'imports.modules', 'ceval.gil']],
  ['2.7', '3.12', 'PyThreadState', ['next', 'interp', 'thread_id']],
  ['3.6', '3.12', 'PyThreadState', ['prev']],
  ['2.7', '3.10', 'PyThreadState', ['frame']],
  ['3.11', '3.12', 'PyThreadState', ['cframe', 'datastack_chunk']],
  ['3.11', '3.12', 'PyThreadState', ['native_thread_id']], // added to the thread state in 3.11, not 3.8
  ['2.7', '3.12', 'PyCodeObject', ['co_argcount', 'co_nlocals', 'co_flags', 'co_firstlineno', 'co_filename', 'co_name']],
  ['3.6', '3.12', 'PyCodeObject', ['co_kwonlyargcount']],
  ['3.8', '3.12', 'PyCodeObject', ['co_posonlyargcount']],
  ['2.7', '3.10', 'PyCodeObject', ['co_code', 'co_varnames', 'co_cellvars', 'co_freevars']],
  ['2.7', '3.9', 'PyCodeObject', ['co_lnotab']],
  ['3.10', '3.12', 'PyCodeObject', ['co_linetable']],
  ['3.11', '3.12', 'PyCodeObject', ['co_qualname', 'co_localsplusnames', 'co_localspluskinds', 'co_nlocalsplus', 'co_code_adaptive']],
  ['3.6', '3.15', 'PyASCIIObject', ['length', 'hash', 'state.interned', 'state.kind', 'state.compact', 'state.ascii']],
  ['3.6', '3.11', 'PyASCIIObject', ['state.ready', 'wstr']],
  ['3.6', '3.15', 'PyCompactUnicodeObject', ['_base', 'utf8_length', 'utf8']],
  ['3.6', '3.12', 'PyBytesObject', ['ob_base', 'ob_shash', 'ob_sval']],
  ['2.7', '3.11', 'PyLongObject', ['ob_digit']],
  ['3.12', '3.12', 'PyLongObject', ['long_value.lv_tag', 'long_value.ob_digit']],
  ['2.7', '3.12', 'PyFloatObject', ['ob_fval']],
  ['2.7', '3.12', 'PyTupleObject', ['ob_item']],
  ['2.7', '3.12', 'PyListObject', ['ob_item', 'allocated']],
  ['2.7', '2.7', 'PyDictObject', ['ma_fill', 'ma_used', 'ma_mask', 'ma_table']],
  ['2.7', '2.7', 'PyDictEntry', ['me_hash', 'me_key', 'me_value']],
  ['3.6', '3.12', 'PyDictObject', ['ma_used', 'ma_keys', 'ma_values']],
  ['3.6', '3.10', 'PyDictKeysObject', ['dk_size', 'dk_nentries', 'dk_indices']],
  ['3.11', '3.15', 'PyDictKeysObject', ['dk_log2_size', 'dk_kind', 'dk_nentries', 'dk_indices']],
  ['3.6', '3.15', 'PyDictKeyEntry', ['me_hash', 'me_key', 'me_value']],
  ['3.11', '3.15', 'PyDictUnicodeEntry', ['me_key', 'me_value']],
  ['2.7', '3.15', 'PySetObject', ['fill', 'used', 'mask', 'table']],
  ['2.7', '3.15', 'setentry', ['key', 'hash']],
  ['2.7', '3.10', 'PyGenObject', ['gi_frame']],
  ['3.11', '3.12', 'PyGenObject', ['gi_iframe']],
  ['2.7', '2.7', 'PyStringObject', ['ob_shash', 'ob_sval']],
  ['2.7', '2.7', 'PyIntObject', ['ob_ival']],
  ['2.7', '2.7', 'PyUnicodeObject', ['length', 'str']],
  ['2.7', '3.10', 'PyFrameObject', ['f_back', 'f_code', 'f_locals', 'f_lasti', 'f_lineno', 'f_localsplus', 'f_valuestack']],
  ['3.11', '3.12', 'PyFrameObject', ['f_frame']],
  ['3.11', '3.12', '_PyCFrame', ['current_frame']],
  ['3.11', '3.12', '_PyInterpreterFrame', ['f_code', 'previous', 'prev_instr', 'localsplus', 'owner']],
  ['3.11', '3.11', '_PyInterpreterFrame', ['is_entry']],
  ['3.12', '3.12', '_PyInterpreterFrame', ['return_offset']],
  ['3.7', '3.12', '_PyRuntimeState', ['interpreters.head']],
  ['3.7', '3.11', '_PyRuntimeState', ['gilstate.tstate_current', 'ceval.gil.locked', 'ceval.gil.last_holder']],
  ['3.12', '3.12', 'struct _gil_runtime_state', ['locked', 'last_holder']],
  // The collector's running flag: _PyRuntime.gc (3.7, 3.8), then per interpreter.
  ['3.7', '3.8', '_PyRuntimeState', ['gc.collecting']],
  ['3.9', '3.12', 'PyInterpreterState', ['gc.collecting']],
];

const VERSIONS = Object.keys(DECLARATIONS);
const order = (v: string): number => VERSIONS.indexOf(v);

for (const version of VERSIONS) {
  test(`CPython ${version} declarations have every struct and field the model reads`, () => {
    const decls = declare(DECLARATIONS[version]!, LP64, `CPython ${version}`);
    const missing: string[] = [];
    for (const [from, to, struct, paths] of NEEDS) {
      if (order(version) < order(from) || order(version) > order(to)) continue;
      if (!decls.has(struct)) {
        missing.push(struct);
        continue;
      }
      for (const p of paths) if (!decls.struct(struct).has(p)) missing.push(`${struct}.${p}`);
    }
    assert.deepEqual(missing, []);
  });
}

test('every version lays out on wasm32 too, with 4-byte pointers', () => {
  for (const version of VERSIONS) {
    const decls = declare(DECLARATIONS[version]!, WASM32, `CPython ${version}`);
    assert.equal(decls.struct('PyObject').size, 8, version);
  }
});

test('the version table covers 2.7 and 3.6 to 3.15', () => {
  assert.deepEqual(VERSIONS, ['2.7', '3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14', '3.15']);
});
