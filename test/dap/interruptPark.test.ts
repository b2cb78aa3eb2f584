// The Jupyter kernel's interrupt is a KeyboardInterrupt that Python's SIGINT handler raises into
// the cell's thread, which may be stopped at a breakpoint: at any point of its stop. The thread
// once waited on a threading.Condition, which such an exception can leave with its lock held (the
// resume then hangs), or end with a RuntimeError in place of the interrupt (the trace function
// takes it for an error of the agent's, and the cell ran on: seen once in CI as an interrupted
// cell that ended "ok"). The fixture raises at every point where the interpreter runs signal
// handlers, in turn, on each interpreter's real agent.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonsFrom, requirePython } from '../support/pythons.js';
import { agentFixture } from './helpers.js';

describe('a KeyboardInterrupt at any point of a stop', () => {
  for (const py of pythonsFrom(3, 8)) {
    test(py.label, requirePython(!py.missing, `${py.label} is not installed`), async () => {
      const result = await agentFixture<{ points: number; problems: string[] }>(py.path, 'interrupt_park.py');
      assert.deepEqual(result.problems, [], `${py.label}: ${result.problems.join('; ')}`);
      // park, its gate's wait and the resume's release: a score of points, on every version
      assert.ok(result.points >= 10, `only ${result.points} points were tried`);
    });
  }
});
