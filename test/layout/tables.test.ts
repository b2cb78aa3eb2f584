// The build-time layout tables (scripts/layout-tables.mjs, src/layout/table.ts) against the engine
// they are made from: for every declaration set the reading side uses, on every ABI, the table the
// build wrote must give exactly the engine's fresh answers (every struct name, size, alignment,
// field, member path, offset, type name, pointer flag and bit-field), without asking the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { everyDeclarationSet, laidOut } from '../../src/cpython/declaration-sets.js';
import { declare, declarePrebuilt, fromTable, LP64, tableFileName, tableOf, type Declarations, type LayoutTable } from '../../src/layout/index.js';
import { REPO_ROOT } from '../support/pythons.js';

const TABLES = join(REPO_ROOT, 'dist', 'src', 'layout', 'tables');

/** The message of what `f` throws, or undefined. */
function thrown(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Every question a reader can ask of a set, put to both; names from the engine's own answers. */
function assertSameAnswers(table: Declarations, engine: Declarations, names: readonly string[], label: string): void {
  assert.equal(table.abi, engine.abi, label);
  assert.deepEqual(table.structNames(), engine.structNames(), `${label}: structNames`);
  for (const name of names) {
    assert.equal(table.has(name), engine.has(name), `${label}: has(${name})`);
    const t = table.struct(name);
    const e = engine.struct(name);
    const where = `${label}: ${name}`;
    assert.deepEqual([t.name, t.size, t.align], [e.name, e.size, e.align], where);
    assert.deepEqual(t.fields, e.fields, `${where}: fields`);
    assert.deepEqual(t.paths(), e.paths(), `${where}: paths`);
    for (const path of e.paths()) {
      assert.equal(t.has(path), true, `${where}.${path}`);
      assert.deepEqual(t.field(path), e.field(path), `${where}.${path}`);
      assert.equal(t.offset(path), e.offset(path), `${where}.${path}`);
    }
    assert.equal(t.has('no_such_member'), false);
    assert.equal(thrown(() => t.field('no_such_member')), thrown(() => e.field('no_such_member')));
  }
  for (const miss of ['NoSuchStruct', 'struct no_such_tag', ' PyObject', 'struct  _object ']) {
    assert.equal(table.has(miss), engine.has(miss), `${label}: has(${JSON.stringify(miss)})`);
  }
}

test('every declaration set has a table, equal to the engine laying its text out now', () => {
  const sets = everyDeclarationSet();
  assert.ok(sets.length >= 40, `${sets.length} sets: every version on lp64 and i386, asyncio, the debug headers`);
  for (const set of sets) {
    const file = join(TABLES, tableFileName(set.abi, set.label));
    assert.ok(existsSync(file), `${set.label}: no table at ${file} (npm run build writes them)`);
    const text = readFileSync(file, 'utf8');
    assert.equal(text.slice(0, text.indexOf('\0')), set.source, `${set.label}: the table was made from other declarations`);
    const written = JSON.parse(text.slice(text.indexOf('\0') + 1)) as LayoutTable;
    assert.deepEqual(written, tableOf(set.source, set.abi, set.label), `${set.label}: the table is stale`);
    let engineCalls = 0;
    const engine = declare(set.source, set.abi, set.label);
    const fromFile = fromTable(written, () => {
      engineCalls++;
      return engine;
    });
    assertSameAnswers(fromFile, engine, Object.keys(written.names), set.label);
    for (const [name, size] of Object.entries(written.sizes)) assert.equal(size, engine.sizeof(name), `${set.label}: sizeof(${name})`);
    assert.equal(engineCalls, 0, `${set.label}: every answer came from the table`);
    // A name it lacks: the engine's own error.
    assert.equal(thrown(() => fromFile.struct('NoSuchStruct')), thrown(() => engine.struct('NoSuchStruct')));
    // The readers' own path to it answers alike.
    assert.deepEqual(laidOut(set).structNames(), engine.structNames());
  }
});

test('what a table lacks is asked of the engine: array elements, spelled-out types, missing names', () => {
  const set = everyDeclarationSet().find((s) => s.abi === LP64 && s.label === 'CPython 3.12 (lp64)');
  assert.ok(set);
  const engine = declare(set.source, set.abi, set.label);
  const table = laidOut(set);
  const list = table.struct('PyListObject');
  assert.equal(list.has('ob_item[0]'), false, 'ob_item is a pointer, not an array');
  const bytes = table.struct('PyBytesObject');
  assert.deepEqual(bytes.field('ob_sval[3]'), engine.struct('PyBytesObject').field('ob_sval[3]'));
  assert.equal(table.sizeof('unsigned long *'), engine.sizeof('unsigned long *'));
  assert.equal(table.sizeof('PyObject'), engine.sizeof('PyObject'));
  assert.equal(thrown(() => table.sizeof('struct no_such_tag')), thrown(() => engine.sizeof('struct no_such_tag')));
});

test('edited declarations are laid out afresh, never answered by a stale table', () => {
  const source = 'typedef struct { char c; long l; } Edited;';
  const before = declarePrebuilt(source, LP64, 'edited');
  const after = declarePrebuilt(source.replace('long l', 'int l'), LP64, 'edited');
  assert.deepEqual([before.struct('Edited').offset('l'), after.struct('Edited').offset('l')], [8, 4]);
});
