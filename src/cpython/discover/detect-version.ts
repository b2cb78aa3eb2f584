// Which CPython a process runs. Sources in order of trust: the Py_Version constant (3.11+, read
// from the file because cores may lack .rodata), the _Py_DebugOffsets header at _PyRuntime (3.13+),
// the PY_VERSION string in .rodata, and last the file name.
import { basename } from 'node:path';
import { ExitCode, PyscopeError } from '../../common/errors.js';
import type { MemorySource } from '../../memory/source.js';
import type { InterpreterImage } from './find-interpreter.js';

export interface PythonVersion {
  major: number;
  minor: number;
  micro: number;
  /** "final", "alpha", "beta", "candidate", or "" when unknown. */
  level: string;
  serial: number;
  /** Where the version came from, for `pyscope doctor`. */
  source: string;
}

const LEVELS: Record<number, string> = { 0xa: 'alpha', 0xb: 'beta', 0xc: 'candidate', 0xf: 'final' };

export function fromHex(hex: number, source: string): PythonVersion {
  return {
    major: (hex >>> 24) & 0xff,
    minor: (hex >>> 16) & 0xff,
    micro: (hex >>> 8) & 0xff,
    level: LEVELS[(hex >>> 4) & 0xf] ?? '',
    serial: hex & 0xf,
    source,
  };
}

export function formatVersion(v: PythonVersion): string {
  const suffix = v.level === 'alpha' ? `a${v.serial}` : v.level === 'beta' ? `b${v.serial}` : v.level === 'candidate' ? `rc${v.serial}` : '';
  return `${v.major}.${v.minor}.${v.micro}${suffix}`;
}

export const DEBUG_COOKIE = 'xdebugpy';

function plausible(v: PythonVersion): boolean {
  return (v.major === 2 && v.minor === 7) || (v.major === 3 && v.minor <= 40);
}

export function detectVersion(image: InterpreterImage, memory: MemorySource | undefined): PythonVersion {
  const { elf, symbols } = image;
  if (symbols.pyVersionFileAddress !== undefined) {
    const b = elf.readVirtual(symbols.pyVersionFileAddress, 4);
    let hex = b?.readUInt32LE(0);
    if (hex === undefined && memory && symbols.pyVersion !== undefined) {
      try {
        hex = memory.read(symbols.pyVersion, 4).readUInt32LE(0);
      } catch {
        hex = undefined;
      }
    }
    if (hex !== undefined) {
      const v = fromHex(hex, 'Py_Version');
      if (plausible(v)) return v;
    }
  }
  if (symbols.runtime !== undefined) {
    const fromDebug = debugOffsetsVersion(image, memory);
    if (fromDebug) return fromDebug;
  }
  const fromName = /python(\d)\.(\d+)/.exec(basename(image.path));
  const fromString = versionString(image, fromName ? `${fromName[1]}.${fromName[2]}` : undefined);
  if (fromString) return fromString;
  if (fromName) {
    return { major: Number(fromName[1]), minor: Number(fromName[2]), micro: 0, level: '', serial: 0, source: 'file name' };
  }
  throw new PyscopeError(`cannot tell which Python version ${basename(image.path)} is`, ExitCode.unsupportedVersion);
}

function debugOffsetsVersion(image: InterpreterImage, memory: MemorySource | undefined): PythonVersion | undefined {
  let head: Buffer | undefined;
  const sec = image.elf.section('.PyRuntime');
  if (sec) head = image.elf.readVirtual(sec.addr, 16);
  if ((!head || head.toString('latin1', 0, 8) !== DEBUG_COOKIE) && memory && image.symbols.runtime !== undefined) {
    try {
      head = memory.read(image.symbols.runtime, 16);
    } catch {
      head = undefined;
    }
  }
  if (!head || head.toString('latin1', 0, 8) !== DEBUG_COOKIE) return undefined;
  const v = fromHex(Number(head.readBigUInt64LE(8) & 0xffffffffn), '_Py_DebugOffsets.version');
  return plausible(v) ? v : undefined;
}

/** The PY_VERSION literal ("3.6.15") in .rodata, preferring one that matches the file name. */
function versionString(image: InterpreterImage, want: string | undefined): PythonVersion | undefined {
  const ro = image.elf.section('.rodata');
  if (!ro || ro.size > 64 << 20) return undefined;
  let data: Buffer;
  try {
    data = image.elf.readAt(ro.offset, ro.size, '.rodata');
  } catch {
    return undefined;
  }
  const text = data.toString('latin1');
  // The linker merges string tails, so PY_VERSION may be the end of a longer string such as a
  // build path (".../Python-3.10.13"): accept any non-version character before it.
  const re = /[^0-9.]((2|3)\.(\d{1,2})\.(\d{1,2}))(?:(a|b|rc)(\d+))?\+?\0/g;
  let best: PythonVersion | undefined;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const v: PythonVersion = {
      major: Number(m[2]),
      minor: Number(m[3]),
      micro: Number(m[4]),
      level: m[5] === 'a' ? 'alpha' : m[5] === 'b' ? 'beta' : m[5] === 'rc' ? 'candidate' : 'final',
      serial: m[6] ? Number(m[6]) : 0,
      source: 'PY_VERSION string in .rodata',
    };
    if (!plausible(v)) continue;
    if (want === undefined || `${v.major}.${v.minor}` === want) return v;
    best ??= v;
  }
  return want === undefined ? best : undefined;
}
