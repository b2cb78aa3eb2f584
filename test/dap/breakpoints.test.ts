// Conditions, hit conditions, log points, function breakpoints, and a condition that raises.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { closeAll, startSession, type DapClient } from './client.js';
import { fixture, localsRef, topFrame, variablesText, type Stopped } from './helpers.js';


const PROG = fixture('conditions.py');

async function valueOf(c: DapClient, threadId: number, expression: string): Promise<string> {
  const f = await topFrame(c, threadId);
  const r = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression, frameId: f.id, context: 'watch' });
  return r.result;
}

/** Runs to the end, collecting `i` at every stop. */
async function stopsUntilEnd(c: DapClient): Promise<string[]> {
  const seen: string[] = [];
  for (;;) {
    const e = await c.nextStop();
    if (!e) return seen;
    seen.push(await valueOf(c, e.body.threadId!, 'i'));
    await c.request('continue', { threadId: e.body.threadId });
  }
}

for (const py of pythonsFrom(3, 8)) {
  describe(`dap breakpoints on ${py.label}`, skipIfMissing(py), () => {
    afterEach(closeAll);

    test('a condition stops only where it holds', async () => {
      const c = await startSession(py.path, { program: PROG }, async (c) => {
        await c.request('setBreakpoints', { source: { path: PROG }, breakpoints: [{ line: 2, condition: 'i % 4 == 1' }] });
      });
      assert.deepEqual(await stopsUntilEnd(c), ['1', '5', '9']);
      await c.close();
    });

    test('hit conditions follow debugpy: N, == N, >= N, % N', async () => {
      for (const [hit, want] of [
        ['3', ['2']],
        ['== 2', ['1']],
        ['>= 8', ['7', '8', '9']],
        ['% 4', ['3', '7']],
      ] as const) {
        const c = await startSession(py.path, { program: PROG }, async (c) => {
          await c.request('setBreakpoints', { source: { path: PROG }, breakpoints: [{ line: 2, hitCondition: hit }] });
        });
        assert.deepEqual(await stopsUntilEnd(c), want, `hit condition ${hit}`);
        await c.close();
      }
    });

    test('log points print with {expression} interpolation and never stop', async () => {
      const c = await startSession(py.path, { program: PROG }, async (c) => {
        await c.request('setBreakpoints', { source: { path: PROG }, breakpoints: [{ line: 3, logMessage: 'i={i} square={square} {{literal}} {undefined_name}' }] });
      });
      assert.deepEqual(await stopsUntilEnd(c), []);
      const log = c.output('console').split('\n').filter((l) => l.startsWith('i='));
      assert.equal(log.length, 10);
      assert.equal(log[3], "i=3 square=9 {literal} <NameError: name 'undefined_name' is not defined>");
      assert.match(c.output('stdout'), /total 285/);
      await c.close();
    });

    test('a condition that raises is reported once and treated as false', async () => {
      const c = await startSession(py.path, { program: PROG }, async (c) => {
        await c.request('setBreakpoints', { source: { path: PROG }, breakpoints: [{ line: 2, condition: '1 / (i - i)' }] });
      });
      assert.deepEqual(await stopsUntilEnd(c), []);
      const reports = c.output('stderr').split('\n').filter((l) => l.includes('ZeroDivisionError'));
      assert.equal(reports.length, 1);
      assert.match(reports[0]!, /treated as false/);
      await c.close();
    });

    test('an invalid hit condition or condition is refused, the others stay verified', async () => {
      const c = await startSession(py.path, { program: PROG }, async (c) => {
        const r = await c.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', {
          source: { path: PROG },
          breakpoints: [{ line: 2, hitCondition: 'often' }, { line: 3, condition: 'i ==' }, { line: 8 }],
        });
        assert.deepEqual(r.breakpoints.map((b) => b.verified), [false, false, true]);
        assert.match(r.breakpoints[0]!.message!, /invalid hit condition/);
        await c.request('setBreakpoints', { source: { path: PROG }, breakpoints: [] });
      });
      await c.waitFor('terminated');
      await c.close();
    });

    test('a function breakpoint stops at the function, and its locals show', async () => {
      const c = await startSession(py.path, { program: PROG }, async (c) => {
        const r = await c.request<DebugProtocol.SetFunctionBreakpointsResponse['body']>('setFunctionBreakpoints', { breakpoints: [{ name: 'work', condition: 'i == 6' }] });
        assert.equal(r.breakpoints[0]!.verified, true);
      });
      const s = await c.waitFor<Stopped>('stopped');
      assert.equal(s.body.reason, 'function breakpoint');
      const f = await topFrame(c, s.body.threadId!);
      assert.equal(f.name, 'work');
      assert.equal(await variablesText(c, await localsRef(c, f.id)), 'i: int = 6');
      await c.request('setFunctionBreakpoints', { breakpoints: [] });
      await c.request('continue', { threadId: s.body.threadId });
      await c.waitFor('terminated');
      await c.close();
    });

    test('breakpoints set while the program runs take effect', async () => {
      const loop = fixture('threads_loop.py');
      const c = await startSession(py.path, { program: loop });
      await c.request('setBreakpoints', { source: { path: loop }, breakpoints: [{ line: 10 }] });
      const s = await c.waitFor<Stopped>('stopped');
      assert.equal(s.body.reason, 'breakpoint');
      const f = await topFrame(c, s.body.threadId!);
      assert.equal(f.line, 10);
      await c.request('setBreakpoints', { source: { path: loop }, breakpoints: [] });
      await c.request('evaluate', { expression: 'globals().__setitem__("stop", True)', frameId: f.id, context: 'repl' });
      await c.request('continue', { threadId: s.body.threadId });
      await c.waitFor('terminated');
      assert.match(c.output('stdout'), /done/);
      await c.close();
    });
  });
}
