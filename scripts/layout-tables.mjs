// Lays out every C declaration set the reading side uses, for every ABI, with the engine (from
// dist, after tsc) and writes each as a table under dist/src/layout/tables, headed by the C text
// it was made from (src/layout/prebuilt.ts). A dump then reads one small file instead of parsing
// and laying out a version's C declarations at start-up. Tables of an older build are removed:
// the folder holds exactly the sets of this build.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { everyDeclarationSet } from '../dist/src/cpython/declaration-sets.js';
import { tableFileName, tableFileText, tableOf } from '../dist/src/layout/index.js';

const OUT = 'dist/src/layout/tables';

mkdirSync(OUT, { recursive: true });
const written = new Map();
for (const set of everyDeclarationSet()) {
  const name = tableFileName(set.abi, set.label);
  if (written.has(name) && written.get(name) !== set.source) throw new Error(`two declaration sets would share the table ${name}: give them different labels`);
  writeFileSync(join(OUT, name), tableFileText(set.source, tableOf(set.source, set.abi, set.label)));
  written.set(name, set.source);
}
for (const name of readdirSync(OUT)) if (!written.has(name)) rmSync(join(OUT, name));
