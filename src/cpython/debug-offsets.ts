// _Py_DebugOffsets (3.13+): the interpreter publishes its own struct offsets at the start of
// _PyRuntime. Reading them from the target is what lets a new CPython minor version work without
// a pyscope release: only the list of fields of the header itself is declared per version.
import { ExitCode, PyscopeError } from '../common/errors.js';
import { LP64, type Abi, type StructLayout } from '../layout/index.js';
import { debugOffsetsSet, laidOut } from './declaration-sets.js';
import type { MemorySource } from '../memory/source.js';
import { DEBUG_COOKIE, fromHex, formatVersion, type PythonVersion } from './discover/detect-version.js';

export interface DebugOffsets {
  /** Which declared header layout was used ("3.14"); newer targets use the newest known. */
  layoutVersion: string;
  freeThreaded: boolean;
  has(path: string): boolean;
  /** The offset (or size) the target published for "group.field", e.g. "thread_state.next". */
  get(path: string): number;
  /** Every "group.field" of the declared header. */
  fields(): string[];
}

/** Offsets beyond this are not plausible for any CPython struct: the header is corrupt. */
const MAX_PLAUSIBLE = 1 << 20;

function headerLayout(layout: DebugOffsetsLayout, abi: Abi): StructLayout {
  return laidOut(debugOffsetsSet(layout, abi)).struct('_Py_DebugOffsets');
}

/** Which declared header reads a target's table (version-traits.ts chooses it). */
export interface DebugOffsetsLayout {
  layout: string;
  declarations: string;
}

export function readDebugOffsets(memory: MemorySource, runtime: number, version: PythonVersion, header: DebugOffsetsLayout, abi: Abi = LP64): DebugOffsets {
  const key = header.layout;
  const layout = headerLayout(header, abi);
  const raw = memory.read(runtime, layout.size);
  const cookie = raw.toString('latin1', 0, 8);
  if (cookie !== DEBUG_COOKIE) {
    throw new PyscopeError(`_PyRuntime does not start with the "${DEBUG_COOKIE}" cookie (found ${JSON.stringify(cookie)}): not a ${formatVersion(version)} runtime`, ExitCode.unsupportedVersion);
  }
  const published = fromHex(Number(raw.readBigUInt64LE(layout.offset('version')) & 0xffffffffn), 'debug offsets');
  if (published.major !== version.major || published.minor !== version.minor) {
    throw new PyscopeError(
      `_Py_DebugOffsets says ${formatVersion(published)} but the binary says ${formatVersion(version)}`,
      ExitCode.unsupportedVersion,
    );
  }
  const freeThreaded = layout.has('free_threaded') && raw.readBigUInt64LE(layout.offset('free_threaded')) !== 0n;
  if (freeThreaded) {
    throw new PyscopeError(`free-threaded (no-GIL) builds of Python ${formatVersion(version)} are not supported yet`, ExitCode.unsupportedVersion);
  }
  const get = (path: string): number => {
    if (!layout.has(path)) throw new PyscopeError(`_Py_DebugOffsets ${key} has no field ${path}`, ExitCode.unsupportedVersion);
    const value = raw.readBigUInt64LE(layout.offset(path));
    if (value > BigInt(MAX_PLAUSIBLE)) {
      throw new PyscopeError(`_Py_DebugOffsets field ${path} = ${value} is implausible: memory is corrupt`, ExitCode.unreadableMemory);
    }
    return Number(value);
  };
  return { layoutVersion: key, freeThreaded, has: (p) => layout.has(p), get, fields: () => layout.paths().filter((p) => p.includes('.')) };
}
