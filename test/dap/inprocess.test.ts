// The adapter runs in-process over any pair of streams (what the Pyodide transport and embedding
// clients rely on): no child adapter process, no stdio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { StreamDapConnection } from '../../src/debugger/dapConnection.js';
import { DebugSession } from '../../src/debugger/session.js';
import { parseHitCondition, parseLogMessage } from '../../src/debugger/breakpoints.js';

function frame(m: object): string {
  const body = JSON.stringify(m);
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

test('a DebugSession answers over in-memory streams', async () => {
  const toAdapter = new PassThrough();
  const fromAdapter = new PassThrough();
  const conn = new StreamDapConnection(toAdapter, fromAdapter);
  new DebugSession(conn);
  const reply = new Promise<DebugProtocol.Response>((res) => {
    let buf = '';
    fromAdapter.on('data', (d: Buffer) => {
      buf += d.toString();
      const i = buf.indexOf('\r\n\r\n');
      if (i >= 0) res(JSON.parse(buf.slice(i + 4)) as DebugProtocol.Response);
    });
  });
  toAdapter.write(frame({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'x' } }));
  const r = await reply;
  assert.equal(r.success, true);
  assert.equal((r.body as DebugProtocol.Capabilities).supportsBreakpointLocationsRequest, true);
  conn.close();
});

test('hit conditions and log messages parse like debugpy', () => {
  assert.deepEqual(parseHitCondition('3'), { op: '==', n: 3 });
  assert.deepEqual(parseHitCondition(' >= 10 '), { op: '>=', n: 10 });
  assert.deepEqual(parseHitCondition('%2'), { op: '%', n: 2 });
  assert.match(String(parseHitCondition('sometimes')), /invalid hit condition/);
  assert.deepEqual(parseLogMessage('x={x} d={ {"a": 1}["a"] } {{raw}}'), [
    ['text', 'x='],
    ['expr', 'x'],
    ['text', ' d='],
    ['expr', ' {"a": 1}["a"] '],
    ['text', ' {raw}'],
  ]);
});
