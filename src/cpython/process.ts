// A Python process opened for reading: its memory, the ELF image holding the interpreter, the
// version, and the bindings chosen for it. Used by `dump`, `doctor` and the profiler alike.
import { ExitCode, PyscopeError } from '../common/errors.js';
import { LiveProcessMemory } from '../memory/live.js';
import { PageCacheMemory } from '../memory/page-cache.js';
import { commandLine, executableLink, exitedError, processGone, readMaps, type Mapping } from '../memory/proc.js';
import type { MemorySource } from '../memory/source.js';
import type { Bindings } from './bindings.js';
import { detectVersion, type PythonVersion } from './discover/detect-version.js';
import { findInterpreter, type InterpreterImage } from './discover/find-interpreter.js';
import { targetAbi, type TargetAbi } from './discover/target-abi.js';
import { Target } from './target.js';
import { bindingsFor, type BindingsSource } from './version-switch.js';
import { CodeCache } from './model/code.js';

/** ELF symbol type of a data object. */
const STT_OBJECT = 1;

export interface OpenedPython {
  memory: MemorySource;
  image: InterpreterImage;
  version: PythonVersion;
  /** The target's machine and data model (x86-64 LP64, i386 ILP32), from the interpreter's ELF file. */
  abi: TargetAbi;
  bindings: Bindings;
  bindingsSource: BindingsSource;
  target: Target;
  codes: CodeCache;
  maps: Mapping[];
  /** The process id (for cores: the one the core records, when it does). */
  pid?: number;
  /** A running process, which changes while it is read; false for a core. */
  live: boolean;
}

/** Opens the interpreter inside any memory source whose mappings are known (live or core). */
export function openPython(memory: MemorySource, maps: Mapping[], pid: number | undefined, exePath?: string, live = false): OpenedPython {
  const image = findInterpreter(pid, maps, exePath);
  const abi = targetAbi(image.elf);
  const version = detectVersion(image, memory);
  const { bindings, source } = bindingsFor(
    version,
    memory,
    image.symbols.runtime,
    (name) => image.elf.symbol(name) !== undefined,
    (name) => {
      // Data only: a file-local name such as `collecting` could also name a function elsewhere.
      const s = image.elf.symbol(name);
      return s && s.type === STT_OBJECT ? s.value + image.bias : undefined;
    },
    abi,
  );
  const longType = image.elf.symbol('PyLong_Type');
  if (longType) withTargetDigits(bindings, memory, longType.value + image.bias);
  const target = new Target(memory, bindings);
  return { memory, image, version, abi, bindings, bindingsSource: source, target, codes: new CodeCache(target), maps, pid, live };
}

/**
 * An int's digit size is a build option (PYLONG_BITS_IN_DIGIT: 15 or 30), so it is read from the
 * target: PyLong_Type's tp_itemsize is sizeof(digit). tp_itemsize follows tp_basicsize, both
 * Py_ssize_t, in every version's PyTypeObject. An unreadable or odd value keeps the declared size.
 */
function withTargetDigits(b: Bindings, memory: MemorySource, longType: number): void {
  let itemsize: number;
  try {
    const raw = memory.read(longType + b.type.basicsize + b.pointerSize, b.pointerSize);
    itemsize = b.pointerSize === 4 ? raw.readUInt32LE(0) : Number(raw.readBigUInt64LE(0));
  } catch {
    return;
  }
  if (itemsize === 2) b.ints.digitBits = 15;
  else if (itemsize === 4) b.ints.digitBits = 30;
}

export interface LiveProcess extends OpenedPython {
  pid: number;
  commandLine: string;
}

export function openLiveProcess(pid: number): LiveProcess {
  if (!Number.isInteger(pid) || pid <= 0) throw new PyscopeError(`"${pid}" is not a process id`, ExitCode.usage);
  // A pid that is not there at all is "no such process"; anything that fails after this point
  // in a process that has since gone is "exited while being read", wherever it failed.
  const maps = readMaps(pid);
  let memory: PageCacheMemory | undefined;
  try {
    // A zombie's maps are empty: it is not "not Python", it has exited.
    if (maps.length === 0 && processGone(pid)) throw exitedError(pid);
    memory = new PageCacheMemory(new LiveProcessMemory(pid));
    return { ...openPython(memory, maps, pid, executableLink(pid), true), pid, commandLine: commandLine(pid) };
  } catch (e) {
    memory?.close();
    throw exitedOr(pid, e);
  }
}

/** How long a process that failed a read may take to show that it is exiting. */
const EXIT_GRACE_MS = 250;

/**
 * The error to report for a failure while reading process `pid`: ExitCode.processExited when the
 * process is gone or goes within a moment (the failure was its exit: memory unmapped, thread
 * states freed by the interpreter's finalization), else the failure itself.
 */
export function exitedOr(pid: number, e: unknown): unknown {
  if (e instanceof PyscopeError && (e.exitCode === ExitCode.processExited || e.exitCode === ExitCode.usage)) return e;
  const gate = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; ; waited += 10) {
    if (processGone(pid)) return exitedError(pid);
    if (waited >= EXIT_GRACE_MS) return e;
    Atomics.wait(gate, 0, 0, 10);
  }
}
