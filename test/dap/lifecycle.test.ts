// No program outlives its session: the adapter's stdin closing, a TCP connection dropping and a
// signal to `pyscope dap` all end the launched program and the child it started; a second launch
// is refused; rejected requests are never replayed by a restart. Real processes, checked by pid.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect, type Socket } from 'node:net';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythonsFrom, requirePython } from '../support/pythons.js';
import { CLI, closeAll, startSession, type DapClient } from './client.js';
import { fixture, topFrame, type Stopped } from './helpers.js';

const ORPHAN = fixture('orphan_check.py');
const BASIC = fixture('basic.py');
const newest = pythonsFrom(3, 8).filter((p) => !p.missing).at(-1);
const skip = requirePython(newest !== undefined, 'no interpreter of 3.8 or newer').skip;
const WAIT_MS = 20_000;

/** A pid that is gone or a zombie (its parent may be an init that reaps late) runs nothing. */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    const text = readFileSync(stat, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function gone(pids: number[], what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (pids.some(running)) {
    if (Date.now() > deadline) throw new Error(`${what}: still running after ${WAIT_MS} ms: ${pids.filter(running).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function exited(c: DapClient, what: string): Promise<{ code: number | null; signal: string | null }> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return { code: c.proc.exitCode, signal: c.proc.signalCode };
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${what}: the adapter did not exit within ${WAIT_MS} ms`)), WAIT_MS);
    c.proc.once('exit', (code, signal) => {
      clearTimeout(t);
      res({ code, signal });
    });
  });
}

/** The program and the child it started, once both run. */
async function spawned(c: DapClient): Promise<number[]> {
  const proc = await c.waitFor<DebugProtocol.ProcessEvent>('process');
  const pid = proc.body.systemProcessId!;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const m = /grandchild (\d+)/.exec(c.output('stdout'));
    if (m && c.output('stdout').includes('sleeping')) return [pid, Number(m[1])];
    if (Date.now() > deadline) throw new Error(`the program did not start its child; output: ${c.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dap: no program outlives its session', { skip }, () => {
  afterEach(closeAll);

  test('the adapter stdin closing ends the program and the child it started', async () => {
    const c = await startSession(newest!.path, { program: ORPHAN, args: ['spawn'] });
    const pids = await spawned(c);
    assert.ok(pids.every(running));
    c.proc.stdin!.end();
    assert.deepEqual(await exited(c, 'stdin closed'), { code: 0, signal: null });
    await gone(pids, 'after the adapter stdin closed');
  });

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    test(`${signal} to pyscope dap ends its program and the child it started`, async () => {
      const c = await startSession(newest!.path, { program: ORPHAN, args: ['spawn'] });
      const pids = await spawned(c);
      c.proc.kill(signal);
      const end = await exited(c, signal);
      assert.ok(end.code !== 0, `${signal}: exit ${JSON.stringify(end)}`);
      await gone(pids, `after ${signal}`);
    });
  }

  test('SIGKILL to pyscope dap: the agent ends its program and the child it started when its channel closes', async () => {
    const c = await startSession(newest!.path, { program: ORPHAN, args: ['spawn'] });
    const pids = await spawned(c);
    c.proc.kill('SIGKILL');
    await exited(c, 'SIGKILL');
    await gone(pids, 'after SIGKILL to the adapter');
  });

  test('a program detached from its session runs on after the adapter ends', async () => {
    // the program writes there how it ended, if it does: a failure says why, not only that
    const record = join(mkdtempSync(join(tmpdir(), 'pyscope-detach-')), 'end.txt');
    const c = await startSession(newest!.path, { program: ORPHAN, env: { ORPHAN_CHECK_RECORD: record } });
    const pid = (await c.waitFor<DebugProtocol.ProcessEvent>('process')).body.systemProcessId!;
    await c.request('disconnect', { terminateDebuggee: false });
    c.proc.stdin!.end();
    await exited(c, 'stdin closed after a detach');
    // longer than the agent's grace before it would end an orphaned program
    await new Promise((r) => setTimeout(r, 3000));
    const end = existsSync(record) ? readFileSync(record, 'utf8').trim() : '';
    rmSync(dirname(record), { recursive: true, force: true });
    assert.ok(running(pid), `the detached program ${pid} ended: ${end || 'by SIGKILL (it recorded nothing)'}\n${c.diagnosis()}`);
    process.kill(pid, 'SIGKILL');
    await gone([pid], 'after killing the detached program');
  });

  test('a second launch is refused and the first program goes on alone, until the session ends', async () => {
    const c = await startSession(newest!.path, { program: ORPHAN });
    const first = (await c.waitFor<DebugProtocol.ProcessEvent>('process')).body.systemProcessId!;
    const again = await c.raw('launch', { python: newest!.path, program: ORPHAN });
    assert.equal(again.success, false);
    assert.equal(again.message, 'launch: this session already launched a program (send restart, or start a new session)');
    assert.equal(c.events.filter((e) => e.event === 'process').length, 1);
    assert.ok(running(first));
    await c.close();
    await gone([first], 'after the session with a refused second launch');
  });

  test('rejected requests are not replayed by restart: the restarted program stops where it should and ends', async () => {
    const c = await startSession(newest!.path, { program: BASIC }, async (c) => {
      await c.request('setBreakpoints', { source: { path: BASIC }, breakpoints: [{ line: 5 }] });
      for (const [command, args] of [
        ['setBreakpoints', { source: null }],
        ['setBreakpoints', { source: { path: BASIC }, breakpoints: [{ line: 0 }] }],
        ['setFunctionBreakpoints', { breakpoints: [{ name: 5 }] }],
        ['setExceptionBreakpoints', { filters: ['nonsense'] }],
        ['launch', { python: newest!.path, program: 5 }],
      ] as const) {
        const r = await c.raw(command, args);
        assert.equal(r.success, false, `${command} was accepted`);
      }
    });
    const first = await c.waitFor<Stopped>('stopped');
    assert.equal((await topFrame(c, first.body.threadId!)).line, 5);
    const badRestart = await c.raw('restart', { arguments: { program: 5 } });
    assert.equal(badRestart.message, 'restart: arguments.program must be a string');
    await c.request('restart', {});
    const again = await c.waitFor<Stopped>('stopped');
    assert.equal((await topFrame(c, again.body.threadId!)).line, 5);
    await c.request('continue', { threadId: again.body.threadId });
    const exit = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
    assert.equal(exit.body.exitCode, 3);
    await c.close();
  });
});

/** A DAP client over a socket, as little as this test needs. */
function socketClient(sock: Socket): { send: (command: string, args: unknown) => void; until: (pred: (m: Record<string, unknown>) => boolean, what: string) => Promise<Record<string, unknown>> } {
  let buf = '';
  const seen: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let seq = 1;
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    buf += d;
    for (;;) {
      const m = /^Content-Length: (\d+)\r\n\r\n/.exec(buf);
      if (!m || buf.length < m[0].length + Number(m[1])) break;
      seen.push(JSON.parse(buf.slice(m[0].length, m[0].length + Number(m[1]))) as Record<string, unknown>);
      buf = buf.slice(m[0].length + Number(m[1]));
      for (const w of waiters.splice(0)) w();
    }
  });
  return {
    send: (command, args) => {
      const body = JSON.stringify({ seq: seq++, type: 'request', command, arguments: args });
      sock.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    },
    until: async (pred, what) => {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const hit = seen.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`${what}: not seen within ${WAIT_MS} ms; seen ${JSON.stringify(seen).slice(0, 2000)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
  };
}

describe('dap --port: a dropped connection ends its program', { skip }, () => {
  test('the program and its child end when the TCP connection drops; the server serves on', async () => {
    const token = 'a-token-of-enough-length';
    const server = spawn(process.execPath, [CLI, 'dap', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYSCOPE_DAP_TOKEN: token } });
    try {
      let err = '';
      server.stderr!.setEncoding('utf8');
      const port = await new Promise<number>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`dap --port did not say where it listens: ${err}`)), WAIT_MS);
        server.stderr!.on('data', (s: string) => {
          err += s;
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
          if (m) {
            clearTimeout(t);
            res(Number(m[1]));
          }
        });
      });
      const sock = connect(port, '127.0.0.1');
      const c = socketClient(sock);
      c.send('initialize', { adapterID: 'x' });
      c.send('launch', { python: newest!.path, program: ORPHAN, args: ['spawn'], token });
      await c.until((m) => m.event === 'initialized', 'initialized');
      c.send('configurationDone', {});
      const proc = await c.until((m) => m.event === 'process', 'the process event');
      const pid = (proc.body as DebugProtocol.ProcessEvent['body']).systemProcessId!;
      const child = await c.until((m) => m.event === 'output' && /grandchild \d+/.test(String((m.body as { output: string }).output)), 'the child pid');
      const grandchild = Number(/grandchild (\d+)/.exec(String((child.body as { output: string }).output))![1]);
      assert.ok(running(pid) && running(grandchild));
      sock.destroy();
      await gone([pid, grandchild], 'after the TCP connection dropped');
      assert.equal(server.exitCode, null, 'the server still runs');
      const again = socketClient(connect(port, '127.0.0.1'));
      again.send('initialize', { adapterID: 'x' });
      const init = await again.until((m) => m.type === 'response', 'initialize after the drop');
      assert.equal(init.success, true);
    } finally {
      server.kill();
    }
  });
});
