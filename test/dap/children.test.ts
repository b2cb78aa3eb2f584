// Child processes (subProcess): each followed child becomes a session of its own through the
// startDebugging reverse request, which this client answers by starting a second adapter and
// attaching it, as VS Code does with an adapter it runs per session. Over the matrix, each
// interpreter runs a subprocess and one of multiprocessing's start methods (fork, spawn and
// forkserver, in turn), and os.fork, children of children, subProcess false and the end of
// everything after a disconnect are each covered on some of them.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythonsFrom, requirePython, skipIfMissing, type Python } from '../support/pythons.js';
import { until } from '../support/wait.js';
import { closeAll, DapClient } from './client.js';
import { fixture, topFrame } from './helpers.js';

const POOL = fixture('children_pool.py');
const SUBPROCESS = fixture('children_subprocess.py');
const CHILD = fixture('children_child.py');
const FORK = fixture('children_fork.py');

const INITIALIZE = { adapterID: 'pyscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' };

/** initialize (saying whether this client answers startDebugging), launch, configurationDone. */
async function launchParent(py: Python, launch: Record<string, unknown>, startsSessions = true, breakpoints: Record<string, number> = {}): Promise<DapClient> {
  const c = new DapClient();
  await c.request('initialize', { ...INITIALIZE, supportsStartDebuggingRequest: startsSessions });
  const launched = c.raw('launch', { python: py.path, ...launch });
  await c.waitFor('initialized');
  const r = await launched;
  if (!r.success) throw new Error(`launch failed: ${r.message}\n${c.diagnosis()}`);
  for (const [path, line] of Object.entries(breakpoints)) await c.request('setBreakpoints', { source: { path }, breakpoints: [{ line }] });
  await c.request('configurationDone');
  return c;
}

/** Answers the parent's next startDebugging with a new adapter attached to the child, its breakpoint set. */
async function followChild(parent: DapClient, path: string, line: number): Promise<{ child: DapClient; pid: number }> {
  const req = (await parent.waitForReverseRequest('startDebugging')) as DebugProtocol.StartDebuggingRequest;
  assert.equal(req.arguments.request, 'attach');
  parent.respond(req, true);
  const child = new DapClient();
  await child.request('initialize', { ...INITIALIZE, supportsStartDebuggingRequest: true });
  const attached = child.raw('attach', req.arguments.configuration);
  await child.waitFor('initialized');
  const r = await attached;
  if (!r.success) throw new Error(`attach failed: ${r.message}\n${child.diagnosis()}`);
  const bp = await child.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', { source: { path }, breakpoints: [{ line }] });
  assert.equal(bp.breakpoints[0]?.verified, true);
  await child.request('configurationDone');
  const process = await child.waitFor<DebugProtocol.ProcessEvent>('process');
  return { child, pid: process.body.systemProcessId! };
}

/** The child stops at its breakpoint, shows `name` as `value`, and continues. */
async function stopInspectContinue(child: DapClient, line: number, name: string, value: string): Promise<void> {
  const stop = await child.waitFor<DebugProtocol.StoppedEvent>('stopped');
  assert.equal(stop.body.reason, 'breakpoint');
  const frame = await topFrame(child, stop.body.threadId!);
  assert.equal(frame.line, line);
  const r = await child.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { expression: name, frameId: frame.id, context: 'watch' });
  assert.equal(r.result, value);
  await child.request('continue', { threadId: stop.body.threadId });
}

/** A pid that is gone or a zombie (its parent may be an init that reaps late) runs nothing. */
function alive(pid: number): boolean {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Every pid ends (a killed child may take a moment to be reaped by its parent). */
async function allEnded(pids: number[], what: string): Promise<void> {
  await until(() => (pids.some(alive) ? undefined : true), { timeoutMs: 20_000, step: `${what}: processes still running: ${pids.filter(alive).join(' ')}` });
}

const METHODS = ['fork', 'spawn', 'forkserver'] as const;

const newest = pythonsFrom(3, 8).filter((p) => !p.missing).at(-1);

describe('dap child processes: refusals', requirePython(newest !== undefined, 'no interpreter of 3.8 or newer'), () => {
  afterEach(closeAll);

  test('an attach that names no waiting child fails saying why; a refused startDebugging lets the child run untraced', async () => {
    const parent = await launchParent(newest!, { program: SUBPROCESS }, true, { [CHILD]: 4 });
    const req = (await parent.waitForReverseRequest('startDebugging')) as DebugProtocol.StartDebuggingRequest;
    const other = new DapClient();
    await other.request('initialize', INITIALIZE);
    const bare = await other.raw('attach', {});
    assert.equal(bare.success, false);
    assert.match(bare.message ?? '', /^attach needs "processId" .*, or "subProcessId" and "subProcessSocket" for a child process/);
    const wrong = await other.raw('attach', { ...req.arguments.configuration, subProcessId: 999 });
    assert.equal(wrong.success, false);
    assert.match(wrong.message ?? '', /child process session 999 cannot start/);
    await other.close();
    parent.respond(req, false, 'no thanks');
    await parent.waitFor('terminated');
    assert.match(parent.output('stdout'), /child value 42\n[^]*child exit 0/);
    assert.match(parent.output('console'), /children_child\.py 7: not followed: the client refused its session \(no thanks\)/);
    assert.ok(!parent.events.some((e) => e.event === 'stopped'));
    await parent.close();
  });
});

pythonsFrom(3, 8).forEach((py, index) => {
  describe(`dap child processes on ${py.label}`, skipIfMissing(py), () => {
    afterEach(closeAll);

    test('a subprocess of the interpreter stops at its breakpoint in a session of its own', async () => {
      const parent = await launchParent(py, { program: SUBPROCESS });
      const { child } = await followChild(parent, CHILD, 4);
      await stopInspectContinue(child, 4, 'value', '42');
      await child.waitFor('terminated');
      await parent.waitFor('terminated');
      assert.match(parent.output('stdout'), /child value 42\n[^]*child exit 0/);
      assert.match(parent.output('console'), /child process \d+ children_child\.py 7: followed in a session of its own/);
      await child.close();
      await parent.close();
    });

    const method = METHODS[index % METHODS.length]!;
    test(`a multiprocessing pool (${method}) stops in its worker`, async () => {
      const parent = await launchParent(py, { program: POOL, args: [method] });
      const { child } = await followChild(parent, POOL, 6);
      await stopInspectContinue(child, 6, 'n', '3');
      await parent.waitFor('terminated');
      await child.waitFor('terminated');
      assert.match(parent.output('stdout'), /results \[9\]/);
      // multiprocessing's own helpers (forkserver, resource tracker) get no session
      assert.equal(parent.reverseRequests.length, 1, `one session for the one worker, not ${parent.reverseRequests.length}`);
      await child.close();
      await parent.close();
    });

    if (index % 3 === 0) {
      test('os.fork, and a fork of a subprocess (children of children), each stop in their own session', async () => {
        const parent = await launchParent(py, { program: FORK });
        const { child } = await followChild(parent, FORK, 6);
        await stopInspectContinue(child, 6, 'forked', "'in the child'");
        await child.waitFor('terminated');
        await parent.waitFor('terminated');
        assert.match(parent.output('stdout'), /fork exit 3/);
        await child.close();
        await parent.close();

        const top = await launchParent(py, { program: SUBPROCESS, args: ['children_fork.py'] });
        const { child: sub } = await followChild(top, FORK, 8);
        const { child: grandchild, pid: grandchildPid } = await followChild(top, FORK, 6);
        await stopInspectContinue(grandchild, 6, 'forked', "'in the child'");
        await stopInspectContinue(sub, 8, 'pid', String(grandchildPid));
        await top.waitFor('terminated');
        assert.match(top.output('stdout'), /fork exit 3\n[^]*child exit 0/);
        await Promise.all([sub.close(), grandchild.close(), top.close()]);
      });
    }

    if (index % 3 === 1) {
      test('subProcess false follows no child; a client without startDebugging is told a child is not followed', async () => {
        const off = await launchParent(py, { program: POOL, args: ['fork'], subProcess: false }, true, { [POOL]: 6 });
        await off.waitFor('terminated');
        assert.match(off.output('stdout'), /results \[9\]/);
        assert.equal(off.reverseRequests.length, 0);
        assert.ok(!off.events.some((e) => e.event === 'stopped'));
        assert.doesNotMatch(off.output('console'), /child process/);
        await off.close();

        const plain = await launchParent(py, { program: SUBPROCESS }, false, { [CHILD]: 4 });
        await plain.waitFor('terminated');
        assert.match(plain.output('stdout'), /child value 42/);
        assert.match(plain.output('console'), /child process \d+ children_child\.py 7: not followed \(this client cannot open a session for it/);
        assert.equal(plain.reverseRequests.length, 0);
        await plain.close();
      });
    }

    if (index % 3 === 2) {
      test('disconnecting the parent ends its children and their sessions: no process outlives the adapter', async () => {
        const parent = await launchParent(py, { program: SUBPROCESS });
        const { child, pid } = await followChild(parent, CHILD, 4);
        await child.waitFor('stopped');
        const parentPid = (await parent.waitFor<DebugProtocol.ProcessEvent>('process')).body.systemProcessId!;
        await parent.close();
        await child.waitFor('terminated');
        await child.close();
        await allEnded([parentPid, pid], 'after the parent session disconnected');
      });
    }
  });
});
