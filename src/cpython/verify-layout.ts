// `doctor --verify-layout`: finds the DWARF describing an opened interpreter (in its own file, or
// in a separate debug file found by build-id or .gnu_debuglink) and holds pyscope's declarations
// for its version against it, and on 3.13+ against the target's own _Py_DebugOffsets.
import { dirname, join } from 'node:path';
import type { Declarations } from '../layout/index.js';
import { declare, LP64 } from '../layout/index.js';
import type { ElfFile } from '../elf/index.js';
import { DEBUG_ROOT, DwarfTypes, openDebugFile } from '../native/index.js';
import { formatVersion } from './discover/detect-version.js';
import { checkAgainstDebugOffsets, checkAgainstDwarf, type LayoutCheck, type LayoutMismatch } from './layout-check.js';
import type { OpenedPython } from './process.js';
import { declarationsFor } from './version-switch.js';
import { traitsFor } from './version-traits.js';

export interface VerifyLayoutOptions {
  /** Folders searched for separate debug files before the usual ones (like gdb's debug-file-directory). */
  debugDirs?: readonly string[];
  /** The declarations to check, instead of pyscope's own for the version (a test breaks one on purpose). */
  declarations?: Declarations;
}

export interface VerifyLayoutReport {
  /** The file whose DWARF was read, or undefined when none was found. */
  dwarfFile?: string;
  /** Why no DWARF was read, with what would give it. */
  noDwarf?: string;
  dwarf?: LayoutCheck;
  /** 3.13+: the declarations against the target's _Py_DebugOffsets. */
  debugOffsets?: LayoutCheck;
  mismatches: LayoutMismatch[];
  checked: number;
}

/**
 * Where separate debug files may be: the folders asked for, the debug folder of the root a file
 * was unpacked into (R/usr/lib/debug for R/usr/bin/python3.X: a distribution's packages unpacked
 * anywhere, as dpkg -x does), and the system's.
 */
function debugRoots(path: string, asked: readonly string[]): string[] {
  const roots = [...asked];
  const usr = path.lastIndexOf('/usr/');
  if (usr > 0) roots.push(join(path.slice(0, usr), 'usr', 'lib', 'debug'));
  roots.push(DEBUG_ROOT);
  return [...new Set(roots)];
}

function dwarfOf(elf: ElfFile, roots: readonly string[]): { types: DwarfTypes; file: string } | undefined {
  const own = DwarfTypes.read(elf);
  if (own) return { types: own, file: elf.path };
  for (const root of roots) {
    const debug = openDebugFile(elf, root);
    if (!debug) continue;
    try {
      const types = DwarfTypes.read(debug);
      if (types) return { types, file: debug.path };
    } finally {
      debug.close();
    }
  }
  return undefined;
}

export function verifyLayout(py: OpenedPython, o: VerifyLayoutOptions = {}): VerifyLayoutReport {
  const traits = traitsFor(py.version);
  const v = `${py.version.major}.${py.version.minor}`;
  const key = traits?.key ?? v;
  const decls = o.declarations ?? declarationsFor(key);
  const report: VerifyLayoutReport = { mismatches: [], checked: 0 };
  const elf = py.image.elf;
  const roots = debugRoots(py.image.path, o.debugDirs ?? []);
  const found = dwarfOf(elf, roots);
  if (found) {
    report.dwarfFile = found.file;
    // Every declared struct the bindings are made from; on 3.13+ also the header of the table
    // most offsets are then read from.
    const header = traits?.debugOffsets;
    let check = checkAgainstDwarf(decls, found.types);
    if (header) {
      const h = checkAgainstDwarf(declare(header.declarations, LP64, `_Py_DebugOffsets ${header.layout}`), found.types);
      check = { checked: check.checked + h.checked, mismatches: [...check.mismatches, ...h.mismatches] };
    }
    report.dwarf = check;
  } else {
    const id = elf.buildId();
    report.noDwarf =
      `no debug information for ${py.image.path}: it has no .debug_info and no separate debug file was found` +
      `${id ? ` by build-id ${id}` : ''} under ${roots.join(', ')}; ` +
      `Debian and Ubuntu ship it in python${v}-dbg (Fedora: python${v}-debuginfo), or give --debug-dir DIR`;
  }
  const published = py.bindingsSource.debugOffsets;
  if (published) report.debugOffsets = checkAgainstDebugOffsets(decls, published);
  for (const c of [report.dwarf, report.debugOffsets]) {
    if (!c) continue;
    report.mismatches.push(...c.mismatches);
    report.checked += c.checked;
  }
  return report;
}

/** The report as lines for the terminal. */
export function formatVerifyReport(py: OpenedPython, r: VerifyLayoutReport): string {
  const lines: string[] = [];
  lines.push(`Python ${formatVersion(py.version)} in ${py.image.path}`);
  if (r.dwarfFile) lines.push(`DWARF: ${r.dwarfFile}${r.dwarfFile === py.image.path ? '' : ` (separate debug file, in ${dirname(r.dwarfFile)})`}: ${r.dwarf?.checked ?? 0} fields compared`);
  if (r.noDwarf) lines.push(r.noDwarf);
  if (r.debugOffsets) lines.push(`_Py_DebugOffsets of the target: ${r.debugOffsets.checked} fields compared`);
  for (const m of r.mismatches) lines.push(`mismatch: ${m.struct}.${m.field}: ours ${m.ours}, theirs ${m.theirs}`);
  if (r.checked > 0 && r.mismatches.length === 0) lines.push(r.dwarf ? `layout verified: ${r.checked} fields` : `layout verified against _Py_DebugOffsets only: ${r.checked} fields`);
  else if (r.checked === 0 && r.mismatches.length === 0) lines.push('layout not verified: nothing to compare with');
  return lines.join('\n') + '\n';
}
