// Bad input: missing program, syntax errors, missing or too old interpreters, malformed DAP;
// and the loopback-only TCP server.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythons, pythonsFrom } from '../support/pythons.js';
import { CLI, closeAll, DapClient } from './client.js';
import { fixture } from './helpers.js';

async function launch(python: string, args: Record<string, unknown>): Promise<{ c: DapClient; r: DebugProtocol.Response }> {
  const c = new DapClient();
  await c.request('initialize', { adapterID: 'pyscope' });
  const r = await c.raw('launch', { python, ...args });
  return { c, r };
}

const newest = pythonsFrom(3, 8).filter((p) => !p.missing).at(-1);
const tooOld = pythons().filter((p) => p.version[0] < 3 || (p.version[0] === 3 && p.version[1] < 8));

describe('dap bad input', () => {
  afterEach(closeAll);

  test('a program that does not exist fails the launch with a clear message', { skip: newest ? false : 'no interpreter' }, async () => {
    const { c, r } = await launch(newest!.path, { program: fixture('nope.py') });
    assert.equal(r.success, false);
    assert.match(r.message!, /nope\.py does not exist/);
    assert.match(c.output('stderr'), /does not exist/);
    await c.close();
  });

  test('a syntax error fails the launch and shows the error', { skip: newest ? false : 'no interpreter' }, async () => {
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
    await c.close();
  });

  for (const old of tooOld) {
    test(`${old.label} is refused as too old`, { skip: old.missing ? `skipped: ${old.missing}` : false }, async () => {
      const { c, r } = await launch(old.path, { program: fixture('basic.py') });
      assert.equal(r.success, false);
      assert.match(r.message!, /too old: pyscope dap needs 3\.8 or newer/);
      await c.close();
    });
  }

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
  test('serves DAP on 127.0.0.1 only', { skip: newest ? false : 'no interpreter' }, async () => {
    const server = spawn(process.execPath, [CLI, 'dap', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const port = await new Promise<number>((res) => {
      server.stderr!.setEncoding('utf8');
      server.stderr!.on('data', (s: string) => {
        err += s;
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
        if (m) res(Number(m[1]));
      });
    });
    const sock = connect(port, '127.0.0.1');
    const body = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'x' } });
    sock.write(`Content-Length: ${body.length}\r\n\r\n${body}`);
    const reply = await new Promise<string>((res) => {
      let got = '';
      sock.on('data', (d) => {
        got += d.toString();
        if (got.includes('supportsConfigurationDoneRequest')) res(got);
      });
    });
    assert.match(reply, /"success":true/);
    // A TCP session runs nothing without the token printed at start-up.
    const token = /token ([0-9a-f]{32})/.exec(err)?.[1];
    assert.ok(token, `no token in: ${err}`);
    const ask = (seq: number, args: Record<string, unknown>) =>
      new Promise<string>((res) => {
        const req = JSON.stringify({ seq, type: 'request', command: 'launch', arguments: args });
        let got = '';
        const onData = (d: Buffer) => {
          got += d.toString();
          const m = new RegExp(`\\{[^{}]*"request_seq":${seq}[^{}]*"command":"launch"[^]*?\\}\\}?`).exec(got);
          if (m) {
            sock.off('data', onData);
            res(m[0]);
          }
        };
        sock.on('data', onData);
        sock.write(`Content-Length: ${Buffer.byteLength(req)}\r\n\r\n${req}`);
      });
    const refused = await ask(2, { program: 'x.py', token: 'wrong' });
    assert.match(refused, /"success":false/);
    assert.match(refused, /token/);
    const checked = await ask(3, { token });
    assert.match(checked, /needs \\"program\\" or \\"module\\"/);
    sock.destroy();
    server.kill();
    const usage = spawn(process.execPath, [CLI, 'dap', '--port', 'x'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let uerr = '';
    usage.stderr!.on('data', (d) => (uerr += d.toString()));
    const code = await new Promise<number | null>((res) => usage.on('exit', res));
    assert.equal(code, 2);
    assert.match(uerr, /^pyscope: error: --port needs a port number/);
  });
});
