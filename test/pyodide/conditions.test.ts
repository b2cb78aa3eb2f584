// Under Pyodide there is no thread to time a condition from: a condition or a log-point expression
// that never returns is cut by the adapter through the interrupt buffer, as a repr is.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { closeAll, startSession } from '../dap/client.js';
import { fixture, topFrame, type Stopped } from '../dap/helpers.js';

const PROG = fixture('bounded.py');

// the timeout only turns a hang into a failure; no assertion depends on time
describe('conditions and log points under runtime "pyodide"', { timeout: 240_000 }, () => {
  afterEach(closeAll);

  test('a condition and a log point that never return are cut at reprTimeout; the program goes on', async () => {
    const c = await startSession('unused', { program: PROG, runtime: 'pyodide', reprTimeout: 1 }, async (c) => {
      await c.request('setBreakpoints', {
        source: { path: PROG },
        breakpoints: [{ line: 33, condition: 'forever()' }, { line: 34, logMessage: 'marker {stubborn()} {i}' }, { line: 35 }],
      });
    });
    const s = await c.waitFor<Stopped>('stopped');
    const f = await topFrame(c, s.body.threadId!);
    assert.equal(f.line, 35);
    const total = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'total', frameId: f.id, context: 'watch' });
    assert.equal(total.result, '3');
    assert.deepEqual(c.output('console').split('\n').filter((l) => l.startsWith('marker')), ['marker <timed out> 0', 'marker <timed out> 1', 'marker <timed out> 2']);
    assert.match(c.output('stderr'), /the condition 'forever\(\)' of the breakpoint at .*bounded\.py:33 timed out after 1s; it is treated as false/);
    await c.request('continue', { threadId: s.body.threadId });
    await c.waitFor('terminated');
    assert.match(c.output('stdout'), /total 3/);
    await c.close();
  });
});
