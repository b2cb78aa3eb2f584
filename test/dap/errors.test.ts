// Bad input: missing program, syntax errors, missing or too old interpreters, malformed DAP;
// and the loopback-only TCP server.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { FailureId } from '../../src/debugger/userError.js';
import { watch } from '../support/child.js';
import { pythons, pythonsFrom, requirePython, skipIfMissing } from '../support/pythons.js';
import { WAIT } from '../support/timeouts.js';
import { withTimeout } from '../support/wait.js';
import { CLI, closeAll, DapClient } from './client.js';
import { fixture } from './helpers.js';

async function launch(python: string, args: Record<string, unknown>): Promise<{ c: DapClient; r: DebugProtocol.Response }> {
  const c = new DapClient();
  await c.request('initialize', { adapterID: 'pyscope' });
  const r = await c.raw('launch', { python, ...args });
  return { c, r };
}

const newest = pythonsFrom(3, 8).filter((p) => !p.missing).at(-1);
const needsPython = (): { skip: string | false } => requirePython(newest !== undefined, 'no Python 3.8+ of the matrix is present');
const tooOld = pythons().filter((p) => p.version[0] < 3 || (p.version[0] === 3 && p.version[1] < 8));

describe('dap bad input', () => {
  afterEach(closeAll);

  test('a program that does not exist fails the launch with a clear message', needsPython(), async () => {
    const { c, r } = await launch(newest!.path, { program: fixture('nope.py') });
    assert.equal(r.success, false);
    assert.match(r.message!, /nope\.py does not exist/);
    // said once, in the response: on stderr too, a client would show it twice (issue 15)
    assert.doesNotMatch(c.output('stderr'), /does not exist/);
    await c.close();
  });

  test('a syntax error fails the launch and shows the error', needsPython(), async () => {
    const { c, r } = await launch(newest!.path, { program: fixture('syntax_error.py') });
    assert.equal(r.success, false);
    assert.match(r.message!, /SyntaxError/);
    assert.match(c.output('stderr'), /syntax_error\.py", line 1/);
    await c.close();
  });

  test('an interpreter that does not exist fails the launch', async () => {
    const { c, r } = await launch('/nonexistent/python3', { program: fixture('basic.py') });
    assert.equal(r.success, false);
    assert.match(r.message!, /python interpreter "\/nonexistent\/python3" was not found/);
    assert.equal((r as DebugProtocol.ErrorResponse).body.error?.id, FailureId.interpreterNotFound);
    await c.close();
  });

  for (const old of tooOld) {
    test(`${old.label} is refused as too old`, skipIfMissing(old), async () => {
      const { c, r } = await launch(old.path, { program: fixture('basic.py') });
      assert.equal(r.success, false);
      // one line in the response, in the debugger's words (not "pyscope dap" whatever the command), nothing on stderr (issue 15)
      assert.match(r.message!, new RegExp(`^\\S+ is Python ${old.version[0]}\\.${old.version[1]}\\.\\d+; the debugger needs 3\\.8 or newer$`));
      assert.equal((r as DebugProtocol.ErrorResponse).body.error?.id, FailureId.interpreterTooOld);
      assert.equal(c.output('stderr'), '');
      await c.close();
    });
  }

  test('an executable that is not Python fails the launch in one line of ours, not its own complaint', async () => {
    const { c, r } = await launch('sleep', { program: fixture('basic.py') });
    assert.equal(r.success, false);
    assert.equal(r.message, 'sleep is not a Python interpreter');
    assert.equal((r as DebugProtocol.ErrorResponse).body.error?.id, FailureId.notPython);
    await c.close();
  });

  test('malformed messages get error responses and the adapter stays up', async () => {
    const c = new DapClient();
    c.writeRaw('Content-Length: 9\r\n\r\n{not json');
    c.writeRaw('X-Nonsense: 1\r\n\r\n');
    const bogus = await c.raw('noSuchRequest', {});
    assert.equal(bogus.success, false);
    assert.match(bogus.message!, /unsupported request "noSuchRequest"/);
    const early = await c.raw('stackTrace', { threadId: 1 });
    assert.equal(early.success, false);
    assert.match(early.message!, /no program is running/);
    const init = await c.request<DebugProtocol.Capabilities>('initialize', { adapterID: 'pyscope' });
    assert.equal(init.supportsConfigurationDoneRequest, true);
    assert.equal(c.unanswered.filter((r) => !r.success).length, 2);
    await c.close();
  });
});

describe('dap --port', () => {
  test('serves DAP on 127.0.0.1 only', needsPython(), async (t) => {
    const server = watch(spawn(process.execPath, [CLI, 'dap', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] }), 'pyscope dap --port 0');
    t.after(() => void server.child.kill('SIGKILL'));
    const port = Number((await server.waitFor(/listening on 127\.0\.0\.1:(\d+)/, { stream: 'stderr' }))[1]);
    const err = server.stderr;
    const sock = connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (d) => (got += d.toString()));
    const body = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'x' } });
    sock.write(`Content-Length: ${body.length}\r\n\r\n${body}`);
    const reply = await withTimeout(
      new Promise<string>((res) => {
        const check = (): void => {
          if (got.includes('supportsConfigurationDoneRequest')) {
            sock.off('data', check);
            res(got);
          }
        };
        sock.on('data', check);
        check();
      }),
      WAIT.request,
      'the initialize response over TCP',
      () => `received: ${JSON.stringify(got.slice(-2000))}\n${server.diagnosis()}`,
    );
    assert.match(reply, /"success":true/);
    // A TCP session runs nothing without the token printed at start-up.
    const token = /token ([0-9a-f]{32})/.exec(err)?.[1];
    assert.ok(token, `no token in: ${err}`);
    const ask = (seq: number, args: Record<string, unknown>) => {
      let mine = '';
      return withTimeout(
        new Promise<string>((res) => {
          const req = JSON.stringify({ seq, type: 'request', command: 'launch', arguments: args });
          const onData = (d: Buffer) => {
            mine += d.toString();
            const m = new RegExp(`\\{[^{}]*"request_seq":${seq}[^{}]*"command":"launch"[^]*?\\}\\}?`).exec(mine);
            if (m) {
              sock.off('data', onData);
              res(m[0]);
            }
          };
          sock.on('data', onData);
          sock.write(`Content-Length: ${Buffer.byteLength(req)}\r\n\r\n${req}`);
        }),
        WAIT.request,
        `the response to launch (seq ${seq}) over TCP`,
        () => `received: ${JSON.stringify(mine.slice(-2000))}\n${server.diagnosis()}`,
      );
    };
    const refused = await ask(2, { program: 'x.py', token: 'wrong' });
    assert.match(refused, /"success":false/);
    assert.match(refused, /token/);
    const checked = await ask(3, { token });
    assert.match(checked, /needs \\"program\\" or \\"module\\"/);
    sock.destroy();
    server.child.kill();
    const usage = watch(spawn(process.execPath, [CLI, 'dap', '--port', 'x'], { stdio: ['ignore', 'ignore', 'pipe'] }), 'pyscope dap --port x');
    const code = await usage.exited();
    assert.equal(code, 2);
    assert.match(usage.stderr, /^pyscope: error: dap: --port needs a port number/);
  });
});
