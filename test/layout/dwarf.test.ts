// The truth test: every field of every struct declared for a CPython version, laid out by the
// engine, against the DWARF of that version's libpython as gdb prints it (`ptype /o`); the debug
// builds (Py_DEBUG) too, whose DWARF is in their binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { declare, I386, LP64, type Declarations } from '../../src/layout/index.js';
import { ElfFile } from '../../src/elf/index.js';
import { I386_ABI } from '../../src/cpython/discover/target-abi.js';
import { pythons, SID_DIR, skipIfMissing, type Python } from '../support/pythons.js';
import { firstSkip, requireThat, requireTool, skipOrFail } from '../support/requirements.js';
import { scaled } from '../support/timeouts.js';
import { findMember, memberNames, parsePtype, splitOutputs, type GdbMember, type GdbType } from './gdb-ptype.js';
import { TRAITS } from '../../src/cpython/version-traits.js';

/** Each version's declarations as transcribed, before the model's extras. */
const DECLARATIONS: Record<string, string> = Object.fromEntries(Object.entries(TRAITS).map(([k, t]) => [k, t.structs]));
/** The _Py_DebugOffsets header each 3.13+ version is read with. */
const DEBUG_OFFSETS_DECLARATIONS: Record<string, string> = Object.fromEntries(Object.entries(TRAITS).flatMap(([k, t]) => (t.debugOffsets ? [[k, t.debugOffsets.declarations]] : [])));

const hasGdb = spawnSync('gdb', ['--version']).status === 0;
const gdbSkip = (): { skip: string | false } => requireTool('gdb', hasGdb);
const MARK = '@@@pyscope-ptype ';

/**
 * The file with the DWARF of an interpreter of the matrix: pyenv's shared libpython, or the
 * binary of a debug build (statically linked, not stripped) that install-pythons.sh unpacked.
 */
function libpython(p: Python): string | undefined {
  if (isDebugBuild(p)) {
    const v = `${p.version[0]}.${p.version[1]}`;
    const bin = join(SID_DIR, 'dbg', `root-${v}`, 'usr', 'bin', `python${v}d`);
    return existsSync(bin) ? bin : undefined;
  }
  const lib = join(dirname(dirname(p.path)), 'lib');
  if (!existsSync(lib)) return undefined;
  const name = readdirSync(lib).find((f) => /^libpython\d\.\d+m?\.so\.1\.0$/.test(f));
  return name ? join(lib, name) : undefined;
}

function isDebugBuild(p: Python): boolean {
  return p.label.includes('-dbg-');
}

/** Interpreters whose DWARF is at hand: pyenv's builds and the debug builds. */
function withDwarf(p: Python): boolean {
  return p.label.startsWith('pyenv-') || isDebugBuild(p);
}

/** One gdb run for many types: DWARF loading dominates, so never one run per type. */
function ptypeAll(lib: string, typeNames: readonly string[]): Map<string, GdbType | undefined> {
  const args = ['-batch', '-nx', '-ex', 'set max-value-size unlimited', '-ex', 'set width 0'];
  for (const t of typeNames) args.push('-ex', `echo ${MARK}${t}\\n`, '-ex', `ptype /o ${t}`);
  const out = execFileSync('gdb', [...args, lib], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'], timeout: scaled(300_000) });
  const parts = splitOutputs(out, MARK);
  return new Map(typeNames.map((t) => [t, parsePtype(parts.get(t) ?? '')]));
}

type Resolved = { member: GdbMember; base: number } | { need: string } | { missing: string };

/** Walks a member path through gdb's tree, asking for a typedef'd member's type when needed. */
function resolve(type: GdbType, path: string, types: Map<string, GdbType | undefined>): Resolved {
  let members = type.members;
  let base = 0;
  const segments = path.split('.');
  for (let i = 0; i < segments.length; i++) {
    const m = findMember(members, segments[i]!);
    if (!m) return { missing: segments.slice(0, i + 1).join('.') };
    if (i === segments.length - 1) return { member: m, base };
    if (m.children) {
      members = m.children; // offsets of expanded members are already from the outermost type
      continue;
    }
    if (!types.has(m.typeText)) return { need: m.typeText };
    const inner = types.get(m.typeText);
    if (!inner) return { missing: `${segments.slice(0, i + 1).join('.')} (gdb cannot expand '${m.typeText}')` };
    base += m.offset;
    members = inner.members;
  }
  return { missing: path };
}

function verify(decls: Declarations, lib: string): { mismatches: string[]; report: string[] } {
  const names = decls.structNames();
  const types = ptypeAll(lib, names);
  const mismatches: string[] = [];
  const report: string[] = [];
  let pending = names.flatMap((n) => decls.struct(n).paths().map((p) => [n, p] as const));
  const verified = new Map<string, number>();
  for (let round = 0; round < 4 && pending.length; round++) {
    const needs = new Set<string>();
    const retry: (readonly [string, string])[] = [];
    for (const [name, path] of pending) {
      const gdbType = types.get(name);
      if (!gdbType) continue;
      const r = resolve(gdbType, path, types);
      if ('need' in r) {
        needs.add(r.need);
        retry.push([name, path]);
        continue;
      }
      if ('missing' in r) {
        mismatches.push(`${name}.${path}: not in DWARF (${r.missing})`);
        continue;
      }
      const f = decls.struct(name).field(path);
      const gdbOffset = r.base + r.member.offset;
      if (f.bitWidth !== undefined) {
        const bit = f.offset * 8 + (f.bitOffset ?? 0);
        const gdbBit = r.base * 8 + (r.member.bitPos ?? r.member.offset * 8);
        if (bit !== gdbBit) mismatches.push(`${name}.${path}: bit ${bit}, DWARF says ${gdbBit}`);
      } else if (f.offset !== gdbOffset) {
        mismatches.push(`${name}.${path}: offset ${f.offset}, DWARF says ${gdbOffset}`);
      }
      if (f.size !== r.member.size) mismatches.push(`${name}.${path}: size ${f.size}, DWARF says ${r.member.size}`);
      verified.set(name, (verified.get(name) ?? 0) + 1);
    }
    if (needs.size) for (const [t, v] of ptypeAll(lib, [...needs])) types.set(t, v);
    pending = retry;
  }
  for (const [name, path] of pending) mismatches.push(`${name}.${path}: could not be resolved in DWARF`);
  for (const name of names) {
    const gdbType = types.get(name);
    if (!gdbType) {
      mismatches.push(`${name}: gdb does not know this type`);
      continue;
    }
    // Declared members must be the DWARF's first members, in order, none skipped; a struct that
    // declares all of them must also have the DWARF's size. A union may leave members out (glibc's
    // pthread unions keep only their size and alignment) but never its size.
    const s = decls.struct(name);
    const ours = s.fields.map((f) => f.name);
    const theirs = memberNames(gdbType.members);
    let truncated = false;
    if (gdbType.isUnion) {
      const extra = ours.filter((n) => !theirs.includes(n));
      if (extra.length) mismatches.push(`${name}: members [${extra}] are not in DWARF's [${theirs}]`);
    } else {
      if (ours.join(',') !== theirs.slice(0, ours.length).join(',')) mismatches.push(`${name}: members [${ours}] are not a prefix of DWARF's [${theirs}]`);
      truncated = ours.length < theirs.length;
    }
    if (!truncated && s.size !== gdbType.size) mismatches.push(`${name}: size ${s.size}, DWARF says ${gdbType.size}`);
    report.push(`${name}${truncated ? ` (truncated at ${ours.length}/${theirs.length} members)` : ` (${s.size} bytes)`}: ${verified.get(name) ?? 0} fields`);
  }
  return { mismatches, report };
}

for (const p of pythons().filter(withDwarf)) {
  const key = `${p.version[0]}.${p.version[1]}`;
  const skip = firstSkip(skipIfMissing(p), gdbSkip(), requireThat(DECLARATIONS[key] !== undefined, `no declarations for ${key}`));
  test(`declarations for ${key} match the DWARF of ${p.label}`, skip, (t) => {
    const lib = libpython(p);
    if (!lib) return skipOrFail(t, `no shared libpython (or debug build binary) for ${p.label}`);
    const decls = declare(DECLARATIONS[key]!, LP64, `CPython ${key}`);
    const { mismatches, report } = verify(decls, lib);
    for (const line of report) t.diagnostic(line);
    assert.deepEqual(mismatches, []);
  });
}

for (const p of pythons().filter((x) => withDwarf(x) && DEBUG_OFFSETS_DECLARATIONS[`${x.version[0]}.${x.version[1]}`])) {
  const key = `${p.version[0]}.${p.version[1]}`;
  test(`_Py_DebugOffsets for ${key} matches the DWARF of ${p.label}`, firstSkip(skipIfMissing(p), gdbSkip()), (t) => {
    const lib = libpython(p);
    if (!lib) return skipOrFail(t, `no shared libpython (or debug build binary) for ${p.label}`);
    const decls = declare(DEBUG_OFFSETS_DECLARATIONS[key]!, LP64, `_Py_DebugOffsets ${key}`);
    const { mismatches, report } = verify(decls, lib);
    for (const line of report) t.diagnostic(line);
    assert.deepEqual(mismatches, []);
    assert.ok(report.some((l) => l.startsWith('_Py_DebugOffsets (')), 'the whole table is declared, not truncated');
  });
}

// The model adds declarations of its own on 3.11+ (heap types; on 3.13+ type, code and dict structs
// _Py_DebugOffsets lacks): check the combined text it really lays out, too. Imported lazily so that
// a broken model module fails this test only.
for (const p of pythons().filter((x) => withDwarf(x) && x.version[0] === 3 && x.version[1] >= 11)) {
  const key = `${p.version[0]}.${p.version[1]}`;
  test(`the model's declarations for ${key} (version-switch) match the DWARF of ${p.label}`, firstSkip(skipIfMissing(p), gdbSkip()), async (t) => {
    const lib = libpython(p);
    if (!lib) return skipOrFail(t, `no shared libpython (or debug build binary) for ${p.label}`);
    const { declarationsFor } = await import('../../src/cpython/version-switch.js');
    const { mismatches, report } = verify(declarationsFor(key), lib);
    for (const line of report) t.diagnostic(line);
    assert.deepEqual(mismatches, []);
  });
}

/**
 * The 32-bit interpreter's DWARF: Debian 12's i386 python3.11 is stripped, its separate debug file
 * (from python3.11-dbg, kept by scripts/install-python-i386.sh) found by build-id under its root.
 */
function i386DebugFile(p: Python): string | undefined {
  const root = join(dirname(dirname(realpathSync(p.path))), 'i386');
  const binary = join(root, 'usr', 'bin', `python${p.version[0]}.${p.version[1]}`);
  if (!existsSync(binary)) return undefined;
  const elf = ElfFile.open(binary);
  const id = elf.buildId();
  elf.close();
  if (id === undefined) return undefined;
  const file = join(root, 'usr', 'lib', 'debug', '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`);
  return existsSync(file) ? file : undefined;
}

// ILP32: the same C text laid out for i386 (4-byte pointers and longs, 8-byte types 4-aligned in
// structs) against the DWARF of the 32-bit interpreter of the matrix, both as transcribed and as the
// model lays it out for that target (version-switch with the i386 ABI).
for (const p of pythons().filter((x) => x.pointerBits === 32)) {
  const key = `${p.version[0]}.${p.version[1]}`;
  const skip = firstSkip(skipIfMissing(p), gdbSkip(), requireThat(DECLARATIONS[key] !== undefined, `no declarations for ${key}`));
  test(`declarations for ${key} laid out for i386 (ILP32) match the DWARF of ${p.label}`, skip, async (t) => {
    const debug = i386DebugFile(p);
    if (!debug) return skipOrFail(t, `no separate debug file for ${p.label} (scripts/install-python-i386.sh keeps python3.11-dbg's)`);
    const decls = declare(DECLARATIONS[key]!, I386, `CPython ${key} (i386)`);
    const { mismatches, report } = verify(decls, debug);
    for (const line of report) t.diagnostic(line);
    assert.deepEqual(mismatches, []);
    const { declarationsFor } = await import('../../src/cpython/version-switch.js');
    const model = verify(declarationsFor(key, I386_ABI), debug);
    assert.deepEqual(model.mismatches, []);
    // The point of ILP32: pointers really are 4 bytes there, and the layout is not LP64's.
    assert.equal(decls.sizeof('Py_ssize_t'), 4);
    assert.notEqual(decls.struct('PyTypeObject').size, declare(DECLARATIONS[key]!, LP64).struct('PyTypeObject').size);
  });
}
