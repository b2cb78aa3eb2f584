// A detach may land while the program's main thread is still installing the trace engine (an
// editor that detaches right after configurationDone): before the engines were serialised, the
// program died of `ValueError: tool 0 is not in use` raised into its own thread, or the detach
// failed half-way and left the program's output on pipes nobody reads. Each interpreter's real
// engine (settrace on 3.8-3.11, sys.monitoring from 3.12), a real Agent on real pipes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonsFrom, requirePython } from '../support/pythons.js';
import { agentFixture } from './helpers.js';

const ROUNDS = 300;
const pythons = pythonsFrom(3, 8);

describe('a detach racing the trace engine as the program starts', () => {
  for (const py of pythons) {
    test(py.label, requirePython(!py.missing, `${py.label} is not installed`), async () => {
      const problems = await agentFixture<string[]>(py.path, 'detach_race.py', [String(ROUNDS)]);
      assert.deepEqual(problems, [], `${py.label}: ${problems.join('; ')}`);
    });
  }
});
