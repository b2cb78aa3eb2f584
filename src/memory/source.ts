// The one interface through which pyscope reads a target's memory. Live processes, core files and
// WebAssembly memories implement it; everything above (ELF, CPython model) sees only this.
// Addresses are plain numbers: user-space addresses fit in 47 bits, well inside 2^53.

export interface ReadRequest {
  address: number;
  length: number;
}

export interface MemorySource {
  /** Reads exactly `length` bytes or throws MemoryReadError. Never writes to the target. */
  read(address: number, length: number): Buffer;
  /**
   * Reads several ranges at once; sources that can (process_vm_readv, a core file) serve them in
   * fewer system calls. Each result is the bytes read, or an Error for that range alone.
   */
  readMany(requests: readonly ReadRequest[]): (Buffer | Error)[];
  /** Optional: fills `buf` whole from `address` without allocating, or throws like read(). */
  readInto?(buf: Buffer, address: number): void;
  /** Optional: forget what is cached, so that the next reads see the target as it is now. */
  refresh?(): void;
  /**
   * Optional: fills buffers[i] whole from addresses[i] for i < count, in as few system calls as
   * the source can (live processes: one process_vm_readv); filled[i] is 1 for each buffer read
   * whole, else 0. Throws only when the target is gone.
   */
  readScatter?(buffers: readonly Buffer[], addresses: readonly number[], count: number, filled: Uint8Array): void;
  /** Optional: get ready for readScatter now (load what it needs); false when it falls back to one read per range. */
  prepareScatter?(): boolean;
  /**
   * Optional (caching sources, for repeated snapshots): at each refresh, read again at once, in
   * one scatter read where the source below can, what the previous snapshot read.
   */
  keepWarm?(): void;
  /** Optional fast path: a little-endian 64-bit pointer at `address`, without allocating. */
  readPointer?(address: number): number;
  /** Optional fast path: an unsigned little-endian 32-bit value at `address`, without allocating. */
  readU32?(address: number): number;
  /** Number of read operations that reached the operating system since creation (for benchmarks). */
  readonly readCount: number;
  /** Live processes: true once a read found the process gone (even a read whose failure was caught). */
  readonly exited?: boolean;
  close(): void;
}

/** readMany for sources that serve each range with its own read: failures stay per range. */
export function readEach(source: Pick<MemorySource, 'read'>, requests: readonly ReadRequest[]): (Buffer | Error)[] {
  return requests.map((r) => {
    try {
      return source.read(r.address, r.length);
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  });
}
