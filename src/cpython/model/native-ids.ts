// Kernel thread ids for interpreters that do not record them (before 3.8). thread_id is the
// pthread_t, the address of glibc's struct pthread, which holds the kernel tid at an offset that
// depends on the glibc build. Rather than assume one, find the offset at which every thread's
// struct holds one of the process's real tids (from /proc/PID/task).
import type { MemorySource } from '../../memory/source.js';

const SCAN_BYTES = 0x800;

export function nativeIdsFromPthreads(memory: MemorySource, pthreads: readonly number[], tids: readonly number[]): Map<number, number> {
  const result = new Map<number, number>();
  if (pthreads.length === 0 || tids.length === 0) return result;
  const known = new Set(tids);
  const blocks = memory.readMany(pthreads.map((p) => ({ address: p, length: SCAN_BYTES })));
  // Count, per offset, how many threads have a valid and distinct tid there.
  let best = -1;
  let bestScore = 0;
  for (let off = 0; off + 4 <= SCAN_BYTES; off += 4) {
    const seen = new Set<number>();
    for (const b of blocks) {
      if (!(b instanceof Buffer)) continue;
      const v = b.readInt32LE(off);
      if (known.has(v)) seen.add(v);
    }
    if (seen.size > bestScore) {
      bestScore = seen.size;
      best = off;
    }
  }
  if (best < 0) return result;
  pthreads.forEach((p, i) => {
    const b = blocks[i];
    if (b instanceof Buffer) {
      const v = b.readInt32LE(best);
      if (known.has(v)) result.set(p, v);
    }
  });
  return result;
}
