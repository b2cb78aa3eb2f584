// The layout self-check behind `doctor --verify-layout`: every member of every struct pyscope
// declares for a version, as its layout engine placed it, held against the target interpreter's
// own description of it: the DWARF of its file (or of the file's separate debug file), and on
// 3.13+ the _Py_DebugOffsets table the target publishes. The field list is the one the test suite
// holds against gdb's `ptype /o` (test/layout/dwarf.test.ts): every declared member path.
import type { Declarations, StructLayout } from '../layout/index.js';
import type { DwarfMember, DwarfRecord, DwarfTypes } from '../native/index.js';
import type { DebugOffsets } from './debug-offsets.js';

export interface LayoutMismatch {
  struct: string;
  /** A member path ("ob_base.ob_size"), or "(size)", "(members)", "(type)" for the struct itself. */
  field: string;
  ours: string;
  theirs: string;
}

export interface LayoutCheck {
  /** Fields compared (offsets and sizes of members; sizes of whole structs are not counted). */
  checked: number;
  mismatches: LayoutMismatch[];
}

interface Found {
  member: DwarfMember;
  /** Offset of the record holding `member` from the start of the outermost struct. */
  base: number;
}

/** A member of `members` by name, looking through anonymous struct and union members. */
function findMember(members: readonly DwarfMember[], name: string, base: number): Found | undefined {
  for (const m of members) {
    if (m.name === name) return { member: m, base };
    if (m.name === undefined && m.record) {
      const inner = findMember(m.record.members, name, base + m.offset);
      if (inner) return inner;
    }
  }
  return undefined;
}

function namesOf(members: readonly DwarfMember[]): string[] {
  return members.flatMap((m) => (m.name === undefined ? (m.record ? namesOf(m.record.members) : []) : [m.name]));
}

function resolvePath(record: DwarfRecord, path: string): Found | string {
  let members = record.members;
  let base = 0;
  const segments = path.split('.');
  for (let i = 0; i < segments.length; i++) {
    const found = findMember(members, segments[i]!, base);
    if (!found) return segments.slice(0, i + 1).join('.');
    if (i === segments.length - 1) return found;
    if (!found.member.record) return segments.slice(0, i + 1).join('.');
    base = found.base + found.member.offset;
    members = found.member.record.members;
  }
  return path;
}

/** Holds every declared struct of `decls` against the DWARF's struct of the same name. */
export function checkAgainstDwarf(decls: Declarations, dwarf: DwarfTypes, only?: readonly string[]): LayoutCheck {
  const mismatches: LayoutMismatch[] = [];
  let checked = 0;
  for (const name of only ?? decls.structNames()) {
    const record = dwarf.record(name);
    if (!record) {
      mismatches.push({ struct: name, field: '(type)', ours: 'declared', theirs: 'not in the DWARF' });
      continue;
    }
    const s = decls.struct(name);
    for (const path of s.paths()) {
      const found = resolvePath(record, path);
      if (typeof found === 'string') {
        mismatches.push({ struct: name, field: path, ours: 'declared', theirs: `no member ${found}` });
        continue;
      }
      checked++;
      const f = s.field(path);
      const m = found.member;
      if (f.bitWidth !== undefined || m.bitSize !== undefined) {
        const ours = f.offset * 8 + (f.bitOffset ?? 0);
        const theirs = found.base * 8 + (m.bitPosition ?? m.offset * 8);
        if (ours !== theirs || f.bitWidth !== m.bitSize) mismatches.push({ struct: name, field: path, ours: `bit ${ours}, width ${f.bitWidth ?? '-'}`, theirs: `bit ${theirs}, width ${m.bitSize ?? '-'}` });
      } else if (f.offset !== found.base + m.offset) {
        mismatches.push({ struct: name, field: path, ours: `offset ${f.offset}`, theirs: `offset ${found.base + m.offset}` });
      }
      if (f.size !== m.size) mismatches.push({ struct: name, field: path, ours: `size ${f.size}`, theirs: `size ${m.size}` });
    }
    // The declared members must be the first ones, in order, none skipped; a struct that declares
    // them all must have the same size. A union may leave members out but not change its size.
    const ours = s.fields.map((f) => f.name);
    const theirs = namesOf(record.members);
    let truncated = false;
    if (record.isUnion) {
      const extra = ours.filter((n) => !theirs.includes(n));
      if (extra.length) mismatches.push({ struct: name, field: '(members)', ours: extra.join(', '), theirs: theirs.join(', ') });
    } else {
      if (ours.join(',') !== theirs.slice(0, ours.length).join(',')) mismatches.push({ struct: name, field: '(members)', ours: ours.join(', '), theirs: theirs.slice(0, ours.length).join(', ') });
      truncated = ours.length < theirs.length;
    }
    if (!truncated && s.size !== record.size) mismatches.push({ struct: name, field: '(size)', ours: String(s.size), theirs: String(record.size) });
  }
  return { checked, mismatches };
}

/** Which declared struct each group of _Py_DebugOffsets describes. */
const GROUPS: Readonly<Record<string, string>> = {
  runtime_state: '_PyRuntimeState',
  interpreter_state: 'PyInterpreterState',
  thread_state: 'PyThreadState',
  interpreter_frame: '_PyInterpreterFrame',
  code_object: 'PyCodeObject',
  pyobject: 'PyObject',
  type_object: 'PyTypeObject',
  tuple_object: 'PyTupleObject',
  list_object: 'PyListObject',
  dict_object: 'PyDictObject',
  float_object: 'PyFloatObject',
  long_object: 'PyLongObject',
  bytes_object: 'PyBytesObject',
  unicode_object: 'PyASCIIObject',
  set_object: 'PySetObject',
  gen_object: 'PyGenObject',
};

/**
 * The declared member a published field names: the same name, or with the struct's prefix
 * ("co_"), or a nested member spelled with '_' for '.' ("threads_head" for threads.head); the
 * shortest such path. Undefined when none or several fit equally.
 */
function declaredPath(s: StructLayout, field: string): string | undefined {
  const fits = s.paths().filter((p) => {
    const last = p.split('.').pop()!;
    return last === field || last === `co_${field}` || p.replace(/\./g, '_') === field;
  });
  if (fits.length === 0) return undefined;
  const shortest = Math.min(...fits.map((p) => p.split('.').length));
  const best = fits.filter((p) => p.split('.').length === shortest);
  return best.length === 1 ? best[0] : undefined;
}

/**
 * Holds the declared structs against the offsets the target publishes in _Py_DebugOffsets
 * ("group.field"): every published field that names a declared member.
 */
export function checkAgainstDebugOffsets(decls: Declarations, published: DebugOffsets): LayoutCheck {
  const mismatches: LayoutMismatch[] = [];
  let checked = 0;
  for (const key of published.fields()) {
    const [group, field] = key.split('.');
    if (group === undefined || field === undefined) continue;
    const structName = GROUPS[group];
    if (structName === undefined || !decls.has(structName) || !published.has(key)) continue;
    const s = decls.struct(structName);
    // "size" is the struct's size: comparable only where every member is declared, which the
    // DWARF check judges; PyObject's and PyASCIIObject's are whole in every version's declarations.
    if (field === 'size' || field === 'asciiobject_size') {
      // unicode_object.size is PyUnicodeObject's, which is not declared; asciiobject_size is PyASCIIObject's.
      if (structName !== 'PyObject' && field !== 'asciiobject_size') continue;
      checked++;
      if (s.size !== published.get(key)) mismatches.push({ struct: structName, field: '(size)', ours: String(s.size), theirs: `${published.get(key)} (_Py_DebugOffsets ${key})` });
      continue;
    }
    const path = declaredPath(s, field);
    if (path === undefined) continue;
    checked++;
    const ours = s.offset(path);
    const theirs = published.get(key);
    if (ours !== theirs) mismatches.push({ struct: structName, field: path, ours: `offset ${ours}`, theirs: `offset ${theirs} (_Py_DebugOffsets ${key})` });
  }
  return { checked, mismatches };
}
