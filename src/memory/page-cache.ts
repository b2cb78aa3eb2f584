// A page cache in front of a MemorySource, cleared between snapshots. Python's frames, code
// objects and strings sit close together (3.11+ frames share one data-stack chunk), so reading
// whole 4 KiB pages turns thousands of small reads into a few hundred. A page is either mapped
// or not as a whole, so reading it never fails where the small read would have succeeded.
import type { MemorySource, ReadRequest } from './source.js';

const PAGE = 4096;
/** Reads this large or larger go straight to the source: they would evict more than they share. */
const DIRECT = 4 * PAGE;

export class PageCacheMemory implements MemorySource {
  readonly pointerSize: 4 | 8;
  private pages = new Map<number, Buffer | null>();

  constructor(private readonly inner: MemorySource) {
    this.pointerSize = inner.pointerSize;
  }

  get readCount(): number {
    return this.inner.readCount;
  }

  /** Forget everything: the next snapshot sees the target's memory as it is then. */
  clear(): void {
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
    if (a && b && last === first + PAGE) return Buffer.concat([a.subarray(address - first), b.subarray(0, address + length - last)]);
    return this.inner.read(address, length);
  }

  readMany(requests: readonly ReadRequest[]): (Buffer | Error)[] {
    return requests.map((r) => {
      try {
        return this.read(r.address, r.length);
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
    });
  }

  close(): void {
    this.pages.clear();
    this.inner.close();
  }

  private page(start: number): Buffer | null {
    let p = this.pages.get(start);
    if (p !== undefined) return p;
    try {
      p = this.inner.read(start, PAGE);
    } catch {
      p = null;
    }
    this.pages.set(start, p);
    return p;
  }
}
