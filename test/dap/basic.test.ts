// Launch, line breakpoints, stack traces, variables, evaluate, stepping and exit codes.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { closeAll, startSession } from './client.js';
import { fixture, golden, localsRef, stackText, topFrame, variablesText, type Stopped } from './helpers.js';

const BASIC = fixture('basic.py');
const STEPPING = fixture('stepping.py');

for (const py of pythonsFrom(3, 8)) {
  describe(`dap basics on ${py.label}`, skipIfMissing(py), () => {
    afterEach(closeAll);
    test('breakpoints are verified and moved to lines with code', async () => {
      const c = await startSession(py.path, { program: BASIC }, async (c) => {
        const r = await c.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', {
          source: { path: BASIC },
          breakpoints: [{ line: 5 }, { line: 20 }, { line: 3 }, { line: 400 }],
        });
        assert.deepEqual(
          r.breakpoints.map((b) => [b.verified, b.line]),
          [[true, 5], [true, 21], [true, 4], [true, 27]],
        );
        const loc = await c.request<DebugProtocol.BreakpointLocationsResponse['body']>('breakpointLocations', { source: { path: BASIC }, line: 15, endLine: 22 });
        assert.deepEqual(loc.breakpoints.map((b) => b.line), [15, 16, 17, 18, 19, 21, 22]);
      });
      await c.close();
    });

    test('stops, shows the stack and variables, evaluates, and reports the exit code', async () => {
      const c = await startSession(py.path, { program: BASIC }, async (c) => {
        await c.request('setBreakpoints', { source: { path: BASIC }, breakpoints: [{ line: 21 }] });
      });
      const s = await c.waitFor<Stopped>('stopped');
      assert.equal(s.body.reason, 'breakpoint');
      const threads = await c.request<DebugProtocol.ThreadsResponse['body']>('threads');
      assert.deepEqual(threads.threads.map((t) => t.name), ['MainThread']);
      golden('basic-stack', await stackText(c, s.body.threadId!));
      const f = await topFrame(c, s.body.threadId!);
      golden('basic-locals', await variablesText(c, await localsRef(c, f.id), 2));
      const ev = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'p.x * 10 + len(numbers)', frameId: f.id, context: 'repl' });
      assert.equal(ev.result, '280');
      // a large list pages: the client asks for a slice
      const big = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'numbers', frameId: f.id, context: 'watch' });
      assert.equal(big.indexedVariables, 250);
      const slice = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: big.variablesReference, filter: 'indexed', start: 100, count: 3 });
      assert.deepEqual(slice.variables.map((v) => `${v.name}=${v.value}`), ['100=100', '101=101', '102=102']);
      await c.request('continue', { threadId: s.body.threadId });
      const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 3);
      await c.waitFor('terminated');
      assert.match(c.output('stdout'), /result 7/);
      await c.close();
    });

    test('next, stepIn and stepOut follow the code and skip library code', async () => {
      const c = await startSession(py.path, { program: STEPPING }, async (c) => {
        await c.request('setBreakpoints', { source: { path: STEPPING }, breakpoints: [{ line: 10 }] });
      });
      const trail: string[] = [];
      let s = await c.waitFor<Stopped>('stopped');
      const where = async () => {
        const f = await topFrame(c, s.body.threadId!);
        trail.push(`${s.body.reason} ${f.name}:${f.line}`);
      };
      await where();
      for (const step of ['stepIn', 'next', 'next', 'stepIn', 'stepIn', 'stepOut'] as const) {
        await c.request(step, { threadId: s.body.threadId });
        s = await c.waitFor<Stopped>('stopped');
        await where();
        trail[trail.length - 1] = `${step} -> ${trail[trail.length - 1]}`;
      }
      golden('stepping-trail', trail.join('\n'));
      await c.request('continue', { threadId: s.body.threadId });
      await c.waitFor('terminated');
      await c.close();
    });

    test('justMyCode false steps into library code and shows its frames dimmed', async () => {
      const c = await startSession(py.path, { program: STEPPING, justMyCode: false }, async (c) => {
        await c.request('setBreakpoints', { source: { path: STEPPING }, breakpoints: [{ line: 11 }] });
      });
      const s = await c.waitFor<Stopped>('stopped');
      await c.request('stepIn', { threadId: s.body.threadId });
      await c.waitFor<Stopped>('stopped');
      const st = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: s.body.threadId });
      const top = st.stackFrames[0]!;
      assert.equal(top.name, 'dumps');
      assert.match(top.source!.path!, /json/);
      assert.equal(top.presentationHint, 'subtle');
      assert.equal(st.stackFrames[1]!.name, 'outer');
      assert.equal(st.stackFrames[1]!.presentationHint, undefined);
      await c.request('continue', { threadId: s.body.threadId });
      await c.waitFor('terminated');
      await c.close();
    });

    test('stopOnEntry stops at the first line; a module runs with its arguments', async () => {
      const c = await startSession(py.path, { program: BASIC, stopOnEntry: true });
      const s = await c.waitFor<Stopped>('stopped');
      assert.equal(s.body.reason, 'entry');
      const f = await topFrame(c, s.body.threadId!);
      assert.equal(f.line, 1);
      await c.request('continue', { threadId: s.body.threadId });
      await c.waitFor('terminated');
      await c.close();
      const m = await startSession(py.path, { module: 'pkg', args: ['a b', 'c'], cwd: fixture('.') });
      const exited = await m.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 0);
      await m.waitFor('terminated');
      assert.match(m.output('stdout'), /module mode \['a b', 'c'\]/);
      assert.match(m.output('stderr'), /to stderr/);
      await m.close();
    });
  });
}
