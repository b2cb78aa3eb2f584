// pdb's text layouts, so a pdb user reads what they are used to: a frame's "file(line)function()",
// a breakpoint's place, the `break` table and source listings with "B" and "->" in the margin.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BreakpointView, PdbBreakpoint } from './breakpointTable.js';
import type { Style } from './style.js';

/** pdb's "file(line)function()" of a frame. */
export function location(f: DebugProtocol.StackFrame): string {
  return `${f.source?.path ?? f.source?.name ?? '<unknown>'}(${f.line})${f.name}()`;
}

/** Where a breakpoint is, as pdb's messages name it. */
export function where(bp: Readonly<PdbBreakpoint>): string {
  return bp.func !== undefined ? `function ${bp.func}` : `${bp.file ?? '?'}:${bp.line ?? 0}`;
}

/** pdb's `break` listing. */
export function listing(table: BreakpointView): string {
  if (table.all.length === 0) return 'No breakpoints.';
  const lines = ['Num Type         Disp Enb   Where'];
  for (const b of table.all) {
    lines.push(`${String(b.number).padEnd(4)}breakpoint   ${b.temporary ? 'del ' : 'keep'} ${b.enabled ? 'yes' : 'no '}   at ${where(b)}`);
    if (b.condition) lines.push(`\tstop only if ${b.condition}`);
    if (b.ignore) lines.push(`\twill ignore next ${b.ignore} crossings of breakpoint`);
    if (b.hits) lines.push(`\tbreakpoint already hit ${b.hits} time${b.hits === 1 ? '' : 's'}`);
    if (b.verified === false) lines.push(`\tnot placed: ${b.message ?? 'no code at this line'}`);
  }
  return lines.join('\n');
}

export interface ListingOptions {
  first: number;
  last: number;
  current?: number;
  breakpoints: Set<number>;
  style: Style;
}

/** pdb's listing layout: line number, "B" for a breakpoint, "->" at the current line. */
export function listLines(lines: readonly string[], o: ListingOptions): string[] {
  const out: string[] = [];
  const last = Math.min(o.last, lines.length);
  for (let n = Math.max(1, o.first); n <= last; n++) {
    const text = (lines[n - 1] ?? '').replace(/\t/g, '    ');
    const num = String(n).padStart(4);
    const mark = o.breakpoints.has(n) ? o.style.red('B') : ' ';
    if (n === o.current) out.push(`${o.style.bold(num)}${mark}${o.style.green('->')} ${o.style.bold(text)}`);
    else out.push(`${o.style.dim(num)}${mark}   ${text}`.trimEnd());
  }
  return out;
}
