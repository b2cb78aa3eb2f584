// Where pyscope reads the GIL and the collector's flag, held against the DWARF of each libpython
// that has it (gdb expressions on the file): the bindings of a running interpreter (from the
// declarations, or from _Py_DebugOffsets on 3.13+) must name the same offsets and, for the statics
// of 2.7 and 3.6 (gil_locked, gil_last_holder, collecting), the same addresses and sizes as gdb.
// 3.13+ reads the GIL where interp->ceval.gil points, at _Py_DebugOffsets' _gil field offsets
// taken from the start of _gil: gdb must agree that those are the offsets inside the struct.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openLiveProcess } from '../../src/cpython/process.js';
import { pythons, skipIfMissing, type Python } from '../support/pythons.js';
import { firstSkip, requireTool } from '../support/requirements.js';
import { scaled } from '../support/timeouts.js';
import { watch } from '../support/child.js';

const hasGdb = spawnSync('gdb', ['--version']).status === 0;

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function libpython(p: Python): string | undefined {
  const lib = join(dirname(dirname(p.path)), 'lib');
  if (!existsSync(lib)) return undefined;
  const name = readdirSync(lib).find((f) => /^libpython\d\.\d+m?\.so\.1\.0$/.test(f));
  return name ? join(lib, name) : undefined;
}

/** The integer values of C expressions, as gdb evaluates them on the file's DWARF. */
function gdbValues(lib: string, exprs: readonly string[]): number[] {
  const args = ['-nx', '-batch'];
  for (const e of exprs) args.push('-ex', `print (long)(${e})`);
  const out = execFileSync('gdb', [...args, lib], { encoding: 'utf8', timeout: scaled(300_000), stdio: ['ignore', 'pipe', 'pipe'] });
  const values = [...out.matchAll(/^\$\d+ = (-?\d+)$/gm)].map((m) => Number(m[1]));
  assert.equal(values.length, exprs.length, `gdb evaluated ${exprs.join('; ')}:\n${out}`);
  return values;
}

for (const py of pythons()) {
  const lib = py.missing ? undefined : libpython(py);
  // Only the shared pyenv builds carry DWARF; Debian's and the sid builds are stripped (their
  // 3.13+ tables are checked against the running interpreter by live-layout.test.ts).
  if (!py.missing && lib === undefined) continue;
  const needs = firstSkip(skipIfMissing(py), requireTool('gdb', hasGdb));
  describe(`GIL and collector bindings of ${py.label} against DWARF`, needs, () => {
    test('the offsets, addresses and sizes pyscope reads agree with gdb', async () => {
      const child = spawn(py.path, ['-c', 'import sys, time; print("ready"); sys.stdout.flush(); time.sleep(600)'], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      try {
        await watch(child, `${py.label} sleeper`).waitFor(/ready/, { step: 'the interpreter to start' });
        const p = openLiveProcess(child.pid!);
        const { gil, gc } = p.bindings;
        const bias = p.image.bias;
        p.memory.close();
        const checks: [string, string, number][] = [];
        assert.ok(gil, 'the GIL has a binding');
        switch (gil.via) {
          case 'tstate-current':
            checks.push(['current thread state', 'sizeof(_PyThreadState_Current)', 8]);
            break;
          case 'statics':
            checks.push(['gil_locked', '&gil_locked', gil.lockedAddress - bias], ['gil_last_holder', '&gil_last_holder', gil.holderAddress - bias]);
            checks.push(['sizeof gil_locked', 'sizeof(gil_locked)', 4], ['sizeof gil_last_holder', 'sizeof(gil_last_holder)', 8]);
            break;
          case 'runtime':
            checks.push(['locked', '&((_PyRuntimeState *)0)->ceval.gil.locked', gil.lockedOffset], ['last_holder', '&((_PyRuntimeState *)0)->ceval.gil.last_holder', gil.holderOffset]);
            break;
          case 'interpreter-pointer':
            checks.push(
              ['ceval.gil', '&((PyInterpreterState *)0)->ceval.gil', gil.pointerOffset],
              ['sizeof ceval.gil (a pointer)', 'sizeof(((PyInterpreterState *)0)->ceval.gil)', 8],
              ['locked', '&((struct _gil_runtime_state *)0)->locked', gil.lockedOffset],
              ['last_holder', '&((struct _gil_runtime_state *)0)->last_holder', gil.holderOffset],
            );
            break;
        }
        assert.ok(gc, 'the collector has a binding');
        switch (gc.via) {
          case 'address':
            checks.push(['collecting', '&collecting', gc.address - bias], ['sizeof collecting', 'sizeof(collecting)', 4]);
            break;
          case 'runtime':
            checks.push(['gc.collecting', '&((_PyRuntimeState *)0)->gc.collecting', gc.offset]);
            break;
          case 'interpreter':
            checks.push(['gc.collecting', '&((PyInterpreterState *)0)->gc.collecting', gc.offset]);
            break;
        }
        const got = gdbValues(lib!, checks.map((c) => c[1]));
        assert.deepEqual(
          checks.map((c, i) => `${c[0]}: ${got[i]}`),
          checks.map((c) => `${c[0]}: ${c[2]}`),
        );
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
}
