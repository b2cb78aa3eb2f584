// PyodideDapSession (the page's session, pyscope/pyodide) driven directly, with worker_threads
// standing in for Web Workers and the real Pyodide from the npm package: restart, setExpression,
// and the time limit on reprs and evaluations that Pyodide's single thread cannot leave behind.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { REPO_ROOT } from '../support/pythons.js';
import { BrowserClient, closeAllBrowserClients } from './browserClient.js';

const PROGRAM = '/home/pyodide/main.py';
type Stopped = DebugProtocol.StoppedEvent;

const RESTARTED = `import sys


def work(n):
    total = n * 2
    return total


def finish(value):
    print('value', value)
    return value + 1


print('start', sys.argv[1:])
sys.exit(finish(work(20)))
`;

const SETTABLE = `class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


def main():
    p = Point(3, 4)
    numbers = list(range(150))
    total = p.x + p.y
    print('total', total, 'x', p.x)
    return total


raise SystemExit(main())
`;

async function topFrame(c: BrowserClient, threadId: number): Promise<DebugProtocol.StackFrame> {
  const st = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId, startFrame: 0, levels: 1 });
  const f = st.stackFrames[0];
  assert.ok(f, 'a stopped thread has a frame');
  return f;
}

// the timeout only turns a hang into a failure; no assertion depends on time. Each test has its own:
// one on the describe would bound the whole file, and a loaded machine that slows every test a
// little would fail whichever test runs when the sum passes it.
const HANG = { timeout: 180_000 };

describe('PyodideDapSession in worker_threads', () => {
  afterEach(closeAllBrowserClients);

  test('restart: a new worker, the breakpoints, function breakpoints and filters again, the same stop; the old run is not heard', HANG, async () => {
    const c = new BrowserClient();
    const caps = await c.request<DebugProtocol.Capabilities>('initialize', { adapterID: 'pyscope-test' });
    assert.equal(caps.supportsRestartRequest, true);
    await c.request('launch', { program: PROGRAM, source: RESTARTED });
    await c.waitFor('initialized');
    await c.request('setBreakpoints', { source: { path: PROGRAM }, breakpoints: [{ line: 5 }] });
    await c.request('setFunctionBreakpoints', { breakpoints: [{ name: 'finish' }] });
    await c.request('setExceptionBreakpoints', { filters: ['uncaught'] });
    await c.request('configurationDone');
    const first = await c.waitFor<Stopped>('stopped');
    assert.equal(first.body.reason, 'breakpoint');
    assert.equal((await topFrame(c, first.body.threadId!)).line, 5);

    const mark = c.events.length;
    await c.request('restart', {});
    const again = await c.waitFor<Stopped>('stopped');
    assert.equal(again.body.reason, 'breakpoint');
    const f = await topFrame(c, again.body.threadId!);
    assert.deepEqual([f.name, f.line, f.source?.path], ['work', 5, PROGRAM]);
    await c.request('continue', { threadId: again.body.threadId });
    const fn = await c.waitFor<Stopped>('stopped');
    assert.equal(fn.body.reason, 'function breakpoint');
    assert.equal((await topFrame(c, fn.body.threadId!)).name, 'finish');
    await c.request('continue', { threadId: fn.body.threadId });
    const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 41);
    await c.waitFor('terminated');

    assert.equal(c.workers.length, 2);
    assert.equal(c.events.filter((e) => e.event === 'exited').length, 1, 'the first run ended without an exited event');
    assert.equal(c.events.filter((e) => e.event === 'terminated').length, 1);
    assert.equal(c.events.filter((e) => e.event === 'initialized').length, 1);
    assert.equal(c.output('stdout', c.events.slice(mark)), 'start []\nvalue 40\n');
    assert.equal(c.output('stdout'), 'start []\nstart []\nvalue 40\n');
    await c.close();
  });

  test('setExpression, scopes and evaluate as the Node adapter answers them; reprTimeout bounds an evaluation', HANG, async () => {
    const c = new BrowserClient();
    await c.start({ program: PROGRAM, source: SETTABLE, reprTimeout: 0.5 }, async () => {
      await c.request('setBreakpoints', { source: { path: PROGRAM }, breakpoints: [{ line: 11 }] });
    });
    const s = await c.waitFor<Stopped>('stopped');
    const f = await topFrame(c, s.body.threadId!);
    const scopes = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: f.id });
    assert.deepEqual(scopes.scopes.map((x) => [x.name, x.presentationHint]), [['Locals', 'locals'], ['Globals', undefined]]);

    const x = await c.request<DebugProtocol.SetExpressionResponse['body']>('setExpression', { expression: 'p.x', value: 'p.x * 10', frameId: f.id });
    assert.equal(x.value, '30');
    const total = await c.request<DebugProtocol.SetExpressionResponse['body']>('setExpression', { expression: 'total', value: 'total + 100', frameId: f.id });
    assert.deepEqual([total.value, total.type], ['107', 'int']);
    const ev = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'total', frameId: f.id, context: 'watch' });
    assert.equal(ev.result, '107');
    const numbers = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'numbers', frameId: f.id, context: 'watch' });
    assert.equal(numbers.indexedVariables, 150);

    const loop = await c.raw('evaluate', { expression: 'while True: pass', frameId: f.id, context: 'repl' });
    assert.equal(loop.success, false);
    assert.match(loop.message ?? '', /evaluation timed out after 0\.5s/);

    await c.request('continue', { threadId: s.body.threadId });
    const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 107);
    assert.equal(c.output('stdout'), 'total 107 x 30\n');
    await c.close();
  });

  test('a repr that loops for ever (even one that swallows the first interruption) shows as timed out; the session goes on', HANG, async () => {
    const c = new BrowserClient();
    const source = readFileSync(join(REPO_ROOT, 'test', 'pyodide', 'fixtures', 'loop_repr.py'), 'utf8');
    await c.start({ program: PROGRAM, source }, async () => {
      await c.request('setBreakpoints', { source: { path: PROGRAM }, breakpoints: [{ line: 26 }] });
    });
    const s = await c.waitFor<Stopped>('stopped');
    const f = await topFrame(c, s.body.threadId!);
    const scopes = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: f.id });
    const locals = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: scopes.scopes[0]!.variablesReference });
    assert.deepEqual(
      locals.variables.map((v) => `${v.name}=${v.value}`),
      ['forever=<repr timed out after 1s>', 'stubborn=<repr timed out after 1s>', 'count=3'],
    );
    const ev = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'count * 2', frameId: f.id, context: 'watch' });
    assert.equal(ev.result, '6');

    const loop = await c.raw('evaluate', { expression: 'while True: pass', frameId: f.id, context: 'repl' });
    assert.equal(loop.success, false);
    assert.match(loop.message ?? '', /evaluation timed out after 1s/);
    const after = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'count + 1', frameId: f.id, context: 'repl' });
    assert.equal(after.result, '4');

    await c.request('continue', { threadId: s.body.threadId });
    const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 7);
    assert.equal(c.output('stdout'), 'inspect me\n');
    await c.close();
  });
});
