// `pyscope debug` does not follow child processes: it says so when one starts, and the child runs
// untraced to its end (docs/DEBUGGER.md, "Child processes").
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonsFrom, requirePython } from '../support/pythons.js';
import { debugSession } from './helpers.js';

const newest = pythonsFrom(3, 8).filter((p) => !p.missing).at(-1);

describe('pyscope debug and child processes', requirePython(newest !== undefined, 'no interpreter of 3.8 or newer'), () => {
  test('a child process is announced as not followed and runs to its end', async () => {
    const r = await debugSession(['--python', newest!.path, 'children.py'], ['c']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /child value 42\n[^]*child exit 0/);
    assert.match(r.stderr, /pyscope: child process \d+ -c print\("child value", 6 \* 7\): not followed \(this client cannot open a session for it/);
  });
});
