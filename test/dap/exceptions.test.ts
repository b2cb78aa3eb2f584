// Exception breakpoints (raised, uncaught, userUnhandled) and exceptionInfo.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { closeAll, startSession, type DapClient } from './client.js';
import { fixture, golden, stackText, topFrame } from './helpers.js';

const PROG = fixture('exceptions.py');

async function stops(c: DapClient): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const s = await c.nextStop();
    if (!s) return out;
    const f = await topFrame(c, s.body.threadId!);
    const info = await c.request<DebugProtocol.ExceptionInfoResponse['body']>('exceptionInfo', { threadId: s.body.threadId });
    out.push(`${s.body.reason} ${f.name}:${f.line} ${info.exceptionId} ${info.breakMode} ${info.description}`);
    await c.request('continue', { threadId: s.body.threadId });
  }
}

for (const py of pythonsFrom(3, 8)) {
  describe(`dap exceptions on ${py.label}`, skipIfMissing(py), () => {
    afterEach(closeAll);

    test('uncaught: stops with the stack where it was raised, then exits 1 with the traceback', async () => {
      const c = await startSession(py.path, { program: PROG }, async (c) => {
        await c.request('setExceptionBreakpoints', { filters: ['uncaught'] });
      });
      const s = await c.waitFor<DebugProtocol.StoppedEvent>('stopped');
      assert.equal(s.body.reason, 'exception');
      golden('exception-uncaught-stack', await stackText(c, s.body.threadId!));
      const info = await c.request<DebugProtocol.ExceptionInfoResponse['body']>('exceptionInfo', { threadId: s.body.threadId });
      assert.equal(info.exceptionId, 'RuntimeError');
      assert.equal(info.description, 'boom at depth 2');
      assert.equal(info.breakMode, 'unhandled');
      assert.match(info.details!.stackTrace!, /in crash/);
      assert.doesNotMatch(info.details!.stackTrace!, /agent\.py/);
      await c.request('continue', { threadId: s.body.threadId });
      const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 1);
      const err = c.output('stderr');
      assert.match(err, /RuntimeError: boom at depth 2/);
      assert.doesNotMatch(err, /agent\.py/);
      await c.close();
    });

    test('raised: stops where each exception is raised in user code, once', async () => {
      const c = await startSession(py.path, { program: PROG }, async (c) => {
        await c.request('setExceptionBreakpoints', { filters: ['raised'] });
      });
      assert.deepEqual(await stops(c), [
        "exception handled:7 KeyError always 'handled one'",
        'exception crash:18 RuntimeError always boom at depth 2',
      ]);
      await c.close();
    });

    test('an exception whose str() fails still stops, and the program never sees the failure', async () => {
      const prog = fixture('bad_str.py');
      const c = await startSession(py.path, { program: prog }, async (c) => {
        await c.request('setExceptionBreakpoints', { filters: ['raised'] });
      });
      const s = await c.waitFor<DebugProtocol.StoppedEvent>('stopped');
      assert.equal(s.body.description, 'Weird: <str() failed>');
      const info = await c.request<DebugProtocol.ExceptionInfoResponse['body']>('exceptionInfo', { threadId: s.body.threadId });
      assert.equal(info.exceptionId, 'Weird');
      await c.request('continue', { threadId: s.body.threadId });
      const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 0);
      assert.match(c.output('stdout'), /survived/);
      await c.close();
    });

    test('userUnhandled: stops when an exception leaves user code into library code', async () => {
      const c = await startSession(py.path, { program: PROG, args: ['user-unhandled'] }, async (c) => {
        await c.request('setExceptionBreakpoints', { filters: ['userUnhandled'] });
      });
      const got = await stops(c);
      assert.equal(got[0], 'exception from_callback:13 ValueError userUnhandled bad callback 1');
      await c.close();
    });
  });
}
