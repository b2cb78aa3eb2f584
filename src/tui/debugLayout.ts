// Pure layout of the full-screen debugger: given what to show and the terminal size, the lines
// to draw. No terminal and no adapter here, so it can be reasoned about (and tested) alone.

export type Pane = 'source' | 'stack' | 'variables' | 'breakpoints';

export interface Row {
  text: string;
  /** The row is the one the pane's cursor is on. */
  selected?: boolean;
  /** The program's current line (source) or the current frame (stack). */
  current?: boolean;
}

export interface View {
  title: string;
  status: string;
  focus: Pane;
  source: { rows: Row[]; cursor: number };
  stack: { rows: Row[]; cursor: number };
  variables: { rows: Row[]; cursor: number };
  breakpoints: { rows: Row[]; cursor: number };
  console: string[];
  /** The command line being typed, or undefined when keys drive the panes. */
  input?: string;
  colour: boolean;
}

const SGR = /\x1b\[[0-9;]*m/g;

export function visibleLength(s: string): number {
  return s.replace(SGR, '').length;
}

/** Cuts or pads to exactly `width` visible columns. */
export function fit(s: string, width: number): string {
  const plain = s.replace(SGR, '');
  if (plain.length === s.length) return s.length > width ? s.slice(0, width) : s.padEnd(width);
  let out = '';
  let visible = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\x1b') {
      const end = s.indexOf('m', i);
      out += s.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) continue;
    out += s[i];
    visible++;
  }
  return out + ' '.repeat(Math.max(0, width - visible));
}

/** The window of `rows` of height `h` that keeps `cursor` in view, centred when it can be. */
function window(rows: Row[], cursor: number, h: number): Row[] {
  if (h <= 0) return [];
  const start = Math.max(0, Math.min(cursor - Math.floor(h / 2), rows.length - h));
  const slice = rows.slice(start, start + h);
  while (slice.length < h) slice.push({ text: '' });
  return slice;
}

export function render(view: View, width: number, height: number): string[] {
  const inv = (s: string): string => (view.colour ? `\x1b[7m${s}\x1b[0m` : s);
  const bold = (s: string): string => (view.colour ? `\x1b[1m${s}\x1b[0m` : s);
  const paint = (r: Row, w: number, focused: boolean): string => {
    const marker = r.selected && focused ? '>' : ' ';
    const text = fit(`${marker}${r.text}`, w);
    if (r.selected && focused) return inv(text);
    return r.current ? bold(text) : text;
  };
  const header = (name: string, pane: Pane | undefined, w: number): string => {
    const text = fit(`── ${name} ${'─'.repeat(w)}`, w);
    return pane !== undefined && view.focus === pane ? inv(fit(`[ ${name} ]${'─'.repeat(w)}`, w)) : text;
  };

  const consoleH = Math.max(4, Math.floor(height / 4));
  const bodyH = Math.max(3, height - consoleH - 3);
  const leftW = Math.max(20, Math.floor(width * 0.6));
  const rightW = Math.max(10, width - leftW - 1);

  const left = [header('Source', 'source', leftW), ...window(view.source.rows, view.source.cursor, bodyH - 1).map((r) => paint(r, leftW, view.focus === 'source'))];

  const third = Math.max(2, Math.floor(bodyH / 4));
  const varsH = Math.max(2, bodyH - 2 * third);
  const right = [
    header('Stack', 'stack', rightW),
    ...window(view.stack.rows, view.stack.cursor, third - 1).map((r) => paint(r, rightW, view.focus === 'stack')),
    header('Variables', 'variables', rightW),
    ...window(view.variables.rows, view.variables.cursor, varsH - 1).map((r) => paint(r, rightW, view.focus === 'variables')),
    header('Breakpoints', 'breakpoints', rightW),
    ...window(view.breakpoints.rows, view.breakpoints.cursor, bodyH - third - varsH - 1).map((r) => paint(r, rightW, view.focus === 'breakpoints')),
  ];

  const lines: string[] = [inv(fit(` ${view.title}  ${view.status}`, width))];
  for (let i = 0; i < bodyH; i++) lines.push(`${fit(left[i] ?? '', leftW)}│${fit(right[i] ?? '', rightW)}`);
  lines.push(header('Console', undefined, width));
  const shown = view.console.slice(-(consoleH - 1));
  for (let i = 0; i < consoleH - 1; i++) lines.push(fit(shown[i] ?? '', width));
  const hint = 'n next  s step  r return  c continue  b breakpoint  u/d frame  Tab pane  Enter expand  ! command  q quit';
  lines.push(view.input !== undefined ? fit(`(pyscope) ${view.input}`, width) : inv(fit(hint, width)));
  return lines.slice(0, height);
}
