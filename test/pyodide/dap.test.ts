// The native adapter's DAP scenarios again with runtime "pyodide": the same agent in Pyodide
// (CPython 3.14 on wasm32) in a worker_thread. Goldens are shared with the native runs, so the
// two runtimes must show the same stacks, variables and stepping trail.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { REPO_ROOT } from '../support/pythons.js';
import { lastResort } from '../support/timeouts.js';
import { closeAll, DapClient, startSession } from '../dap/client.js';
import { fixture, golden, localsRef, resume, stackText, stepTrail, topFrame, variablesText, type Stopped } from '../dap/helpers.js';

const PYODIDE = { runtime: 'pyodide' };
const own = (name: string): string => join(REPO_ROOT, 'test', 'pyodide', 'fixtures', name);
// `python` is ignored by the pyodide runtime; startSession wants one
const NO_PYTHON = 'unused';

async function stopsUntilEnd(c: DapClient, expression: string): Promise<string[]> {
  const seen: string[] = [];
  let s = await c.nextStop();
  while (s) {
    const f = await topFrame(c, s.body.threadId!);
    const r = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression, frameId: f.id, context: 'watch' });
    seen.push(`${s.body.reason} ${r.result}`);
    // each stop after the response to the continue that led to it
    s = await resume(c, 'continue', { threadId: s.body.threadId });
  }
  return seen;
}

// Each test's last resort: every wait of the client has a far shorter limit of its own and fails
// first, naming its step; no assertion depends on time. (A describe's timeout would bound the
// whole suite, which a loaded machine can take minutes over, not each test.)
const LAST_RESORT = { timeout: lastResort() };

describe('dap with runtime "pyodide"', () => {
  afterEach(closeAll);

  test('stops at a breakpoint with the native stack and variables; evaluate, setVariable, exit code', LAST_RESORT, async () => {
    const BASIC = fixture('basic.py');
    const c = await startSession(NO_PYTHON, { program: BASIC, ...PYODIDE }, async (c) => {
      const r = await c.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', { source: { path: BASIC }, breakpoints: [{ line: 20 }, { line: 400 }] });
      assert.deepEqual(r.breakpoints.map((b) => [b.verified, b.line]), [[true, 21], [true, 27]]);
    });
    const s = await c.waitFor<Stopped>('stopped');
    assert.equal(s.body.reason, 'breakpoint');
    golden('basic-stack', await stackText(c, s.body.threadId!));
    const f = await topFrame(c, s.body.threadId!);
    const locals = await localsRef(c, f.id);
    golden('basic-locals', await variablesText(c, locals, 2));
    const ev = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'p.x * 10 + len(numbers)', frameId: f.id, context: 'repl' });
    assert.equal(ev.result, '280');
    const set = await c.request<DebugProtocol.SetVariableResponse['body']>('setVariable', { variablesReference: locals, name: 'result', value: '40 + 2' });
    assert.equal(set.value, '42');
    await c.request('continue', { threadId: s.body.threadId });
    const again = await c.waitFor<Stopped>('stopped');
    assert.equal((await topFrame(c, again.body.threadId!)).line, 27);
    await c.request('continue', { threadId: again.body.threadId });
    const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 3);
    assert.match(c.output('stdout'), /result 42/);
    await c.close();
  });

  test('next, stepIn and stepOut follow the same trail as natively', LAST_RESORT, async () => {
    const STEPPING = fixture('stepping.py');
    const c = await startSession(NO_PYTHON, { program: STEPPING, ...PYODIDE }, async (c) => {
      await c.request('setBreakpoints', { source: { path: STEPPING }, breakpoints: [{ line: 10 }] });
    });
    const trail: string[] = [];
    let s = await c.waitFor<Stopped>('stopped');
    const where = async (): Promise<void> => {
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

  test('stepOut stops on the call line with the return value, as natively', LAST_RESORT, async () => {
    const STEPOUT = fixture('stepout.py');
    const c = await startSession(NO_PYTHON, { program: STEPOUT, ...PYODIDE }, async (c) => {
      await c.request('setBreakpoints', { source: { path: STEPOUT }, breakpoints: [{ line: 2 }] });
    });
    golden('stepout-trail', await stepTrail(c, ['stepOut', 'stepIn', 'stepOut', 'next', 'next', 'next']));
    await c.request('continue', { threadId: 1 });
    await c.waitFor('terminated');
    await c.close();
  });

  test('conditions, hit conditions, log points and function breakpoints', LAST_RESORT, async () => {
    const PROG = fixture('conditions.py');
    const c = await startSession(NO_PYTHON, { program: PROG, ...PYODIDE }, async (c) => {
      await c.request('setBreakpoints', {
        source: { path: PROG },
        breakpoints: [{ line: 2, condition: 'i % 4 == 1' }, { line: 3, logMessage: 'i={i} square={square}' }, { line: 8, hitCondition: '% 5' }],
      });
      await c.request('setFunctionBreakpoints', { breakpoints: [{ name: 'work', condition: 'i == 6' }] });
    });
    assert.deepEqual(await stopsUntilEnd(c, 'i'), ['breakpoint 1', 'breakpoint 4', 'breakpoint 5', 'function breakpoint 6', 'breakpoint 9', 'breakpoint 9']);
    const log = c.output('console').split('\n').filter((l) => l.startsWith('i='));
    assert.equal(log.length, 10);
    assert.equal(log[3], 'i=3 square=9');
    assert.match(c.output('stdout'), /total 285/);
    await c.close();
  });

  test('exception filters: raised stops once per exception, uncaught shows where, exits 1', LAST_RESORT, async () => {
    const PROG = fixture('exceptions.py');
    const c = await startSession(NO_PYTHON, { program: PROG, ...PYODIDE }, async (c) => {
      await c.request('setExceptionBreakpoints', { filters: ['raised', 'uncaught'] });
    });
    const seen: string[] = [];
    for (;;) {
      const s = await c.nextStop();
      if (!s) break;
      const f = await topFrame(c, s.body.threadId!);
      const info = await c.request<DebugProtocol.ExceptionInfoResponse['body']>('exceptionInfo', { threadId: s.body.threadId });
      seen.push(`${f.name}:${f.line} ${info.exceptionId} ${info.breakMode}`);
      await c.request('continue', { threadId: s.body.threadId });
    }
    assert.deepEqual(seen, ['handled:7 KeyError always', 'crash:18 RuntimeError always', 'crash:18 RuntimeError unhandled']);
    const exited = c.events.find((e) => e.event === 'exited') as DebugProtocol.ExitedEvent;
    assert.equal(exited.body.exitCode, 1);
    assert.match(c.output('stderr'), /RuntimeError: boom at depth 2/);
    assert.doesNotMatch(c.output('stderr'), /agent\.py|pyscope_boot/);
    await c.close();
  });

  test('pause stops a tight loop (through the interrupt buffer); args reach sys.argv; terminate', LAST_RESORT, async () => {
    const SPIN = own('spin.py');
    const c = await startSession(NO_PYTHON, { program: SPIN, args: ['a', 'b c'], ...PYODIDE });
    await c.waitFor('output', (e: DebugProtocol.OutputEvent) => e.body.output.includes('spinning'));
    assert.match(c.output('stdout'), /spinning \['a', 'b c'\]/);
    await c.request('pause', { threadId: 1 });
    const s = await c.waitFor<Stopped>('stopped');
    assert.equal(s.body.reason, 'pause');
    const f = await topFrame(c, s.body.threadId!);
    assert.equal(f.name, '<module>');
    const n1 = Number((await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'n', frameId: f.id, context: 'watch' })).result);
    // a breakpoint set while running stops the loop again
    await c.request('continue', { threadId: s.body.threadId });
    await c.request('setBreakpoints', { source: { path: SPIN }, breakpoints: [{ line: 6 }] });
    const b = await c.waitFor<Stopped>('stopped');
    assert.equal(b.body.reason, 'breakpoint');
    const f2 = await topFrame(c, b.body.threadId!);
    const n2 = Number((await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'n', frameId: f2.id, context: 'watch' })).result);
    // A pause that lands on `while True` before the first `n += 1` (a loaded machine) is followed by
    // the breakpoint before line 6 ran again: n may stay as it was, never go back.
    assert.equal(f2.line, 6);
    assert.ok(n2 >= n1, `the loop ran on between the stops (${n1} then ${n2})`);
    await c.request('terminate');
    const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.notEqual(exited.body.exitCode, 0);
    await c.waitFor('terminated');
    await c.close();
  });

  test('a command sent while the agent still answers the last one: 200 stops, each resumed by a continue sent right behind an evaluate', LAST_RESORT, async () => {
    // The continue reaches the mailbox (and raises the interrupt) while the agent still answers the
    // evaluate. The SIGINT handler used to take it between the stopped loop's test and its blocking
    // take, which then waited for ever with the program stopped: no next stop.
    const PROG = own('many_stops.py');
    const c = await startSession(NO_PYTHON, { program: PROG, ...PYODIDE }, async (c) => {
      await c.request('setBreakpoints', { source: { path: PROG }, breakpoints: [{ line: 3 }] });
    });
    let stops = 0;
    let s = await c.nextStop();
    while (s) {
      const [ev, cont] = await Promise.all([c.raw('evaluate', { expression: 'i', context: 'watch' }), c.raw('continue', { threadId: s.body.threadId })]);
      assert.equal(ev.body?.result, String(stops), `the value at stop ${stops}`);
      assert.equal(cont.success, true);
      stops++;
      s = await c.nextStop();
    }
    assert.equal(stops, 200);
    assert.match(c.output('stdout'), /total 19900/);
    await c.close();
  });

  test('a repr that loops for ever is cut at reprTimeout (the interrupt buffer stands in for the native helper thread); the session goes on', LAST_RESORT, async () => {
    const PROG = own('loop_repr.py');
    const c = await startSession(NO_PYTHON, { program: PROG, ...PYODIDE }, async (c) => {
      await c.request('setBreakpoints', { source: { path: PROG }, breakpoints: [{ line: 26 }] });
    });
    const s = await c.waitFor<Stopped>('stopped');
    const f = await topFrame(c, s.body.threadId!);
    assert.equal(await variablesText(c, await localsRef(c, f.id)), ['forever: Forever = <repr timed out after 1s>', 'stubborn: Stubborn = <repr timed out after 1s>', 'count: int = 3'].join('\n'));
    const watch = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'forever', frameId: f.id, context: 'watch' });
    assert.equal(watch.result, '<repr timed out after 1s>');
    const loop = await c.raw('evaluate', { expression: 'while True: pass', frameId: f.id, context: 'repl' });
    assert.equal(loop.success, false);
    assert.match(loop.message ?? '', /evaluation timed out after 1s/);
    const ev = await c.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: 'count * 2', frameId: f.id, context: 'repl' });
    assert.equal(ev.result, '6');
    await c.request('continue', { threadId: s.body.threadId });
    const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 7);
    assert.equal(c.output('stdout'), 'inspect me\n');
    await c.close();
  });

  test('bad input: a syntax error fails the launch; a package Pyodide lacks is named', LAST_RESORT, async () => {
    const bad = new DapClient();
    await bad.request('initialize', { adapterID: 'pyscope' });
    const r = await bad.raw('launch', { program: fixture('syntax_error.py'), ...PYODIDE });
    assert.equal(r.success, false);
    assert.match(r.message ?? '', /SyntaxError/);
    await bad.close();

    const c = await startSession(NO_PYTHON, { program: own('needs_numpy.py'), ...PYODIDE });
    const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exited.body.exitCode, 1);
    assert.match(c.output('stderr'), /ModuleNotFoundError: No module named 'numpy'/);
    assert.match(c.output('stderr'), /'numpy' is not among the Pyodide files installed with pyscope, and nothing is fetched from the network/);
    await c.close();
  });
});
