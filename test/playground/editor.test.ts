// The playground's editor (CodeMirror 6) in real headless Chromium, used with the keyboard and the
// mouse as a person would: typing gets Python's indentation and highlighting, a breakpoint clicked
// in the gutter follows its line when code is added above it and the debugger stops there, and
// Ctrl+F searches the program.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { startPlayground } from '../../src/playground/server.js';
import { launchChromium, needsChromium, statusMatches, urlOf, variableValue, watchPage } from './browser.js';

const EDITOR = '#editor .cm-content';
const slot = (line: number): string => `.cm-breakpoints [data-line="${line}"]`;

describe('the playground editor (CodeMirror) in headless Chromium', needsChromium(), () => {
  let browser: Browser;
  let server: Server;
  let page: Page;

  before(async () => {
    server = await startPlayground({ port: 0, programText: 'print("replace me")\n', programName: 'typed.py' });
    browser = await launchChromium();
    page = watchPage(await browser.newPage({ viewport: { width: 1280, height: 760 } }));
    await page.goto(urlOf(server));
    await statusMatches(page, /^ready$/);
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  const lines = (): Promise<string[]> => page.locator(`${EDITOR} .cm-line`).allTextContents();

  test('typing indents Python blocks and highlights it; a gutter breakpoint follows its line and the run stops on it', async () => {
    await page.click(EDITOR);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    const k = page.keyboard;
    // Enter after a colon indents one level; Backspace in the indentation takes a whole level back
    await k.type('def double(x):');
    await k.press('Enter');
    await k.type('y = x * 2');
    await k.press('Enter');
    await k.type('return y');
    await k.press('Enter');
    await k.press('Backspace');
    await k.type('for i in range(3):');
    await k.press('Enter');
    await k.type('print(double(i))');
    assert.deepEqual(await lines(), ['def double(x):', '    y = x * 2', '    return y', 'for i in range(3):', '    print(double(i))']);
    const color = (text: string): Promise<string> =>
      page.locator(`${EDITOR} .cm-line span`, { hasText: new RegExp(`^${text}$`) }).first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
    const keyword = await color('def');
    assert.notEqual(keyword, await color('double'), 'a keyword and a function name are told apart');
    assert.equal(await color('for'), keyword, 'keywords share a colour');

    await page.click(slot(2));
    assert.equal(await page.getAttribute(slot(2), 'class'), 'bp');
    // a line added above: the breakpoint stays on `y = x * 2`, now line 3
    await k.press('Control+Home');
    await k.type('# doubles');
    await k.press('Enter');
    assert.equal((await lines())[2], '    y = x * 2');
    assert.equal(await page.getAttribute(slot(3), 'class'), 'bp');
    assert.equal(await page.getAttribute(slot(2), 'class'), '');

    await page.click('#run');
    assert.match(await statusMatches(page, /paused/), /paused \(breakpoint\) at line 3/);
    assert.equal(await variableValue(page, 'x'), '0');
    assert.equal(await page.getAttribute(slot(3), 'class'), 'bp here');
    assert.equal(await page.locator(`${EDITOR} .cm-stopped-line`).textContent(), '    y = x * 2');
    await page.click(slot(3)); // off: the debugger is told while the program waits
    assert.equal(await page.getAttribute(slot(3), 'class'), 'here');
    await page.click('#continue');
    await statusMatches(page, /exited with code 0/);
    assert.match((await page.textContent('#console')) ?? '', /^0\n2\n4\n/);
    assert.equal(await page.locator(`${EDITOR} .cm-stopped-line`).count(), 0, 'no line is marked once the program ended');
  });

  test('Ctrl+F searches the program: every match marked, Enter goes from one to the next', async () => {
    await page.click(EDITOR);
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Control+f');
    await page.waitForSelector('.cm-search input[name="search"]');
    await page.keyboard.type('double');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator(`${EDITOR} .cm-searchMatch`).count(), 3, 'the comment, the def and the call');
    const selectedLine = (): Promise<string> => page.locator(`${EDITOR} .cm-searchMatch-selected`).evaluate((el) => (el as unknown as { closest(s: string): { textContent: string } }).closest('.cm-line').textContent);
    // from the end of the program the search wraps to the first match
    assert.equal(await selectedLine(), '# doubles');
    await page.keyboard.press('Enter');
    assert.equal(await selectedLine(), 'def double(x):');
    await page.keyboard.press('Enter');
    assert.equal(await selectedLine(), '    print(double(i))');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.cm-search').count(), 0, 'Escape closes the search panel');
  });
});
