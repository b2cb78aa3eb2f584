// The bridge to the few libc calls Node lacks: ptrace, waitpid, process_vm_readv (and
// process_vm_writev, for an explicit attach only), through koffi (an FFI whose prebuilt binary
// ships inside its npm package, so `npm ci` needs no compiler). koffi is loaded on first use, not
// at import: it costs about 40 ms, which a dump that never stops the target should not pay. Every
// call here is synchronous on the calling thread; ptrace requires that one thread issue every
// request to a tracee, so callers must never use koffi's async calls for these.
import { createRequire } from 'node:module';
import type koffiModule from 'koffi';
import { ExitCode, PyscopeError } from '../common/errors.js';

type Koffi = typeof koffiModule;

/** Request numbers of <sys/ptrace.h> (Linux, every architecture). */
export const PTRACE = {
  cont: 7,
  singleStep: 9,
  getRegs: 12,
  setRegs: 13,
  detach: 17,
  seize: 0x4206,
  interrupt: 0x4207,
} as const;

/** <sys/wait.h>: return at once when nothing changed; wait for threads (clones) too. */
export const WNOHANG = 1;
export const WALL = 0x4000_0000;

export interface Libc {
  /** ptrace(2); -1 with errno() on failure. `data` is an integer (a signal) or a buffer the kernel fills. */
  ptrace(request: number, tid: number, data: number | Buffer): number;
  /** waitpid(2) with the status written into `status` (4 bytes); -1 with errno() on failure. */
  waitpid(tid: number, status: Buffer, options: number): number;
  /** process_vm_readv(2) of one remote range into `into`; bytes read, or -1 with errno(). */
  readRemote(pid: number, into: Buffer, address: number): number;
  /**
   * process_vm_readv(2) with iovec arrays the caller built (see iovecSize and addressOf): `count`
   * local and `count` remote entries. Bytes read in total (the kernel stops at the first range it
   * cannot read), or -1 with errno() when it read nothing.
   */
  readRemoteVectors(pid: number, local: Buffer, remote: Buffer, count: number): number;
  /** Bytes of one struct iovec in this process (16 on a 64-bit host). */
  readonly iovecSize: number;
  /** Where a Buffer's bytes are in this process's memory (stable: Node never moves a Buffer's store). */
  addressOf(buf: Buffer): number;
  /**
   * process_vm_writev(2) of `from` to one remote range; bytes written, or -1 with errno(). Used
   * only by an explicit attach (src/memory/remote-write.ts), the one write pyscope makes to a target.
   */
  writeRemote(pid: number, from: Buffer, address: number): number;
  /** errno of the last call that failed. */
  errno(): number;
  /** The symbolic name of an errno value ("EPERM"), or "errno N". */
  errnoName(value: number): string;
  /** errno values by name, from koffi's table for this platform. */
  readonly E: Readonly<Record<'EPERM' | 'ESRCH' | 'EINTR' | 'ECHILD' | 'ENOSYS' | 'EFAULT' | 'EIO', number>>;
}

let cached: Libc | undefined;
/** How long loading koffi and binding libc took, in milliseconds (for benchmarks). */
export let libcLoadMs: number | undefined;

/** The bridge, loaded once; a PyscopeError when koffi or libc cannot be loaded on this machine. */
export function libc(): Libc {
  if (cached) return cached;
  if (process.platform !== 'linux') {
    throw new PyscopeError(`native stacks of live processes need Linux (ptrace); this is ${process.platform}`, ExitCode.failure);
  }
  const start = performance.now();
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (e) {
    throw new PyscopeError(`cannot load koffi, which native stacks of live processes need (reinstall pyscope with npm ci): ${firstLine(e)}`, ExitCode.failure);
  }
  try {
    cached = bind(koffi);
  } catch (e) {
    throw new PyscopeError(`cannot bind ptrace and process_vm_readv from libc: ${firstLine(e)}`, ExitCode.failure);
  }
  libcLoadMs = performance.now() - start;
  return cached;
}

function bind(koffi: Koffi): Libc {
  const lib = koffi.load('libc.so.6');
  // glibc declares ptrace variadic (long ptrace(enum __ptrace_request, ...)); calling it through
  // a fixed prototype happens to work on x86_64 but is not the ABI, so each call names its types.
  const ptrace = lib.func('long ptrace(int request, ...)') as unknown as (request: number, ...typed: unknown[]) => number | bigint;
  const waitpid = lib.func('int waitpid(int pid, void *status, int options)') as unknown as (pid: number, status: Buffer, options: number) => number;
  const localIovec = koffi.struct('pyscope_local_iovec', { base: 'void *', len: 'size_t' });
  // The remote side's base is an address in the target, never dereferenced here: an integer.
  const remoteIovec = koffi.struct('pyscope_remote_iovec', { base: 'uintptr_t', len: 'size_t' });
  const processVmReadv = lib.func('process_vm_readv', 'intptr_t', ['int', koffi.pointer(localIovec), 'ulong', koffi.pointer(remoteIovec), 'ulong', 'ulong']) as unknown as (
    pid: number,
    local: { base: Buffer; len: number }[],
    localCount: number,
    remote: { base: number; len: number }[],
    remoteCount: number,
    flags: number,
  ) => number | bigint;
  // The same call with iovec arrays prepared by the caller: no array of objects marshalled per call.
  const processVmReadvRaw = lib.func('process_vm_readv', 'intptr_t', ['int', 'void *', 'ulong', 'void *', 'ulong', 'ulong']) as unknown as (
    pid: number,
    local: Buffer,
    localCount: number,
    remote: Buffer,
    remoteCount: number,
    flags: number,
  ) => number | bigint;
  const processVmWritev = lib.func('process_vm_writev', 'intptr_t', ['int', koffi.pointer(localIovec), 'ulong', koffi.pointer(remoteIovec), 'ulong', 'ulong']) as unknown as typeof processVmReadv;
  const table = koffi.os.errno;
  const errnoOf = (name: string, linux: number): number => table[name] ?? linux;
  const names = new Map<number, string>(Object.entries(table).map(([k, v]) => [v, k]));
  return {
    ptrace: (request, tid, data) =>
      Number(typeof data === 'number' ? ptrace(request, 'int', tid, 'uintptr_t', 0, 'uintptr_t', data) : ptrace(request, 'int', tid, 'uintptr_t', 0, 'void *', data)),
    waitpid: (tid, status, options) => waitpid(tid, status, options),
    readRemote: (pid, into, address) => Number(processVmReadv(pid, [{ base: into, len: into.length }], 1, [{ base: address, len: into.length }], 1, 0)),
    readRemoteVectors: (pid, local, remote, count) => Number(processVmReadvRaw(pid, local, count, remote, count, 0)),
    iovecSize: 2 * koffi.sizeof('size_t'),
    addressOf: (buf) => Number(koffi.address(buf)),
    writeRemote: (pid, from, address) => Number(processVmWritev(pid, [{ base: from, len: from.length }], 1, [{ base: address, len: from.length }], 1, 0)),
    errno: () => koffi.errno(),
    errnoName: (value) => names.get(value) ?? `errno ${value}`,
    E: {
      EPERM: errnoOf('EPERM', 1),
      ESRCH: errnoOf('ESRCH', 3),
      EINTR: errnoOf('EINTR', 4),
      EIO: errnoOf('EIO', 5),
      ECHILD: errnoOf('ECHILD', 10),
      EFAULT: errnoOf('EFAULT', 14),
      ENOSYS: errnoOf('ENOSYS', 38),
    },
  };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}
