// The playground's notebook mode in real headless Chromium: two cells, a breakpoint in the
// second's gutter, Run all, the stop with the cell as its source, stepping into the first cell's
// function (the call stack names both cells), its variables, step out, continue, the outputs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { startPlayground } from '../../src/playground/server.js';
import { launchChromium, needsChromium, statusMatches, urlOf, variableValue, watchPage } from './browser.js';

const CELL1 = 'def double(x):\n    y = x * 2\n    return y\n\nbase = 20\n';
const CELL2 = "r = double(base + 1)\nprint('r is', r)\nr * 10\n";
const cell = (n: number): string => `#notebook .cell:nth-child(${n})`;

describe('the playground notebook mode in headless Chromium', needsChromium(), () => {
  let browser: Browser;
  let server: Server;
  let page: Page;

  before(async () => {
    server = await startPlayground({ port: 0 });
    browser = await launchChromium();
    page = watchPage(await browser.newPage({ viewport: { width: 1280, height: 900 } }));
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('cells, a breakpoint in a cell, the stack with cells as sources, variables, steps, outputs', async () => {
    await page.goto(`${urlOf(server)}?notebook`);
    await statusMatches(page, /^ready$/);
    await page.fill(`${cell(1)} .cm-content`, CELL1);
    await page.fill(`${cell(2)} .cm-content`, CELL2);
    await page.click(`${cell(2)} .cm-breakpoints [data-line="1"]`);
    assert.equal(await page.getAttribute(`${cell(2)} .cm-breakpoints [data-line="1"]`, 'class'), 'bp');
    await page.click('#run');
    assert.match(await statusMatches(page, /paused/), /paused \(breakpoint\) in cell 2 at line 1/);
    assert.deepEqual(await page.locator('#stack li').allTextContents(), ['<module>cell 2:1']);
    assert.equal(await variableValue(page, 'base'), '20');
    await page.click('#stepIn');
    assert.match(await statusMatches(page, /paused \(step\)/), /in cell 1 at line 2/);
    assert.deepEqual(await page.locator('#stack li').allTextContents(), ['doublecell 1:2', '<module>cell 2:1']);
    assert.equal(await variableValue(page, 'x'), '21');
    // the stopped line is marked in the cell it is in
    assert.equal(await page.locator(`${cell(1)} .cm-stopped-line`).count(), 1);
    assert.equal(await page.locator(`${cell(2)} .cm-stopped-line`).count(), 0);
    await page.click('#next');
    assert.match(await statusMatches(page, /paused \(step\) in cell 1 at line 3/), /line 3/);
    assert.equal(await variableValue(page, 'y'), '42');
    await page.click('#stepOut');
    assert.match(await statusMatches(page, /paused \(step\)/), /in cell 2 at line 1/);
    await page.click('#continue');
    await statusMatches(page, /^ready$/);
    assert.equal(await page.textContent(`${cell(2)} .output`), 'r is 42\n420\n');
    assert.equal(await page.textContent(`${cell(1)} .output`), '');
    assert.deepEqual(await page.locator('#notebook .count').allTextContents(), ['[1]', '[2]']);
    // a cell runs again in the same namespace, here without its breakpoint
    await page.click(`${cell(2)} .cm-breakpoints [data-line="1"]`);
    await page.fill(`${cell(2)} .cm-content`, 'r + base\n');
    await page.click(`${cell(2)} .run-cell`);
    await page.waitForFunction(`document.querySelector('${cell(2)} .count').textContent === '[3]'`);
    assert.equal(await page.textContent(`${cell(2)} .output`), '62\n');
    // an error shows its traceback from the cell down (the kernel's own frames are not the user's)
    await page.fill(`${cell(2)} .cm-content`, 'def f():\n    return 1 / 0\nf()\n');
    await page.click(`${cell(2)} .run-cell`);
    await page.waitForFunction(`document.querySelector('${cell(2)} .count').textContent === '[4]'`);
    const error = (await page.textContent(`${cell(2)} .output .stderr`)) ?? '';
    assert.match(error, /^Traceback \(most recent call last\):\n {2}File "\/tmp\/ipykernel_pyodide\/\d+\.py", line 3, in <module>\n/);
    assert.match(error, /ZeroDivisionError: division by zero\n$/);
    assert.doesNotMatch(error, /pyscope/);
  });
});
