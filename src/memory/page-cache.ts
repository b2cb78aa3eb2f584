// A page cache in front of a MemorySource, refreshed between snapshots. Python's frames, code
// objects and strings sit close together (3.11+ frames share one data-stack chunk), so reading
// whole 4 KiB pages turns thousands of small reads into a few hundred. A page is either mapped
// or not as a whole, so reading it never fails where the small read would have succeeded.
import { readEach, type MemorySource, type ReadRequest } from './source.js';

const PAGE = 4096;
/** Reads this large or larger go straight to the source: they would evict more than they share. */
const DIRECT = 4 * PAGE;

/** Page buffers kept for reuse across snapshots, so steady-state sampling allocates nothing. */
const POOL_LIMIT = 1024;
/**
 * Pages read again at a refresh when kept warm: a bound on what one scatter read copies (a
 * sample of one thread 20 frames deep uses about ten pages, of fifty idle threads a few dozen).
 */
const WARM_LIMIT = 256;

export class PageCacheMemory implements MemorySource {
  private pages = new Map<number, Buffer | null>();
  private pool: Buffer[] = [];
  private warm = false;
  /** Pages read ahead at the last refresh and not used since: they are not carried further. */
  private unused = new Set<number>();
  // Scratch arrays for the scatter read, reused from one refresh to the next.
  private warmBuffers: Buffer[] = [];
  private warmAddresses: number[] = [];
  private warmFilled = new Uint8Array(WARM_LIMIT);

  constructor(private readonly inner: MemorySource) {}

  get readCount(): number {
    return this.inner.readCount;
  }

  get exited(): boolean {
    return this.inner.exited === true;
  }

  /**
   * Forget every page: the next reads (a new snapshot, a torn walk read again) see the target as
   * it is now. Kept warm, the pages the last snapshot used are read again at once, in one scatter
   * read: in the steady state of sampling a snapshot then needs no other read.
   */
  refresh(): void {
    let n = 0;
    for (const [start, b] of this.pages) {
      if (!b) continue;
      if (this.warm && n < WARM_LIMIT && !this.unused.has(start)) {
        this.warmBuffers[n] = b;
        this.warmAddresses[n] = start;
        n++;
      } else if (this.pool.length < POOL_LIMIT) this.pool.push(b);
    }
    this.pages.clear();
    this.unused.clear();
    if (n === 0) return;
    try {
      this.inner.readScatter!(this.warmBuffers, this.warmAddresses, n, this.warmFilled);
    } catch {
      // The process exited: the source knows it (exited), and the snapshot's first read says so.
      this.warmFilled.fill(0, 0, n);
    }
    for (let i = 0; i < n; i++) {
      const b = this.warmBuffers[i]!;
      if (this.warmFilled[i]) {
        this.pages.set(this.warmAddresses[i]!, b);
        this.unused.add(this.warmAddresses[i]!);
      } else if (this.pool.length < POOL_LIMIT) {
        // Not readable now: a later read of it asks the source again and fails as it should.
        this.pool.push(b);
      }
    }
  }

  /** Read what each snapshot used again at the next refresh, in one go (the sampler's steady state). */
  keepWarm(): void {
    this.warm = this.inner.readScatter !== undefined && this.inner.prepareScatter?.() !== false;
  }

  read(address: number, length: number): Buffer {
    if (length >= DIRECT || length === 0) return this.inner.read(address, length);
    const first = address - (address % PAGE);
    const last = address + length - 1 - ((address + length - 1) % PAGE);
    if (first === last) {
      const page = this.page(first);
      if (page) return page.subarray(address - first, address - first + length);
      return this.inner.read(address, length); // unreadable page: let the source report it
    }
    const a = this.page(first);
    const b = this.page(last);
    // Callers may keep what read() returns past refresh(), so a straddling read gets its own buffer.
    if (a && b && last === first + PAGE) return Buffer.concat([a.subarray(address - first), b.subarray(0, address + length - last)]);
    return this.inner.read(address, length);
  }

  /** Fills `buf` from `address` without allocating when it lies in one page (a frame's header). */
  readInto(buf: Buffer, address: number): void {
    const length = buf.length;
    const start = address - (address % PAGE);
    if (length > 0 && length < DIRECT && address + length <= start + PAGE) {
      const page = this.page(start);
      if (page) {
        page.copy(buf, 0, address - start, address - start + length);
        return;
      }
    }
    this.read(address, length).copy(buf);
  }

  readPointer(address: number): number {
    const start = address - (address % PAGE);
    const off = address - start;
    if (off <= PAGE - 8) {
      const page = this.page(start);
      if (page) return page.readUInt32LE(off) + page.readUInt32LE(off + 4) * 0x1_0000_0000;
    }
    const b = this.read(address, 8);
    return b.readUInt32LE(0) + b.readUInt32LE(4) * 0x1_0000_0000;
  }

  readMany(requests: readonly ReadRequest[]): (Buffer | Error)[] {
    return readEach(this, requests);
  }

  close(): void {
    this.pages.clear();
    this.inner.close();
  }

  private page(start: number): Buffer | null {
    let p = this.pages.get(start);
    if (p !== undefined) {
      if (this.unused.size > 0) this.unused.delete(start);
      return p;
    }
    try {
      const buf = this.pool.pop() ?? Buffer.allocUnsafe(PAGE);
      if (this.inner.readInto) this.inner.readInto(buf, start);
      else this.inner.read(start, PAGE).copy(buf);
      p = buf;
    } catch {
      p = null;
    }
    this.pages.set(start, p);
    return p;
  }
}
