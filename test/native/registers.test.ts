// struct user_regs_struct as the layout engine lays it out, held against the compiler's own
// answer: gcc compiles glibc's <sys/user.h> with DWARF and gdb's `ptype /o` prints every member's
// offset. (libc6-dbg's DWARF does not describe the struct: libc itself never uses it.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registersFromUserRegs, userRegsLayout, X86_64 } from '../../src/native/registers.js';
import { firstSkip, onPath, requireTool } from '../support/requirements.js';

test('user_regs_struct: the layout engine agrees with gcc and gdb on every member', firstSkip(requireTool('gcc', onPath('gcc')), requireTool('gdb', onPath('gdb'))), () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-regs-'));
  try {
    const c = join(dir, 'regs.c');
    writeFileSync(c, '#include <sys/user.h>\nstruct user_regs_struct regs;\n');
    execFileSync('gcc', ['-g', '-c', '-o', join(dir, 'regs.o'), c], { timeout: 60_000 });
    const out = execFileSync('gdb', ['-batch', '-nx', '-ex', 'ptype /o struct user_regs_struct', join(dir, 'regs.o')], { encoding: 'utf8', timeout: 60_000 });
    // "/*      0      |       8 */    unsigned long long r15;"
    const fromGdb = [...out.matchAll(/\/\*\s*(\d+)\s*\|\s*(\d+)\s*\*\/\s*[^;]*?\b(\w+);/g)].map((m) => ({ name: m[3]!, offset: Number(m[1]), size: Number(m[2]) }));
    const total = /total size \(bytes\):\s*(\d+)/.exec(out);
    const layout = userRegsLayout();
    assert.equal(fromGdb.length, 27, out);
    assert.deepEqual(
      layout.fields.map((f) => ({ name: f.name, offset: f.offset, size: f.size })),
      fromGdb,
    );
    assert.equal(layout.size, Number(total?.[1]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('registersFromUserRegs: each kernel slot lands on its DWARF number', () => {
  const layout = userRegsLayout();
  const raw = Buffer.alloc(layout.size);
  layout.fields.forEach((f, i) => raw.writeBigUInt64LE(BigInt(0x1000 + i), f.offset));
  const regs = registersFromUserRegs(raw);
  for (const [name, dwarf] of Object.entries(X86_64)) {
    const slot = layout.fields.findIndex((f) => f.name === name);
    assert.equal(regs[dwarf], 0x1000 + slot, name);
  }
  assert.throws(() => registersFromUserRegs(Buffer.alloc(8)), /needs 216 bytes/);
});
