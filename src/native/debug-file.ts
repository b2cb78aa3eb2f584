// Finding the separate debug file of a stripped library, the way gdb does ("Separate Debug Files"
// in gdb's manual): by build-id under /usr/lib/debug/.build-id/xx/rest.debug, else by the name in
// .gnu_debuglink beside the file, in a .debug/ folder beside it, or under /usr/lib/debug plus the
// file's folder. A candidate counts only when its build-id (or, without one, the debuglink CRC)
// matches, so a debug file of another build never names the frames.
import { closeSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ElfFile } from '../elf/elf-file.js';
import { notRegularFile, openRegularFile } from '../elf/regular-file.js';

export const DEBUG_ROOT = '/usr/lib/debug';

/** Paths a debug file of `elf` may be at, in the order they are tried. */
export function debugFileCandidates(elf: ElfFile, root = DEBUG_ROOT): { path: string; check: 'build-id' | 'crc' }[] {
  const out: { path: string; check: 'build-id' | 'crc' }[] = [];
  const id = elf.buildId();
  if (id && id.length > 2) out.push({ path: join(root, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`), check: 'build-id' });
  const link = elf.debugLink();
  if (link && !link.name.includes('/')) {
    const dir = dirname(elf.path);
    for (const p of [join(dir, link.name), join(dir, '.debug', link.name), join(root, dir, link.name)]) {
      if (p !== elf.path) out.push({ path: p, check: id ? 'build-id' : 'crc' });
    }
  }
  return out;
}

/** The separate debug file of `elf`, opened, or undefined when none fits. */
export function openDebugFile(elf: ElfFile, root = DEBUG_ROOT): ElfFile | undefined {
  const id = elf.buildId();
  const link = elf.debugLink();
  for (const c of debugFileCandidates(elf, root)) {
    if (notRegularFile(c.path) !== undefined) continue;
    let debug: ElfFile | undefined;
    try {
      debug = ElfFile.open(c.path, 'debug file');
      const fits = c.check === 'build-id' ? debug.buildId() === id : link !== undefined && crc32OfFile(c.path) === link.crc;
      if (fits) return debug;
      debug.close();
    } catch {
      debug?.close();
    }
  }
  return undefined;
}

let table: Uint32Array | undefined;

/** The CRC-32 (IEEE 802.3, as .gnu_debuglink uses) of a whole file, read in chunks. */
export function crc32OfFile(path: string): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const file = openRegularFile(path, 'debug file');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let crc = 0xffffffff;
    let at = 0;
    while (at < file.size) {
      const n = readSync(file.fd, buf, 0, Math.min(buf.length, file.size - at), at);
      if (n === 0) break;
      for (let i = 0; i < n; i++) crc = table[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
      at += n;
    }
    return (crc ^ 0xffffffff) >>> 0;
  } finally {
    closeSync(file.fd);
  }
}
