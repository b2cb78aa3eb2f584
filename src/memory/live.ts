// Memory of a live process through /proc/PID/mem: one pread per range, no ptrace stop, nothing
// ever written. Reading needs the same permission as ptrace attach.
import { closeSync, readSync } from 'node:fs';
import { ExitCode, MemoryReadError, isErrno } from '../common/errors.js';
import { openMemory, processGone } from './proc.js';
import { readEach, type MemorySource, type ReadRequest } from './source.js';

export class LiveProcessMemory implements MemorySource {
  readonly pointerSize = 8 as const;
  private fd: number;
  private reads = 0;
  private gone = false;

  constructor(readonly pid: number) {
    this.fd = openMemory(pid);
  }

  get readCount(): number {
    return this.reads;
  }

  /** True once a read failed because the process had exited, even if its caller swallowed it. */
  get exited(): boolean {
    return this.gone;
  }

  read(address: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    if (length === 0) return buf;
    this.readInto(buf, address);
    return buf;
  }

  readInto(buf: Buffer, address: number): void {
    const length = buf.length;
    if (!Number.isSafeInteger(address) || address <= 0) {
      throw new MemoryReadError(`bad address 0x${address.toString(16)}`, address, length);
    }
    let got = 0;
    while (got < length) {
      this.reads++;
      let n: number;
      try {
        n = readSync(this.fd, buf, got, length - got, address + got);
      } catch (e) {
        throw this.failure(e, address, length);
      }
      if (n === 0) throw this.failure(undefined, address, length);
      got += n;
    }
  }

  readMany(requests: readonly ReadRequest[]): (Buffer | Error)[] {
    return readEach(this, requests);
  }

  close(): void {
    closeSync(this.fd);
  }

  private aliveCheckedAt = -Infinity;

  /** Whether the process still runs; asked at most every 100 ms, as a bad pointer can fail often. */
  private stillAlive(): boolean {
    const now = performance.now();
    if (now - this.aliveCheckedAt < 100) return true;
    if (!alive(this.pid)) return false;
    this.aliveCheckedAt = now;
    return true;
  }

  private failure(e: unknown, address: number, length: number): MemoryReadError {
    const where = `0x${address.toString(16)} (+${length})`;
    if (this.gone || isErrno(e, 'ESRCH') || !this.stillAlive()) {
      this.gone = true;
      return new MemoryReadError(`process ${this.pid} exited while it was being read`, address, length, ExitCode.processExited);
    }
    return new MemoryReadError(`cannot read target memory at ${where}`, address, length);
  }
}

/**
 * False once the process is gone: its memory can no longer be read. A process in the middle of
 * exiting loses its memory before /proc says so, so a failed read asks twice.
 */
function alive(pid: number): boolean {
  if (processGone(pid)) return false;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  return !processGone(pid);
}
