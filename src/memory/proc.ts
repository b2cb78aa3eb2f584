// Everything pyscope reads from /proc about a live process: its mappings, whether it still runs,
// its threads and their kernel states, its command line, executable link and children. One
// module, so every reader parses these files the same way and a failure becomes the same error.
// The interpreter is found from the mappings, never from /proc/PID/exe (a loader or a wrapper).
import { closeSync, openSync, readFileSync, readSync, readdirSync, readlinkSync } from 'node:fs';
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

/** Opens /proc/PID/mem for reading: the same permission as a ptrace attach. */
export function openMemory(pid: number): number {
  try {
    return openSync(`/proc/${pid}/mem`, 'r');
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

/** The error of a process that went away while pyscope read it. */
export function exitedError(pid: number): PyscopeError {
  return new PyscopeError(`process ${pid} exited while it was being read`, ExitCode.processExited);
}

/** PF_EXITING in /proc/PID/stat's flags: the task is inside exit() and its memory is going. */
const PF_EXITING = 0x4;

/** The fields of a stat line after "pid (comm) ": state first. comm may hold spaces and ')'. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * True once the process has no memory left to read: gone, a zombie, or inside exit(). A process
 * that exits loses its memory before it becomes a zombie, so callers that just saw a read fail
 * ask twice (see LiveProcessMemory).
 */
export function processGone(pid: number): boolean {
  let fields: string[];
  try {
    fields = statFields(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return true;
  }
  const state = fields[0];
  if (state === 'Z' || state === 'X' || state === 'x') return true;
  return (Number(fields[6]) & PF_EXITING) !== 0;
}

/** Kernel thread ids of the process, [] when it is gone. */
export function taskIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

export type ThreadStatus = 'active' | 'idle' | 'unknown';

/** 'active' when the kernel says the thread is running or runnable, 'idle' otherwise. */
export function threadStatus(pid: number, tid: number): ThreadStatus {
  try {
    return statusOf(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1'));
  } catch {
    return 'unknown';
  }
}

function statusOf(stat: string): 'active' | 'idle' {
  return statFields(stat)[0] === 'R' ? 'active' : 'idle';
}

/**
 * Thread states for repeated sampling: keeps each /proc/PID/task/TID/stat open and rereads it
 * from offset 0 (procfs regenerates it on every read), six times cheaper than opening it anew.
 */
const CLOSE_PAREN = 0x29;
const LETTER_R = 0x52;
const SPACE = 0x20;

export class ThreadStatusReader {
  private fds = new Map<number, number>();
  private buf = Buffer.allocUnsafe(1024);

  constructor(private readonly pid: number) {}

  status(tid: number): ThreadStatus {
    try {
      let fd = this.fds.get(tid);
      if (fd === undefined) {
        fd = openSync(`/proc/${this.pid}/task/${tid}/stat`, 'r');
        this.fds.set(tid, fd);
      }
      const n = readSync(fd, this.buf, 0, this.buf.length, 0);
      // The state is the one letter after the ") " that ends the command name; found in the bytes,
      // as statusOf would from a string (a string and its split per thread per sample are garbage).
      const close = n > 0 ? this.buf.lastIndexOf(CLOSE_PAREN, n - 1) : -1;
      if (close < 0) return statusOf(this.buf.toString('latin1', 0, n));
      return this.buf[close + 2] === LETTER_R && (close + 3 >= n || this.buf[close + 3] === SPACE) ? 'active' : 'idle';
    } catch {
      this.forget(tid);
      return 'unknown';
    }
  }

  /** Closes the files of threads that are gone. */
  retain(tids: readonly number[]): void {
    const keep = new Set(tids);
    for (const tid of [...this.fds.keys()]) if (!keep.has(tid)) this.forget(tid);
  }

  close(): void {
    for (const tid of [...this.fds.keys()]) this.forget(tid);
  }

  private forget(tid: number): void {
    const fd = this.fds.get(tid);
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already gone
      }
    }
    this.fds.delete(tid);
  }
}

/** The command line, arguments joined by spaces ("" for a zombie or a kernel thread). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
  } catch (e) {
    throw procError(pid, e);
  }
}

/** Where /proc/PID/exe points, when it can be read: shown by `doctor`, never trusted. */
export function executableLink(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/**
 * The working directory of a process, when it can be read (another user's process, or one gone,
 * gives undefined): frames name the user's own files relative to it. A folder removed since the
 * process entered it names nothing.
 */
export function workingDirectory(pid: number): string | undefined {
  try {
    const dir = readlinkSync(`/proc/${pid}/cwd`);
    return dir.startsWith('/') && !dir.endsWith(' (deleted)') ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Every descendant of a process, found through each task's `children` file (Linux 3.5+). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>([pid]);
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const child of childrenOf(p)) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const tid of taskIds(pid)) {
    try {
      for (const s of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) if (s) out.push(Number(s));
    } catch {
      // The task ended while we listed it.
    }
  }
  return out;
}
