// DAP puts the response to a request that lets the program run (configurationDone, continue,
// next, stepIn, stepOut, pause) before the stop or the end it leads to. A client that listens for
// the stop once the response is in (VS Code before it guarded against this, simple scripts) never
// sees a stop that overtook the response: a stop close behind the resume, which a loaded machine
// delivers in the same read as the agent's reply, used to.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { closeAll, DapClient } from './client.js';
import { fixture, resume } from './helpers.js';

const LOOP = fixture('conditions.py');
const STEPPING = fixture('stepping.py');

async function launched(python: string, program: string, launch: Record<string, unknown>, configure: (c: DapClient) => Promise<void>): Promise<DapClient> {
  const c = new DapClient();
  await c.request('initialize', { adapterID: 'pyscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const r = c.raw('launch', { python, program, ...launch });
  await c.waitFor('initialized');
  assert.equal((await r).success, true);
  await configure(c);
  return c;
}

for (const py of pythonsFrom(3, 8)) {
  describe(`dap response order on ${py.label}`, skipIfMissing(py), () => {
    afterEach(closeAll);

    test('continue: every stop of a breakpoint hit ten times in a row, and the end, come after the response', async () => {
      const c = await launched(py.path, LOOP, {}, async (c) => {
        await c.request('setBreakpoints', { source: { path: LOOP }, breakpoints: [{ line: 2 }] });
      });
      let s = await resume(c, 'configurationDone');
      let stops = 0;
      while (s) {
        stops++;
        s = await resume(c, 'continue', { threadId: s.body.threadId });
      }
      assert.equal(stops, 10);
      await c.close();
    });

    test('stopOnEntry, next, stepIn, stepOut and pause: the response first, then the stop', async () => {
      const c = await launched(py.path, STEPPING, { stopOnEntry: true }, async () => {});
      let s: DebugProtocol.StoppedEvent | undefined = await resume(c, 'configurationDone');
      for (const step of ['next', 'next', 'next', 'stepIn', 'stepIn', 'next', 'stepOut', 'stepOut'] as const) {
        assert.ok(s, `the program ended before ${step}`);
        s = await resume(c, step, { threadId: s.body.threadId });
      }
      assert.ok(s);
      // pause while stopped answers at once and stops no further; the program then runs to its end
      const p = await c.raw('pause', { threadId: s.body.threadId });
      assert.equal(p.success, true);
      assert.equal(await resume(c, 'continue', { threadId: s.body.threadId }), undefined);
      await c.close();
    });
  });
}
