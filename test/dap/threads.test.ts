// An uncaught exception in a thread, and a deep stack paged the way editors ask for it.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { closeAll, startSession } from './client.js';
import { fixture, type Stopped } from './helpers.js';

const PROG = fixture('thread_crash.py');

for (const py of pythonsFrom(3, 8)) {
  describe(`dap threads on ${py.label}`, skipIfMissing(py), () => {
    afterEach(closeAll);

    test('an uncaught exception in a thread stops there; its deep stack pages', async () => {
      const c = await startSession(py.path, { program: PROG }, async (c) => {
        await c.request('setExceptionBreakpoints', { filters: ['uncaught'] });
      });
      const s = await c.waitFor<Stopped>('stopped');
      assert.equal(s.body.reason, 'exception');
      const threads = await c.request<DebugProtocol.ThreadsResponse['body']>('threads');
      const stoppedThread = threads.threads.find((t) => t.id === s.body.threadId);
      assert.equal(stoppedThread?.name, 'worker');
      const first = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: s.body.threadId, startFrame: 0, levels: 5 });
      assert.equal(first.totalFrames, 32);
      assert.deepEqual(first.stackFrames.map((f) => `${f.name}:${f.line}`), ['depth:6', 'depth:7', 'depth:7', 'depth:7', 'depth:7']);
      const last = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: s.body.threadId, startFrame: 30, levels: 5 });
      assert.deepEqual(last.stackFrames.map((f) => `${f.name}:${f.line}`), ['depth:7', 'worker:11']);
      const info = await c.request<DebugProtocol.ExceptionInfoResponse['body']>('exceptionInfo', { threadId: s.body.threadId });
      assert.equal(info.exceptionId, 'ValueError');
      assert.equal(info.description, 'deep in a thread');
      await c.request('continue', { threadId: s.body.threadId });
      const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 0);
      assert.match(c.output('stdout'), /main done/);
      assert.match(c.output('stderr'), /ValueError: deep in a thread/);
      await c.close();
    });
  });
}
