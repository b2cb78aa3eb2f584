// setVariable, setExpression, completions, evaluate contexts, source for exec'd code, and
// values whose repr is slow or raises.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { closeAll, startSession, type DapClient } from './client.js';
import { fixture, golden, localsRef, topFrame, variablesText, type Stopped } from './helpers.js';

const PROG = fixture('inspect_me.py');

async function evaluate(c: DapClient, frameId: number, expression: string, context = 'repl'): Promise<string> {
  const r = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression, frameId, context });
  return r.result;
}

for (const py of pythonsFrom(3, 8)) {
  describe(`dap inspection on ${py.label}`, skipIfMissing(py), () => {
    afterEach(closeAll);

    test('variables, evaluate, setVariable, setExpression, completions, exec source', async () => {
      const c = await startSession(py.path, { program: PROG, reprTimeout: 0.3 }, async (c) => {
        await c.request('setBreakpoints', { source: { path: PROG }, breakpoints: [{ line: 31 }] });
      });
      const s = await c.waitFor<Stopped>('stopped');
      const tid = s.body.threadId!;
      let f = await topFrame(c, tid);
      assert.equal(f.line, 31);
      const locals = await localsRef(c, f.id);
      // slow and failing reprs show as error values; nothing hangs
      golden('inspect-locals', await variablesText(c, locals, 3));

      assert.equal(await evaluate(c, f.id, 'counter + 1', 'hover'), '11');
      assert.equal(await evaluate(c, f.id, 'nested', 'clipboard'), "{'a': [1, 2, {'deep': True}], 'b': (3, 4)}");
      assert.equal(await evaluate(c, f.id, 'counter = 20'), '');
      assert.equal(await evaluate(c, f.id, 'counter', 'watch'), '20');
      const bad = await c.raw('evaluate', { expression: 'missing_name', frameId: f.id, context: 'watch' });
      assert.equal(bad.success, false);
      assert.match(bad.message!, /NameError/);

      const set = await c.request<DebugProtocol.SetVariableResponse['body']>('setVariable', { variablesReference: locals, name: 'text', value: "'changed'" });
      assert.equal(set.value, "'changed'");
      const items = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'nested', frameId: f.id, context: 'watch' });
      await c.request('setVariable', { variablesReference: items.variablesReference, name: "['b']", value: '[5]' });
      await c.request('setExpression', { expression: 'chain.next.value', value: '99', frameId: f.id });
      assert.equal(await evaluate(c, f.id, '(text, nested["b"], chain.next.value)'), "('changed', [5], 99)");

      const comp = await c.request<DebugProtocol.CompletionsResponse['body']>('completions', { text: 'cha', column: 4, frameId: f.id });
      assert.ok(comp.targets.some((t) => t.label === 'chain'));
      const attr = await c.request<DebugProtocol.CompletionsResponse['body']>('completions', { text: 'text.up', column: 8, frameId: f.id });
      assert.ok(attr.targets.some((t) => t.label === 'upper'));

      // step into code compiled from a string: its source comes from the adapter
      await c.request('next', { threadId: tid });
      await c.waitFor<Stopped>('stopped');
      await c.request('stepIn', { threadId: tid });
      await c.waitFor<Stopped>('stopped');
      f = await topFrame(c, tid);
      assert.equal(f.name, 'generated');
      assert.ok(f.source?.sourceReference);
      const src = await c.request<DebugProtocol.SourceResponse['body']>('source', { source: f.source, sourceReference: f.source!.sourceReference });
      assert.match(src.content, /generated/);
      await c.request('continue', { threadId: tid });
      await c.waitFor('terminated');
      assert.match(c.output('stdout'), /\(20, 21\)/);
      await c.close();
    });
  });
}
