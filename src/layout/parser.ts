// Recursive-descent parser for the C declaration subset the CPython declarations are written in:
// typedefs, struct/union/enum definitions, pointers, arrays, function pointers and bit-fields.
import type { Member, Program, RecordDef, RecordRef, TypeExpr } from './ast.js';
import { LayoutError } from './errors.js';
import { tokenize, type Token } from './lexer.js';

const QUALIFIERS = new Set(['const', 'volatile', 'static', 'extern', 'register', 'inline', 'restrict', '_Atomic', '__restrict']);
const BASE_WORDS = new Set(['signed', 'unsigned', 'char', 'short', 'int', 'long', 'float', 'double', 'void', '_Bool']);

export function parse(source: string, label: string, macros: Readonly<Record<string, number>> = {}): Program {
  return new Parser(tokenize(source, label, macros), label).program();
}

class Parser {
  private pos = 0;
  private readonly typedefs = new Map<string, TypeExpr>();
  private readonly tagged = new Map<string, RecordDef>();
  private readonly records: RecordDef[] = [];
  /** Alignment requested by `__attribute__((aligned(N)))` / `_Alignas(N)` in the current declaration. */
  private requestedAlign: number | undefined;

  constructor(
    private readonly tokens: Token[],
    private readonly label: string,
  ) {}

  program(): Program {
    while (!this.atEnd()) this.declaration();
    return { typedefs: this.typedefs, tagged: this.tagged, records: this.records };
  }

  private declaration(): void {
    if (this.accept(';')) return;
    const isTypedef = this.accept('typedef');
    this.requestedAlign = undefined;
    const spec = this.specifier();
    if (this.requestedAlign !== undefined) this.fail('alignment attributes are supported on struct members only');
    if (this.accept(';')) return; // a bare "struct tag { ... };" or forward declaration
    for (;;) {
      const d = this.declarator(spec);
      if (d.isFunction) {
        // A prototype: no layout, nothing to record.
      } else if (isTypedef) {
        if (d.name === undefined) this.fail('typedef without a name');
        this.nameAnonymous(d.type, d.name);
        this.typedefs.set(d.name, d.type);
      }
      if (this.accept(',')) continue;
      this.expect(';');
      return;
    }
  }

  /** `typedef struct { ... } Name;` reads better in messages as "Name" than as a line number. */
  private nameAnonymous(type: TypeExpr, name: string): void {
    if (type.kind === 'record' && type.record.tag === undefined && type.record.def) type.record.def.displayName = name;
  }

  private specifier(): TypeExpr {
    const words: string[] = [];
    let result: TypeExpr | undefined;
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (QUALIFIERS.has(t.text)) {
        this.pos++;
        continue;
      }
      if (this.alignmentSpecifier()) continue;
      if (BASE_WORDS.has(t.text)) {
        if (result) this.fail(`'${t.text}' after a complete type`);
        words.push(t.text);
        this.pos++;
        continue;
      }
      if (t.text === 'struct' || t.text === 'union') {
        if (result || words.length) this.fail(`'${t.text}' after a complete type`);
        this.pos++;
        result = { kind: 'record', record: this.record(t.text, t.line) };
        continue;
      }
      if (t.text === 'enum') {
        if (result || words.length) this.fail(`'enum' after a complete type`);
        this.pos++;
        if (this.peek()?.kind === 'ident') this.pos++;
        if (this.peekIs('{')) this.skipBalanced('{', '}');
        result = { kind: 'enum' };
        continue;
      }
      if (t.kind === 'ident' && !result && words.length === 0) {
        this.pos++;
        result = { kind: 'named', name: t.text };
        continue;
      }
      break;
    }
    if (result) return result;
    if (words.length === 0) this.fail('expected a type');
    return { kind: 'base', name: this.canonicalBase(words) };
  }

  private canonicalBase(words: string[]): string {
    const count = (w: string): number => words.filter((x) => x === w).length;
    const unsigned = count('unsigned') > 0;
    const signed = count('signed') > 0;
    const longs = count('long');
    if (unsigned && signed) this.fail(`both signed and unsigned in '${words.join(' ')}'`);
    let core: string;
    if (count('void')) core = 'void';
    else if (count('_Bool')) core = '_Bool';
    else if (count('float')) core = 'float';
    else if (count('double')) core = longs ? 'long double' : 'double';
    else if (count('char')) core = signed ? 'signed char' : 'char';
    else if (count('short')) core = 'short';
    else if (longs === 1) core = 'long';
    else if (longs === 2) core = 'long long';
    else if (longs > 2) this.fail(`'${words.join(' ')}' is too long`);
    else core = 'int';
    return unsigned ? `unsigned ${core}` : core;
  }

  private record(keyword: 'struct' | 'union', line: number): RecordRef {
    let tag: string | undefined;
    const t = this.peek();
    if (t?.kind === 'ident') {
      tag = t.text;
      this.pos++;
    }
    if (!this.accept('{')) {
      if (tag === undefined) this.fail(`${keyword} without tag or body`);
      return { keyword, tag, def: undefined };
    }
    const members: Member[] = [];
    const outerAlign = this.requestedAlign; // an attribute before "struct {" belongs to the outer member
    while (!this.accept('}')) {
      if (this.atEnd()) this.fail(`unterminated ${keyword} ${tag ?? ''}`);
      this.memberDeclaration(members);
    }
    this.requestedAlign = outerAlign;
    const def: RecordDef = { keyword, displayName: tag ?? `<anonymous ${keyword} at line ${line}>`, members, line };
    this.records.push(def);
    if (tag !== undefined) {
      const key = `${keyword} ${tag}`;
      if (this.tagged.has(key)) this.fail(`${key} is defined twice`);
      this.tagged.set(key, def);
    }
    return { keyword, tag, def };
  }

  private memberDeclaration(members: Member[]): void {
    this.requestedAlign = undefined;
    const spec = this.specifier();
    const specAlign = this.requestedAlign;
    if (this.accept(';')) {
      // C11 anonymous struct/union member.
      if (spec.kind !== 'record' || spec.record.tag !== undefined) this.fail('declaration declares no member');
      members.push({ name: undefined, type: spec, bitWidth: undefined, align: specAlign });
      return;
    }
    for (;;) {
      this.requestedAlign = specAlign;
      const d = this.declarator(spec);
      let bitWidth: number | undefined;
      if (this.accept(':')) bitWidth = this.constant();
      while (this.alignmentSpecifier());
      if (d.isFunction) this.fail(`member ${d.name ?? ''} is a function, not a function pointer`);
      if (bitWidth !== undefined && this.requestedAlign !== undefined) this.fail(`aligned bit-field ${d.name ?? ''} is not supported`);
      members.push({ name: d.name, type: d.type, bitWidth, align: this.requestedAlign });
      if (this.accept(',')) continue;
      this.expect(';');
      return;
    }
  }

  /** Pointers, then a name (or a parenthesised "(*name)" of a function pointer), then arrays. */
  private declarator(spec: TypeExpr): { name: string | undefined; type: TypeExpr; isFunction: boolean } {
    let type = spec;
    type = this.pointers(type);
    let name: string | undefined;
    let isFunction = false;
    if (this.peekIs('(')) {
      // Function pointer: "(*name[N])(params)". Whatever it returns, it is a pointer.
      this.pos++;
      let inner: TypeExpr = { kind: 'base', name: 'void' };
      inner = this.pointers(inner);
      if (inner.kind !== 'pointer') this.fail('expected (*name) in a function pointer');
      name = this.identifier();
      const dims = this.arrays();
      this.expect(')');
      this.skipBalanced('(', ')');
      type = wrapArrays(inner, dims);
      return { name, type, isFunction };
    }
    if (this.peek()?.kind === 'ident') name = this.identifier();
    if (this.peekIs('(')) {
      this.skipBalanced('(', ')');
      isFunction = true;
    }
    type = wrapArrays(type, this.arrays());
    return { name, type, isFunction };
  }

  /**
   * `__attribute__((aligned(N)))` and `_Alignas(N)` raise a member's alignment (CPython's
   * _Py_ALIGNED_DEF). Any other attribute, `packed` above all, would change the layout in ways
   * this engine does not model, so it is refused rather than ignored.
   */
  private alignmentSpecifier(): boolean {
    if (this.accept('_Alignas')) {
      this.expect('(');
      this.raiseAlign(this.constant());
      this.expect(')');
      return true;
    }
    if (!this.accept('__attribute__')) return false;
    this.expect('(');
    this.expect('(');
    do {
      const name = this.identifier();
      if (name !== 'aligned' && name !== '__aligned__') this.fail(`unsupported attribute '${name}'`);
      this.expect('(');
      this.raiseAlign(this.constant());
      this.expect(')');
    } while (this.accept(','));
    this.expect(')');
    this.expect(')');
    return true;
  }

  private raiseAlign(n: number): void {
    if (n <= 0 || (n & (n - 1)) !== 0) this.fail(`alignment ${n} is not a power of two`);
    this.requestedAlign = Math.max(this.requestedAlign ?? 1, n);
  }

  private pointers(type: TypeExpr): TypeExpr {
    for (;;) {
      if (this.accept('*')) type = { kind: 'pointer', to: type };
      else if (QUALIFIERS.has(this.peek()?.text ?? '')) this.pos++;
      else return type;
    }
  }

  private arrays(): number[] {
    const dims: number[] = [];
    while (this.accept('[')) {
      if (this.accept(']')) {
        dims.push(0); // flexible array member
        continue;
      }
      dims.push(this.constant());
      this.expect(']');
    }
    return dims;
  }

  /** Integer constant expression with + - * / and parentheses. */
  private constant(): number {
    const value = this.sum();
    if (!Number.isInteger(value) || value < 0) this.fail(`bad constant ${value}`);
    return value;
  }

  private sum(): number {
    let v = this.product();
    for (;;) {
      if (this.accept('+')) v += this.product();
      else if (this.accept('-')) v -= this.product();
      else return v;
    }
  }

  private product(): number {
    let v = this.atom();
    for (;;) {
      if (this.accept('*')) v *= this.atom();
      else if (this.accept('/')) v = Math.trunc(v / this.atom());
      else return v;
    }
  }

  private atom(): number {
    if (this.accept('(')) {
      const v = this.sum();
      this.expect(')');
      return v;
    }
    const t = this.next();
    if (t.kind !== 'number') this.fail(`expected a number, found '${t.text}'`, t);
    return Number(t.text);
  }

  private identifier(): string {
    const t = this.next();
    if (t.kind !== 'ident') this.fail(`expected a name, found '${t.text}'`, t);
    return t.text;
  }

  private skipBalanced(open: string, close: string): void {
    this.expect(open);
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.text === open) depth++;
      else if (t.text === close) depth--;
    }
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private peekIs(text: string): boolean {
    return this.tokens[this.pos]?.text === text;
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (!t) this.fail('unexpected end of input');
    this.pos++;
    return t;
  }

  private accept(text: string): boolean {
    if (this.tokens[this.pos]?.text !== text) return false;
    this.pos++;
    return true;
  }

  private expect(text: string): void {
    const t = this.peek();
    if (t?.text !== text) this.fail(`expected '${text}', found '${t?.text ?? 'end of input'}'`, t);
    this.pos++;
  }

  private atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  private fail(message: string, at: Token | undefined = this.peek()): never {
    const where = at ? ` at line ${at.line}` : this.tokens.length ? ` at line ${this.tokens[this.tokens.length - 1]!.line}` : '';
    throw new LayoutError(`${this.label}: ${message}${where}`);
  }
}

function wrapArrays(type: TypeExpr, dims: number[]): TypeExpr {
  // int x[2][3] is an array of 2 arrays of 3 ints: wrap from the innermost dimension outwards.
  for (let i = dims.length - 1; i >= 0; i--) type = { kind: 'array', of: type, length: dims[i]! };
  return type;
}
