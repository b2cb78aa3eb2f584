// Py_TRACE_REFS builds before 3.13 start every object with _ob_next and _ob_prev: pyscope says so
// in one line instead of misreading them. No such build is at hand (Debian's debug builds are
// Py_DEBUG without Py_TRACE_REFS, and the matrix reads them as any other), so the marker the
// traits name is what is held here: a file defining it is refused, one without it is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, PyscopeError } from '../../src/common/errors.js';
import { bindingsFor } from '../../src/cpython/version-switch.js';
import { TRAITS } from '../../src/cpython/version-traits.js';
import { LiveProcessMemory } from '../../src/memory/live.js';

test('a Py_TRACE_REFS build before 3.13 is refused in one line; 3.13+ lay objects out as usual', () => {
  // Never read: the declared versions need no memory to be bound, only the 3.13+ ones do.
  const memory = new LiveProcessMemory(process.pid);
  try {
    for (const [key, traits] of Object.entries(TRAITS)) {
      const [major, minor] = key.split('.').map(Number) as [number, number];
      const version = { major, minor, micro: 0, level: 'final', serial: 0, source: 'test' };
      if (traits.debugOffsets) {
        assert.equal(traits.traceRefsMarker, undefined, `${key}: Py_TRACE_REFS keeps PyObject as it is from 3.13`);
        continue;
      }
      const marker = traits.traceRefsMarker;
      assert.ok(marker, `${key} names the symbol a Py_TRACE_REFS build defines`);
      assert.doesNotThrow(() => bindingsFor(version, memory, undefined, () => false), `${key} without the marker`);
      assert.throws(
        () => bindingsFor(version, memory, undefined, (name) => name === marker),
        (e: unknown) => e instanceof PyscopeError && e.exitCode === ExitCode.unsupportedVersion && /Py_TRACE_REFS build/.test(e.message) && !e.message.includes('\n'),
        key,
      );
    }
  } finally {
    memory.close();
  }
});
