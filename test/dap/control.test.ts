// pause (in tight loops, all threads together), terminate, restart, and detach.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { until } from '../support/wait.js';
import { closeAll, startSession, type DapClient } from './client.js';
import { fixture, topFrame, type Stopped } from './helpers.js';

const LOOP = fixture('threads_loop.py');

/** Waits until the spinner thread exists, asking the adapter (bounded, like every wait). */
async function bothThreads(c: DapClient): Promise<DebugProtocol.Thread[]> {
  let last: DebugProtocol.Thread[] = [];
  return until(
    async () => {
      last = (await c.request<DebugProtocol.ThreadsResponse['body']>('threads')).threads;
      return last.length >= 2 ? last : undefined;
    },
    { step: 'the threads request to list the spinner thread too', intervalMs: 10, diagnose: () => `threads: ${JSON.stringify(last)}\n${c.diagnosis()}` },
  );
}

for (const py of pythonsFrom(3, 8)) {
  describe(`dap execution control on ${py.label}`, skipIfMissing(py), () => {
    afterEach(closeAll);

    test('pause stops tight loops on every thread together; continue and terminate', async () => {
      const c = await startSession(py.path, { program: LOOP });
      const threads = await bothThreads(c);
      assert.deepEqual(threads.map((t) => t.name), ['MainThread', 'spinner']);
      await c.request('pause', { threadId: threads[0]!.id });
      const s = await c.waitFor<Stopped>('stopped');
      assert.equal(s.body.reason, 'pause');
      assert.equal(s.body.allThreadsStopped, true);
      // every thread shows where it spins
      const names: string[] = [];
      for (const t of threads) {
        const f = await topFrame(c, t.id);
        names.push(f.name);
      }
      assert.deepEqual(names.sort(), ['<module>', 'spin']);
      await c.request('continue', { threadId: s.body.threadId });
      await c.request('pause', { threadId: threads[0]!.id });
      await c.waitFor<Stopped>('stopped');
      await c.request('terminate');
      const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.notEqual(exited.body.exitCode, 0);
      await c.waitFor('terminated');
      await c.close();
    });

    test('restart runs the program again with the same breakpoints', async () => {
      const prog = fixture('basic.py');
      const c = await startSession(py.path, { program: prog }, async (c) => {
        await c.request('setBreakpoints', { source: { path: prog }, breakpoints: [{ line: 5 }] });
      });
      const first = await c.waitFor<Stopped>('stopped');
      assert.equal(first.body.reason, 'breakpoint');
      await c.request('restart', {});
      const again = await c.waitFor<Stopped>('stopped');
      assert.equal(again.body.reason, 'breakpoint');
      assert.equal((await topFrame(c, again.body.threadId!)).name, 'add');
      assert.equal(c.events.filter((e) => e.event === 'terminated').length, 0);
      await c.request('continue', { threadId: again.body.threadId });
      const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 3);
      await c.close();
    });

    test('disconnect without terminating detaches: the program runs on with no hook left', async () => {
      const probe = fixture('detach_probe.py');
      const dir = mkdtempSync(join(tmpdir(), 'pyscope-detach-'));
      const out = join(dir, 'status');
      const c = await startSession(py.path, { program: probe, args: [out] }, async (c) => {
        await c.request('setBreakpoints', { source: { path: probe }, breakpoints: [{ line: 14 }] });
      });
      const s = await c.waitFor<Stopped>('stopped');
      assert.equal(s.body.reason, 'breakpoint');
      await c.request('disconnect', { terminateDebuggee: false });
      await c.close();
      writeFileSync(`${out}.go`, '');
      // the program, no longer debugged, reports whether any trace or monitoring hook remains
      await until(() => existsSync(out) && readFileSync(out, 'utf8') !== '', { step: 'the detached program to write its status', intervalMs: 10 });
      assert.equal(readFileSync(out, 'utf8'), 'hooked=False');
      rmSync(dir, { recursive: true, force: true });
    });
  });
}

// Before 3.12 a trace function costs every Python call 3-5x even when it does nothing, so the
// agent sets one only while something may stop the program: none with no breakpoint, on every
// running thread once one is set, off again when the last goes.
describe('dap: no trace function while nothing may stop the program (settrace, 3.8-3.11)', () => {
  afterEach(closeAll);
  const settrace = pythonsFrom(3, 8).filter((p) => p.version[1] < 12 && p.pointerBits === 64 && !p.missing);
  for (const py of [settrace.at(0), settrace.at(-1)]) {
    if (!py) continue;
    test(`untraced, traced with a breakpoint, untraced again, ${py.label}`, async () => {
      const prog = fixture('trace_probe.py');
      const line = readFileSync(prog, 'utf8').split('\n').findIndex((l) => l.includes('PROBE line')) + 1;
      const c = await startSession(py.path, { program: prog });
      const seen = (traced: boolean, from: number) => (): boolean => {
        const fresh = c.output('stdout').slice(from);
        return ['main', 'worker'].every((who) => new RegExp(`^${who} \\d+ traced=${traced ? 'True' : 'False'}$`, 'm').test(fresh));
      };
      await until(async () => seen(false, 0)() || undefined, { step: 'both threads untraced with no breakpoint', diagnose: () => c.output('stdout').slice(-400) });
      await c.request('setBreakpoints', { source: { path: prog }, breakpoints: [{ line }] });
      const s = await c.waitFor<Stopped>('stopped');
      assert.equal(s.body.reason, 'breakpoint');
      await c.request('setBreakpoints', { source: { path: prog }, breakpoints: [] });
      const from = c.output('stdout').length;
      await c.request('continue', { threadId: s.body.threadId });
      await until(async () => seen(false, from)() || undefined, { step: 'both threads untraced again once the breakpoint is gone', diagnose: () => c.output('stdout').slice(-400) });
      await c.request('terminate');
      await c.waitFor('terminated');
      await c.close();
    });
  }
});
