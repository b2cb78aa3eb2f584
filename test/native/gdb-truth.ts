// gdb's frames of every thread of a core, as the truth native unwinding is held against, and the
// comparison: gdb's frames grouped into the frames that are on the stack (a normal frame and the
// inline frames gdb shows inside it), tail-call frames set aside (gdb infers them from DWARF call
// sites; they have no frame on the stack to unwind).
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO_ROOT } from '../support/pythons.js';
import { scaled } from '../support/timeouts.js';
import type { NativeFrame } from '../../src/native/unwind.js';

export interface GdbFrame {
  kind: string;
  pc: number;
  name: string | null;
  lib: string | null;
  file?: string;
  line?: number;
}

const SCRIPT = join(REPO_ROOT, 'test', 'fixtures', 'native', 'gdb_frames.py');

/** gdb's frames of every thread of `core`, by thread id. */
export function gdbFrames(exe: string, core: string): Promise<Map<number, GdbFrame[]>> {
  return new Promise((resolve, reject) => {
    execFile('gdb', ['-batch', '-nx', '-ex', 'set debuginfod enabled off', '-ex', 'set backtrace past-main on', '-ex', `source ${SCRIPT}`, exe, core], { encoding: 'utf8', timeout: scaled(300_000), maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('GDB-FRAMES '));
      if (!line) return reject(new Error(`gdb gave no frames (${error?.message ?? 'no error'}): ${stderr.slice(-800)}`));
      const raw = JSON.parse(line.slice('GDB-FRAMES '.length)) as Record<string, GdbFrame[]>;
      resolve(new Map(Object.entries(raw).map(([k, v]) => [Number(k), v])));
    });
  });
}

export interface PhysicalFrame {
  /** normal, or sigtramp for a signal trampoline. */
  kind: string;
  pc: number;
  /** The function the pc is in, as gdb names it (the outermost of its inline chain), or null ("??"). */
  name: string | null;
  lib: string | null;
  inlined: string[];
  /** The source line gdb gives the innermost frame at this pc (an inlined one, if any). */
  file?: string;
  line?: number;
}

/** gdb's frames that stand for stack frames, and the names of the tail-call frames it added. */
export function physicalFrames(frames: readonly GdbFrame[]): { frames: PhysicalFrame[]; tailcalls: string[] } {
  const out: PhysicalFrame[] = [];
  const tailcalls: string[] = [];
  let inlined: string[] = [];
  let innermost: GdbFrame | undefined;
  for (const f of frames) {
    if (f.kind !== 'tailcall') innermost ??= f;
    if (f.kind === 'inline') inlined.push(f.name ?? '??');
    else if (f.kind === 'tailcall') tailcalls.push(f.name ?? '??');
    else {
      const where = innermost?.line !== undefined ? { file: innermost.file, line: innermost.line } : {};
      out.push({ kind: f.kind, pc: f.pc, name: f.name, lib: f.lib, inlined, ...where });
      inlined = [];
      innermost = undefined;
    }
  }
  return { frames: out, tailcalls };
}

/** A symbol without the suffixes gcc gives the clones it makes (.part.0, .constprop.0, .isra.0, .cold). */
export function cloneBase(name: string): string {
  return name.replace(/(\.(part|constprop|isra|cold|lto_priv)(\.\d+)?)+$/, '');
}

/** Whether our frame names the same function as gdb's frame (an alias at the same address counts). */
export function sameFunction(ours: NativeFrame, gdb: PhysicalFrame): boolean {
  if (gdb.name === null) return true; // gdb has no name; the module is compared instead
  const names = [ours.symbol, ...(ours.aliases ?? [])].filter((x): x is string => x !== undefined).map(cloneBase);
  return names.includes(cloneBase(gdb.name));
}

/** Same library: gdb names it as the loader's list does (libffi.so.8), a core by the file mapped (libffi.so.8.1.2). */
export function sameModule(ours: NativeFrame, gdb: PhysicalFrame): boolean {
  return gdb.lib === null || (ours.module !== undefined && real(ours.module) === real(gdb.lib));
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Same source line as gdb's innermost frame at that pc, where both have one. */
export function sameLine(ours: NativeFrame, gdb: PhysicalFrame): boolean {
  if (gdb.line === undefined || ours.line === undefined) return true;
  return ours.line === gdb.line && basename(ours.file ?? '') === basename(gdb.file ?? '');
}

export function describeFrames(ours: readonly NativeFrame[], gdb: readonly PhysicalFrame[]): string {
  const n = Math.max(ours.length, gdb.length);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const o = ours[i];
    const g = gdb[i];
    const left = o ? `0x${o.pc.toString(16)} ${o.symbol ?? '??'}${o.beyondSymbol ? '?' : ''} (${o.module ? basename(o.module) : '-'}) ${o.file ? `${basename(o.file)}:${o.line}` : ''} [${o.how}]` : '-';
    const right = g ? `0x${g.pc.toString(16)} ${g.name ?? '??'} (${g.lib ? basename(g.lib) : 'exe'}) ${g.file ? `${basename(g.file)}:${g.line}` : ''}${g.inlined.length ? ' inlining ' + g.inlined.join(', ') : ''}` : '-';
    lines.push(`  #${i} ${left.padEnd(100)} | ${right}`);
  }
  return lines.join('\n');
}
