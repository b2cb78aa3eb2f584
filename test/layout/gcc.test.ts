// The engine against the compiler: gcc compiles the sample structs and prints sizeof, _Alignof and
// every member's offset (bit position for bit-fields); the engine must agree on LP64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declare, LP64, type StructLayout } from '../../src/layout/index.js';
import { SAMPLE_C, SAMPLE_STRUCTS } from './samples.js';
import { requireTool } from '../support/requirements.js';
import { scaled } from '../support/timeouts.js';

const hasGcc = spawnSync('gcc', ['--version']).status === 0;

/** C that prints one line per fact: "<struct>\\t<path>\\t<kind>\\t<value>". */
function probeProgram(structs: StructLayout[]): string {
  const lines: string[] = [];
  for (const s of structs) {
    const T = s.name;
    lines.push(`printf("%s\\t-\\tsize\\t%zu\\n", "${T}", sizeof(${T}));`);
    lines.push(`printf("%s\\t-\\talign\\t%zu\\n", "${T}", _Alignof(${T}));`);
    for (const path of s.paths()) {
      const f = s.field(path);
      if (f.bitWidth === undefined) {
        lines.push(`printf("%s\\t%s\\toffset\\t%zu\\n", "${T}", "${path}", offsetof(${T}, ${path}));`);
      } else {
        // A bit-field has no address: set it to all ones in a zeroed object and find its lowest bit.
        lines.push(`{ ${T} v; memset(&v, 0, sizeof v); v.${path} = -1; printf("%s\\t%s\\tbit\\t%d\\n", "${T}", "${path}", lowestBit(&v, sizeof v)); }`);
      }
    }
  }
  return `#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <wchar.h>
${SAMPLE_C}
static int lowestBit(const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) for (int j = 0; j < 8; j++) if (b[i] >> j & 1) return (int)(i * 8 + j);
  return -1;
}
int main(void) {
${lines.join('\n')}
  return 0;
}
`;
}

test('LP64 layouts match gcc (offsetof, sizeof, _Alignof, bit positions)', requireTool('gcc', hasGcc), () => {
  const decls = declare(SAMPLE_C, LP64, 'samples');
  const structs = SAMPLE_STRUCTS.map((n) => decls.struct(n));
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-layout-'));
  try {
    writeFileSync(join(dir, 'probe.c'), probeProgram(structs));
    execFileSync('gcc', ['-std=c11', '-Wall', '-Werror', '-Wno-unused-variable', '-o', join(dir, 'probe'), join(dir, 'probe.c')], { timeout: scaled(120_000) });
    const out = execFileSync(join(dir, 'probe'), { encoding: 'utf8', timeout: scaled(30_000) });
    let checked = 0;
    for (const line of out.trim().split('\n')) {
      const [T, path, kind, value] = line.split('\t') as [string, string, string, string];
      const s = decls.struct(T);
      const got =
        kind === 'size' ? s.size : kind === 'align' ? s.align : kind === 'offset' ? s.offset(path) : s.field(path).offset * 8 + (s.field(path).bitOffset ?? 0);
      assert.equal(got, Number(value), `${T} ${path} ${kind}`);
      checked++;
    }
    assert.ok(checked > 100, `only ${checked} facts checked`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('array element paths match gcc offsetof', requireTool('gcc', hasGcc), () => {
  const decls = declare(SAMPLE_C, LP64, 'samples');
  const paths: [string, string][] = [
    ['Arrays', 'small[2].me_hash'],
    ['Arrays', 'grid[2][3]'],
    ['Arrays', 'table[3]'],
    ['Tagged', 'inners[1].y'],
    ['Arrays', 'trailing[0].me_value'],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-layout-'));
  try {
    const prints = paths.map(([T, p]) => `printf("%zu\\n", offsetof(${T}, ${p}));`).join('\n');
    writeFileSync(join(dir, 'probe.c'), `#include <stddef.h>\n#include <stdint.h>\n#include <stdio.h>\n#include <sys/types.h>\n#include <wchar.h>\n${SAMPLE_C}\nint main(void) {\n${prints}\nreturn 0; }\n`);
    execFileSync('gcc', ['-std=c11', '-o', join(dir, 'probe'), join(dir, 'probe.c')], { timeout: scaled(120_000) });
    const out = execFileSync(join(dir, 'probe'), { encoding: 'utf8', timeout: scaled(30_000) }).trim().split('\n').map(Number);
    paths.forEach(([T, p], i) => assert.equal(decls.struct(T).offset(p), out[i], `${T}.${p}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
