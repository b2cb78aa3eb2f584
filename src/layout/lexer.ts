// Splits C declaration text into tokens. Comments and preprocessor lines carry no layout, so they
// are dropped here.
import { LayoutError } from './errors.js';

export interface Token {
  readonly text: string;
  readonly kind: 'ident' | 'number' | 'punct';
  readonly line: number;
}

/**
 * `macros` answers the few `#if NAME OP NUMBER` / `#else` / `#endif` lines declarations copy from
 * the headers (e.g. `#if SIZEOF_VOID_P > 4`); every other preprocessor line is ignored.
 */
export function tokenize(source: string, label: string, macros: Readonly<Record<string, number>> = {}): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let atLineStart = true;
  const active: boolean[] = []; // one entry per open #if: is its current branch taken?
  const skipping = (): boolean => active.some((a) => !a);
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n') {
      line++;
      i++;
      atLineStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#' && atLineStart) {
      const end = source.indexOf('\n', i);
      const directive = source.slice(i, end < 0 ? source.length : end).trim();
      i = end < 0 ? source.length : end;
      conditional(directive, active, macros, `${label}: line ${line}`);
      continue;
    }
    if (skipping()) {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    atLineStart = false;
    if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new LayoutError(`${label}: unterminated comment at line ${line}`);
      for (let j = i; j < end; j++) if (source[j] === '\n') line++;
      i = end + 2;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i, i + 256));
    if (ident) {
      tokens.push({ text: ident[0], kind: 'ident', line });
      i += ident[0].length;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*/.exec(source.slice(i, i + 64));
    if (num) {
      tokens.push({ text: String(Number(num[1])), kind: 'number', line });
      i += num[0].length;
      continue;
    }
    if ('{}[]();,:*+-/()'.includes(c)) {
      tokens.push({ text: c, kind: 'punct', line });
      i++;
      continue;
    }
    throw new LayoutError(`${label}: unexpected character '${c}' at line ${line}`);
  }
  if (active.length) throw new LayoutError(`${label}: #if without #endif`);
  return tokens;
}

function conditional(directive: string, active: boolean[], macros: Readonly<Record<string, number>>, where: string): void {
  const m = /^#\s*(\w+)\s*(.*)$/.exec(directive);
  const keyword = m?.[1] ?? '';
  if (keyword === 'if') {
    const cond = /^(\w+)\s*(>=|<=|==|!=|>|<)\s*(\d+)$/.exec(m?.[2]?.trim() ?? '');
    const value = cond ? macros[cond[1]!] : undefined;
    if (!cond || value === undefined) throw new LayoutError(`${where}: unsupported condition '${directive}'`);
    const n = Number(cond[3]);
    const ops: Record<string, boolean> = { '>': value > n, '<': value < n, '>=': value >= n, '<=': value <= n, '==': value === n, '!=': value !== n };
    active.push(ops[cond[2]!]!);
  } else if (keyword === 'else') {
    if (!active.length) throw new LayoutError(`${where}: #else without #if`);
    active.push(!active.pop());
  } else if (keyword === 'endif') {
    if (!active.length) throw new LayoutError(`${where}: #endif without #if`);
    active.pop();
  }
}
