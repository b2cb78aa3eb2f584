// `pyscope doctor --verify-layout`, run as a user would: every interpreter of the matrix whose
// interpreter file (or separate debug file) has DWARF verifies clean, live and from a core; the
// others say which package would give the debug information; and a declaration broken on purpose
// (here only, handed to the check in place of pyscope's own) is caught.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { declare, LP64 } from '../../src/layout/index.js';
import { openLiveProcess } from '../../src/cpython/process.js';
import { TRAITS } from '../../src/cpython/version-traits.js';
import { verifyLayout } from '../../src/cpython/verify-layout.js';
import { pythons, requirePython, SID_DIR, skipIfMissing, type Python } from '../support/pythons.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';
import { firstSkip } from '../support/requirements.js';
import { scaled } from '../support/timeouts.js';
import { gcoreOfTarget, needsGcore } from '../core/cores.js';

/** Where install-pythons.sh unpacks sid's python3.14-dbg, which holds the debug file of sid's python3.14 too. */
const SID_DEBUG_DIR = join(SID_DIR, 'dbg', 'root-3.14', 'usr', 'lib', 'debug');

/**
 * What --verify-layout can compare an interpreter of the matrix with: its DWARF (pyenv's shared
 * libpython; the debug builds' binaries; sid's python3.14 through the debug file python3.14-dbg
 * ships), else only a one-line "no debug information" naming the package that has it.
 */
function expectation(p: Python): { dwarf: boolean; debugDirs: string[] } {
  if (p.label.startsWith('pyenv-') || p.label.includes('-dbg-')) return { dwarf: true, debugDirs: [] };
  if (p.label.startsWith('sid-3.14')) return { dwarf: true, debugDirs: [SID_DEBUG_DIR] };
  return { dwarf: false, debugDirs: [] };
}

const running: ChildProcess[] = [];
after(() => {
  for (const c of running) c.kill('SIGKILL');
});

/** A parked interpreter: resolves with its pid once it has started. */
function startSleeper(p: Python): Promise<number> {
  const child = spawn(p.path, ['-c', 'import sys, time\nsys.stdout.write("ready\\n")\nsys.stdout.flush()\ntime.sleep(900)'], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    const limit = setTimeout(() => reject(new Error(`${p.label}: not ready within the limit: ${err}`)), scaled(120_000));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      if (!s.includes('ready')) return;
      clearTimeout(limit);
      resolve(child.pid!);
    });
    child.on('exit', (code) => {
      clearTimeout(limit);
      reject(new Error(`${p.label}: exited (${code}) before it was ready: ${err}`));
    });
  });
}

function stop(pid: number): void {
  running.find((c) => c.pid === pid)?.kill('SIGKILL');
}

describe('pyscope doctor --verify-layout on a live process', () => {
  for (const p of pythons()) {
    const want = expectation(p);
    const debugFiles = requirePython(want.debugDirs.every((d) => existsSync(d)), `sid's python3.14-dbg in ${SID_DEBUG_DIR} (scripts/install-pythons.sh)`);
    test(p.label, firstSkip(skipIfMissing(p), debugFiles), async () => {
      const pid = await startSleeper(p);
      try {
        const r = await runPyscope(['doctor', '--verify-layout', ...want.debugDirs.flatMap((d) => ['--debug-dir', d]), String(pid)]);
        assert.equal(r.code, 0, describeFailure(r));
        assert.doesNotMatch(r.stdout, /mismatch/, r.stdout);
        if (want.dwarf) {
          assert.match(r.stdout, /^DWARF: .+: [1-9]\d* fields compared$/m);
          const n = Number(/^layout verified: (\d+) fields$/m.exec(r.stdout)?.[1] ?? 0);
          // Every version declares a few hundred fields; a handful would mean the walk found little.
          assert.ok(n >= 150, r.stdout);
        } else {
          const v = `${p.version[0]}.${p.version[1]}`;
          assert.match(r.stdout, new RegExp(`^no debug information for .+: .+ python${v.replace('.', '\\.')}-dbg\\b.*--debug-dir DIR$`, 'm'), r.stdout);
        }
      } finally {
        stop(pid);
      }
    });
  }
});

// The declarations of 3.12 with PyDictObject.ma_used declared as an int instead of a Py_ssize_t
// (the 32-vs-64-bit slip this check is for): the check must name exactly that field.
describe('a declaration broken on purpose is caught', () => {
  const p = pythons().find((x) => x.label.startsWith('pyenv-3.12'));
  test('PyDictObject.ma_used as an int', requirePython(p !== undefined && !p.missing, 'pyenv 3.12 (a build with DWARF)'), async () => {
    const pid = await startSleeper(p!);
    const py = openLiveProcess(pid);
    try {
      const traits = TRAITS['3.12']!;
      const text = traits.structs + traits.extras.join('');
      assert.ok(text.includes('Py_ssize_t ma_used;'), 'the 3.12 declarations declare ma_used as transcribed');
      const broken = declare(text.replace('Py_ssize_t ma_used;', 'int ma_used;'), LP64, 'CPython 3.12, broken on purpose');
      const clean = verifyLayout(py);
      assert.deepEqual(clean.mismatches, []);
      assert.ok(clean.checked > 0);
      const r = verifyLayout(py, { declarations: broken });
      // The next member is 8-aligned: nothing moves, only the field itself is wrong.
      assert.deepEqual(r.mismatches, [{ struct: 'PyDictObject', field: 'ma_used', ours: 'size 4', theirs: 'size 8' }]);
    } finally {
      py.memory.close();
      stop(pid);
    }
  });
});

describe('pyscope doctor --verify-layout --core', () => {
  const p = pythons().find((x) => x.label.startsWith('pyenv-3.12'));
  test('a gcore core of pyenv 3.12', firstSkip(requirePython(p !== undefined && !p.missing, 'pyenv 3.12'), needsGcore()), async () => {
    const core = await gcoreOfTarget(p!);
    try {
      const r = await runPyscope(['doctor', '--verify-layout', '--core', core.path]);
      assert.equal(r.code, 0, describeFailure(r));
      assert.match(r.stdout, /^layout verified: \d+ fields$/m);
    } finally {
      core.remove();
    }
  });

  test('bad input: one line each', async () => {
    const noFlag = await runPyscope(['doctor', '--core', '/nonexistent/core']);
    assert.equal(noFlag.code, 2, describeFailure(noFlag));
    assert.equal(noFlag.stderr.trim().split('\n').length, 1, noFlag.stderr);
    assert.match(noFlag.stderr, /--core and --debug-dir go with --verify-layout/);
    const both = await runPyscope(['doctor', '--verify-layout', '--core', '/nonexistent/core', '1']);
    assert.equal(both.code, 2, describeFailure(both));
    assert.equal(both.stderr.trim().split('\n').length, 1, both.stderr);
    const absent = await runPyscope(['doctor', '--verify-layout', '--core', '/nonexistent/core']);
    assert.notEqual(absent.code, 0, describeFailure(absent));
    assert.equal(absent.stdout, '');
    assert.equal(absent.stderr.trim().split('\n').length, 1, absent.stderr);
  });
});
