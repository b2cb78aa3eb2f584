// The session model under `pyscope debug` and its --tui view, driven directly against the real
// adapter and interpreter: what its state and events say at each step, with no pdb text involved.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DebugSessionModel, type EndReport, type StopReport } from '../../src/debugclient/debugSessionModel.js';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { FIXTURES } from './helpers.js';

const SESSION_PY = join(FIXTURES, 'session.py');

/** A model with every event it sends written down. */
function watched(python: string, args: string[]): { model: DebugSessionModel; stops: StopReport[]; ends: EndReport[]; output: () => string; counts: { change: number; frame: number } } {
  const model = new DebugSessionModel({ program: 'session.py', args, python, cwd: FIXTURES, justMyCode: true });
  const stops: StopReport[] = [];
  const ends: EndReport[] = [];
  const counts = { change: 0, frame: 0 };
  let out = '';
  model.onStop((s) => void stops.push(s));
  model.onEnd((e) => void ends.push(e));
  model.onChange(() => counts.change++);
  model.onFrameSelected(() => counts.frame++);
  model.onOutput((text, category) => {
    if (category === 'stdout') out += text;
  });
  return { model, stops, ends, output: () => out, counts };
}

for (const py of pythonsFrom(3, 8)) {
  describe(`the debug session model on ${py.label}`, skipIfMissing(py), () => {
    test('states, stops, frames, breakpoints with ignore counts and temporaries, the end', { timeout: 60_000 }, async () => {
      const { model, stops, ends, output, counts } = watched(py.path, ['3']);
      try {
        assert.equal(model.state, 'starting');
        await model.start();
        assert.equal(model.state, 'stopped');
        assert.deepEqual(stops.map((s) => s.reason), ['entry']);
        assert.equal(model.currentFrame?.name, '<module>');
        assert.equal(model.currentFrame?.line, 1);
        assert.equal(model.currentFrame?.source?.path, SESSION_PY);
        assert.ok(model.knownFiles.has(SESSION_PY));

        const add = await model.addBreakpoint({ file: SESSION_PY, line: 9 }, { temporary: false });
        assert.deepEqual([add.placed, add.breakpoint.number, add.breakpoint.verified], [true, 1, true]);
        assert.deepEqual([...model.breakpoints.linesIn(SESSION_PY)], [9]);
        // a condition that does not compile: the adapter cannot place it, so the table does not keep it
        const bad = await model.addBreakpoint({ file: SESSION_PY, line: 10 }, { temporary: false, condition: 'a ===' });
        assert.equal(bad.placed, false, JSON.stringify(bad));
        assert.match(bad.breakpoint.message ?? '', /invalid expression/);
        assert.deepEqual(model.breakpoints.all.map((b) => b.number), [1]);

        // the first crossing, add(0, 0), is ignored and counted; the second, add(0, 1), stops
        model.setBreakpointIgnore(1, 1);
        const changesBefore = counts.change;
        await model.resume('continue');
        assert.equal(model.state, 'running');
        await model.waitForStop();
        assert.ok(counts.change > changesBefore, 'views are told about the run and the stop');
        assert.equal(model.state, 'stopped');
        assert.deepEqual(stops.map((s) => s.reason), ['entry', 'breakpoint']);
        assert.deepEqual(model.frames.map((f) => f.name), ['add', 'main', '<module>']);
        assert.equal((await model.evaluate('a, b', 'clipboard')).result, '(0, 1)');
        assert.deepEqual([model.breakpoints.get(1)?.hits, model.breakpoints.get(1)?.ignore], [2, 0]);

        // another frame: evaluation follows the selection; out of range changes nothing
        const frames = counts.frame;
        model.selectFrame(1);
        assert.equal(model.currentFrame?.name, 'main');
        assert.equal(counts.frame, frames + 1);
        assert.equal((await model.evaluate('acc', 'clipboard')).result, '0');
        model.selectFrame(99);
        assert.equal(model.frameIndex, 1);
        const scopes = await model.scopes(model.currentFrame!.id);
        const locals = scopes.find((s) => s.presentationHint === 'locals') ?? scopes[0];
        assert.ok(locals);
        assert.deepEqual((await model.variables(locals.variablesReference, 0, 200)).map((v) => v.name), ['n', 'acc', 'i']);

        assert.deepEqual((await model.threads()).map((t) => t.name), ['MainThread']);
        assert.equal(model.threadList[0]?.id, model.threadId);
        assert.equal(await model.selectThread(987654), false);

        // a temporary breakpoint is reported deleted by the stop that hit it
        await model.removeBreakpoint(1);
        const divide = await model.addBreakpoint({ file: SESSION_PY, line: 14 }, { temporary: true });
        assert.equal(divide.placed, true);
        await model.resume('continue');
        await model.waitForStop();
        assert.equal(model.currentFrame?.name, 'divide');
        assert.deepEqual(stops.at(-1)?.deleted.map((b) => b.number), [divide.breakpoint.number]);
        assert.deepEqual(model.breakpoints.all, []);

        await model.resume('continue');
        await model.waitForStop();
        assert.equal(model.state, 'exited');
        assert.deepEqual(ends, [{ how: 'ended', exitCode: 0 }]);
        assert.match(output(), /acc is 3\n3\.0\n/);
        assert.throws(() => model.requireStopped(), /the program has ended/);
        await assert.rejects(model.evaluate('1', 'clipboard'), /the program has ended/);
      } finally {
        model.close();
      }
    });

    test('an exception stop carries the exception; quit ends the program as a quit', { timeout: 60_000 }, async () => {
      const { model, stops, ends } = watched(py.path, []);
      try {
        await model.start();
        assert.deepEqual(model.exceptionFilters, ['uncaught']);
        await model.resume('continue');
        await model.waitForStop();
        assert.equal(stops.at(-1)?.reason, 'exception');
        assert.equal(stops.at(-1)?.exception?.exceptionId, 'ZeroDivisionError');
        assert.equal(model.exception?.exceptionId, 'ZeroDivisionError');
        assert.equal(model.currentFrame?.name, 'divide');
        await model.quit();
        assert.equal(model.state, 'exited');
        assert.ok(!ends.some((e) => e.how === 'ended'), `a quit is not the program ending on its own: ${JSON.stringify(ends)}`);
        // quitting twice, or pausing after the end, is harmless
        await model.quit();
        await model.pause();
      } finally {
        model.close();
      }
    });
  });
}
