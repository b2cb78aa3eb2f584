// What the adapter makes of a child's hello: its session's name, and multiprocessing's helpers
// (which get no session) told from the program's own children, on the command lines that
// CPython 3.8-3.15 really use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hello } from '../../src/agent/protocol.js';
import { childName, isChildHello, isHelper, type ChildHello, type ChildInfo } from '../../src/debugger/childProcess.js';

const HELLO: Hello = { pid: 4242, version: [3, 12, 1], implementation: 'cpython', executable: 'python3', prefix: '/p', basePrefix: '/p', libraryPaths: [], agentFile: 'agent.py', engine: 'monitoring' };
const child = (how: ChildInfo['how'], argv: string[]): ChildHello => ({ ...HELLO, child: { how, parentPid: 7, argv } });

test('multiprocessing helpers are told from the program children', () => {
  assert.equal(isHelper(child('spawn', ['python3', '-c', 'from multiprocessing.forkserver import main; main(9, 10, [\'__main__\'], **{})']).child), true);
  // 3.14 starts its forkserver with an import of sys first
  assert.equal(isHelper(child('spawn', ['python3', '-c', 'import sys; from multiprocessing.forkserver import main; main(13, 14, [], **{})']).child), true);
  assert.equal(isHelper(child('spawn', ['python3', '-c', 'from multiprocessing.resource_tracker import main;main(5)']).child), true);
  assert.equal(isHelper(child('spawn', ['python3', '-c', 'from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5, pipe_handle=7)', '--multiprocessing-fork']).child), false);
  assert.equal(isHelper(child('spawn', ['python3', 'worker.py']).child), false);
  assert.equal(isHelper(child('fork', ['python3', '-c', 'from multiprocessing.forkserver import main; main()']).child), false);
});

test('a child session is named by its pid and what it runs', () => {
  assert.equal(childName(child('spawn', ['python3', '-c', 'from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5, pipe_handle=7)', '--multiprocessing-fork'])), '4242 multiprocessing worker (spawn)');
  assert.equal(childName(child('spawn', ['/usr/bin/python3', '-X', 'dev', '/srv/app/tool.py', '--fast'])), '4242 tool.py --fast');
  assert.equal(childName(child('spawn', ['python3', '-m', 'http.server'])), '4242 -m http.server');
  assert.equal(childName(child('fork', ['python3', 'app.py'])), '4242 fork of 7: app.py');
  assert.ok(childName(child('spawn', ['python3', '-c', 'x = 1\n' + 'y = 2; '.repeat(40)])).length <= 80);
});

test('a hello is a child hello only with its child part', () => {
  assert.equal(isChildHello(HELLO), false);
  assert.equal(isChildHello(child('fork', ['python3'])), true);
});
