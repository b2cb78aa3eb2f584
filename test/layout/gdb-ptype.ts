// Reads gdb's `ptype /o` output into a tree of members with absolute offsets.
// gdb prints "/* offset | size */" before each member; bit-fields as "byte: bit"; members of a
// union without an offset (they sit at the union's); nested struct/union members whose type is
// spelled "struct tag"/"union" expanded in place with offsets from the outermost type; members
// whose type is a typedef name (PyObject ob_base) not expanded: their type has to be asked for.

export interface GdbMember {
  /** Undefined for anonymous struct/union members. */
  name: string | undefined;
  /** Byte offset from the start of the printed type. */
  offset: number;
  /** Bit position from the start of the printed type, for bit-fields. */
  bitPos?: number;
  size: number;
  /** The type as gdb spells it ("PyObject", "struct _py_trashcan", "char [8]"...), for expansion. */
  typeText: string;
  /** Expanded members, when gdb printed them. */
  children?: GdbMember[];
}

export interface GdbType {
  isUnion: boolean;
  size: number;
  members: GdbMember[];
}

const MEMBER = /^\/\*\s*(?:(\d+)(?::\s*(\d+))?\s*\|)?\s*(\d+)\s*\*\/\s*(.*)$/;
const TOTAL = /\/\* total size \(bytes\):\s*(\d+)\s*\*\//;

/** Splits the output of several `ptype /o` commands separated by `echo MARK name\n` lines. */
export function splitOutputs(output: string, mark: string): Map<string, string> {
  const parts = new Map<string, string>();
  let current: string | undefined;
  let lines: string[] = [];
  for (const line of output.split('\n')) {
    if (line.startsWith(mark)) {
      if (current !== undefined) parts.set(current, lines.join('\n'));
      current = line.slice(mark.length).trim();
      lines = [];
    } else lines.push(line);
  }
  if (current !== undefined) parts.set(current, lines.join('\n'));
  return parts;
}

export function parsePtype(text: string): GdbType | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.includes('type = '));
  if (start < 0 || !/\{\s*$/.test(lines[start]!)) return undefined;
  interface Open {
    member: GdbMember | undefined; // undefined for the outermost type
    isUnion: boolean;
    offset: number;
    children: GdbMember[];
  }
  const topIsUnion = /type = union\b/.test(lines[start]!);
  const stack: Open[] = [{ member: undefined, isUnion: topIsUnion, offset: 0, children: [] }];
  let size: number | undefined;
  for (const raw of lines.slice(start + 1)) {
    const line = raw.trim();
    if (!line || line.startsWith('/* XXX')) continue;
    const top = stack[stack.length - 1]!;
    const total = TOTAL.exec(line);
    if (total) {
      if (stack.length === 1) size = Number(total[1]);
      continue;
    }
    if (line.startsWith('}')) {
      if (stack.length === 1) break;
      stack.pop();
      const name = /^\}\s*(\w+)?/.exec(line)?.[1];
      top.member!.name = name;
      top.member!.children = top.children;
      continue;
    }
    const m = MEMBER.exec(line);
    if (!m) continue;
    const offset = m[1] !== undefined ? Number(m[1]) : top.offset;
    const decl = m[4]!.trim();
    const member: GdbMember = { name: undefined, offset, size: Number(m[3]), typeText: '' };
    if (m[2] !== undefined) member.bitPos = offset * 8 + Number(m[2]);
    top.children.push(member);
    if (decl.endsWith('{')) {
      member.typeText = decl.slice(0, -1).trim();
      stack.push({ member, isUnion: /^union\b/.test(decl), offset, children: [] });
      continue;
    }
    const [name, typeText] = splitDeclaration(decl);
    member.name = name;
    member.typeText = typeText;
  }
  if (size === undefined) return undefined;
  return { isUnion: topIsUnion, size, members: stack[0]!.children };
}

/** "PyObject *ob_item[1];" -> ["ob_item", "PyObject *[1]"]; "unsigned int kind : 3;" -> ["kind", "unsigned int"]. */
function splitDeclaration(decl: string): [string, string] {
  const text = decl.replace(/;\s*$/, '').replace(/\s*:\s*\d+$/, '');
  const fn = /\(\*+\s*(\w+)/.exec(text);
  if (fn) return [fn[1]!, 'function pointer'];
  const m = /^(.*?)(\w+)\s*((?:\[\d*\])*)$/.exec(text);
  if (!m) return [text, ''];
  return [m[2]!, (m[1]!.trim() + m[3]!).replace(/\bconst\b|\bvolatile\b/g, '').trim()];
}

/** Finds a member by name at this level, looking through anonymous struct/union members. */
export function findMember(members: readonly GdbMember[], name: string): GdbMember | undefined {
  for (const m of members) {
    if (m.name === name) return m;
    if (m.name === undefined && m.children) {
      const inner = findMember(m.children, name);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** Named members of this level, anonymous members flattened, in order. */
export function memberNames(members: readonly GdbMember[]): string[] {
  return members.flatMap((m) => (m.name === undefined ? (m.children ? memberNames(m.children) : []) : [m.name]));
}
