// /proc/PID/maps: which file is mapped where. The interpreter is found from these mappings, never
// from /proc/PID/exe, which may be a loader or a wrapper.
import { readFileSync } from 'node:fs';
import { ExitCode, PyscopeError, isErrno } from '../common/errors.js';

export interface Mapping {
  start: number;
  end: number;
  readable: boolean;
  writable: boolean;
  executable: boolean;
  /** Offset in the mapped file of `start`. */
  fileOffset: number;
  inode: number;
  /** File path, pseudo name like "[heap]", or "" for anonymous memory. */
  path: string;
}

export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    // start-end perms offset dev inode [path]; the path may contain spaces.
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) \S+ (\d+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, start, end, perms, offset, inode, path] = m as unknown as [string, string, string, string, string, string, string];
    out.push({
      start: parseInt(start, 16),
      end: parseInt(end, 16),
      readable: perms[0] === 'r',
      writable: perms[1] === 'w',
      executable: perms[2] === 'x',
      fileOffset: parseInt(offset, 16),
      inode: Number(inode),
      path: path.replace(/ \(deleted\)$/, ''),
    });
  }
  return out;
}

export function readMaps(pid: number): Mapping[] {
  try {
    return parseMaps(readFileSync(`/proc/${pid}/maps`, 'utf8'));
  } catch (e) {
    throw procError(pid, e);
  }
}

/** Turns a failure to read /proc/PID/... into the error a user can act on. */
export function procError(pid: number, e: unknown): PyscopeError {
  if (isErrno(e, 'ENOENT') || isErrno(e, 'ESRCH')) {
    return new PyscopeError(`no process with pid ${pid}`, ExitCode.noSuchProcess);
  }
  if (isErrno(e, 'EACCES') || isErrno(e, 'EPERM')) {
    return new PyscopeError(
      `permission denied reading process ${pid}: run pyscope as the same user with ptrace allowed ` +
        `(sysctl kernel.yama.ptrace_scope=0), or with sudo / CAP_SYS_PTRACE`,
      ExitCode.permission,
    );
  }
  return new PyscopeError(`cannot read process ${pid}: ${e instanceof Error ? e.message : String(e)}`, ExitCode.failure);
}
