// A Python process opened for reading: its memory, the ELF image holding the interpreter, the
// version, and the bindings chosen for it. Used by `dump`, `doctor` and the profiler alike.
import { closeSync, openSync, readFileSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { LiveProcessMemory } from '../memory/live.js';
import { PageCacheMemory } from '../memory/page-cache.js';
import { readMaps, procError, type Mapping } from '../memory/maps.js';
import type { MemorySource } from '../memory/source.js';
import type { Bindings } from './bindings.js';
import { detectVersion, type PythonVersion } from './discover/detect-version.js';
import { findInterpreter, type InterpreterImage } from './discover/find-interpreter.js';
import { Target } from './target.js';
import { bindingsFor, type BindingsSource } from './version-switch.js';
import { CodeCache } from './model/code.js';

export interface OpenedPython {
  memory: MemorySource;
  image: InterpreterImage;
  version: PythonVersion;
  bindings: Bindings;
  bindingsSource: BindingsSource;
  target: Target;
  codes: CodeCache;
  maps: Mapping[];
}

/** Opens the interpreter inside any memory source whose mappings are known (live or core). */
export function openPython(memory: MemorySource, maps: Mapping[], pid: number | undefined, exePath?: string): OpenedPython {
  const image = findInterpreter(pid, maps, exePath);
  const version = detectVersion(image, memory);
  const { bindings, source } = bindingsFor(version, memory, image.symbols.runtime, (name) => image.elf.symbol(name) !== undefined);
  const target = new Target(memory, bindings);
  return { memory, image, version, bindings, bindingsSource: source, target, codes: new CodeCache(target), maps };
}

export interface LiveProcess extends OpenedPython {
  pid: number;
  commandLine: string;
}

export function openLiveProcess(pid: number): LiveProcess {
  if (!Number.isInteger(pid) || pid <= 0) throw new PyscopeError(`"${pid}" is not a process id`, ExitCode.usage);
  const maps = readMaps(pid);
  let exe: string | undefined;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    exe = undefined;
  }
  const memory = new PageCacheMemory(new LiveProcessMemory(pid));
  try {
    return { ...openPython(memory, maps, pid, exe), pid, commandLine: commandLine(pid) };
  } catch (e) {
    memory.close();
    throw e;
  }
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
  } catch (e) {
    throw procError(pid, e);
  }
}

export function taskIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).filter((n) => n > 0);
  } catch {
    return [];
  }
}

/** 'active' when the kernel says the thread is running or runnable, 'idle' otherwise. */
export function threadStatus(pid: number, tid: number): 'active' | 'idle' | 'unknown' {
  try {
    return stateOf(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1'));
  } catch {
    return 'unknown';
  }
}

function stateOf(stat: string): 'active' | 'idle' {
  const close = stat.lastIndexOf(')');
  return stat.charAt(close + 2) === 'R' ? 'active' : 'idle';
}

/**
 * Thread states for repeated sampling: keeps each /proc/PID/task/TID/stat open and rereads it
 * from offset 0 (procfs regenerates it on every read), six times cheaper than opening it anew.
 */
export class ThreadStatusReader {
  private fds = new Map<number, number>();
  private buf = Buffer.allocUnsafe(1024);

  constructor(private readonly pid: number) {}

  status(tid: number): 'active' | 'idle' | 'unknown' {
    try {
      let fd = this.fds.get(tid);
      if (fd === undefined) {
        fd = openSync(`/proc/${this.pid}/task/${tid}/stat`, 'r');
        this.fds.set(tid, fd);
      }
      const n = readSync(fd, this.buf, 0, this.buf.length, 0);
      return stateOf(this.buf.toString('latin1', 0, n));
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
