// Many ranges of another process read in one process_vm_readv(2): the sampler's whole working set
// of pages (thread states, frames, code objects) in one system call instead of one pread of
// /proc/PID/mem each. The kernel copies the ranges in order and stops at the first it cannot read
// (an unmapped page, memory freed since), so a range that fails costs one more call for the rest:
// at most one call per range, however the ranges fail.
import type { Libc } from './ptrace-libc.js';

/** UIO_MAXIOV: the kernel refuses more iovecs than this in one call. */
const MAX_IOVECS = 1024;

/** How a scatter read ended for the ranges it could not serve. */
export type ScatterOutcome = 'done' | 'refused' | 'gone';

export class ScatterReader {
  private local: Buffer;
  private remote: Buffer;
  private capacity = 0;
  /**
   * What each iovec slot holds now: the next call rewrites only the slots whose buffer or remote
   * address changed (a sampler reads the same pages into the same buffers call after call).
   */
  private slotBuffers: (Buffer | undefined)[] = [];
  private slotRemote = new Float64Array(0);
  /** Where each buffer's bytes are in this process, found once per buffer. */
  private addresses = new WeakMap<ArrayBufferLike, number>();
  /** System calls made (for reads-per-sample reporting). */
  calls = 0;

  constructor(
    private readonly c: Libc,
    private readonly pid: number,
  ) {
    this.local = Buffer.alloc(0);
    this.remote = Buffer.alloc(0);
  }

  /**
   * Fills buffers[i] whole from addresses[i], for i < count; filled[i] becomes 1 for each buffer
   * read whole, 0 otherwise. 'refused' when the kernel will not serve this process at all (EPERM
   * under a seccomp policy, ENOSYS): the caller reads another way. 'gone' when the process exited.
   */
  read(buffers: readonly Buffer[], addresses: readonly number[], count: number, filled: Uint8Array): ScatterOutcome {
    filled.fill(0, 0, count);
    let from = 0;
    // Each pass serves at least one range (read or failed), so this ends within `count` passes.
    while (from < count) {
      const n = Math.min(count - from, MAX_IOVECS);
      this.reserve(n);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const b = buffers[from + i]!;
        const remote = addresses[from + i]!;
        if (this.slotBuffers[i] !== b) {
          this.entry(this.local, i, this.addressOf(b), b.length);
          this.entry(this.remote, i, remote, b.length);
          this.slotBuffers[i] = b;
          this.slotRemote[i] = remote;
        } else if (this.slotRemote[i] !== remote) {
          this.entry(this.remote, i, remote, b.length);
          this.slotRemote[i] = remote;
        }
        total += b.length;
      }
      this.calls++;
      const got = this.c.readRemoteVectors(this.pid, this.local, this.remote, n);
      if (got < 0) {
        const errno = this.c.errno();
        if (errno === this.c.E.EPERM || errno === this.c.E.ENOSYS) return 'refused';
        if (errno === this.c.E.ESRCH) return 'gone';
        // EFAULT (the first range is not mapped) or anything else about that range: skip it.
        from++;
        continue;
      }
      let done = 0;
      let i = 0;
      while (i < n && done + buffers[from + i]!.length <= got) {
        done += buffers[from + i]!.length;
        filled[from + i] = 1;
        i++;
      }
      if (got >= total) {
        from += n;
        continue;
      }
      // Range `i` stopped the kernel (wholly or part way): it fails; go on after it.
      from += i + 1;
    }
    return 'done';
  }

  private addressOf(b: Buffer): number {
    // b.buffer first: a small typed array whose bytes V8 keeps on its moving heap gets a fixed
    // store of its own when asked for its ArrayBuffer, so the address stays valid.
    let base = this.addresses.get(b.buffer);
    if (base === undefined) {
      base = this.c.addressOf(b) - b.byteOffset;
      this.addresses.set(b.buffer, base);
    }
    return base + b.byteOffset;
  }

  private reserve(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = Math.max(n, this.capacity * 2, 16);
    this.local = Buffer.alloc(this.capacity * this.c.iovecSize);
    this.remote = Buffer.alloc(this.capacity * this.c.iovecSize);
    this.slotBuffers = [];
    this.slotRemote = new Float64Array(this.capacity);
  }

  /** struct iovec { void *base; size_t len; } at index i, in the host's word size. */
  private entry(into: Buffer, i: number, base: number, len: number): void {
    const size = this.c.iovecSize;
    const at = i * size;
    if (size === 16) {
      into.writeUInt32LE(base % 0x1_0000_0000, at);
      into.writeUInt32LE(Math.floor(base / 0x1_0000_0000), at + 4);
      into.writeUInt32LE(len % 0x1_0000_0000, at + 8);
      into.writeUInt32LE(Math.floor(len / 0x1_0000_0000), at + 12);
    } else {
      into.writeUInt32LE(base, at);
      into.writeUInt32LE(len, at + 4);
    }
  }
}
