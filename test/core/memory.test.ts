// The core-file memory source on its own, against the live process the core came from: bytes read
// from the live process just before it aborted must read the same from its kernel core, whether the
// core holds them (the heap, the first page of libpython) or they come from the mapped file after
// the build-id check (.text, and .rodata where Py_Version lives). The notes must describe the process.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythons, skipIfMissing } from '../support/pythons.js';
import { LiveProcessMemory } from '../../src/memory/live.js';
import { readMaps } from '../../src/memory/proc.js';
import { CoreFile } from '../../src/elf/core-file.js';
import { findInterpreter } from '../../src/cpython/discover/find-interpreter.js';
import { watch } from '../support/child.js';
import { firstSkip } from '../support/requirements.js';
import { needsKernelCores } from './cores.js';

const SCRIPT = [
  'import os, sys',
  "marker = b'pyscope-core-marker-' * 3",
  "sys.stdout.write('ready %d\\n' % id(marker))",
  'sys.stdout.flush()',
  'sys.stdin.readline()',
  'os.abort()',
].join('\n');

const kernelCores = needsKernelCores();

for (const py of pythons()) {
  describe(`core memory source, ${py.label}`, firstSkip(skipIfMissing(py), kernelCores), () => {
    test('reads what the live process held; notes name its threads, files, signal and command line', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pyscope-coremem-'));
      try {
        const child = spawn('sh', ['-c', 'ulimit -c unlimited && exec "$0" "$@"', py.path, '-c', SCRIPT], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
        const watched = watch(child, `${py.label} -c SCRIPT`);
        const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
        const marker = Number((await watched.waitFor(/ready (\d+)\n/, { step: 'the target to print "ready ID"' }))[1]);
        const pid = child.pid!;

        const maps = readMaps(pid);
        const image = findInterpreter(pid, maps);
        const live = new LiveProcessMemory(pid);
        const sym = (name: string): number => {
          const s = image.elf.symbol(name);
          assert.ok(s, `${name} in ${image.path}`);
          return s.value + image.bias;
        };
        const textAddress = sym('Py_Initialize');
        const want = {
          marker: live.read(marker, 128),
          text: live.read(textAddress, 64),
          header: live.read(maps.find((m) => m.path === image.path && m.fileOffset === 0)!.start, 64),
          version: image.symbols.pyVersion !== undefined ? live.read(image.symbols.pyVersion, 4) : undefined,
        };
        const tids = readdirSync(`/proc/${pid}/task`).map(Number).sort();
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean);
        const exe = readlinkSync(`/proc/${pid}/exe`);
        live.close();
        child.stdin.write('\n');
        assert.equal(await exited, 'SIGABRT');

        const core = CoreFile.open(join(dir, readdirSync(dir).find((f) => f.startsWith('core'))!));
        try {
          assert.equal(core.missingBytes, 0);
          assert.ok(want.marker.includes('pyscope-core-marker-'));
          assert.deepEqual(core.read(marker, 128), want.marker, 'heap bytes');
          assert.deepEqual(core.read(textAddress, 64), want.text, '.text bytes, from the mapped file');
          const header = core.mappings().find((m) => m.path === image.path && m.fileOffset === 0);
          assert.ok(header, `${image.path} is mapped in the core under its own path`);
          assert.deepEqual(core.read(header.start, 64), want.header, 'ELF header bytes');
          if (want.version) assert.deepEqual(core.read(image.symbols.pyVersion!, 4), want.version, 'Py_Version, from .rodata');
          assert.equal(core.mappedFiles.get(image.path)?.status, 'ok', 'build-ids of the core and the file agree');
          assert.deepEqual(core.threads.map((t) => t.tid).sort(), tids);
          assert.equal(core.process?.pid, pid);
          assert.equal(core.signal?.signal, 6);
          assert.deepEqual(core.crashedThread && { tid: core.crashedThread.tid, signal: core.crashedThread.signal }, { tid: pid, signal: 6 });
          assert.equal(core.commandLine(), cmdline.join(' '));
          // AT_EXECFN is the path given to execve, /proc/PID/exe the file it named.
          assert.equal(realpathSync(core.execFn ?? ''), exe);
          assert.ok(core.readCount > 0);
          assert.throws(() => core.read(8, 8), /not mapped/);
        } finally {
          core.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
