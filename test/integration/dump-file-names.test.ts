// File names in dump's and record's frames as a reader places them: a standard-library module of
// a package by its path below lib/pythonX.Y (`http/server.py`, as py-spy shows it), the program's
// own files relative to its working directory (`sub/app.py`), and --full-filenames as the
// interpreter holds them.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watch } from '../support/child.js';
import { pythons, requirePython } from '../support/pythons.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';
import { until } from '../support/wait.js';

const py = pythons().find((p) => !p.missing && p.version[0] === 3 && p.version[1] >= 7);
const { skip } = requirePython(py !== undefined, 'no Python 3.7+ of the matrix is present');
const children: ChildProcess[] = [];
const dirs: string[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Serves through http.server's own test(), so a library frame sits under the program's.
/** The first dump of `pid` whose text matches `pattern` (the server may not be listening yet). */
async function dumpShowing(pid: number, pattern: RegExp, step: string): Promise<string> {
  let text = '';
  await until(
    async () => {
      const r = await runPyscope(['dump', String(pid)]);
      assert.equal(r.code, 0, describeFailure(r));
      text = r.stdout;
      return pattern.test(text);
    },
    { step, diagnose: () => text },
  );
  return text;
}

const APP = `import http.server
import sys

http.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, port=0, bind='127.0.0.1')
`;

describe('frame file names', { skip }, () => {
  test('python -m http.server: http/server.py and socketserver.py; --full-filenames: the paths', async () => {
    const server = spawn(py!.path, ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(server);
    const w = watch(server, 'python -m http.server');
    await w.waitFor(/Serving HTTP/, { step: 'the server to listen' });
    // serve_forever is its main thread's stack once it listens (it printed that before).
    const text = await dumpShowing(server.pid!, /\(http\/server\.py:\d+\)$/m, 'a dump of the server showing http/server.py');
    assert.match(text, /^ {4}\S+ \(socketserver\.py:\d+\)$/m, text);
    assert.match(text, /^ {4}<module> \(http\/server\.py:\d+\)$/m, text);
    const full = await runPyscope(['dump', '--full-filenames', String(server.pid)]);
    assert.equal(full.code, 0, describeFailure(full));
    assert.match(full.stdout, /^ {4}\S+ \(\/\S+\/lib\/python3\.\d+\/http\/server\.py:\d+\)$/m, full.stdout);
  });

  test("a program in a subfolder of its working directory: sub/app.py; a library's frame: http/server.py; --full-filenames: the paths", async () => {
    const cwd = realpathSync(mkdtempSync(join(tmpdir(), 'pyscope-names-')));
    dirs.push(cwd);
    mkdirSync(join(cwd, 'sub'));
    const app = join(cwd, 'sub', 'app.py');
    writeFileSync(app, APP);
    const server = spawn(py!.path, ['-u', app], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(server);
    await watch(server, 'python sub/app.py').waitFor(/Serving HTTP/, { step: 'the server to listen' });
    const text = await dumpShowing(server.pid!, /\(socketserver\.py:\d+\)$/m, 'a dump of the server in serve_forever');
    assert.match(text, /^ {4}<module> \(sub\/app\.py:4\)$/m, text);
    assert.match(text, /^ {4}test \(http\/server\.py:\d+\)$/m, text);
    const full = await runPyscope(['dump', '--full-filenames', String(server.pid)]);
    assert.equal(full.code, 0, describeFailure(full));
    assert.ok(full.stdout.includes(`    <module> (${app}:4)\n`), full.stdout);
    assert.match(full.stdout, /^ {4}test \(\/\S+\/lib\/python3\.\d+\/http\/server\.py:\d+\)$/m, full.stdout);
    // record names them the same way, from the target's working directory, not pyscope's
    const out = join(cwd, 'profile.txt');
    const rec = await runPyscope(['record', '-d', '2', '--idle', '-f', 'collapsed', '-o', out, '--pid', String(server.pid)]);
    assert.equal(rec.code, 0, describeFailure(rec));
    assert.match(readFileSync(out, 'utf8'), /^<module> \(sub\/app\.py:4\);test \(http\/server\.py:\d+\);/m);
  });
});
