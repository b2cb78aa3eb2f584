// The Jupyter kernel pyscope-python3 (src/kernel) driven with jupyter_client through the debug
// sequence JupyterLab sends (test/jupyter/jep47_sequence.py), against ipykernel's own python3
// kernel (debugpy) as the reference: the answers must agree. Then the bad input the reference
// defines nothing for, which must leave the kernel alive. The kernelspec is installed with
// `pyscope kernel install` into a folder of the test's own (JUPYTER_DATA_DIR).
//
// The package mirror serves ipykernel's binary dependencies for CPython 3.11 only, so the
// kernel runs on the two 3.11 builds there are (pyenv's, and Debian's static one), each from a
// virtualenv that .ci/run makes. The kernel's Python is the agent's, which every other debugger
// test runs on the whole matrix.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/pythons.js';
import { requireThat } from '../support/requirements.js';
import { describeFailure, runCommand, runPyscope } from '../support/pyscope.js';
import { lastResort } from '../support/timeouts.js';

const HELPER = join(REPO_ROOT, 'test', 'jupyter', 'jep47_sequence.py');

/** The virtualenvs .ci/run makes (README, "Tests"): ipykernel, jupyter_client (and JupyterLab). */
export const JUPYTER_VENVS = [
  { label: 'pyenv-3.11', python: join(REPO_ROOT, '.venv-jupyter', 'bin', 'python') },
  { label: 'debian-3.11', python: join(REPO_ROOT, '.venv-jupyter-debian', 'bin', 'python') },
];

type Result = Record<string, unknown>;

async function sequence(python: string, env: NodeJS.ProcessEnv, args: string[]): Promise<Result> {
  const r = await runCommand(python, [HELPER, ...args], env);
  assert.equal(r.code, 0, `${args.join(' ')}:\n${describeFailure(r)}`);
  // the kernel's own log (its stderr is the helper's) explains a step that went wrong
  return { ...(JSON.parse(r.stdout) as Result), kernelLog: r.stderr.split('\n').slice(-60).join('\n') };
}

for (const venv of JUPYTER_VENVS) {
  describe(`jupyter kernel pyscope-python3 (${venv.label})`, requireThat(existsSync(venv.python), `${venv.python} is absent (.ci/run makes it)`), () => {
    let dataDir = '';
    let env: NodeJS.ProcessEnv = {};
    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'pyscope-jupyter-'));
      env = { JUPYTER_DATA_DIR: dataDir, JUPYTER_RUNTIME_DIR: join(dataDir, 'runtime'), JUPYTER_PLATFORM_DIRS: '1', JUPYTER_PREFER_ENV_PATH: '0' };
      const r = await runPyscope(['kernel', 'install', '--user', '--python', venv.python], env);
      assert.equal(r.code, 0, describeFailure(r));
      assert.match(r.stdout, /installed pyscope-python3 \("Python 3 \(pyscope\)"\)/);
    });
    after(() => rmSync(dataDir, { recursive: true, force: true }));

    test("JupyterLab's debug sequence answers as ipykernel's own kernel (debugpy) does", { timeout: lastResort() }, async () => {
      const reference = await sequence(venv.python, env, ['python3']);
      const ours = await sequence(venv.python, env, ['pyscope-python3', '--reattach']);
      for (const [key, want] of Object.entries(reference)) {
        if (key === 'inspectVariables') continue;
        assert.deepEqual(ours[key], want, `${key}: pyscope-python3 says ${JSON.stringify(ours[key])}, ipykernel ${JSON.stringify(want)}`);
      }
      // debugpy files functions under a "function variables" row; the agent lists them as values
      const listed = ours.inspectVariables as string[];
      for (const name of reference.inspectVariables as string[]) assert.ok(listed.includes(name), `inspectVariables lacks ${name}: ${listed.join(', ')}`);
      assert.ok(listed.includes('f'));
      // what the reference does not get to (see the helper): a second session after a disconnect
      assert.deepEqual((ours.secondStack as Result[])[0], { cell: 'def', line: 6, name: 'f' });
      assert.equal(ours.secondCall, 'ok');
      const alive = ours.alive as [string, string];
      assert.equal(alive[0], 'ok');
      assert.match(alive[1], /42\n$/);
    });

    test('exception breakpoints, pause, interrupt while stopped; bad input gets error replies, a restart while stopped a fresh kernel; the kernel lives', { timeout: lastResort() }, async () => {
      const r = await sequence(venv.python, env, ['pyscope-python3', '--bad-input']);
      assert.deepEqual(r.unknown, [false, "unknown debug request command 'noSuchCommand'"]);
      assert.equal(r.beforeInitialize, false);
      assert.deepEqual(r.badArgument, [false, 'variables: handle must be an integer, not a string']);
      // a breakpoint in a cell whose file is gone: answered, not verified, with why
      assert.deepEqual(r.vanishedCell, [true, [[false, true]]]);
      assert.deepEqual(r.aliveAfterBadInput, ['ok', '42\n']);
      // "uncaught": the stop is on the cell's line the exception leaves the notebook's code by
      assert.deepEqual(r.exception, { reason: 'exception', exceptionId: 'ZeroDivisionError', top: ['<module>', 4] });
      assert.equal(r.exceptionCell, 'error');
      // pause stops a running cell; setExpression ends its loop, continue lets it finish
      assert.deepEqual(r.paused, { reason: 'pause', top: ['<module>', true] });
      assert.equal(r.pausedCell, 'ok');
      // the kernel's interrupt while stopped ends the stop: the cell gets KeyboardInterrupt, the
      // client a continued event, and the next cells run (and stop at breakpoints) again
      const interruptStep = `the stop interrupted: ${JSON.stringify(r.interruptStop)}; debug events kept before it: ${JSON.stringify(r.interruptEventsBefore)}, after it: ${JSON.stringify(r.interruptEventsAfter)}; the kernel's log ends:\n${String(r.kernelLog)}`;
      assert.deepEqual(r.interrupted, ['error', 'KeyboardInterrupt'], interruptStep);
      assert.equal(r.continuedOnInterrupt, 'continued');
      assert.deepEqual(r.aliveAfterInterrupt, ['ok', '42\n']);
      assert.equal(r.stoppedBeforeRestart, 'breakpoint');
      assert.equal(r.debugInfoAfterRestart, false);
      assert.deepEqual(r.aliveAfterRestart, ['ok', '42\n']);
    });
  });
}

describe('pyscope kernel install: usage and errors in one line', () => {
  test('an unknown subcommand, clashing options, an interpreter that is not there', async () => {
    const sub = await runPyscope(['kernel', 'uninstall']);
    assert.equal(sub.code, 2, describeFailure(sub));
    assert.equal(sub.stderr, 'pyscope: error: kernel: unknown subcommand "uninstall" (pyscope kernel install)\n');
    const both = await runPyscope(['kernel', 'install', '--user', '--sys-prefix']);
    assert.equal(both.code, 2, describeFailure(both));
    assert.equal(both.stderr, 'pyscope: error: kernel install: --user and --sys-prefix exclude each other\n');
    const gone = await runPyscope(['kernel', 'install', '--python', join(REPO_ROOT, 'no-such-python')]);
    assert.equal(gone.code, 1, describeFailure(gone));
    assert.match(gone.stderr, /^pyscope: error: kernel install: cannot run .*no-such-python: no such interpreter\n$/);
    assert.equal(gone.stdout, '');
  });
  test('an interpreter without ipykernel is told what to install', async () => {
    // node's own python-less environment: the interpreter of bench/.venv has debugpy, not ipykernel
    const python = join(REPO_ROOT, 'bench', '.venv', 'bin', 'python');
    const r = await runPyscope(['kernel', 'install', '--python', python], { JUPYTER_DATA_DIR: join(tmpdir(), 'pyscope-never-written') });
    assert.equal(r.code, 1, describeFailure(r));
    assert.match(r.stderr, /^pyscope: error: kernel install: .* cannot import ipykernel: install ipykernel into it \(.* -m pip install ipykernel\)\n$/);
  });
});
