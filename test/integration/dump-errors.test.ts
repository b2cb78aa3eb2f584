// `pyscope dump` on bad input: each failure is one `pyscope: error:` line on stderr, nothing on
// stdout, and the documented exit code.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { ExitCode } from '../../src/common/errors.js';
import { watch } from '../support/child.js';
import { pythons, requirePython } from '../support/pythons.js';
import { describeFailure, runPyscope, PYSCOPE_MAIN, type RunResult } from '../support/pyscope.js';
import { firstSkip, onPath, optional, skipOrFail } from '../support/requirements.js';

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function start(file: string, args: string[]): ChildProcess {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  return child;
}

/** A python of the matrix for targets that only need to be some live interpreter. */
function anyPython(): string | undefined {
  return pythons().find((p) => !p.missing && p.version[0] === 3)?.path;
}

async function readyLine(child: ChildProcess): Promise<void> {
  await watch(child, 'the target').waitFor('ready', { step: 'the target to print "ready"' });
}

/** The kernel's state letter of a process (R, S, Z...), or 'gone'. */
function processState(pid: number): string {
  try {
    return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? '?';
  } catch {
    return 'gone';
  }
}

function assertOneLineError(r: RunResult, code: number): void {
  assert.equal(r.code, code, describeFailure(r));
  assert.equal(r.stdout, '', 'nothing on stdout on error');
  assert.match(r.stderr, /^pyscope: error: [^\n]+\n$/, describeFailure(r));
}

describe('pyscope dump: bad input', () => {
  test('a pid that does not exist: exit 3', async () => {
    const gone = start('true', []);
    await once(gone, 'exit');
    assert.ok(gone.pid !== undefined && !existsSync(`/proc/${gone.pid}`));
    assertOneLineError(await runPyscope(['dump', String(gone.pid)]), ExitCode.noSuchProcess);
    assertOneLineError(await runPyscope(['dump', '--json', '--pid', String(gone.pid)]), ExitCode.noSuchProcess);
  });

  test('a process that is not Python (sleep): exit 5', async () => {
    const sleeper = start('sleep', ['600']);
    assertOneLineError(await runPyscope(['dump', String(sleeper.pid)]), ExitCode.notPython);
    assertOneLineError(await runPyscope(['dump', '--json', '--locals', String(sleeper.pid)]), ExitCode.notPython);
  });

  test('no pid, a pid that is not a number, an unknown option: usage error, exit 2', async () => {
    for (const args of [['dump'], ['dump', 'twelve'], ['dump', '--pid'], ['dump', '--no-such-option', '1'], ['dump', '-5']]) {
      const r = await runPyscope(args);
      assertOneLineError(r, ExitCode.usage);
    }
  });

  const root = process.getuid?.() === 0;
  const anyPy = requirePython(anyPython() !== undefined, 'no Python 3 interpreter of the matrix is present');
  test('a process of another user: permission denied, exit 4', firstSkip(anyPy, optional('notRoot', root, `running as uid ${process.getuid?.()}`)), async (t) => {
    const py = anyPython()!;
    if (!onPath('setpriv')) return skipOrFail(t, 'setpriv (util-linux) is not installed');
    const asNobody = ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath];
    const probe = spawnSync('setpriv', [...asNobody, '-e', `require('fs').accessSync(${JSON.stringify(PYSCOPE_MAIN)})`], { encoding: 'utf8' });
    // user nobody must reach the built CLI: a checkout under a folder only root may enter cannot run this test
    if (probe.status !== 0) return skipOrFail(t, `user nobody cannot read ${PYSCOPE_MAIN}: ${probe.stderr.split('\n')[0]}`);
    const target = start(py, ['-c', 'import time; print("ready", flush=True); time.sleep(600)']);
    await readyLine(target);
    const c = watch(spawn('setpriv', [...asNobody, PYSCOPE_MAIN, 'dump', String(target.pid)], { stdio: ['ignore', 'pipe', 'pipe'] }), 'pyscope dump as user nobody');
    const code = await c.exited();
    const r: RunResult = { code: code ?? -1, stdout: c.stdout, stderr: c.stderr };
    assertOneLineError(r, ExitCode.permission);
  });

  // Best effort: whichever moment the exit falls on, the outcome is a dump or a clean error.
  test('a process that exits while being dumped: a full dump, exit 3 or exit 7, never a crash', anyPy, async (t) => {
    const py = anyPython()!;
    const source = [
      'import os, sys, threading, time',
      'def deep(n):',
      '    return deep(n - 1) if n else time.sleep(3600)',
      'for i in range(20):',
      '    threading.Thread(target=deep, args=(50,), daemon=True).start()',
      'print("ready", flush=True)',
      'time.sleep(float(sys.argv[1]))',
      'os._exit(0)',
    ].join('\n');
    const seen = new Map<number, number>();
    for (const lifetime of ['0.3', '0.6', '1.0']) {
      const target = start(py, ['-c', source, lifetime]);
      await readyLine(target);
      let exited = false;
      target.on('exit', () => (exited = true));
      // Dump again and again until one dump finds the process gone.
      for (let last = -1; last !== ExitCode.noSuchProcess; ) {
        const r = await runPyscope(['dump', '--json', String(target.pid)]);
        last = r.code;
        seen.set(r.code, (seen.get(r.code) ?? 0) + 1);
        if (r.code === 0) {
          assert.equal((JSON.parse(r.stdout) as { pid: number }).pid, target.pid);
          assert.equal(r.stderr, '');
        } else {
          const after = `${describeFailure(r)}\ntarget afterwards: ${processState(target.pid!)}`;
          assert.ok([ExitCode.noSuchProcess, ExitCode.processExited].includes(r.code as 3 | 7), after);
          assertOneLineError(r, r.code);
        }
        if (exited && r.code !== 0 && r.code !== ExitCode.noSuchProcess) break;
      }
    }
    t.diagnostic(`exit codes seen: ${JSON.stringify([...seen])}`);
  });
});
