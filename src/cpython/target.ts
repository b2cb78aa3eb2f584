// A target interpreter: its memory and its bindings, with typed, bounded reads and the type-name
// cache every walk shares. Only static types are cached: they live as long as the process, so
// their addresses are never reused, which keeps the cache sound across samples.
import { ExitCode, PyscopeError } from '../common/errors.js';
import type { MemorySource } from '../memory/source.js';
import type { Bindings } from './bindings.js';

const Py_TPFLAGS_HEAPTYPE = 1 << 9;

export const LIMITS = {
  /** Longest type name, file name or function name read. */
  name: 1024,
  threads: 4096,
  interpreters: 256,
  frames: 4096,
} as const;

/** A read failed because the process is gone: never a torn thread, always the end of the read. */
export function targetExited(e: unknown): boolean {
  return e instanceof PyscopeError && e.exitCode === ExitCode.processExited;
}

export class Target {
  private typeNames = new Map<number, string>();
  /** The target's pointer size (its ABI's, from the interpreter's ELF class): also that of Py_ssize_t and long on Linux. */
  readonly pointerSize: 4 | 8;

  constructor(
    readonly memory: MemorySource,
    readonly b: Bindings,
  ) {
    this.pointerSize = b.pointerSize;
  }

  read(address: number, length: number): Buffer {
    return this.memory.read(address, length);
  }

  ptr(address: number): number {
    if (this.pointerSize === 4) return this.u32(address);
    if (this.memory.readPointer) return this.memory.readPointer(address);
    return Target.ptrAt(this.memory.read(address, 8), 0);
  }

  /** A 64-bit pointer from a buffer already read (two 32-bit halves: no BigInt on the hot path). */
  static ptrAt(buf: Buffer, offset: number): number {
    return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * 0x1_0000_0000;
  }

  /** A pointer of the target's size (or an unsigned long, which has that size on Linux) from a buffer already read. */
  pointerAt(buf: Buffer, offset: number): number {
    return this.pointerSize === 4 ? buf.readUInt32LE(offset) : Target.ptrAt(buf, offset);
  }

  /** A Py_ssize_t (or long) of the target's size from a buffer already read. */
  ssizeAt(buf: Buffer, offset: number): number {
    // Two halves, no BigInt: exact up to 2^53, and rounded as Number(BigInt) would beyond.
    return this.pointerSize === 4 ? buf.readInt32LE(offset) : buf.readInt32LE(offset + 4) * 0x1_0000_0000 + buf.readUInt32LE(offset);
  }

  /** A Py_ssize_t (or long) of the target's size. */
  ssize(address: number): number {
    return this.ssizeAt(this.memory.read(address, this.pointerSize), 0);
  }

  /** Pointers of the target's size in a row, e.g. a tuple's items or a frame's local slots. */
  pointers(address: number, count: number): number[] {
    const raw = count ? this.memory.read(address, count * this.pointerSize) : Buffer.alloc(0);
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(this.pointerAt(raw, i * this.pointerSize));
    return out;
  }

  i64(address: number): number {
    return Number(this.memory.read(address, 8).readBigInt64LE(0));
  }

  u32(address: number): number {
    if (this.memory.readU32) return this.memory.readU32(address);
    return this.memory.read(address, 4).readUInt32LE(0);
  }

  i32(address: number): number {
    return this.u32(address) | 0;
  }

  /** A NUL-terminated C string, read in chunks so that a string near the end of a mapping reads. */
  cstring(address: number, max: number = LIMITS.name): string {
    const parts: Buffer[] = [];
    let total = 0;
    while (total < max) {
      // Never cross a page boundary in one read: the string may end just before an unmapped page.
      const at = address + total;
      const chunk = Math.min(64, max - total, 4096 - (at % 4096));
      const buf = this.memory.read(at, chunk);
      const nul = buf.indexOf(0);
      if (nul >= 0) {
        parts.push(buf.subarray(0, nul));
        break;
      }
      parts.push(buf);
      total += buf.length;
    }
    return Buffer.concat(parts).toString('utf8');
  }

  typeOf(obj: number): number {
    return this.ptr(obj + this.b.object.type);
  }

  /** tp_name of an object's type, e.g. "int", "threading.Thread" shortened to "Thread" by callers. */
  typeName(obj: number): string {
    const type = this.typeOf(obj);
    const cached = this.typeNames.get(type);
    if (cached !== undefined) return cached;
    const name = this.cstring(this.ptr(type + this.b.type.name), 256);
    // Heap types (classes) can be freed and their address reused by another: read them each time.
    if (!(this.typeFlags(type) & Py_TPFLAGS_HEAPTYPE)) this.typeNames.set(type, name);
    return name;
  }

  /** tp_flags, an unsigned long: the flags pyscope tests are all in its low 32 bits. */
  typeFlags(type: number): number {
    return this.u32(type + this.b.type.flags);
  }
}
