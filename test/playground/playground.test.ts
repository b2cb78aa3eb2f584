// The playground in real headless Chromium: load the page, set breakpoints in the gutter (one
// with a condition), run, see the stop and the values, step, watch, evaluate, continue, and read
// the program's console. Pyodide loads in the page's worker from the local npm package.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { startPlayground } from '../../src/playground/server.js';
import { launchChromium, needsChromium, statusMatches, urlOf, variableValue, watchPage } from './browser.js';

const PROGRAM = `def fib(n):
    a, b = 0, 1
    for i in range(n):
        a, b = b, a + b
    return a


total = 0
for n in range(8):
    value = fib(n)
    total += value
    print(f"fib({n}) = {value}")
print("total", total)
`;

/** A hot and a cold function, `rounds` times: more rounds, more samples. */
const hotProgram = (rounds: number): string => `def hot(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


def cold(n):
    return [i for i in range(n)]


for _ in range(${rounds}):
    hot(60000)
    cold(6000)
print("hot done")
`;

/**
 * Samples the profile test wants: its flame graph compares the widths of two functions. A loaded
 * machine misses ticks (the status says how many), so the program runs again with more rounds
 * until a profile holds that many.
 */
const MIN_SAMPLES = 50;

/** The editor's text area: CodeMirror's content element. */
const EDITOR = '#editor .cm-content';
const ROUNDS = [100, 300, 900];

describe('pyscope playground in headless Chromium', needsChromium(), () => {
  let browser: Browser;
  let server: Server;
  let page: Page;
  const requests: string[] = [];

  before(async () => {
    server = await startPlayground({ port: 0, programText: PROGRAM, programName: 'fib.py' });
    browser = await launchChromium();
    page = watchPage(await browser.newPage({ viewport: { width: 1280, height: 760 } }));
    page.on('request', (r) => requests.push(r.url()));
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('breakpoints, a condition, stepping, variables, watch, console, exit', async () => {
    await page.goto(urlOf(server));
    await statusMatches(page, /^ready$/);
    // a conditional breakpoint on line 10 (shift-click), a plain one on line 4
    await page.click('.cm-breakpoints [data-line="10"]', { modifiers: ['Shift'] });
    await page.fill('#cond-input', 'n == 5');
    await page.press('#cond-input', 'Enter');
    await page.click('.cm-breakpoints [data-line="4"]');
    assert.equal(await page.getAttribute('.cm-breakpoints [data-line="10"]', 'class'), 'bp cond');
    await page.click('#run');
    assert.match(await statusMatches(page, /paused/), /paused \(breakpoint\) at line 4/);
    // fib(0..4) ran no loop body; the first stop in fib is for n == 1
    assert.equal(await variableValue(page, 'n'), '1');
    await page.click('.cm-breakpoints [data-line="4"]'); // off again
    await page.click('#continue');
    assert.match(await statusMatches(page, /paused/), /at line 10/);
    assert.equal(await variableValue(page, 'n'), '5');
    assert.equal(await variableValue(page, 'total'), '7');
    await page.click('#stepIn');
    assert.match(await statusMatches(page, /paused \(step\)/), /at line 2/);
    assert.deepEqual(await page.locator('#stack li').allTextContents(), ['fibfib.py:2', '<module>fib.py:10']);
    await page.click('#next');
    assert.match(await statusMatches(page, /paused \(step\) at line 3/), /line 3/);
    await page.fill('#watch-input', 'a + b + n');
    await page.press('#watch-input', 'Enter');
    await page.waitForFunction("document.querySelector('#watches .value')?.textContent === '6'");
    await page.fill('#console-input', 'fib(n + 5)');
    await page.press('#console-input', 'Enter');
    await page.waitForFunction("/\\n55\\n/.test(document.getElementById('console').textContent)");
    // expand a value lazily: the <module> frame's globals hold fib
    await page.click('#stack li:nth-child(2)');
    await page.click('#variables [data-name="Globals"] > .row');
    await page.waitForSelector('#variables [data-name="Globals"] [data-name="fib"]');
    await page.click('#stepOut');
    // back in the caller on the line of the call, as debuggers do: the assignment of line 10 is
    // still to come, and the value fib returned is shown as "(return) fib"
    assert.match(await statusMatches(page, /paused \(step\)/), /at line 10/);
    assert.equal(await variableValue(page, '(return) fib'), '5');
    assert.equal(await variableValue(page, 'value'), '3');
    await page.click('#continue');
    await statusMatches(page, /exited with code 0/);
    const out = (await page.textContent('#console')) ?? '';
    assert.match(out, /fib\(7\) = 13\ntotal 33\n/);
    // nothing but the local server was asked for anything
    const origin = urlOf(server);
    assert.deepEqual(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:')), []);
  });

  test('a syntax error is shown in the console, and Run works again after fixing it', async () => {
    await page.fill(EDITOR, 'def broken(:\n    pass\n');
    await page.click('#run');
    await statusMatches(page, /launch failed/);
    assert.match((await page.textContent('#console')) ?? '', /SyntaxError/);
    await page.fill(EDITOR, 'print("fixed", 6 * 7)\n');
    await page.click('#run');
    await statusMatches(page, /exited with code 0/);
    assert.match((await page.textContent('#console')) ?? '', /fixed 42/);
  });

  test('Profile runs the program under the sampler and shows its flame graph, with downloads', async (t) => {
    const tried: string[] = [];
    let status = '';
    for (const rounds of ROUNDS) {
      await page.fill(EDITOR, hotProgram(rounds));
      await page.click('#profile');
      status = await statusMatches(page, /^profiled: /);
      assert.match(status, /^profiled: \d+ samples at 1000 Hz over [\d.]+ s, \d+ missed \(exit code 0\)$/);
      tried.push(`${rounds} rounds: ${status}`);
      if (Number(/(\d+) samples/.exec(status)![1]) >= MIN_SAMPLES) break;
    }
    t.diagnostic(tried.join(' | '));
    // enough for a graph even when a loaded machine delays the ticks (missed ones are counted)
    assert.ok(Number(/(\d+) samples/.exec(status)![1]) >= MIN_SAMPLES, `at least ${MIN_SAMPLES} samples in one profile:\n${tried.join('\n')}`);
    assert.match((await page.textContent('#console')) ?? '', /hot done/);
    assert.equal(await page.isHidden('#console-pane'), true, 'the flame graph tab is shown');
    const flame = page.frameLocator('#flame-frame');
    // the same page record writes: one box per function, the hot one wider than the cold one
    const width = async (name: string): Promise<number> => (await flame.locator('#graph div', { hasText: new RegExp(`^${name} `) }).first().boundingBox())?.width ?? 0;
    await flame.locator('#graph div', { hasText: /^hot / }).first().waitFor();
    assert.ok((await width('hot')) > 2 * (await width('cold')), 'hot is wider than cold');
    assert.deepEqual(await page.locator('#profile-downloads a').evaluateAll((as) => as.map((a) => (a as unknown as { download: string }).download)), [
      'fib.flamegraph.html',
      'fib.speedscope.json',
      'fib.collapsed.txt',
    ]);
    await page.click('#tab-console');
    assert.equal(await page.isVisible('#console-pane'), true);
  });

  test('Stop while profiling ends the program and still shows what it ran', async () => {
    await page.fill(EDITOR, 'def spin():\n    n = 0\n    while True:\n        n += 1\n\nprint("spinning")\nspin()\n');
    await page.click('#profile');
    await statusMatches(page, /^profiling at 1000 Hz: \d+ samples/);
    await page.click('#stop');
    assert.match(await statusMatches(page, /^profiled: /), /\(exit code 130\)/);
    assert.match((await page.textContent('#console')) ?? '', /stopped by the user/);
    await page.frameLocator('#flame-frame').locator('#graph div', { hasText: /^spin / }).first().waitFor();
  });

  test('a page served without cross-origin isolation says which headers are missing', async () => {
    const plain = await startPlayground({ port: 0, isolate: false });
    try {
      const p = watchPage(await browser.newPage());
      await p.goto(urlOf(plain));
      await statusMatches(p, /not cross-origin isolated/);
      const text = (await p.textContent('#isolation')) ?? '';
      assert.match(text, /Cross-Origin-Opener-Policy: same-origin/);
      assert.match(text, /Cross-Origin-Embedder-Policy: require-corp/);
      assert.equal(await p.isDisabled('#run'), true);
      await p.close();
    } finally {
      plain.close();
    }
  });
});
