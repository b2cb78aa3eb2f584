// Brendan Gregg's folded stacks (`outer;inner N`), the input of flamegraph.pl and inferno.
import { frameLabel } from '../labels.js';
import type { Profile } from '../model.js';

export function collapsed(p: Profile): string {
  const lines: string[] = [];
  // `;` separates frames and a newline ends a record; control characters (a name read while the
  // target rewrote it) would make tools take the file for binary.
  const clean = (s: string): string => s.replace(/;/g, '_').replace(/[\x00-\x1f\x7f]/g, '?');
  for (const [stack, count] of p.counts) {
    lines.push(`${p.framesOf(stack).map((f) => clean(frameLabel(p, p.frames[f]!))).join(';')} ${count}`);
  }
  lines.sort();
  return lines.join('\n') + (lines.length ? '\n' : '');
}
