// JupyterLab's own debugger panel on the pyscope-python3 kernel, in real headless Chromium: a
// jupyter lab of the test's own (a random loopback port, a token, folders of its own), a notebook
// on the kernel, the debugger turned on with the notebook's bug button, a breakpoint set in the
// cell's gutter, the calling cell run; then the call stack (cells as sources), the variables, a
// step with the panel's Next button, and Continue to the cell's output.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, needsChromium, pageLog, watchPage } from '../playground/browser.js';
import { REPO_ROOT } from '../support/pythons.js';
import { requireThat } from '../support/requirements.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';
import { Tail } from '../support/tail.js';
import { lastResort, WAIT } from '../support/timeouts.js';
import { WaitTimeout } from '../support/wait.js';

const VENV = join(REPO_ROOT, '.venv-jupyter');
const PYTHON = join(VENV, 'bin', 'python');
const JUPYTER = join(VENV, 'bin', 'jupyter');

const DEFINE = ['base = 100\n', '\n', '\n', 'def f(x):\n', '    y = x * 2\n', '    z = y + 1\n', '    return z\n'];
const CALL = ['r = f(20)\n', 'print(r)'];
const NOTEBOOK = {
  cells: [DEFINE, CALL].map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
  metadata: { kernelspec: { display_name: 'Python 3 (pyscope)', language: 'python', name: 'pyscope-python3' } },
  nbformat: 4,
  nbformat_minor: 5,
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const haveLab = existsSync(JUPYTER) && existsSync(join(VENV, 'bin', 'jupyter-lab'));

describe('JupyterLab debugs a notebook on pyscope-python3 in Chromium', { ...needsChromium(), ...requireThat(haveLab, `${JUPYTER}-lab is absent (.ci/run installs jupyterlab into .venv-jupyter)`) }, () => {
  let dir = '';
  let lab: ChildProcess | undefined;
  const labLog = new Tail();
  let url = '';
  let browser: Browser | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pyscope-jupyterlab-'));
    for (const d of ['data', 'config', 'root', 'runtime']) mkdirSync(join(dir, d));
    const env = {
      JUPYTER_DATA_DIR: join(dir, 'data'),
      JUPYTER_CONFIG_DIR: join(dir, 'config'),
      JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
      JUPYTER_PLATFORM_DIRS: '1',
      JUPYTER_PREFER_ENV_PATH: '0',
    };
    const r = await runPyscope(['kernel', 'install', '--user', '--python', PYTHON], env);
    assert.equal(r.code, 0, describeFailure(r));
    writeFileSync(join(dir, 'root', 'debug-me.ipynb'), JSON.stringify(NOTEBOOK));
    const port = await freePort();
    const token = randomBytes(24).toString('hex');
    lab = spawn(
      JUPYTER,
      [
        'lab',
        '--no-browser',
        '--allow-root',
        '--ServerApp.ip=127.0.0.1',
        `--ServerApp.port=${port}`,
        '--ServerApp.port_retries=0',
        `--IdentityProvider.token=${token}`,
        `--ServerApp.root_dir=${join(dir, 'root')}`,
        `--LabApp.workspaces_dir=${join(dir, 'workspaces')}`,
        `--LabApp.user_settings_dir=${join(dir, 'settings')}`,
      ],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    lab.stdout?.on('data', (b: Buffer) => labLog.push(b.toString()));
    lab.stderr?.on('data', (b: Buffer) => labLog.push(b.toString()));
    const deadline = Date.now() + WAIT.event;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/status?token=${token}`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (lab.exitCode !== null || Date.now() > deadline) throw new WaitTimeout('jupyter lab to answer /api/status', WAIT.event, labLog.show(30));
      await new Promise((res) => setTimeout(res, 500));
    }
    url = `http://127.0.0.1:${port}/lab/tree/debug-me.ipynb?token=${token}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (lab?.pid !== undefined && lab.exitCode === null) {
      const ended = new Promise((res) => lab?.once('exit', res));
      // jupyter lab shuts its kernels down on SIGTERM; its process group goes if it does not
      process.kill(-lab.pid, 'SIGTERM');
      const t = setTimeout(() => {
        if (lab?.pid !== undefined) process.kill(-lab.pid, 'SIGKILL');
      }, WAIT.exit);
      await ended;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** The Jupyter debug messages the page exchanged with the kernel, one line each, for a failure. */
  const debugTraffic = new Tail(4_000);

  /** Records each debug_request, debug_reply and debug_event frame of the page's kernel websockets. */
  function watchDebugTraffic(page: Page): void {
    const line = (way: string, payload: string | Buffer): void => {
      const text = typeof payload === 'string' ? payload : payload.toString('utf8');
      // the message's own header comes first (a status message names its debug parent after it)
      const type = /"msg_type":\s*"([^"]+)"/.exec(text)?.[1];
      if (type === undefined || !type.startsWith('debug_')) return;
      const command = /"(?:command|event)":\s*"([^"]+)"/.exec(text)?.[1] ?? '?';
      const success = /"success":\s*(true|false)/.exec(text)?.[1];
      debugTraffic.push(`${new Date().toISOString().slice(11, 23)} ${way} ${type} ${command}${success === undefined ? '' : ` success=${success}`}\n`);
    };
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => line('->', f.payload));
      ws.on('framereceived', (f) => line('<-', f.payload));
    });
  }

  /** Waits until `selector`'s text matches; fails saying what the panel and the page showed. */
  async function textMatches(page: Page, selector: string, pattern: RegExp, what: string, timeout = WAIT.stop): Promise<string> {
    try {
      await page.waitForFunction(
        `(() => { const e = document.querySelector(${JSON.stringify(selector)}); return e !== null && ${pattern.toString()}.test(e.textContent); })()`,
        undefined,
        { timeout },
      );
    } catch (e) {
      if (!(e instanceof Error) || e.name !== 'TimeoutError') throw e;
      const shown = (await page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? '(absent)'`)) as string;
      const panel = (await page.evaluate(
        `(() => { const e = document.querySelector('#jp-debugger-sidebar'); return e === null ? 'absent' : (e.checkVisibility() ? 'shown' : 'hidden') + ', says ' + JSON.stringify((e.textContent ?? '').slice(0, 300)); })()`,
      )) as string;
      const status = (await page.evaluate(`document.querySelector('.jp-StatusBar-Widget')?.textContent ?? ''`)) as string;
      throw new WaitTimeout(`${what}: ${selector} to match ${pattern.toString()}`, timeout, `it shows: ${JSON.stringify(shown.slice(0, 500))}\nthe debugger panel: ${panel}\nstatus bar: ${status}\npage log:\n${pageLog(page)}\ndebug messages:\n${debugTraffic.show(60)}\njupyter lab log:\n${labLog.show(30)}`);
    }
    return ((await page.textContent(selector)) ?? '').trim();
  }

  test('bug button, a gutter breakpoint, run: call stack, variables, Next, Continue', { timeout: lastResort() }, async () => {
    const page = watchPage(await browser!.newPage({ viewport: { width: 1400, height: 900 } }));
    watchDebugTraffic(page);
    await page.goto(url);
    await textMatches(page, '#jp-main-statusbar', /Python 3 \(pyscope\) \| Idle/, 'the notebook on the pyscope kernel, idle', WAIT.event);
    const bug = page.locator('.jp-NotebookPanel-toolbar .jp-DebuggerBugButton');
    await bug.waitFor();
    await page.waitForSelector('.jp-NotebookPanel-toolbar .jp-DebuggerBugButton[aria-disabled="false"]');
    // JupyterLab enables the button as soon as it knows the kernel can debug, which can be before
    // its debugger service has a session for the notebook: a click then does nothing (seen on a
    // fresh clone: no request sent, the button left unpressed). So the click is repeated until the
    // button is pressed, within the usual bound.
    const pressed = '.jp-NotebookPanel-toolbar .jp-DebuggerBugButton[aria-pressed="true"]';
    const clickUntil = Date.now() + WAIT.event;
    for (;;) {
      await bug.click();
      try {
        await page.waitForSelector(pressed, { timeout: 15_000 });
        break;
      } catch (e) {
        if (!(e instanceof Error) || e.name !== 'TimeoutError' || Date.now() > clickUntil) throw e;
      }
    }
    // the kernel's modules (the `modules` request) fill the panel's kernel sources
    await textMatches(page, 'body', /IPython\.core/, 'the kernel sources in the debugger panel');

    const cells = page.locator('.jp-Notebook .jp-Cell');
    // the gutter's first element is CodeMirror's hidden spacer: line 5 is the sixth
    await cells.nth(0).locator('.cm-breakpoint-gutter .cm-gutterElement').nth(5).click();
    await textMatches(page, '.jp-DebuggerBreakpoints', /Cell \[ \]\s*5/, 'the breakpoint in the breakpoints panel');

    await cells.nth(0).locator('.cm-content').click();
    await page.keyboard.press('Shift+Enter');
    await textMatches(page, '.jp-Notebook .jp-Cell:nth-child(1) .jp-InputPrompt', /\[1\]/, 'the defining cell to run');
    await page.keyboard.press('Shift+Enter');

    const stack = await textMatches(page, '.jp-DebuggerCallstack', /^f\s*Cell \[1\]:5\s*<module>\s*Cell \[\*\]:1$/, 'the stop at the breakpoint in the call stack');
    assert.match(stack, /Cell \[1\]:5/);
    await textMatches(page, '.jp-DebuggerVariables', /x\s*20/, "f's locals");
    // the stopped line is marked in the cell
    await page.waitForSelector('.jp-Notebook .jp-Cell:nth-child(1) .jp-DebuggerEditor-highlight');

    await page.locator('jp-button[title^="Next"]').first().click();
    await textMatches(page, '.jp-DebuggerCallstack', /^f\s*Cell \[1\]:6/, 'the step to line 6');
    await textMatches(page, '.jp-DebuggerVariables', /x\s*20\s*y\s*40|y\s*40/, 'y after the step');

    await page.locator('jp-button[title^="Continue"]').first().click();
    await textMatches(page, '.jp-Notebook .jp-Cell:nth-child(2) .jp-OutputArea', /41/, "the calling cell's output after Continue");
    await textMatches(page, '#jp-main-statusbar', /Python 3 \(pyscope\) \| Idle/, 'the kernel idle again');
    await page.close();
  });
});
