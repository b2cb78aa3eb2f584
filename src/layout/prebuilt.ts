// declare(), answered from a table laid out at build time when there is one for exactly this C
// text, ABI and label (scripts/layout-tables.mjs writes one for every declaration set pyscope
// reads with, under dist/src/layout/tables). A table file starts with the C text it was made from,
// compared whole before the table is used: an edited declaration is never answered by a stale
// table (it is laid out by the engine as it always was), and the comparison costs microseconds
// where hashing the text would cost loading node:crypto. Any failure to read a table costs only
// that lay-out.
import { readFileSync } from 'node:fs';
import type { Abi } from './abi.js';
import type { Declarations } from './api.js';
import { declare } from './declarations.js';
import { fromTable, type LayoutTable } from './table.js';

/**
 * Where the tables are, relative to this module. The CLI's one-file bundle (dist/src/cli) resolves
 * the same relative URL against its own and lands in the same folder.
 */
const TABLES = new URL('../layout/tables/', import.meta.url);

/** Between the C text and the table's JSON; C text holds no NUL. */
const SEPARATOR = '\0';

/** The file name of one declaration set's table. */
export function tableFileName(abi: Abi, label: string): string {
  return `${label.replace(/[^\w.-]+/g, '_').replace(/^_|_$/g, '')}.${abi.name}.table`;
}

/** What a table file holds: the text it was laid out from, then the table. */
export function tableFileText(cSource: string, table: LayoutTable): string {
  return `${cSource}${SEPARATOR}${JSON.stringify(table)}`;
}

export function declarePrebuilt(cSource: string, abi: Abi, label: string): Declarations {
  const engine = () => declare(cSource, abi, label);
  let table: LayoutTable;
  try {
    const text = readFileSync(new URL(tableFileName(abi, label), TABLES), 'utf8');
    const end = text.indexOf(SEPARATOR);
    if (end !== cSource.length || text.slice(0, end) !== cSource) return engine();
    table = JSON.parse(text.slice(end + 1)) as LayoutTable;
  } catch {
    return engine();
  }
  return fromTable(table, engine);
}
