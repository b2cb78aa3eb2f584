// A thread's stack as it was when captureThreads stopped it, in front of the live memory: reads
// inside the copy are served from it, everything else (code, heap, CFI of mapped files) from the
// live source. The unwinder then walks a consistent stack although the thread has run on since.
// The overlay borrows the live source: close() leaves it open for the other threads' overlays.
import { MemoryReadError } from '../common/errors.js';
import { readEach, type MemorySource, type ReadRequest } from './source.js';

export class StackOverlayMemory implements MemorySource {
  private readonly start: number;
  private readonly end: number;

  constructor(
    private readonly live: MemorySource,
    private readonly stack: { address: number; bytes: Buffer },
  ) {
    this.start = stack.address;
    this.end = stack.address + stack.bytes.length;
  }

  get readCount(): number {
    return this.live.readCount;
  }

  get exited(): boolean {
    return this.live.exited === true;
  }

  read(address: number, length: number): Buffer {
    if (address >= this.start && address + length <= this.end) {
      return this.stack.bytes.subarray(address - this.start, address - this.start + length);
    }
    if (address + length <= this.start || address >= this.end || length === 0) return this.live.read(address, length);
    const buf = Buffer.allocUnsafe(length);
    this.readInto(buf, address);
    return buf;
  }

  readInto(buf: Buffer, address: number): void {
    const length = buf.length;
    const from = Math.max(address, this.start);
    const to = Math.min(address + length, this.end);
    if (from >= to) {
      this.fromLive(buf, address);
      return;
    }
    // The parts outside the copy come from the live memory, the rest from the copy.
    if (address < from) this.fromLive(buf.subarray(0, from - address), address);
    this.stack.bytes.copy(buf, from - address, from - this.start, to - this.start);
    if (to < address + length) this.fromLive(buf.subarray(to - address), to);
  }

  readPointer(address: number): number {
    if (address >= this.start && address + 8 <= this.end) {
      const off = address - this.start;
      return this.stack.bytes.readUInt32LE(off) + this.stack.bytes.readUInt32LE(off + 4) * 0x1_0000_0000;
    }
    if (this.live.readPointer && (address + 8 <= this.start || address >= this.end)) return this.live.readPointer(address);
    const b = this.read(address, 8);
    return b.readUInt32LE(0) + b.readUInt32LE(4) * 0x1_0000_0000;
  }

  readMany(requests: readonly ReadRequest[]): (Buffer | Error)[] {
    if (requests.every((r) => r.address + r.length <= this.start || r.address >= this.end)) return this.live.readMany(requests);
    return readEach(this, requests);
  }

  /** The copy never changes; only what lies outside it can. */
  refresh(): void {
    this.live.refresh?.();
  }

  /** The live source belongs to the caller, who closes it once every thread is unwound. */
  close(): void {}

  private fromLive(buf: Buffer, address: number): void {
    if (buf.length === 0) return;
    if (this.live.readInto) {
      this.live.readInto(buf, address);
      return;
    }
    const got = this.live.read(address, buf.length);
    if (got.length !== buf.length) throw new MemoryReadError(`short read at 0x${address.toString(16)}`, address, buf.length);
    got.copy(buf);
  }
}
