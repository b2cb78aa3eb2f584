// The only way pyscope writes into another process, and only when the user asked to attach a
// debugger to it (pyscope dap's attach, pyscope debug -p): process_vm_writev, or /proc/PID/mem
// where a seccomp filter or a kernel without CROSS_MEMORY_ATTACH refuses that call. Everything
// else pyscope does to a target reads.
import { closeSync, openSync, writeSync } from 'node:fs';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { libc } from './ptrace-libc.js';

/** Writes `bytes` at `address` of process `pid`, all of them or a PyscopeError saying why not. */
export function writeTargetMemory(pid: number, address: number, bytes: Buffer): void {
  if (bytes.length === 0) return;
  const c = libc();
  const n = c.writeRemote(pid, bytes, address);
  if (n === bytes.length) return;
  const e = n < 0 ? c.errno() : 0;
  if (n < 0 && e !== c.E.ENOSYS && e !== c.E.EPERM) {
    throw new PyscopeError(`cannot write ${bytes.length} bytes at 0x${address.toString(16)} of process ${pid}: ${c.errnoName(e)}`, e === c.E.ESRCH ? ExitCode.processExited : ExitCode.failure);
  }
  writeThroughProc(pid, address, bytes);
}

function writeThroughProc(pid: number, address: number, bytes: Buffer): void {
  let fd: number | undefined;
  try {
    fd = openSync(`/proc/${pid}/mem`, 'r+');
    let done = 0;
    while (done < bytes.length) {
      const n = writeSync(fd, bytes, done, bytes.length - done, address + done);
      if (n <= 0) break;
      done += n;
    }
    if (done !== bytes.length) throw new Error(`${done} of ${bytes.length} bytes written`);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new PyscopeError(`cannot write at 0x${address.toString(16)} of process ${pid} (process_vm_writev and /proc/${pid}/mem both refused): ${why}`, ExitCode.permission);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
