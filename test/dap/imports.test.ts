// Stops inside an import in progress: the stopped thread holds the module's import lock, and the
// agent must still answer everything (stack, scopes, variables, evaluate, the source of code
// compiled from a string) and step on to the end, never waiting on that lock. Also: namedtuple's
// generated code is library code for Just-My-Code, and `-m module` stops first at the module's
// first line even when it is library code.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { closeAll, startSession, type DapClient } from './client.js';
import { fixture, localsRef, topFrame, type Stopped } from './helpers.js';

const MAIN = fixture('imports_main.py');
const IMPORTED = fixture('imported_nt.py');
const LINE_FIRST = 5; // first = Point(1, 2)
// a hang here is the failure this file is about: it must fail the test, not stall the run
const TIMEOUT = { timeout: 180_000 };

async function stack(c: DapClient, threadId: number): Promise<DebugProtocol.StackFrame[]> {
  return (await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId })).stackFrames;
}

async function evaluate(c: DapClient, frameId: number, expression: string): Promise<DebugProtocol.Response> {
  return c.raw('evaluate', { expression, frameId, context: 'watch' });
}

async function names(c: DapClient, ref: number): Promise<string[]> {
  const v = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: ref });
  return v.variables.map((x) => x.name);
}

/** `next` until the program ends; the steps it took. */
async function stepToEnd(c: DapClient, threadId: number, limit = 60): Promise<number> {
  for (let i = 0; i < limit; i++) {
    await c.request('next', { threadId });
    const s = await c.nextStop();
    if (!s) return i + 1;
  }
  throw new Error(`still stopping after ${limit} steps`);
}

for (const py of pythonsFrom(3, 8)) {
  describe(`dap stops inside an import on ${py.label}`, skipIfMissing(py), () => {
    afterEach(closeAll);

    test('a breakpoint in top-level code being imported: stack, scopes, variables, evaluate; a step over namedtuple code; on to the end', TIMEOUT, async () => {
      const c = await startSession(py.path, { program: MAIN, reprTimeout: 0.5 }, async (c) => {
        await c.request('setBreakpoints', { source: { path: IMPORTED }, breakpoints: [{ line: LINE_FIRST }] });
      });
      const s = await c.waitFor<Stopped>('stopped');
      const tid = s.body.threadId!;
      const frames = await stack(c, tid);
      assert.deepEqual(frames.map((f) => `${f.name} ${f.source?.path}:${f.line}`), [`<module> ${IMPORTED}:${LINE_FIRST}`, `<module> ${MAIN}:1`]);
      const f = frames[0]!;
      const vars = await names(c, await localsRef(c, f.id));
      assert.ok(vars.includes('collections') && vars.includes('Point'), vars.join(' '));
      const made = await evaluate(c, f.id, 'Point(5, 6)');
      assert.equal(made.success, true, made.message);
      assert.equal((made.body as DebugProtocol.EvaluateResponse['body']).result, 'Point(x=5, y=6)');
      // the module is still being imported by the stopped thread: importing it again would wait
      // for its lock for ever, so the evaluation is cut at reprTimeout and the session goes on
      const again = await evaluate(c, f.id, "__import__('imported_nt').total");
      assert.equal(again.success, false);
      assert.match(again.message ?? '', /timed out after 0\.5s/);
      // namedtuple's methods are compiled from "<string>" by the library: stepping in skips them
      await c.request('stepIn', { threadId: tid });
      await c.waitFor<Stopped>('stopped');
      const after = await topFrame(c, tid);
      assert.equal(`${after.source?.path}:${after.line}`, `${IMPORTED}:${LINE_FIRST + 1}`);
      await stepToEnd(c, tid);
      await c.waitFor('terminated');
      assert.match(c.output('stdout'), /imported 4/);
      await c.close();
    });

    test('justMyCode off: stepping into namedtuple code made from a string, its disassembly, then on to the end', TIMEOUT, async () => {
      const c = await startSession(py.path, { program: MAIN, justMyCode: false, reprTimeout: 0.5 }, async (c) => {
        await c.request('setBreakpoints', { source: { path: IMPORTED }, breakpoints: [{ line: LINE_FIRST }] });
      });
      const s = await c.waitFor<Stopped>('stopped');
      const tid = s.body.threadId!;
      await c.request('stepIn', { threadId: tid });
      await c.waitFor<Stopped>('stopped');
      const frames = await stack(c, tid);
      const top = frames[0]!;
      assert.equal(top.source?.name, '<string>');
      assert.ok(top.source?.sourceReference, 'code without a file has its source from the adapter');
      assert.equal(top.presentationHint, 'subtle', 'namedtuple code is library code, shown dimmed');
      assert.ok(frames.some((f) => f.source?.path === IMPORTED && f.line === LINE_FIRST), 'the importing line is below it');
      const src = await c.request<DebugProtocol.SourceResponse['body']>('source', { source: top.source, sourceReference: top.source!.sourceReference });
      assert.match(src.content, /source of <string> is not available; disassembly/);
      const vars = await names(c, await localsRef(c, top.id));
      assert.ok(vars.includes('x') && vars.includes('y'), vars.join(' '));
      const sum = await evaluate(c, top.id, 'x + y');
      assert.equal((sum.body as DebugProtocol.EvaluateResponse['body']).result, '3');
      await stepToEnd(c, tid);
      await c.waitFor('terminated');
      assert.match(c.output('stdout'), /imported 4/);
      await c.close();
    });

    test('stepping in from the first line of a program that imports dis (a module the agent uses too) answers every stop', TIMEOUT, async () => {
      const c = await startSession(py.path, { program: fixture('imports_dis.py'), stopOnEntry: true, reprTimeout: 0.5 });
      let s = await c.nextStop();
      let stops = 0;
      while (s) {
        const tid = s.body.threadId!;
        const top = (await stack(c, tid))[0]!;
        if (top.source?.sourceReference) await c.request('source', { source: top.source, sourceReference: top.source.sourceReference });
        await names(c, await localsRef(c, top.id));
        if (++stops > 400) throw new Error('still stopping after 400 steps');
        await c.request('stepIn', { threadId: tid });
        s = await c.nextStop();
      }
      await c.waitFor('terminated');
      assert.match(c.output('stdout'), /disassembler NOP/);
      await c.close();
    });

    test('-m module with stopOnEntry stops at the module first line, library code or not', TIMEOUT, async () => {
      const c = await startSession(py.path, { module: 'this', stopOnEntry: true, cwd: fixture('.') });
      const s = await c.waitFor<Stopped>('stopped');
      assert.equal(s.body.reason, 'entry');
      const f = await topFrame(c, s.body.threadId!);
      assert.equal(f.name, '<module>');
      assert.match(f.source?.path ?? '', /[/\\]this\.py$/);
      assert.equal(f.line, 1);
      await c.request('continue', { threadId: s.body.threadId });
      await c.waitFor('terminated');
      assert.match(c.output('stdout'), /Beautiful is better than ugly/);
      await c.close();
    });
  });
}
