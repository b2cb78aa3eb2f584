// The interpreter matrix every integration test runs over.
// It finds interpreters itself (pyenv, Debian's, the sid builds and Debian 12's 32-bit i386 3.11 that
// scripts/install-pythons.sh unpacks into .pythons/) and accepts an explicit list in PYSCOPE_PYTHONS (paths separated by ':' or ',').
// An expected interpreter that is absent is still listed, with `missing` set, so tests can skip it
// saying so (off CI; in CI a missing interpreter of the matrix fails the run, see requirements.ts).
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { optional, requireThat, type SkipOption } from './requirements.js';

export interface Python {
  /** Short label used in test names, e.g. "pyenv-3.12.1", "debian-3.11", "sid-3.14", "sid-dbg-3.14" (a debug build). */
  label: string;
  /** Command that runs this interpreter (may be a wrapper script). */
  path: string;
  /** [major, minor, micro], probed by running the interpreter; the expected one (micro 0) when missing. */
  version: [number, number, number];
  /** Its pointer size in bits, probed (the expected one when missing): 32 for the i386 build, read from a 64-bit pyscope. */
  pointerBits: 32 | 64;
  /** Why it cannot be used, when it cannot. */
  missing?: string;
}

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SID_DIR = join(REPO_ROOT, '.pythons');

const PYENV_VERSIONS = ['2.7.18', '3.6.15', '3.7.16', '3.8.18', '3.9.18', '3.10.13', '3.11.7', '3.12.1', '3.13.0'];
const SID_VERSIONS = ['3.13', '3.14', '3.15'];
/**
 * Debug builds (Py_DEBUG), which lay some objects out otherwise: Debian 12's python3.11d (on the
 * machine's libc and /usr's standard library) and sid's python3.14d (through its own loader), both
 * unpacked by scripts/install-pythons.sh.
 */
const DEBUG_BUILDS = [
  { label: 'debian-dbg-3.11', wrapper: 'python3.11d', pkg: "Debian 12's python3.11-dbg" },
  { label: 'sid-dbg-3.14', wrapper: 'python3.14d', pkg: "sid's python3.14-dbg" },
];
/** Debian 12's i386 python3.11 (scripts/install-python-i386.sh): a 32-bit target. */
const I386_WRAPPER = 'python3.11-i386';

function pyenvRoot(): string {
  return process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
}

function probe(path: string): { version: [number, number, number]; pointerBits: 32 | 64 } | undefined {
  try {
    const out = execFileSync(path, ['-c', 'import sys, struct; print("%d %d %d %d" % (sys.version_info[:3] + (8 * struct.calcsize("P"),)))'], {
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [a, b, c, bits] = out.trim().split(' ').map(Number);
    if (a === undefined || b === undefined || c === undefined) return undefined;
    return { version: [a, b, c], pointerBits: bits === 32 ? 32 : 64 };
  } catch {
    return undefined;
  }
}

function candidate(label: string, path: string, absentWhy: string, expectedBits: 32 | 64 = 64): Python {
  const m = /(\d+)\.(\d+)/.exec(label);
  const expected: [number, number, number] = m ? [Number(m[1]), Number(m[2]), 0] : [0, 0, 0];
  if (!existsSync(path)) return { label, path, version: expected, pointerBits: expectedBits, missing: absentWhy };
  const v = probe(path);
  if (!v) return { label, path, version: expected, pointerBits: expectedBits, missing: `${path} does not run` };
  return { label, path, version: v.version, pointerBits: v.pointerBits };
}

let cached: Python[] | undefined;

/** Every interpreter of the matrix, present or not, in version order. */
export function pythons(): Python[] {
  if (cached) return cached;
  const explicit = process.env.PYSCOPE_PYTHONS;
  if (explicit) {
    cached = explicit
      .split(/[:,]/)
      .filter(Boolean)
      .map((p) => {
        const py = candidate(p, p, `${p} (from PYSCOPE_PYTHONS) does not exist`);
        if (!py.missing) py.label = `${labelFor(p)}-${py.version.join('.')}${py.pointerBits === 32 ? '-i386' : ''}`;
        return py;
      });
    return cached;
  }
  const list: Python[] = [];
  for (const v of PYENV_VERSIONS) {
    const dir = join(pyenvRoot(), 'versions', v);
    list.push(candidate(`pyenv-${v}`, join(dir, 'bin', 'python'), `pyenv ${v} is not installed (${dir})`));
  }
  list.push(candidate('debian-3.11', '/usr/bin/python3.11', 'Debian python3.11 is not installed'));
  list.push(candidate('debian-3.11-i386', join(SID_DIR, 'bin', I386_WRAPPER), `Debian 12's i386 python3.11 is absent: run scripts/install-pythons.sh`, 32));
  for (const v of SID_VERSIONS) {
    list.push(candidate(`sid-${v}`, join(SID_DIR, 'bin', `python${v}`), `sid python${v} is absent: run scripts/install-pythons.sh`));
  }
  for (const d of DEBUG_BUILDS) {
    list.push(candidate(d.label, join(SID_DIR, 'bin', d.wrapper), `${d.pkg} is absent: run scripts/install-pythons.sh`));
  }
  cached = list;
  return list;
}

function labelFor(path: string): string {
  const debug = DEBUG_BUILDS.find((d) => path === join(SID_DIR, 'bin', d.wrapper));
  if (debug) return debug.label.replace(/-[\d.]*$/, '');
  if (path.includes('.pyenv')) return 'pyenv';
  if (path.endsWith(I386_WRAPPER)) return 'debian';
  if (path.startsWith(SID_DIR)) return 'sid';
  if (path.startsWith('/usr/bin')) return 'debian';
  return 'python';
}

/** Interpreters at or above a version (e.g. [3, 8] for the debugger). */
export function pythonsFrom(major: number, minor: number): Python[] {
  return pythons().filter((p) => p.version[0] > major || (p.version[0] === major && p.version[1] >= minor));
}

/** Options for node:test that skip an absent interpreter saying why (off CI), or fail the run (CI). */
export function skipIfMissing(p: Python): SkipOption {
  return requireThat(p.missing === undefined, p.missing ?? '');
}

/**
 * node:test options of a test that needs some interpreter of the matrix (`present` says whether
 * one was found): a run narrowed on purpose with PYSCOPE_PYTHONS skips it, otherwise a missing
 * one is missing from the matrix (skipped off CI, a failure in CI).
 */
export function requirePython(present: boolean, what: string): SkipOption {
  if (process.env.PYSCOPE_PYTHONS) return optional('narrowed', present, what);
  return requireThat(present, what);
}

/**
 * Whether pyscope reads this interpreter's native stacks: not a 32-bit one, whose registers and
 * stack frames the x86-64 unwinder does not know (pyscope refuses --native there, in one line).
 * Tests of native frames and of gdb's native truth leave such interpreters out, saying so.
 */
export function hasNativeStacks(p: Python): boolean {
  return p.pointerBits === 64;
}
