// _Py_DebugOffsets (3.13+): the interpreter publishes its own struct offsets at the start of
// _PyRuntime. Reading them from the target is what lets a new CPython minor version work without
// a pyscope release: only the list of fields of the header itself is declared per version.
import { ExitCode, PyscopeError } from '../common/errors.js';
import { declare, LP64, type StructLayout } from '../layout/index.js';
import type { MemorySource } from '../memory/source.js';
import { DEBUG_COOKIE, fromHex, formatVersion, type PythonVersion } from './discover/detect-version.js';
import { DEBUG_OFFSETS_DECLARATIONS } from './versions/debug-offsets.js';

export interface DebugOffsets {
  /** Which declared header layout was used ("3.14"); newer targets use the newest known. */
  layoutVersion: string;
  freeThreaded: boolean;
  has(path: string): boolean;
  /** The offset (or size) the target published for "group.field", e.g. "thread_state.next". */
  get(path: string): number;
}

/** Offsets beyond this are not plausible for any CPython struct: the header is corrupt. */
const MAX_PLAUSIBLE = 1 << 20;

const layouts = new Map<string, StructLayout>();

function headerLayout(key: string): StructLayout {
  let l = layouts.get(key);
  if (!l) {
    const text = DEBUG_OFFSETS_DECLARATIONS[key];
    if (text === undefined) throw new PyscopeError(`no _Py_DebugOffsets declaration for ${key}`, ExitCode.unsupportedVersion);
    l = declare(text, LP64, `_Py_DebugOffsets ${key}`).struct('_Py_DebugOffsets');
    layouts.set(key, l);
  }
  return l;
}

export function layoutKeyFor(v: PythonVersion): string {
  const known = Object.keys(DEBUG_OFFSETS_DECLARATIONS).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  const exact = `${v.major}.${v.minor}`;
  if (known.includes(exact)) return exact;
  const newest = known[known.length - 1];
  if (newest === undefined) throw new PyscopeError('no _Py_DebugOffsets declarations', ExitCode.unsupportedVersion);
  return newest;
}

export function readDebugOffsets(memory: MemorySource, runtime: number, version: PythonVersion): DebugOffsets {
  const key = layoutKeyFor(version);
  const layout = headerLayout(key);
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
  return { layoutVersion: key, freeThreaded, has: (p) => layout.has(p), get };
}
