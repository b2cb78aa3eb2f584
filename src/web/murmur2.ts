// MurmurHash2 (32-bit, of the UTF-8 bytes), the hash JupyterLab's debugger and ipykernel both use
// to name a cell's file: tmpFilePrefix + murmur2(code, hashSeed) + tmpFileSuffix. Both sides must
// compute the same name for the same code, or breakpoints set in a cell never reach its code.

const M = 0x5bd1e995;

/** MurmurHash2 of the string's UTF-8 bytes, as an unsigned 32-bit integer. */
export function murmur2(text: string, seed: number): number {
  const data = new TextEncoder().encode(text);
  let h = (seed ^ data.length) >>> 0;
  const whole = data.length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = data.length & 3;
  if (rest) {
    let k = 0;
    if (rest === 3) k |= data[whole + 2]! << 16;
    if (rest >= 2) k |= data[whole + 1]! << 8;
    k |= data[whole]!;
    h = Math.imul(h ^ k, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h >>> 0;
}
