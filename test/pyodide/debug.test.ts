// `pyscope debug --runtime pyodide`: pdb's commands on a program running in Pyodide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLI } from '../dap/client.js';
import { FIXTURES } from '../dap/helpers.js';
import { scaled } from '../support/timeouts.js';

/** A whole session may take this long (Pyodide loads first): it bounds a hang, it asserts nothing about speed. */
const SESSION_LIMIT_MS = scaled(180_000);

test('pyscope debug --runtime pyodide: breakpoint, print, step, return, exit code', () => {
  const r = spawnSync(process.execPath, [CLI, 'debug', '--runtime', 'pyodide', 'basic.py'], {
    cwd: FIXTURES,
    input: 'b 5\nc\np a, b\nn\np total\nr\nc\n',
    encoding: 'utf8',
    timeout: SESSION_LIMIT_MS,
  });
  assert.ok(!r.error, `pyscope debug --runtime pyodide: ${r.error?.message} (limit ${SESSION_LIMIT_MS / 1000} s)\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-2000)}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /basic\.py\(5\)add\(\)/);
  assert.match(r.stdout, /\(3, 4\)\n/);
  assert.match(r.stdout, /basic\.py\(6\)add\(\)/);
  assert.match(r.stdout, /\(pyscope\) p total\n7\n/);
  // r stops in the caller on the line of the call, as natively
  assert.match(r.stdout, /\(pyscope\) r\n--Return-- add\(\) -> 7\n> .*basic\.py\(19\)main\(\)\n/);
  assert.match(r.stdout, /result 7\nThe program exited with code 3\./);
});

test('pyscope debug --runtime takes only native or pyodide', () => {
  const r = spawnSync(process.execPath, [CLI, 'debug', '--runtime', 'jvm', 'basic.py'], { cwd: FIXTURES, encoding: 'utf8', timeout: SESSION_LIMIT_MS });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--runtime needs "native" or "pyodide", got "jvm"/);
});
