// The DWARF type reader behind `doctor --verify-layout`, against gcc: the layout samples compiled
// with debug information in DWARF 4 (bit-fields by DW_AT_bit_offset) and DWARF 5
// (DW_AT_data_bit_offset), compressed and not, must read back exactly as the engine lays them out;
// and mutated files must end in a one-line error or a result, never a crash or a long loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PyscopeError } from '../../src/common/errors.js';
import { checkAgainstDwarf } from '../../src/cpython/layout-check.js';
import { ElfFile } from '../../src/elf/elf-file.js';
import { declare, LP64 } from '../../src/layout/index.js';
import { DwarfTypes } from '../../src/native/index.js';
import { SAMPLE_C, SAMPLE_STRUCTS } from '../layout/samples.js';
import { requireTool } from '../support/requirements.js';
import { rng } from '../support/seeded.js';
import { scaled } from '../support/timeouts.js';

const hasGcc = spawnSync('gcc', ['--version']).status === 0;

/** The samples built into a shared library with debug information of the given kind. */
function build(dir: string, flags: string[]): string {
  const src = join(dir, 'samples.c');
  // Every sample used, so that each has a complete type in the DWARF.
  writeFileSync(src, `#include <stddef.h>\n#include <stdint.h>\n#include <sys/types.h>\n#include <wchar.h>\n${SAMPLE_C}\n${SAMPLE_STRUCTS.map((n, i) => `${n} *use${i};`).join('\n')}\n`);
  const out = join(dir, `samples-${flags.join('').replace(/[^a-z0-9]/gi, '')}.so`);
  execFileSync('gcc', ['-std=c11', '-shared', '-fPIC', '-fno-eliminate-unused-debug-types', ...flags, '-o', out, src], { timeout: scaled(120_000) });
  return out;
}

for (const flags of [['-gdwarf-4'], ['-gdwarf-5'], ['-gdwarf-5', '-gz=zlib']]) {
  test(`the samples read back from gcc's DWARF (${flags.join(' ')})`, requireTool('gcc', hasGcc), () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyscope-dwarf-'));
    try {
      const elf = ElfFile.open(build(dir, flags));
      try {
        const types = DwarfTypes.read(elf);
        assert.ok(types, 'the library has DWARF');
        const r = checkAgainstDwarf(declare(SAMPLE_C, LP64, 'samples'), types, SAMPLE_STRUCTS);
        assert.deepEqual(r.mismatches, []);
        assert.ok(r.checked > 50, `only ${r.checked} fields compared`);
      } finally {
        elf.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('mutated DWARF: a result or a one-line error, each time', requireTool('gcc', hasGcc), () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-dwarf-'));
  try {
    const path = build(dir, ['-gdwarf-5']);
    const original = readFileSync(path);
    const elf = ElfFile.open(path);
    const ranges = ['.debug_info', '.debug_abbrev'].map((n) => elf.section(n)!).map((s) => [s.offset, s.size] as const);
    elf.close();
    const random = rng(20261130);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.from(original);
      const [start, size] = ranges[i % ranges.length]!;
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) bytes[start + Math.floor(random() * size)] = Math.floor(random() * 256);
      const mutant = join(dir, 'mutant.so');
      writeFileSync(mutant, bytes);
      const m = ElfFile.open(mutant);
      try {
        const types = DwarfTypes.read(m);
        if (types) for (const n of SAMPLE_STRUCTS) types.record(n);
        outcomes.set('read', (outcomes.get('read') ?? 0) + 1);
      } catch (e) {
        assert.ok(e instanceof PyscopeError, `mutant ${i}: ${(e as Error).stack}`);
        assert.equal(e.message.split('\n').length, 1, e.message);
        outcomes.set('error', (outcomes.get('error') ?? 0) + 1);
      } finally {
        m.close();
      }
    }
    assert.equal([...outcomes.values()].reduce((a, b) => a + b, 0), 200);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
