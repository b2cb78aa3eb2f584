// Only regular files of bounded size are read as source: a FIFO, a device or a directory named by
// a breakpoint or by the program's own code is refused with a message, never read and never waited on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SOURCE_BYTES, readSourceFile } from '../../src/debugclient/sourceView.js';
import { pythonsFrom, requirePython } from '../support/pythons.js';
import { answerTo, debugSession } from './helpers.js';

function scratch(): { dir: string; fifo: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-sources-'));
  const fifo = join(dir, 'pipe.py');
  execFileSync('mkfifo', [fifo]);
  return { dir, fifo, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('readSourceFile reads a regular file and refuses a FIFO, a device, a directory and a huge file', () => {
  const { dir, fifo, done } = scratch();
  try {
    const ok = join(dir, 'ok.py');
    writeFileSync(ok, 'a = 1\r\nb = 2\n');
    assert.deepEqual(readSourceFile(ok), { lines: ['a = 1', 'b = 2'] });
    // a FIFO with no writer: opening it for reading would wait for one, reading it would never end
    assert.deepEqual(readSourceFile(fifo), { refused: `${fifo} is a FIFO, not a source file` });
    assert.deepEqual(readSourceFile('/dev/zero'), { refused: '/dev/zero is a character device, not a source file' });
    const sub = join(dir, 'pkg');
    mkdirSync(sub);
    assert.deepEqual(readSourceFile(sub), { refused: `${sub} is a directory, not a source file` });
    // sparse: the size is what counts, no disk is spent
    const big = join(dir, 'big.py');
    writeFileSync(big, '');
    truncateSync(big, MAX_SOURCE_BYTES + 1);
    assert.match(readSourceFile(big).refused ?? '', /big\.py is larger than 16 MiB/);
    assert.deepEqual(readSourceFile(join(dir, 'missing.py')), {});
  } finally {
    done();
  }
});

const py = pythonsFrom(3, 8).find((p) => !p.missing);
test('pyscope debug refuses b /dev/zero:1, b FIFO:1, and l / ll in code compiled under such a name', { ...requirePython(py !== undefined, 'no Python 3.8+ of the matrix is present'), timeout: 60_000 }, async () => {
  const { fifo, done } = scratch();
  try {
    const breaks = await debugSession(['--python', py!.path, 'session.py', '3'], ['b /dev/zero:1', `b ${fifo}:1`, 'b', 'c']);
    assert.equal(breaks.code, 0, breaks.stderr);
    assert.equal(answerTo(breaks.stdout, 'b /dev/zero:1'), '*** /dev/zero is a character device, not a source file\n');
    assert.equal(answerTo(breaks.stdout, `b ${fifo}:1`), `*** ${fifo} is a FIFO, not a source file\n`);
    assert.equal(answerTo(breaks.stdout, 'b'), 'No breakpoints.\n');
    assert.match(answerTo(breaks.stdout, 'c'), /The program exited with code 0\./);

    for (const name of ['/dev/zero', fifo]) {
      const r = await debugSession(['--python', py!.path, 'exec_named.py', name], ['b 4', 'c', 's', 'l', 'll', 'w', 'n', 'p x', 'c']);
      assert.equal(r.code, 0, r.stderr);
      const kind = name === fifo ? 'a FIFO' : 'a character device';
      assert.equal(answerTo(r.stdout, 's'), `> ${name}(1)<module>()\n`);
      assert.equal(answerTo(r.stdout, 'l'), `*** ${name} is ${kind}, not a source file\n`);
      assert.equal(answerTo(r.stdout, 'll'), `*** ${name} is ${kind}, not a source file\n`);
      assert.match(answerTo(r.stdout, 'w'), new RegExp(`exec_named\\.py\\(4\\)<module>\\(\\)\\n-> exec\\(code\\)\\n> ${name}\\(1\\)<module>\\(\\)\\n$`));
      assert.equal(answerTo(r.stdout, 'p x'), '1\n');
      assert.match(answerTo(r.stdout, 'c', 1), /done 1 2\nThe program exited with code 0\./);
    }
  } finally {
    done();
  }
});
