// Scatter reads of a real process (a sleeping Python): many ranges in one process_vm_readv, byte
// for byte what /proc/PID/mem gives for each; a range that runs off the end of a mapping, or lies
// wholly outside any, fails alone while the ranges after it are still read; the /proc/PID/mem
// fallback gives the same answers one pread per range; and a page cache kept warm serves a
// snapshot's pages again from one scatter read per refresh.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { MemoryReadError } from '../../src/common/errors.js';
import { LiveProcessMemory } from '../../src/memory/live.js';
import { PageCacheMemory } from '../../src/memory/page-cache.js';
import { readMaps, type Mapping } from '../../src/memory/proc.js';
import { watch, type WatchedChild } from '../support/child.js';
import { pythons, requirePython } from '../support/pythons.js';

const python = pythons().find((p) => !p.missing);
const started: WatchedChild[] = [];
after(() => {
  for (const w of started) if (w.child.exitCode === null) w.child.kill('SIGKILL');
});

async function sleeper(): Promise<number> {
  const child = spawn(python!.path, ['-c', 'import sys, time; sys.stdout.write("ready\\n"); sys.stdout.flush(); time.sleep(600)'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const w = watch(child, 'sleeping python');
  started.push(w);
  await w.waitFor(/ready/, { step: 'the sleeping python to start' });
  return child.pid!;
}

/** What /proc/PID/mem holds at [address, address + length), or undefined when it cannot all be read. */
function procMem(pid: number, address: number, length: number): Buffer | undefined {
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      let n: number;
      try {
        n = readSync(fd, buf, got, length - got, address + got);
      } catch {
        return undefined;
      }
      if (n === 0) return undefined;
      got += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

interface Range {
  address: number;
  length: number;
  /** Expected to be readable whole. */
  readable: boolean;
}

/**
 * Ranges in mappings that do not change while the process sleeps (read-only file mappings), one
 * that runs off the end of a mapping into a gap, and one in no mapping at all.
 */
function rangesOf(maps: Mapping[]): Range[] {
  const fixed = maps.filter((m) => m.readable && !m.writable && m.path.startsWith('/') && m.end - m.start >= 8192);
  assert.ok(fixed.length >= 3, `read-only file mappings of the target: ${fixed.length}`);
  const out: Range[] = [];
  for (const m of fixed.slice(0, 6)) {
    out.push({ address: m.start + 24, length: 100, readable: true });
    out.push({ address: m.start + 4096, length: 4096, readable: true });
  }
  // The last readable mapping followed by unmapped memory: a range across its end.
  const edge = maps.find((m) => m.readable && !maps.some((n) => n.start === m.end));
  assert.ok(edge, 'a mapping followed by a gap');
  const crossing: Range = { address: edge.end - 64, length: 128, readable: false };
  const nowhere: Range = { address: 4096, length: 64, readable: false };
  // The failing ranges first, in the middle and last: the kernel stops at each, the reader goes on.
  return [nowhere, ...out.slice(0, 4), crossing, ...out.slice(4), crossing];
}

function scatter(memory: LiveProcessMemory, ranges: Range[]): { buffers: Buffer[]; filled: Uint8Array } {
  const buffers = ranges.map((r) => Buffer.alloc(r.length, 0xa5));
  const filled = new Uint8Array(ranges.length);
  memory.readScatter(
    buffers,
    ranges.map((r) => r.address),
    ranges.length,
    filled,
  );
  return { buffers, filled };
}

function assertLikeProcMem(pid: number, ranges: Range[], got: { buffers: Buffer[]; filled: Uint8Array }): void {
  ranges.forEach((r, i) => {
    const truth = procMem(pid, r.address, r.length);
    assert.equal(truth !== undefined, r.readable, `/proc/PID/mem reads range ${i} (0x${r.address.toString(16)} +${r.length}) whole: ${r.readable}`);
    assert.equal(got.filled[i], r.readable ? 1 : 0, `range ${i} (0x${r.address.toString(16)} +${r.length}) filled`);
    if (truth) assert.ok(got.buffers[i]!.equals(truth), `range ${i} holds what /proc/PID/mem holds`);
  });
}

describe('scatter reads of a live process', { ...requirePython(python !== undefined, 'any Python of the matrix') }, () => {
  test('process_vm_readv: every range as /proc/PID/mem has it; unmapped ones fail alone', async () => {
    const pid = await sleeper();
    const ranges = rangesOf(readMaps(pid));
    const memory = new LiveProcessMemory(pid);
    try {
      assert.equal(memory.scatterVia, 'process_vm_readv');
      const before = memory.readCount;
      const got = scatter(memory, ranges);
      assertLikeProcMem(pid, ranges, got);
      // One call for the readable ones plus one more past each range that stopped the kernel.
      const failing = ranges.filter((r) => !r.readable).length;
      assert.ok(memory.readCount - before <= failing + 1, `system calls: ${memory.readCount - before} for ${ranges.length} ranges, ${failing} unreadable`);
      // readMany answers the same, with an error for exactly the unreadable ranges.
      const many = memory.readMany(ranges);
      ranges.forEach((r, i) => {
        const m = many[i]!;
        if (r.readable) assert.ok(m instanceof Buffer && m.equals(got.buffers[i]!), `readMany range ${i}`);
        else assert.ok(m instanceof MemoryReadError, `readMany range ${i} is an error`);
      });
    } finally {
      memory.close();
    }
  });

  test('the /proc/PID/mem fallback: the same answers, one pread per range', async () => {
    const pid = await sleeper();
    const ranges = rangesOf(readMaps(pid));
    const memory = new LiveProcessMemory(pid, { via: 'proc-mem' });
    try {
      assert.equal(memory.scatterVia, '/proc/PID/mem');
      const before = memory.readCount;
      assertLikeProcMem(pid, ranges, scatter(memory, ranges));
      assert.ok(memory.readCount - before >= ranges.length, 'at least one pread per range');
    } finally {
      memory.close();
    }
  });

  test('a page cache kept warm reads the last snapshot pages again in one call', async () => {
    const pid = await sleeper();
    const ranges = rangesOf(readMaps(pid)).filter((r) => r.readable);
    const live = new LiveProcessMemory(pid);
    const cache = new PageCacheMemory(live);
    try {
      cache.keepWarm();
      for (const r of ranges) cache.read(r.address, r.length);
      for (let round = 0; round < 3; round++) {
        const before = cache.readCount;
        cache.refresh();
        for (const r of ranges) assert.ok(cache.read(r.address, r.length).equals(procMem(pid, r.address, r.length)!), `range at 0x${r.address.toString(16)}`);
        assert.equal(cache.readCount - before, 1, `round ${round}: one scatter read serves every page`);
      }
      // Pages the last snapshot did not use are not read again: only the one it used is.
      cache.refresh();
      cache.read(ranges[0]!.address, ranges[0]!.length);
      const before = cache.readCount;
      cache.refresh();
      assert.equal(cache.readCount - before, 1, 'one scatter read of the one page used');
      cache.read(ranges[0]!.address, ranges[0]!.length);
      assert.equal(cache.readCount - before, 1, 'the page used is served from the scatter read');
      cache.read(ranges[1]!.address, ranges[1]!.length);
      assert.equal(cache.readCount - before, 2, 'a page dropped from the warm set is read on demand');
    } finally {
      cache.close();
    }
  });
});
