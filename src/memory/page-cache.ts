// A page cache in front of a MemorySource, refreshed between snapshots. Python's frames, code
// objects and strings sit close together (3.11+ frames share one data-stack chunk), so reading
// whole 4 KiB pages turns thousands of small reads into a few hundred. A page is either mapped
// or not as a whole, so reading it never fails where the small read would have succeeded.
import { AddressTable } from '../common/address-table.js';
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
/** In the page table: a page that could not be read in this snapshot. */
const UNREADABLE = -2;

/** A page's bytes, and the same bytes as 32-bit words (a pointer is read as two, no Buffer call). */
interface PageBuffer {
  bytes: Buffer;
  words: Uint32Array;
}

/** A place in the page arrays that holds no page (so that they keep no buffer alive). */
const NO_PAGE: PageBuffer = { bytes: Buffer.alloc(0), words: new Uint32Array(0) };

function newPage(): PageBuffer {
  const words = new Uint32Array(PAGE / 4);
  return { bytes: Buffer.from(words.buffer), words };
}

export class PageCacheMemory implements MemorySource {
  // The pages of the current snapshot, index k: buffer, start address, and whether it was read
  // ahead at the last refresh and not used since (then it is not carried further). Plain arrays
  // kept at their longest, with a count, so that the steady state of sampling allocates nothing.
  private pages: PageBuffer[] = [];
  private starts = new Float64Array(64);
  private readAhead = new Uint8Array(64);
  private count = 0;
  /** Page start -> index in the arrays above, or UNREADABLE, for the current snapshot. */
  private table = new AddressTable();
  private pool: PageBuffer[] = [];
  private pooled = 0;
  private warm = false;
  // Scratch arrays for the scatter read, reused from one refresh to the next.
  private warmPages: PageBuffer[] = [];
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
    for (let k = 0; k < this.count; k++) {
      const b = this.pages[k]!;
      if (this.warm && n < WARM_LIMIT && this.readAhead[k] === 0) {
        this.warmPages[n] = b;
        this.warmBuffers[n] = b.bytes;
        this.warmAddresses[n] = this.starts[k]!;
        n++;
      } else this.release(b);
      this.pages[k] = NO_PAGE;
    }
    this.count = 0;
    this.table.clear();
    if (n === 0) return;
    try {
      this.inner.readScatter!(this.warmBuffers, this.warmAddresses, n, this.warmFilled);
    } catch {
      // The process exited: the source knows it (exited), and the snapshot's first read says so.
      this.warmFilled.fill(0, 0, n);
    }
    for (let i = 0; i < n; i++) {
      const b = this.warmPages[i]!;
      this.warmPages[i] = NO_PAGE;
      this.warmBuffers[i] = NO_PAGE.bytes;
      // Not readable now: a later read of it asks the source again and fails as it should.
      if (this.warmFilled[i]) this.keep(this.warmAddresses[i]!, b, 1);
      else this.release(b);
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
      if (page) return page.bytes.subarray(address - first, address - first + length);
      return this.inner.read(address, length); // unreadable page: let the source report it
    }
    const a = this.page(first);
    const b = this.page(last);
    // Callers may keep what read() returns past refresh(), so a straddling read gets its own buffer.
    if (a && b && last === first + PAGE) return Buffer.concat([a.bytes.subarray(address - first), b.bytes.subarray(0, address + length - last)]);
    return this.inner.read(address, length);
  }

  /** Fills `buf` from `address` without allocating when it lies in one page (a frame's header). */
  readInto(buf: Buffer, address: number): void {
    const length = buf.length;
    const start = address - (address % PAGE);
    if (length > 0 && length < DIRECT && address + length <= start + PAGE) {
      const page = this.page(start);
      if (page) {
        // Byte by byte: Buffer.copy of part of a buffer allocates a view on Node 20, and a
        // frame's header is a few dozen bytes.
        const from = address - start;
        const bytes = page.bytes;
        for (let i = 0; i < length; i++) buf[i] = bytes[from + i]!;
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
      if (page) {
        if (off % 4 === 0) return page.words[off >>> 2]! + page.words[(off >>> 2) + 1]! * 0x1_0000_0000;
        return page.bytes.readUInt32LE(off) + page.bytes.readUInt32LE(off + 4) * 0x1_0000_0000;
      }
    }
    const b = this.read(address, 8);
    return b.readUInt32LE(0) + b.readUInt32LE(4) * 0x1_0000_0000;
  }

  /** An unsigned 32-bit value at `address`, without allocating when it lies in one page. */
  readU32(address: number): number {
    const start = address - (address % PAGE);
    const off = address - start;
    if (off <= PAGE - 4) {
      const page = this.page(start);
      if (page) return off % 4 === 0 ? page.words[off >>> 2]! : page.bytes.readUInt32LE(off);
    }
    return this.read(address, 4).readUInt32LE(0);
  }

  readMany(requests: readonly ReadRequest[]): (Buffer | Error)[] {
    return readEach(this, requests);
  }

  close(): void {
    this.pages = [];
    this.pool = [];
    this.count = this.pooled = 0;
    this.table.clear();
    this.inner.close();
  }

  private page(start: number): PageBuffer | null {
    const k = this.table.get(start);
    if (k >= 0) {
      this.readAhead[k] = 0;
      return this.pages[k]!;
    }
    if (k === UNREADABLE) return null;
    const buf = this.pooled > 0 ? this.pool[--this.pooled]! : newPage();
    try {
      if (this.inner.readInto) this.inner.readInto(buf.bytes, start);
      else this.inner.read(start, PAGE).copy(buf.bytes);
    } catch {
      this.release(buf);
      this.table.set(start, UNREADABLE);
      return null;
    }
    this.keep(start, buf, 0);
    return buf;
  }

  private keep(start: number, buf: PageBuffer, readAhead: 0 | 1): void {
    const k = this.count++;
    if (k === this.starts.length) {
      const starts = new Float64Array(k * 2);
      starts.set(this.starts);
      this.starts = starts;
      const ahead = new Uint8Array(k * 2);
      ahead.set(this.readAhead);
      this.readAhead = ahead;
    }
    this.pages[k] = buf;
    this.starts[k] = start;
    this.readAhead[k] = readAhead;
    this.table.set(start, k);
  }

  /** Back to the pool for the next snapshot's pages (beyond POOL_LIMIT, to the garbage collector). */
  private release(buf: PageBuffer): void {
    if (this.pooled < POOL_LIMIT) this.pool[this.pooled++] = buf;
  }
}
