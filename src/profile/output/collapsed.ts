// Brendan Gregg's folded stacks (`outer;inner N`), the input of flamegraph.pl and inferno.
import { frameLabel } from '../labels.js';
import type { Profile } from '../model.js';

export function collapsed(p: Profile): string {
  const lines: string[] = [];
  // `;` separates frames, so a label may not contain one (a newline would end the record).
  const clean = (s: string): string => s.replace(/[;\n\r]/g, '_');
  for (const [stack, count] of p.counts) {
    lines.push(`${p.framesOf(stack).map((f) => clean(frameLabel(p, p.frames[f]!))).join(';')} ${count}`);
  }
  lines.sort();
  return lines.join('\n') + (lines.length ? '\n' : '');
}
