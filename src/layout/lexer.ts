// Splits C declaration text into tokens. Comments and preprocessor lines carry no layout, so they
// are dropped here.
import { LayoutError } from './errors.js';

export interface Token {
  readonly text: string;
  readonly kind: 'ident' | 'number' | 'punct';
  readonly line: number;
}

export function tokenize(source: string, label: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let atLineStart = true;
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
  return tokens;
}
