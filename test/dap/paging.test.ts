// variables pages by default: an unpaged request of a value with thousands of children gets the
// first UNPAGED_LIMIT and a last entry that says how many more there are; and a slow request to
// the agent does not hold the requests the adapter answers itself.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { UNPAGED_LIMIT } from '../../src/agent/protocol.js';
import { pythonsFrom, requirePython } from '../support/pythons.js';
import { closeAll, startSession } from './client.js';
import { fixture, topFrame, type Stopped } from './helpers.js';

const PROG = fixture('big_values.py');
const newest = pythonsFrom(3, 8).filter((p) => !p.missing).at(-1);

type Vars = DebugProtocol.VariablesResponse['body'];
type Evaluated = DebugProtocol.EvaluateResponse['body'];

describe('dap variables paging', requirePython(newest !== undefined, 'no interpreter of 3.8 or newer'), () => {
  afterEach(closeAll);

  test('an unpaged request gets the first children and an entry saying how many more; a paged one gets its page', async () => {
    const c = await startSession(newest!.path, { program: PROG }, async (c) => {
      await c.request('setBreakpoints', { source: { path: PROG }, breakpoints: [{ line: 5 }] });
    });
    const s = await c.waitFor<Stopped>('stopped');
    const f = await topFrame(c, s.body.threadId!);
    for (const name of ['big_dict', 'big_list']) {
      const ev = await c.request<Evaluated>('evaluate', { expression: name, frameId: f.id, context: 'watch' });
      const all = await c.request<Vars>('variables', { variablesReference: ev.variablesReference });
      assert.equal(all.variables.length, UNPAGED_LIMIT + 1, name);
      assert.deepEqual(all.variables.at(-1), {
        name: '...',
        value: `${5000 - UNPAGED_LIMIT} more not shown: ask for them with "start" and "count"`,
        variablesReference: 0,
        presentationHint: { kind: 'virtual' },
      });
      const page = await c.request<Vars>('variables', { variablesReference: ev.variablesReference, start: 4990, count: 20 });
      assert.equal(page.variables.length, 10, `${name}: the last page`);
      assert.notEqual(page.variables.at(-1)!.name, '...');
    }
    await c.close();
  });

  test('a slow evaluation does not hold the requests the adapter answers itself', async () => {
    const c = await startSession(newest!.path, { program: PROG, reprTimeout: 30 }, async (c) => {
      await c.request('setBreakpoints', { source: { path: PROG }, breakpoints: [{ line: 5 }] });
    });
    const s = await c.waitFor<Stopped>('stopped');
    const f = await topFrame(c, s.body.threadId!);
    const order: string[] = [];
    const slow = c.raw('evaluate', { expression: '__import__("time").sleep(3) or 1', frameId: f.id, context: 'repl' }).then((r) => {
      order.push('evaluate');
      return r;
    });
    const quick = Promise.all([
      c.raw('source', { sourceReference: 12345 }).then((r) => {
        order.push('source');
        return r;
      }),
      c.raw('initialize', { adapterID: 'again' }).then((r) => {
        order.push('initialize');
        return r;
      }),
    ]);
    const [src, init] = await quick;
    assert.equal(src.message, 'source: no source with reference 12345');
    assert.equal(init.success, true);
    assert.equal((await slow).body.result, '1');
    assert.deepEqual(order.slice().sort(), ['evaluate', 'initialize', 'source']);
    assert.equal(order.at(-1), 'evaluate', `answered in the order ${order.join(', ')}`);
    await c.close();
  });
});
