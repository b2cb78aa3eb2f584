// Address -> function name for one module: the function symbols of its .symtab and .dynsym and of
// its separate debug file, sorted once, then a binary search per lookup. A pc is named by the
// function symbol whose range holds it, else by the nearest function symbol before it (with the
// offset), as `symbol+offset` tools print.
import type { ElfFile, ElfSymbol } from '../elf/elf-file.js';

export interface SymbolHit {
  name: string;
  /** pc - the symbol's start. */
  offset: number;
  /** Other names of the same function (aliases at the same address), for comparisons. */
  aliases: string[];
  /** The pc lies inside the symbol's size (false: only the nearest symbol before it). */
  inside: boolean;
}

interface Entry {
  value: number;
  size: number;
  names: string[];
}

const STB_LOCAL = 0;
const STB_GLOBAL = 1;

/**
 * Which alias names a function. glibc's internal entry points carry `__GI_` aliases, one for the
 * name the function is defined under (`__GI___libc_read` for `__libc_read`) and shorter ones for
 * its public names (`__GI_read`): the defined one is the name gdb shows from DWARF, and the longest.
 * So `__GI_` names first, longest first; then global, weak, local, and the shorter name.
 */
function rank(s: ElfSymbol): number {
  if (s.name.startsWith('__GI_')) return 0;
  if (s.binding === STB_GLOBAL) return 1;
  if (s.binding === STB_LOCAL) return 3;
  return 2;
}

export class SymbolTable {
  private entries: Entry[];

  constructor(files: readonly ElfFile[]) {
    const all = files.flatMap((f) => f.functionSymbols());
    const byLength = (a: ElfSymbol, b: ElfSymbol): number => (rank(a) === 0 ? b.name.length - a.name.length : a.name.length - b.name.length);
    all.sort((a, b) => a.value - b.value || rank(a) - rank(b) || byLength(a, b) || (a.name < b.name ? -1 : 1));
    const entries: Entry[] = [];
    for (const s of all) {
      const last = entries[entries.length - 1];
      if (last && last.value === s.value) {
        if (!last.names.includes(s.name)) last.names.push(s.name);
        last.size = Math.max(last.size, s.size);
      } else entries.push({ value: s.value, size: s.size, names: [s.name] });
    }
    this.entries = entries;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The function at `address` (the module's own, unrelocated address). */
  lookup(address: number): SymbolHit | undefined {
    const e = this.entries;
    let lo = 0;
    let hi = e.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (e[mid]!.value <= address) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    // A zero-sized symbol (an assembler label) may sit inside a sized function: prefer the
    // function whose range holds the address, looking back a little.
    for (let i = best; i >= 0 && i > best - 4; i--) {
      const c = e[i]!;
      if (c.size > 0 && address < c.value + c.size) return hit(c, address, true);
      if (c.size > 0) break;
    }
    // An assembler entry point without a size (glibc's __restore_rt) names its own first byte.
    return hit(e[best]!, address, e[best]!.value === address);
  }

  /** The address of the function named `name` (any alias), or undefined. */
  addressOf(name: string): number | undefined {
    return this.entries.find((x) => x.names.includes(name))?.value;
  }

  /** Every name at the start of the function holding `name`'s address. */
  aliasesOf(name: string): string[] {
    return this.entries.find((x) => x.names.includes(name))?.names ?? [];
  }
}

function hit(e: Entry, address: number, inside: boolean): SymbolHit {
  return { name: e.names[0]!, offset: address - e.value, aliases: e.names.slice(1), inside };
}
