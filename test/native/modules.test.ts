// Modules of a live process (its maps, load biases, build-ids read from the mapped images), the
// separate debug file of libc found by build-id, symbols from it, and a library replaced on disk
// named as such instead of being read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { ElfFile } from '../../src/elf/elf-file.js';
import { loadBias } from '../../src/elf/load-bias.js';
import { LiveProcessMemory } from '../../src/memory/live.js';
import { readMaps } from '../../src/memory/proc.js';
import { openDebugFile } from '../../src/native/debug-file.js';
import { ModuleInfo } from '../../src/native/module-info.js';
import { moduleAt, modulesFromMappings, modulesOfProcess } from '../../src/native/modules.js';
import { watch, type WatchedChild } from '../support/child.js';
import { pythonsFrom, requirePython } from '../support/pythons.js';
import { requireThat } from '../support/requirements.js';

const LIBC = realpathSync('/lib/x86_64-linux-gnu/libc.so.6');
const python = pythonsFrom(3, 8).find((p) => p.missing === undefined);

let target: WatchedChild | undefined;
let pid = 0;

before(async () => {
  if (!python) return;
  const child = spawn(python.path, ['-c', 'import os, sys; print(os.getpid(), flush=True); sys.stdin.read()'], { stdio: ['pipe', 'pipe', 'pipe'] });
  target = watch(child, 'sleeping python');
  pid = Number((await target.waitFor(/^(\d+)$/m))[1]);
});

after(async () => {
  target?.child.kill('SIGKILL');
  await target?.exited().catch(() => undefined);
});

test('a live process: its ELF modules with the load bias of each and build-ids that match', requirePython(python !== undefined, 'an interpreter 3.8+'), () => {
  const memory = new LiveProcessMemory(pid);
  try {
    const modules = modulesOfProcess(pid, memory);
    const maps = readMaps(pid);
    const libc = modules.find((m) => realpathSync(m.path) === LIBC);
    assert.ok(libc, 'libc is a module');
    const elf = ElfFile.open(libc.path);
    try {
      assert.equal(libc.bias, loadBias(elf, maps));
      assert.equal(libc.buildId, elf.buildId());
    } finally {
      elf.close();
    }
    assert.deepEqual(modules.filter((m) => m.problem !== undefined), [], 'every file is the one mapped');
    for (const m of modules) assert.equal(moduleAt(modules, m.start), m);
  } finally {
    memory.close();
  }
});

test('a library replaced on disk since it was mapped is named, not read', requirePython(python !== undefined, 'an interpreter 3.8+'), () => {
  const memory = new LiveProcessMemory(pid);
  try {
    const maps = readMaps(pid);
    const libcPath = maps.find((m) => m.path.startsWith('/') && realpathSync(m.path) === LIBC)!.path;
    // Stand another ELF file (the interpreter) in for libc: its build-id is not the mapped one.
    const other = maps.find((m) => m.executable && m.path.startsWith('/') && realpathSync(m.path) !== LIBC)!.path;
    const swapped = maps.map((m) => (m.path === libcPath ? { ...m, path: other } : m.path === other ? { ...m, path: '/nonexistent' } : m));
    const modules = modulesFromMappings(swapped, memory);
    const fake = modules.find((m) => m.path === other)!;
    assert.match(fake.problem ?? '', /is not the file the process mapped \(build-id .* on disk, .* in memory\)/);
  } finally {
    memory.close();
  }
});

/** Whether libc's debug file is installed (Debian's libc6-dbg), at the path its build-id gives. */
function libcDebugInstalled(): boolean {
  const elf = ElfFile.open(LIBC);
  try {
    const id = elf.buildId();
    return id !== undefined && existsSync(join('/usr/lib/debug/.build-id', id.slice(0, 2), `${id.slice(2)}.debug`));
  } finally {
    elf.close();
  }
}

test("libc's debug file is found by build-id and names libc's internal functions", requireThat(libcDebugInstalled(), "libc's debug file is not installed (apt-get install libc6-dbg; .ci/run does)"), () => {
  const elf = ElfFile.open(LIBC);
  let debug: ElfFile | undefined;
  try {
    debug = openDebugFile(elf);
    assert.ok(debug, 'libc6-dbg is installed');
    assert.equal(debug.buildId(), elf.buildId());
    assert.match(debug.path, /\/usr\/lib\/debug\/\.build-id\/[0-9a-f]{2}\/[0-9a-f]+\.debug$/);
  } finally {
    debug?.close();
    elf.close();
  }
  const info = ModuleInfo.load(LIBC);
  const fn = info.symbols.aliasesOf('__futex_abstimed_wait_common');
  assert.ok(fn.length > 0, 'a static function of libc, from the debug file');
  // The address of a function that exists only in .symtab of the debug file, looked up inside it.
  const dbg = ElfFile.open(info.debugFile!);
  try {
    const sym = dbg.functionSymbols().find((s) => s.name === '__futex_abstimed_wait_common')!;
    const hit = info.symbol(sym.value + 10)!;
    assert.ok([hit.name, ...hit.aliases].includes('__futex_abstimed_wait_common'));
    assert.equal(hit.offset, 10);
    assert.equal(hit.inside, true);
  } finally {
    dbg.close();
  }
});
