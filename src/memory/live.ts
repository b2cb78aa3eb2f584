// Memory of a live process: no ptrace stop, nothing ever written. Single ranges are preads of
// /proc/PID/mem; many ranges at once (the sampler's pages) are one process_vm_readv(2) through
// the libc bridge, loaded only when a caller asks for scatter reads (prepareScatter), since
// loading it costs ~40 ms that a one-off dump should not pay. /proc/PID/mem stays the fallback
// when the bridge cannot load or the kernel refuses process_vm_readv (a seccomp policy: EPERM;
// ENOSYS). Reading needs the same permission as ptrace attach either way.
import { closeSync, readSync } from 'node:fs';
import { ExitCode, MemoryReadError, isErrno } from '../common/errors.js';
import { openMemory, processGone } from './proc.js';
import { libc } from './ptrace-libc.js';
import { ScatterReader } from './scatter-read.js';
import { readEach, type MemorySource, type ReadRequest } from './source.js';

export interface LiveMemoryOptions {
  /** 'proc-mem': never use process_vm_readv (the fallback, chosen on purpose). */
  via?: 'auto' | 'proc-mem';
}

/** readMany copies through one arena of at most this many bytes; larger batches read range by range. */
const SCATTER_ARENA_LIMIT = 16 * 1024 * 1024;

export class LiveProcessMemory implements MemorySource {
  private fd: number;
  private reads = 0;
  private gone = false;
  /** undefined: not tried yet; null: unavailable (bridge missing, call refused, or not wanted). */
  private scatter: ScatterReader | null | undefined;
  private filledScratch = new Uint8Array(0);

  constructor(
    readonly pid: number,
    opts: LiveMemoryOptions = {},
  ) {
    this.fd = openMemory(pid);
    if ((opts.via ?? 'auto') === 'proc-mem') this.scatter = null;
  }

  get readCount(): number {
    return this.reads + (this.scatter?.calls ?? 0);
  }

  /** How scatter reads are served: 'process_vm_readv', or '/proc/PID/mem' (one pread per range). */
  get scatterVia(): 'process_vm_readv' | '/proc/PID/mem' {
    return this.prepareScatter() ? 'process_vm_readv' : '/proc/PID/mem';
  }

  /** Loads the bridge now (so that the first scatter read does not pay for it); false when it cannot. */
  prepareScatter(): boolean {
    if (this.scatter === undefined) {
      try {
        this.scatter = new ScatterReader(libc(), this.pid);
      } catch {
        this.scatter = null;
      }
    }
    return this.scatter !== null;
  }

  /**
   * Fills buffers[i] whole from addresses[i] for i < count, in one system call where it can;
   * filled[i] is 1 for each buffer read whole, 0 for one that could not be (its range is not
   * mapped, wholly or in part). Throws only when the process has exited.
   */
  readScatter(buffers: readonly Buffer[], addresses: readonly number[], count: number, filled: Uint8Array): void {
    if (this.prepareScatter()) {
      const outcome = this.scatter!.read(buffers, addresses, count, filled);
      if (outcome === 'done') return;
      if (outcome === 'gone') {
        this.gone = true;
        throw this.failure(undefined, addresses[0] ?? 0, buffers[0]?.length ?? 0);
      }
      // Refused for this process: every later read goes through /proc/PID/mem.
      this.reads += this.scatter!.calls;
      this.scatter = null;
    }
    for (let i = 0; i < count; i++) {
      try {
        this.readInto(buffers[i]!, addresses[i]!);
        filled[i] = 1;
      } catch (e) {
        if (this.gone) throw e;
        filled[i] = 0;
      }
    }
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

  /** One scatter read when the bridge is loaded, else one pread per range; failures stay per range. */
  readMany(requests: readonly ReadRequest[]): (Buffer | Error)[] {
    const total = requests.reduce((n, r) => n + r.length, 0);
    if (!this.scatter || requests.length < 2 || total > SCATTER_ARENA_LIMIT || requests.some((r) => !Number.isSafeInteger(r.address) || r.address <= 0 || r.length <= 0)) {
      return readEach(this, requests);
    }
    // One arena for all the ranges: each result is a view of its own part.
    const arena = Buffer.allocUnsafeSlow(total);
    const buffers: Buffer[] = [];
    let at = 0;
    for (const r of requests) {
      buffers.push(arena.subarray(at, at + r.length));
      at += r.length;
    }
    if (this.filledScratch.length < requests.length) this.filledScratch = new Uint8Array(requests.length);
    const filled = this.filledScratch;
    this.readScatter(
      buffers,
      requests.map((r) => r.address),
      requests.length,
      filled,
    );
    return requests.map((r, i) => (filled[i] ? buffers[i]! : new MemoryReadError(`cannot read target memory at 0x${r.address.toString(16)} (+${r.length})`, r.address, r.length)));
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
