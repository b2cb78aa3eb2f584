// Separate debug files found the ways gdb finds them, checked before use: a library built here,
// its debug information moved out with objcopy into a file named by .gnu_debuglink (with no
// build-id, so only the CRC can vouch for it) beside it, in .debug/, or not at all. A debug file
// whose CRC does not match is not used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { ElfFile } from '../../src/elf/elf-file.js';
import { crc32OfFile, debugFileCandidates, openDebugFile } from '../../src/native/debug-file.js';
import { ModuleInfo } from '../../src/native/module-info.js';
import { firstSkip, onPath, requireTool } from '../support/requirements.js';

const tools = firstSkip(requireTool('gcc', onPath('gcc')), requireTool('objcopy', onPath('objcopy')));

test('the CRC of .gnu_debuglink is zlib CRC-32 of the whole file', () => {
  const libc = '/lib/x86_64-linux-gnu/libc.so.6';
  assert.equal(crc32OfFile(libc), crc32(readFileSync(libc)) >>> 0);
});

test('.gnu_debuglink: beside the file, in .debug/, checked by CRC; a wrong CRC is refused', tools, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-debuglink-'));
  try {
    const c = join(dir, 'lib.c');
    // A static function: only a full symbol table names it.
    writeFileSync(c, 'static int hidden_helper(int x) { return x * 3 + 1; }\nint exported(int x) { return hidden_helper(x) + 2; }\n');
    const lib = join(dir, 'libdemo.so');
    execFileSync('gcc', ['-g', '-O0', '-shared', '-fPIC', '-Wl,--build-id=none', '-o', lib, c], { timeout: 60_000 });
    const debugName = 'libdemo.so.debug';
    execFileSync('objcopy', ['--only-keep-debug', lib, join(dir, debugName)]);
    execFileSync('objcopy', ['--strip-all', '--keep-symbol=exported', `--add-gnu-debuglink=${join(dir, debugName)}`, lib]);

    const elf = ElfFile.open(lib);
    try {
      assert.equal(elf.buildId(), undefined, 'no build-id: the CRC decides');
      assert.equal(elf.debugLink()?.name, debugName);
      assert.deepEqual(
        debugFileCandidates(elf).map((x) => x.path),
        [join(dir, debugName), join(dir, '.debug', debugName), join('/usr/lib/debug', dir, debugName)],
      );
      const beside = openDebugFile(elf);
      assert.equal(beside?.path, join(dir, debugName));
      beside?.close();
      const info = ModuleInfo.load(lib);
      assert.ok(info.symbols.addressOf('hidden_helper') !== undefined, 'the static function, from the debug file');

      // Moved into .debug/: found there.
      mkdirSync(join(dir, '.debug'));
      copyFileSync(join(dir, debugName), join(dir, '.debug', debugName));
      rmSync(join(dir, debugName));
      const inDotDebug = openDebugFile(elf);
      assert.equal(inDotDebug?.path, join(dir, '.debug', debugName));
      inDotDebug?.close();

      // Another file under that name: its CRC differs, so it is not used.
      copyFileSync(lib, join(dir, '.debug', debugName));
      assert.equal(openDebugFile(elf), undefined);
    } finally {
      elf.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
