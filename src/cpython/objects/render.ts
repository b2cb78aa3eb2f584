// Renders a Python object as text the way repr() would, for the types a stack dump shows:
// None, bool, int, float, str, bytes, tuple, list, dict, set, OrderedDict, defaultdict, a class
// as `<class 'name'>`, and `<TypeName at 0x...>` for the rest. A container met again inside
// itself is `[...]` / `{...}` / `...`, as repr() says. Depth, length and element counts are bounded;
// memory that cannot be read renders as `<unreadable at 0x...>` instead of failing the whole dump.
import type { Target } from '../target.js';
import { sequenceItems, setItems } from './containers.js';
import { dictEntries } from './dict.js';
import { floatRepr, readFloat, readInt, readPy2Int } from './numbers.js';
import { readBytes, readUnicode } from './strings.js';

export interface RenderLimits {
  depth: number;
  items: number;
  chars: number;
}

const Py_TPFLAGS_HEAPTYPE = 1 << 9;

export const DEFAULT_LIMITS: RenderLimits = { depth: 3, items: 20, chars: 200 };

export function render(t: Target, obj: number, limits: RenderLimits = DEFAULT_LIMITS): string {
  try {
    return renderAt(t, obj, limits, limits.depth, new Set());
  } catch {
    return `<unreadable at ${hex(obj)}>`;
  }
}

function hex(a: number): string {
  return `0x${a.toString(16)}`;
}

function shortType(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(dot + 1) : name;
}

/** What repr() prints for a container met again inside itself (Py_ReprEnter). */
const RECURSION: Record<string, string> = { list: '[...]', dict: '{...}', 'collections.OrderedDict': '...', 'collections.defaultdict': '...', 'collections.deque': '[...]' };

function renderAt(t: Target, obj: number, l: RenderLimits, depth: number, inside: Set<number>): string {
  if (obj === 0) return '<NULL>';
  const type = t.typeName(obj);
  const py2 = t.b.strings.kind === 'py2';
  switch (type) {
    case 'NoneType':
      return 'None';
    case 'bool':
      return (py2 ? readPy2Int(t, obj) : readInt(t, obj).value) !== 0n ? 'True' : 'False';
    case 'int':
      if (py2) return readPy2Int(t, obj).toString();
      return intRepr(t, obj, '');
    case 'long':
      // 2.7's long: the digits, without repr's 'L', so a value reads the same on every version.
      return intRepr(t, obj, '');
    case 'float':
      return floatRepr(readFloat(t, obj));
    case 'str':
      if (py2) {
        const b = readBytes(t, obj, l.chars);
        return bytesRepr(b.bytes, '') + (b.truncated ? '...' : '');
      } else {
        const s = readUnicode(t, obj, l.chars);
        return strRepr(s.text) + (s.truncated ? '...' : '');
      }
    case 'unicode': {
      const s = readUnicode(t, obj, l.chars);
      return 'u' + strRepr(s.text, true) + (s.truncated ? '...' : '');
    }
    case 'bytes': {
      const b = readBytes(t, obj, l.chars);
      return bytesRepr(b.bytes, 'b') + (b.truncated ? '...' : '');
    }
  }
  // A built-in class (a static type, whose tp_name is its full name), e.g. a defaultdict's factory;
  // a class of Python code names only itself in tp_name and stays `<type at 0x...>`.
  if (type === 'type' && !(t.typeFlags(obj) & Py_TPFLAGS_HEAPTYPE)) return `<${py2 ? 'type' : 'class'} '${t.cstring(t.ptr(obj + t.b.type.name), 256)}'>`;
  if (depth <= 0) return `<${shortType(type)} at ${hex(obj)}>`;
  if (inside.has(obj)) return RECURSION[type] ?? `<${shortType(type)} at ${hex(obj)}>`;
  inside.add(obj);
  try {
    return renderContainer(t, obj, type, l, depth, inside);
  } finally {
    inside.delete(obj);
  }
}

function renderContainer(t: Target, obj: number, type: string, l: RenderLimits, depth: number, inside: Set<number>): string {
  const py2 = t.b.strings.kind === 'py2';
  const item = (i: number): string => renderAt(t, i, l, depth - 1, inside);
  const dictBody = (): string => {
    const d = dictEntries(t, obj, l.items);
    const parts = d.entries.map(([k, v]) => `${item(k)}: ${item(v)}`);
    if (d.total > d.entries.length) parts.push('...');
    return `{${parts.join(', ')}}`;
  };
  switch (type) {
    case 'tuple': {
      const s = sequenceItems(t, obj, 'tuple', l.items);
      const parts = s.items.map(item);
      if (s.total > s.items.length) parts.push('...');
      return s.total === 1 && parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
    }
    case 'list': {
      const s = sequenceItems(t, obj, 'list', l.items);
      const parts = s.items.map(item);
      if (s.total > s.items.length) parts.push('...');
      return `[${parts.join(', ')}]`;
    }
    case 'dict':
      return dictBody();
    // Both are dicts underneath (the C types extend PyDictObject); an OrderedDict is shown in the
    // dict's insertion order, which is its own unless move_to_end() reordered it.
    case 'collections.OrderedDict': {
      const d = dictEntries(t, obj, l.items);
      if (d.total === 0) return 'OrderedDict()';
      // 3.12 changed its repr from a list of pairs to a dict
      if (t.b.orderedDictRepr === 'dict') return `OrderedDict(${dictBody()})`;
      const parts = d.entries.map(([k, v]) => `(${item(k)}, ${item(v)})`);
      if (d.total > d.entries.length) parts.push('...');
      return `OrderedDict([${parts.join(', ')}])`;
    }
    case 'collections.defaultdict': {
      // default_factory is the one field defdictobject adds after the dict: the last pointer of
      // the type's basicsize.
      const size = t.i64(t.typeOf(obj) + t.b.type.basicsize);
      const factory = size > t.b.pointerSize ? t.ptr(obj + size - t.b.pointerSize) : 0;
      const f = factory === 0 ? 'None' : item(factory);
      return `defaultdict(${f}, ${dictBody()})`;
    }
    case 'set':
    case 'frozenset': {
      const s = setItems(t, obj, l.items);
      const parts = s.items.map(item);
      if (s.total > s.items.length) parts.push('...');
      if (s.total === 0) return `${type}()`;
      const body = `{${parts.join(', ')}}`;
      if (type === 'frozenset') return `frozenset(${body})`;
      return py2 ? `set([${parts.join(', ')}])` : body;
    }
  }
  return `<${shortType(type)} at ${hex(obj)}>`;
}

function intRepr(t: Target, obj: number, suffix: string): string {
  const v = readInt(t, obj);
  return v.value.toString() + (v.truncated ? '...' : suffix);
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python 3's repr of a str (2.7's unicode repr escapes every non-ASCII character). */
export function strRepr(s: string, asciiOnly = false): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x7f) out += ch;
    else if (asciiOnly || (ch !== ' ' && NON_PRINTABLE.test(ch))) {
      out += cp <= 0xff ? '\\x' + cp.toString(16).padStart(2, '0') : cp <= 0xffff ? '\\u' + cp.toString(16).padStart(4, '0') : '\\U' + cp.toString(16).padStart(8, '0');
    } else out += ch;
  }
  return out + quote;
}

export function bytesRepr(b: Buffer, prefix: string): string {
  const s = b.toString('latin1');
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = prefix + quote;
  for (const byte of b) {
    const ch = String.fromCharCode(byte);
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (byte === 10) out += '\\n';
    else if (byte === 13) out += '\\r';
    else if (byte === 9) out += '\\t';
    else if (byte < 0x20 || byte >= 0x7f) out += '\\x' + byte.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}
