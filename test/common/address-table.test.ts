// The address table answers as a Map would, for user-space addresses (above 2^31, where a Map's
// keys are heap numbers), through growth and through clears by generation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABSENT, AddressTable } from '../../src/common/address-table.js';

test('address table: the answers of a Map, through growth and clears', () => {
  const table = new AddressTable(4);
  const model = new Map<number, number>();
  // A deterministic mix of page starts, frame addresses and small numbers.
  let seed = 12345;
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const key = (): number => {
    const kind = next() % 3;
    if (kind === 0) return 0x7f00_0000_0000 + (next() % 4096) * 4096;
    if (kind === 1) return 0x5555_0000_0000 + (next() % 100_000) * 16;
    return next() % 1000;
  };
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 50 * (round + 1); i++) {
      const k = key();
      const v = next() % 1_000_000;
      table.set(k, v);
      model.set(k, v);
    }
    assert.equal(table.size, model.size);
    for (const [k, v] of model) assert.equal(table.get(k), v);
    for (let i = 0; i < 200; i++) {
      const k = key();
      assert.equal(table.get(k), model.get(k) ?? ABSENT);
    }
    table.clear();
    model.clear();
    assert.equal(table.size, 0);
    assert.equal(table.has(0x7f00_0000_0000), false);
  }
});
