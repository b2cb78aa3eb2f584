// A Python process opened for reading: its memory, the ELF image holding the interpreter, the
// version, and the bindings chosen for it. Used by `dump`, `doctor` and the profiler alike.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
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
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'R' ? 'active' : 'idle';
  } catch {
    return 'unknown';
  }
}
