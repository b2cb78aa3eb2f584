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

export class PageCacheMemory implements MemorySource {
  readonly pointerSize: 4 | 8;
  private pages = new Map<number, Buffer | null>();
  private pool: Buffer[] = [];

  constructor(private readonly inner: MemorySource) {
    this.pointerSize = inner.pointerSize;
  }

  get readCount(): number {
    return this.inner.readCount;
  }

  get exited(): boolean {
    return this.inner.exited === true;
  }

  /** Forget every page: the next reads (a new snapshot, a torn walk read again) see the target as it is now. */
  refresh(): void {
    for (const b of this.pages.values()) if (b && this.pool.length < POOL_LIMIT) this.pool.push(b);
    this.pages.clear();
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
    if (p !== undefined) return p;
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
