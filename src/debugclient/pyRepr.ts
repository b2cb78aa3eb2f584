// Reads back a Python str repr (what the adapter returns for a string value), so `pp` can print
// pprint's text itself rather than its quoted form.

const SIMPLE: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };

export function unreprString(repr: string): string | undefined {
  const q = repr[0];
  if ((q !== "'" && q !== '"') || repr.length < 2 || repr[repr.length - 1] !== q) return undefined;
  const body = repr.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i] ?? '';
    const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hex) {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + hex), 16));
      i += hex;
    } else out += SIMPLE[e] ?? `\\${e}`;
  }
  return out;
}
