// Heap type layout (PyTypeObject size, method suites, ht_name, ht_cached_keys) against running
// interpreters: a heap type's tp_as_async/tp_as_number point into its own PyHeapTypeObject, and
// ht_name holds its __name__, so the true offsets can be read from inside the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { declarationsFor } from '../../src/cpython/version-switch.js';
import { I386_ABI, X86_64_ABI } from '../../src/cpython/discover/target-abi.js';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { scaled } from '../support/timeouts.js';

// Words of the interpreter's own pointer size: the 32-bit one is read as ILP32.
const PROBE = `
import ctypes, threading, json
P = ctypes.sizeof(ctypes.c_void_p)
T = threading.Thread
b = id(T)
w = (ctypes.c_size_t * 140).from_address(b)
names = [i * P for i, x in enumerate(w) if x == id(T.__name__)]
print(json.dumps({"pointer": P, "as_async": w[10] - b, "as_number": w[12] - b, "ht_name": names[0]}))
`;

for (const py of pythonsFrom(3, 11)) {
  test(`PyHeapTypeObject layout matches ${py.label}`, skipIfMissing(py), () => {
    const live = JSON.parse(execFileSync(py.path, ['-c', PROBE], { encoding: 'utf8', timeout: scaled(60_000) })) as Record<string, number>;
    const d = declarationsFor(`${py.version[0]}.${py.version[1]}`, live.pointer === 4 ? I386_ABI : X86_64_ABI);
    const h = d.struct('PyHeapTypeObject');
    assert.equal(h.offset('as_async'), live.as_async);
    assert.equal(h.offset('as_number'), live.as_number);
    assert.equal(h.offset('ht_name'), live.ht_name);
    assert.equal(h.offset('ht_cached_keys'), live.ht_name + 3 * live.pointer!);
  });
}
