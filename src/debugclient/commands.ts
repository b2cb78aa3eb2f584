// pdb's command language: names, abbreviations and arguments as pdb spells them. Parsing only;
// nothing here talks to the adapter, so the whole grammar is testable without an interpreter.

export type Command =
  | { kind: 'help'; topic?: string }
  | { kind: 'where' }
  | { kind: 'up' | 'down'; count: number }
  | { kind: 'break'; temporary: boolean; spec?: BreakSpec; condition?: string }
  | { kind: 'clear'; numbers?: number[]; location?: { file: string; line: number } }
  | { kind: 'enable' | 'disable'; numbers: number[] }
  | { kind: 'ignore'; number: number; count: number }
  | { kind: 'condition'; number: number; condition?: string }
  | { kind: 'step' | 'next' | 'return' | 'continue' }
  | { kind: 'list'; first?: number; last?: number; here?: boolean }
  | { kind: 'longlist' }
  | { kind: 'print'; expression: string; pretty: boolean }
  | { kind: 'display' | 'undisplay'; expression?: string }
  | { kind: 'exec'; code: string }
  | { kind: 'interact' }
  | { kind: 'quit' }
  | { kind: 'threads' }
  | { kind: 'thread'; id: number }
  | { kind: 'catch'; filters?: string[] }
  | { kind: 'jmc'; on?: boolean }
  | { kind: 'error'; message: string };

export type BreakSpec = { file?: string; line: number } | { func: string };

/** Every name a command answers to, pdb's abbreviations included. */
export const ALIASES: Record<string, string> = {
  h: 'help', help: 'help',
  w: 'where', where: 'where', bt: 'where',
  u: 'up', up: 'up', d: 'down', down: 'down',
  b: 'break', break: 'break', tbreak: 'tbreak',
  cl: 'clear', clear: 'clear',
  enable: 'enable', disable: 'disable', ignore: 'ignore', condition: 'condition',
  s: 'step', step: 'step', n: 'next', next: 'next', r: 'return', return: 'return',
  c: 'continue', cont: 'continue', continue: 'continue',
  l: 'list', list: 'list', ll: 'longlist', longlist: 'longlist',
  p: 'p', pp: 'pp', display: 'display', undisplay: 'undisplay',
  interact: 'interact', q: 'quit', quit: 'quit', exit: 'quit',
  threads: 'threads', thread: 'thread', catch: 'catch', jmc: 'jmc',
};

export const FILTERS = ['raised', 'uncaught', 'userUnhandled'];

export function parseCommand(line: string): Command {
  const text = line.trim();
  if (text.startsWith('!')) return { kind: 'exec', code: text.slice(1).trim() };
  const m = /^([A-Za-z_]+)\s*(.*)$/s.exec(text);
  const word = m?.[1] ?? '';
  const rest = (m?.[2] ?? '').trim();
  const name = ALIASES[word];
  // like pdb, a line that is not a command is Python; a command word used as a name (`n = 2`,
  // `p.x`, `c(1)`) is Python too, so variables named like commands stay reachable
  if (name === undefined || /^(=[^=]|\(|\.|\[)/.test(rest)) return { kind: 'exec', code: text };
  switch (name) {
    case 'help':
      return rest ? { kind: 'help', topic: rest } : { kind: 'help' };
    case 'where':
    case 'step':
    case 'next':
    case 'return':
    case 'continue':
    case 'longlist':
    case 'interact':
    case 'quit':
    case 'threads':
      return { kind: name };
    case 'up':
    case 'down': {
      if (!rest) return { kind: name, count: 1 };
      const n = integer(rest);
      return n === undefined ? { kind: 'error', message: `invalid frame count "${rest}": give a number` } : { kind: name, count: n };
    }
    case 'break':
    case 'tbreak':
      return parseBreak(rest, name === 'tbreak');
    case 'clear':
      return parseClear(rest);
    case 'enable':
    case 'disable': {
      const numbers = numberList(rest);
      if (typeof numbers === 'string') return { kind: 'error', message: numbers };
      if (numbers.length === 0) return { kind: 'error', message: `${name} needs breakpoint numbers` };
      return { kind: name, numbers };
    }
    case 'ignore': {
      const [a, b] = rest.split(/\s+/);
      const number = integer(a ?? '');
      const count = b === undefined ? 0 : integer(b);
      if (number === undefined) return { kind: 'error', message: 'usage: ignore BPNUMBER [COUNT]' };
      if (count === undefined) return { kind: 'error', message: `invalid count "${b ?? ''}": give a number` };
      return { kind: 'ignore', number, count };
    }
    case 'condition': {
      const mm = /^(\S+)\s*(.*)$/s.exec(rest);
      const number = integer(mm?.[1] ?? '');
      if (number === undefined) return { kind: 'error', message: 'usage: condition BPNUMBER [CONDITION]' };
      const cond = (mm?.[2] ?? '').trim();
      return cond ? { kind: 'condition', number, condition: cond } : { kind: 'condition', number };
    }
    case 'list':
      return parseList(rest);
    case 'p':
    case 'pp':
      if (!rest) return { kind: 'error', message: `usage: ${name} EXPRESSION` };
      return { kind: 'print', expression: rest, pretty: name === 'pp' };
    case 'display':
    case 'undisplay':
      return rest ? { kind: name, expression: rest } : { kind: name };
    case 'thread': {
      if (!rest) return { kind: 'threads' };
      const id = integer(rest);
      return id === undefined ? { kind: 'error', message: `invalid thread number "${rest}"` } : { kind: 'thread', id };
    }
    case 'catch': {
      if (!rest) return { kind: 'catch' };
      const words = rest.split(/[\s,]+/).filter(Boolean);
      if (words.length === 1 && (words[0] === 'off' || words[0] === 'none')) return { kind: 'catch', filters: [] };
      const bad = words.find((w) => !FILTERS.includes(w));
      if (bad) return { kind: 'error', message: `unknown exception filter "${bad}": use ${FILTERS.join(', ')} or off` };
      return { kind: 'catch', filters: words };
    }
    case 'jmc':
      if (!rest) return { kind: 'jmc' };
      if (rest === 'on' || rest === 'off') return { kind: 'jmc', on: rest === 'on' };
      return { kind: 'error', message: 'usage: jmc on|off' };
    default:
      return { kind: 'error', message: `*** unknown command "${word}"` };
  }
}

function integer(s: string): number | undefined {
  return /^\d+$/.test(s.trim()) ? Number(s.trim()) : undefined;
}

function numberList(s: string): number[] | string {
  const out: number[] = [];
  for (const w of s.split(/[\s,]+/).filter(Boolean)) {
    const n = integer(w);
    if (n === undefined) return `invalid breakpoint number "${w}"`;
    out.push(n);
  }
  return out;
}

export function parseBreakSpec(text: string): BreakSpec | string {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { line: Number(t) };
  const colon = t.lastIndexOf(':');
  if (colon > 0) {
    const file = t.slice(0, colon).trim();
    const line = t.slice(colon + 1).trim();
    if (!/^\d+$/.test(line) || Number(line) < 1) return `bad breakpoint "${t}": the line after ":" must be a positive number`;
    return { file, line: Number(line) };
  }
  if (/^[A-Za-z_][\w.]*$/.test(t)) return { func: t };
  return `bad breakpoint "${t}": use LINE, FILE:LINE or FUNCTION`;
}

function parseBreak(rest: string, temporary: boolean): Command {
  if (!rest) return { kind: 'break', temporary };
  const comma = rest.indexOf(',');
  const where = comma < 0 ? rest : rest.slice(0, comma);
  const condition = comma < 0 ? '' : rest.slice(comma + 1).trim();
  const spec = parseBreakSpec(where);
  if (typeof spec === 'string') return { kind: 'error', message: spec };
  if (comma >= 0 && !condition) return { kind: 'error', message: 'a condition is missing after ","' };
  return condition ? { kind: 'break', temporary, spec, condition } : { kind: 'break', temporary, spec };
}

function parseClear(rest: string): Command {
  if (!rest) return { kind: 'clear' };
  const numbers = numberList(rest);
  if (typeof numbers !== 'string') return { kind: 'clear', numbers };
  const spec = parseBreakSpec(rest);
  if (typeof spec !== 'string' && 'line' in spec && spec.file !== undefined) return { kind: 'clear', location: { file: spec.file, line: spec.line } };
  return { kind: 'error', message: `usage: clear [BPNUMBER ...] or clear FILE:LINE` };
}

function parseList(rest: string): Command {
  if (!rest) return { kind: 'list' };
  if (rest === '.') return { kind: 'list', here: true };
  const m = /^(\d+)\s*(?:,\s*(\d+))?$/.exec(rest);
  if (!m) return { kind: 'error', message: `usage: list [FIRST[, LAST]] or list .` };
  const first = Number(m[1]);
  let last = m[2] === undefined ? undefined : Number(m[2]);
  // pdb: a second number smaller than the first is a count
  if (last !== undefined && last < first) last = first + last;
  return last === undefined ? { kind: 'list', first } : { kind: 'list', first, last };
}
