// Stepping as debugpy and every IDE do it: stepOut (and `next` off the end of a function) stops in
// the caller on the line of the call, right after the return, with the value shown there as
// `(return) NAME`; stepping over an `await` stays in the same coroutine while other tasks run, and
// stepping off the end of a task's coroutine lands in the task that awaited it.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { closeAll, startSession } from './client.js';
import { fixture, golden, localsRef, stepTrail, topFrame } from './helpers.js';

const STEPOUT = fixture('stepout.py');
const ASYNC_STEPS = fixture('async_steps.py');
const ASYNC_GATHER = fixture('async_gather.py');
const STEP_SHAPES = fixture('step_shapes.py');
const ASYNC_WRAPPERS = fixture('async_wrappers.py');
const ASYNC_TASKGROUP = fixture('async_taskgroup.py');

for (const py of pythonsFrom(3, 8)) {
  describe(`dap stepping on ${py.label}`, skipIfMissing(py), () => {
    afterEach(closeAll);

    test('stepOut stops on the call line with the return value; stepIn then enters the next call', async () => {
      const c = await startSession(py.path, { program: STEPOUT }, async (c) => {
        await c.request('setBreakpoints', { source: { path: STEPOUT }, breakpoints: [{ line: 2 }] });
      });
      golden('stepout-trail', await stepTrail(c, ['stepOut', 'stepIn', 'stepOut', 'next', 'next', 'next']));
      // a return value is shown, not a variable of the frame
      const f = await topFrame(c, 1);
      const set = await c.raw('setVariable', { variablesReference: await localsRef(c, f.id), name: '(return) main', value: '1' });
      assert.equal(set.success, false);
      assert.equal(set.message, '(return) main is the value a function returned, not a variable: it cannot be set');
      await c.request('continue', { threadId: 1 });
      await c.waitFor('terminated');
      assert.match(c.output('stdout'), /^13$/m);
      await c.close();
    });

    test('next over an await stays in its coroutine while other tasks run; off the end lands in the awaiting task', async () => {
      const c = await startSession(py.path, { program: ASYNC_STEPS }, async (c) => {
        await c.request('setBreakpoints', { source: { path: ASYNC_STEPS }, breakpoints: [{ line: 17 }] });
      });
      golden('async-steps-trail', await stepTrail(c, ['next', 'next', 'stepIn', 'next', 'next', 'stepOut', 'next', 'next', 'next']));
      await c.request('continue', { threadId: 1 });
      await c.waitFor('terminated');
      // the other tasks ran meanwhile, and none of their lines was a stop
      assert.match(c.output('stdout'), /t2 2\n[^]*result 11/);
      await c.close();
    });

    test('stepping off the end of a task gathered with another lands in the awaiting task when it resumes', async () => {
      const c = await startSession(py.path, { program: ASYNC_GATHER }, async (c) => {
        await c.request('setBreakpoints', { source: { path: ASYNC_GATHER }, breakpoints: [{ line: 6, condition: 'n == 1' }] });
      });
      golden('async-gather-trail', await stepTrail(c, ['next', 'next']));
      await c.request('continue', { threadId: 1 });
      await c.waitFor('terminated');
      assert.match(c.output('stdout'), /results \[2, 4\]/);
      await c.close();
    });

    test('stepping off the end of a coroutine awaited through wait_for or shield lands in the awaiting coroutine', async () => {
      const c = await startSession(py.path, { program: ASYNC_WRAPPERS }, async (c) => {
        await c.request('setBreakpoints', { source: { path: ASYNC_WRAPPERS }, breakpoints: [{ line: 6 }] });
      });
      golden('async-wrappers-trail', await stepTrail(c, ['next', 'continue', 'next']));
      await c.request('continue', { threadId: 1 });
      await c.waitFor('terminated');
      assert.match(c.output('stdout'), /values 2 3/);
      await c.close();
    });

    test('stepOut of a recursive call stops in the calling call; next at a yield stops on the loop that asked', async () => {
      const c = await startSession(py.path, { program: STEP_SHAPES }, async (c) => {
        await c.request('setBreakpoints', { source: { path: STEP_SHAPES }, breakpoints: [{ line: 3 }, { line: 8 }] });
      });
      golden('step-shapes-trail', await stepTrail(c, ['stepOut', 'stepOut', 'stepOut', 'continue', 'next', 'next']));
      await c.request('continue', { threadId: 1 });
      await c.waitFor('terminated');
      await c.close();
    });
  });
}

// asyncio.TaskGroup is 3.11's
for (const py of pythonsFrom(3, 11)) {
  describe(`dap stepping in a TaskGroup on ${py.label}`, skipIfMissing(py), () => {
    afterEach(closeAll);

    test('stepping off the end of a TaskGroup task lands in the task that opened the group', async () => {
      const c = await startSession(py.path, { program: ASYNC_TASKGROUP }, async (c) => {
        await c.request('setBreakpoints', { source: { path: ASYNC_TASKGROUP }, breakpoints: [{ line: 6 }] });
      });
      golden('async-taskgroup-trail', await stepTrail(c, ['next', 'next']));
      await c.request('continue', { threadId: 1 });
      await c.waitFor('terminated');
      assert.match(c.output('stdout'), /job 3/);
      await c.close();
    });
  });
}
