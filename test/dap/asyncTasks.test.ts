// asyncio tasks in the debugger: a stop in a task names it (the stopped event's text and
// description, the thread's name), and with `showAsyncTasks` `threads` lists every task of the
// stopped loop as a pseudo-thread whose stack is the task's coroutine chain.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { closeAll, startSession, type DapClient } from './client.js';
import { fixture, type Stopped } from './helpers.js';

const ASYNC_TASKS = fixture('async_tasks.py');

async function threadNames(c: DapClient): Promise<string[]> {
  return (await c.request<DebugProtocol.ThreadsResponse['body']>('threads')).threads.map((t) => t.name);
}

async function stackOf(c: DapClient, threadId: number): Promise<string> {
  const st = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId });
  return st.stackFrames.map((f) => `${f.name}:${f.line}`).join(' ');
}

/** Stops where the task fetch-2 raises, checks what `check` wants, and lets the program end. */
async function atTheRaise(c: DapClient, check: (s: Stopped) => Promise<void>): Promise<void> {
  // the first stop: the StopIteration ending each completed await is not one (settrace reports it, 3.8-3.11)
  const s = await c.waitFor<Stopped>('stopped');
  await check(s);
  await c.request('setExceptionBreakpoints', { filters: [] });
  await c.request('continue', { threadId: s.body.threadId });
  await c.waitFor('terminated');
  assert.match(c.output('stdout'), /done/);
  await c.close();
}

for (const py of pythonsFrom(3, 8)) {
  describe(`dap asyncio tasks on ${py.label}`, skipIfMissing(py), () => {
    afterEach(closeAll);

    test('an exception raised in a task names the task; showAsyncTasks lists the tasks with their coroutine stacks', async () => {
      const c = await startSession(py.path, { program: ASYNC_TASKS, showAsyncTasks: true }, async (c) => {
        await c.request('setExceptionBreakpoints', { filters: ['raised'] });
      });
      await atTheRaise(c, async (s) => {
        assert.equal(s.body.reason, 'exception');
        assert.equal(s.body.text, 'ValueError in task "fetch-2"');
        assert.equal(s.body.description, 'ValueError: bad item 2 (in task "fetch-2")');
        const threads = (await c.request<DebugProtocol.ThreadsResponse['body']>('threads')).threads;
        assert.equal(threads[0]!.name, 'MainThread (task "fetch-2")');
        assert.equal(threads[0]!.id, s.body.threadId);
        const tasks = threads.slice(1).sort((a, b) => (a.name < b.name ? -1 : 1));
        assert.deepEqual(tasks.map((t) => t.name), ['Task-1', 'fetch-0', 'fetch-1', 'fetch-2']);
        const stacks = await Promise.all(tasks.map((t) => stackOf(c, t.id)));
        // innermost first; asyncio.sleep is library code, left out under justMyCode
        assert.deepEqual(stacks, ['main:18', 'leaf:8 fetch:12', 'leaf:8 fetch:12', 'leaf:7 fetch:12']);
        // the thread itself shows all of its stack, down to the program's asyncio.run
        assert.equal(await stackOf(c, s.body.threadId!), 'leaf:7 fetch:12 <module>:26');
      });
    });

    test('without showAsyncTasks the threads are only threads', async () => {
      const c = await startSession(py.path, { program: ASYNC_TASKS }, async (c) => {
        await c.request('setExceptionBreakpoints', { filters: ['raised'] });
      });
      await atTheRaise(c, async () => {
        assert.deepEqual(await threadNames(c), ['MainThread (task "fetch-2")']);
      });
    });
  });
}
