// Frame file names as a reader places them: below the import root a file came from, as py-spy
// shows them, the user's own relative to the working directory, by their last component otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameFile, readableFile } from '../../src/common/file-names.js';

test('a file below site-packages, dist-packages or the standard library is named from there', () => {
  assert.equal(readableFile('/srv/venv/lib/python3.11/site-packages/flask/app.py'), 'flask/app.py');
  assert.equal(readableFile('/usr/lib/python3/dist-packages/apt/package.py'), 'apt/package.py');
  assert.equal(readableFile('/usr/lib/python3.11/http/server.py'), 'http/server.py');
  assert.equal(readableFile('/opt/python/3.12.1/lib/python3.12/threading.py'), 'threading.py');
  assert.equal(readableFile('/opt/python/3.12.1/lib/python3.12/concurrent/futures/thread.py'), 'concurrent/futures/thread.py');
  assert.equal(readableFile('/usr/lib/python3.13t/json/__init__.py'), 'json/__init__.py');
  assert.equal(readableFile('/usr/lib/python2.7/site-packages/six.py'), 'six.py');
});

test('the innermost import root wins: a venv inside a tree, site-packages inside lib/pythonX.Y', () => {
  assert.equal(readableFile('/home/me/lib/python3.11/work/.venv/lib/python3.11/site-packages/requests/api.py'), 'requests/api.py');
});

test('anything else by its last component, a package file with its folder; names that are not paths as they are', () => {
  assert.equal(readableFile('/home/me/project/app.py'), 'app.py');
  assert.equal(readableFile('/home/me/project/pkg/__init__.py'), 'pkg/__init__.py');
  assert.equal(readableFile('/home/me/project/pkg/__main__.py'), 'pkg/__main__.py');
  assert.equal(readableFile('<string>'), '<string>');
  assert.equal(readableFile('<frozen importlib._bootstrap>'), '<frozen importlib._bootstrap>');
  assert.equal(readableFile('app.py'), 'app.py');
});

test('the user\'s own files below the working directory are named relative to it, import roots first', () => {
  assert.equal(readableFile('/home/me/project/sub/app.py', '/home/me/project'), 'sub/app.py');
  assert.equal(readableFile('/home/me/project/app.py', '/home/me/project/'), 'app.py');
  // a venv inside the project is still a library's place
  assert.equal(readableFile('/home/me/project/.venv/lib/python3.12/site-packages/flask/app.py', '/home/me/project'), 'flask/app.py');
  assert.equal(readableFile('/usr/lib/python3.12/http/server.py', '/usr'), 'http/server.py');
  // outside the working directory: the last component, as without one
  assert.equal(readableFile('/home/me/other/tool.py', '/home/me/project'), 'tool.py');
  assert.equal(readableFile('/home/me/project2/tool.py', '/home/me/project'), 'tool.py');
  assert.equal(readableFile('/home/me/other/pkg/__init__.py', '/home/me/project'), 'pkg/__init__.py');
  // a daemon's cwd of / names nothing relative to it
  assert.equal(readableFile('/srv/app/main.py', '/'), 'main.py');
  assert.equal(readableFile('sub/app.py', '/home/me/project'), 'sub/app.py');
});

test('--full-filenames keeps the path as the interpreter holds it', () => {
  assert.equal(frameFile('/home/me/project/sub/app.py', { full: true, cwd: '/home/me/project' }), '/home/me/project/sub/app.py');
  assert.equal(frameFile('/home/me/project/sub/app.py', { full: false, cwd: '/home/me/project' }), 'sub/app.py');
});
