// Bad DAP input, class by class, with the exact answer each gets: arguments that do not fit the
// protocol (the field is named), framing errors (answered, the session goes on), input that cannot
// be DAP at all (the connection closes with a message), and what a TCP port refuses.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CLI, closeAll, DapClient } from './client.js';

/** How long an answer may take before the test fails saying which. */
const ANSWER_MS = 20_000;

/** The next response nobody asked for (request_seq 0, or a seq written raw) that matches. */
async function unasked(c: DapClient, what: string, match: (r: DebugProtocol.Response) => boolean): Promise<DebugProtocol.Response> {
  const deadline = Date.now() + ANSWER_MS;
  for (;;) {
    const i = c.unanswered.findIndex(match);
    if (i >= 0) return c.unanswered.splice(i, 1)[0]!;
    if (Date.now() > deadline) throw new Error(`no answer to ${what} within ${ANSWER_MS} ms; unasked answers: ${JSON.stringify(c.unanswered)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function exitOf(proc: ChildProcess, what: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${what}: the adapter did not exit within ${ANSWER_MS} ms`)), ANSWER_MS);
    proc.once('exit', (code, signal) => {
      clearTimeout(t);
      res({ code, signal });
    });
  });
}

const frame = (body: string, sep = '\r\n'): string => `Content-Length: ${Buffer.byteLength(body)}${sep}${sep}${body}`;
const NOT_A_REQUEST = 'not a DAP request: it needs "seq" (an integer), "type": "request" and "command" (a string)';

describe('dap argument checks', () => {
  afterEach(closeAll);

  const cases: [string, unknown, string][] = [
    ['setBreakpoints', { source: null }, 'setBreakpoints: source must be an object'],
    ['setBreakpoints', { source: {} }, 'setBreakpoints: source.path must be a string'],
    ['setBreakpoints', { source: { path: 5 } }, 'setBreakpoints: source.path must be a string'],
    ['setBreakpoints', { source: { path: 'a.py' }, breakpoints: {} }, 'setBreakpoints: breakpoints must be an array'],
    ['setBreakpoints', { source: { path: 'a.py' }, breakpoints: [{ line: 3 }, { line: 0 }] }, 'setBreakpoints: breakpoints[1].line must be an integer of at least 1'],
    ['setBreakpoints', { source: { path: 'a.py' }, breakpoints: [{ line: 3, condition: 7 }] }, 'setBreakpoints: breakpoints[0].condition must be a string'],
    ['breakpointLocations', { source: { path: 'a.py' }, line: '3' }, 'breakpointLocations: line must be an integer of at least 1'],
    ['setFunctionBreakpoints', { breakpoints: [{ name: null }] }, 'setFunctionBreakpoints: breakpoints[0].name must be a string'],
    ['setExceptionBreakpoints', {}, 'setExceptionBreakpoints: filters must be an array'],
    ['setExceptionBreakpoints', { filters: [1] }, 'setExceptionBreakpoints: filters[0] must be a string'],
    ['variables', { variablesReference: 'x' }, 'variables: variablesReference must be an integer'],
    ['variables', {}, 'variables: variablesReference must be an integer'],
    ['variables', { variablesReference: 1e300 }, 'variables: variablesReference must be an integer'],
    ['variables', { variablesReference: 1.5 }, 'variables: variablesReference must be an integer'],
    ['variables', { variablesReference: 1, filter: 'all' }, 'variables: filter must be one of "indexed", "named"'],
    ['variables', { variablesReference: 1, count: -1 }, 'variables: count must be an integer of at least 0'],
    ['stackTrace', { threadId: 1, levels: -1 }, 'stackTrace: levels must be an integer of at least 0'],
    ['scopes', { frameId: [1] }, 'scopes: frameId must be an integer'],
    ['evaluate', { expression: ['x'] }, 'evaluate: expression must be a string'],
    ['setVariable', { variablesReference: 1, name: 'x' }, 'setVariable: value must be a string'],
    ['completions', { text: 'x', column: '1' }, 'completions: column must be an integer'],
    ['source', { source: {} }, 'source: sourceReference must be an integer'],
    ['continue', {}, 'continue: threadId must be an integer'],
    ['next', { threadId: null }, 'next: threadId must be an integer'],
    ['exceptionInfo', { threadId: {} }, 'exceptionInfo: threadId must be an integer'],
    ['initialize', { adapterID: 7 }, 'initialize: adapterID must be a string'],
    ['disconnect', { terminateDebuggee: 'yes' }, 'disconnect: terminateDebuggee must be true or false'],
    ['launch', { program: 5 }, 'launch: program must be a string'],
    ['launch', { program: 'a.py', args: 'x' }, 'launch: args must be an array'],
    ['launch', { program: 'a.py', args: ['x', 1] }, 'launch: args[1] must be a string'],
    ['launch', { program: 'a.py', env: { A: 1 } }, 'launch: env.A must be a string or null'],
    ['launch', { program: 'a.py', python: [1] }, 'launch: python must be a string or an array of strings'],
    ['launch', { program: 'a.py', runtime: 'wasm' }, 'launch: runtime must be one of "native", "pyodide"'],
    ['launch', { program: 'a.py', reprTimeout: 0 }, 'launch: reprTimeout must be a number above 0'],
    ['launch', { program: 'a.py', stopOnEntry: 'true' }, 'launch: stopOnEntry must be true or false'],
    ['launch', 'a.py', 'launch: arguments must be an object'],
    ['launch', [1], 'launch: arguments must be an object'],
    ['restart', { arguments: { program: 5 } }, 'restart: arguments.program must be a string'],
  ];

  test('arguments that do not fit the protocol are refused, naming the field; none is an internal error', async () => {
    const c = new DapClient();
    for (const [command, args, message] of cases) {
      const r = await c.raw(command, args);
      assert.equal(r.success, false, `${command} ${JSON.stringify(args)} was accepted`);
      assert.equal(r.message, message, `${command} ${JSON.stringify(args)}`);
      assert.equal((r.body as { error?: { format?: string } }).error?.format, message);
    }
    // a request that fits, with fields the adapter does not know (vendor extensions), is taken
    const threads = await c.raw('threads', { vendorExtension: { deep: [1, 2] } });
    assert.equal(threads.success, true);
    const bps = await c.raw('setBreakpoints', { source: { path: 'a.py', vendor: true }, breakpoints: [{ line: 1, x: null }], extra: 1 });
    assert.equal(bps.message, 'no program is running (send launch first)');
    // null stands for absent in optional fields
    const vars = await c.raw('variables', { variablesReference: 1, filter: null, start: null });
    assert.equal(vars.message, 'no program is running (send launch first)');
    // nothing of the rejected launches was kept for a restart
    const restart = await c.raw('restart', {});
    assert.equal(restart.message, 'restart: no program was launched in this session');
    const unknown = await c.raw('noSuchRequest', {});
    assert.equal(unknown.message, 'unsupported request "noSuchRequest"');
    assert.equal(c.proc.exitCode, null);
    await c.close();
  });
});

describe('dap framing', () => {
  afterEach(closeAll);

  test('LF-only headers are read; a missing or bad Content-Length, an empty or non-JSON body, a non-request are answered; the session goes on', async () => {
    const c = new DapClient();
    c.writeRaw(frame('{"seq": 1000, "type": "request", "command": "threads"}', '\n'));
    const lf = await unasked(c, 'an LF-only header', (r) => r.request_seq === 1000);
    assert.equal(lf.success, true);
    assert.deepEqual(lf.body, { threads: [] });

    const answers: [string, string][] = [
      ['X-Nonsense: 1\r\n\r\n', 'malformed DAP message: a header without Content-Length: "X-Nonsense: 1"'],
      ['Content-Length: -5\r\n\r\n', 'malformed DAP message: Content-Length must be a number of bytes, got "-5"'],
      ['Content-Length: ten\n\n', 'malformed DAP message: Content-Length must be a number of bytes, got "ten"'],
      ['Content-Length: 0\r\n\r\n', 'malformed DAP message: the body is empty (Content-Length: 0)'],
      [frame('{not json'), 'malformed DAP message: the body is not JSON: "{not json"'],
      [frame('[1, 2]'), NOT_A_REQUEST],
      [frame('"launch"'), NOT_A_REQUEST],
      [frame('null'), NOT_A_REQUEST],
    ];
    for (const [bytes, message] of answers) {
      c.writeRaw(bytes);
      const r = await unasked(c, JSON.stringify(bytes), (x) => x.request_seq === 0);
      assert.equal(r.success, false);
      assert.equal(r.message, message, JSON.stringify(bytes));
    }
    // a request without a command, or with a seq that is not an integer, is not a request
    c.writeRaw(frame('{"seq": 1001, "type": "request"}'));
    assert.equal((await unasked(c, 'no command', (r) => r.request_seq === 1001)).message, NOT_A_REQUEST);
    c.writeRaw(frame('{"seq": "x", "type": "request", "command": "threads"}'));
    assert.equal((await unasked(c, 'a string seq', (r) => r.request_seq === 0 && r.command === 'threads')).message, NOT_A_REQUEST);
    // and after all that, the session answers as if nothing happened
    const init = await c.request<DebugProtocol.Capabilities>('initialize', { adapterID: 'pyscope' });
    assert.equal(init.supportsConfigurationDoneRequest, true);
    assert.equal(c.proc.exitCode, null);
    await c.close();
  });

  test('a body over 64 MiB closes the connection with a message, and the stdio adapter exits', async () => {
    const c = new DapClient();
    c.writeRaw('Content-Length: 67108865\r\n\r\n');
    const r = await unasked(c, 'an absurd Content-Length', (x) => x.request_seq === 0);
    assert.equal(r.message, 'malformed DAP message: Content-Length 67108865 is over the limit of 67108864 bytes; closing the connection');
    assert.deepEqual(await exitOf(c.proc, 'an absurd Content-Length'), { code: 0, signal: null });
  });

  test('a header block that never ends closes the connection with a message', async () => {
    const c = new DapClient();
    c.writeRaw('x'.repeat(70_000));
    const r = await unasked(c, '70000 bytes without a header end', (x) => x.request_seq === 0);
    assert.equal(r.message, 'malformed DAP message: no end of a header block within 65536 bytes; closing the connection');
    assert.deepEqual(await exitOf(c.proc, 'an endless header'), { code: 0, signal: null });
  });
});

describe('dap --port refuses what is not DAP', () => {
  test('an HTTP request gets a 400 and the connection closes, with nothing run; DAP still works after it', async () => {
    const server = spawn(process.execPath, [CLI, 'dap', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYSCOPE_DAP_TOKEN: 'a-token-of-enough-length' } });
    try {
      let err = '';
      const port = await new Promise<number>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`dap --port did not say where it listens: ${err}`)), ANSWER_MS);
        server.stderr!.setEncoding('utf8');
        server.stderr!.on('data', (s: string) => {
          err += s;
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
          if (m) {
            clearTimeout(t);
            res(Number(m[1]));
          }
        });
      });
      const exchange = (bytes: string): Promise<string> =>
        new Promise((res, rej) => {
          const sock = connect(port, '127.0.0.1');
          let got = '';
          const t = setTimeout(() => rej(new Error(`the connection stayed open; got ${JSON.stringify(got)}`)), ANSWER_MS);
          sock.on('data', (d) => (got += d.toString()));
          sock.on('close', () => {
            clearTimeout(t);
            res(got);
          });
          sock.on('error', () => undefined);
          sock.write(bytes);
        });
      const get = await exchange('GET / HTTP/1.1\r\nHost: rebound.example:1234\r\n\r\n');
      assert.match(get, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.match(get, /this port speaks the Debug Adapter Protocol, not HTTP/);
      assert.doesNotMatch(get, /Content-Length: \d+\r\n\r\n\{/, 'no DAP message was sent back');
      // what a page's fetch() would POST: a request line first, the DAP-looking body never read
      const launch = JSON.stringify({ seq: 1, type: 'request', command: 'launch', arguments: { program: '/nonexistent.py', token: 'a-token-of-enough-length' } });
      const post = await exchange(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${launch.length}\r\n\r\n${launch}`);
      assert.match(post, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.doesNotMatch(post, /does not exist|"command":"launch"/);
      // the server is still there for a real client
      const init = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'x' } });
      const sock = connect(port, '127.0.0.1');
      const reply = await new Promise<string>((res, rej) => {
        let got = '';
        const t = setTimeout(() => rej(new Error(`no answer to initialize: ${got}`)), ANSWER_MS);
        sock.on('data', (d) => {
          got += d.toString();
          if (got.includes('supportsConfigurationDoneRequest')) {
            clearTimeout(t);
            res(got);
          }
        });
        sock.write(frame(init));
      });
      assert.match(reply, /"success":true/);
      sock.destroy();
    } finally {
      server.kill();
    }
  });

  test('a token shorter than 16 characters is refused at start-up with one line and exit 2', async () => {
    const p = spawn(process.execPath, [CLI, 'dap', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYSCOPE_DAP_TOKEN: 'short' } });
    let err = '';
    p.stderr!.on('data', (d) => (err += d.toString()));
    const { code } = await exitOf(p, 'a short token');
    assert.equal(code, 2);
    assert.equal(err, 'pyscope: error: dap: PYSCOPE_DAP_TOKEN has 5 characters: a token needs at least 16 (e.g. openssl rand -hex 16)\n');
  });
});
