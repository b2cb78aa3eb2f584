// The flame graph HTML loaded in headless Chromium: the functions' names are on the page, hover
// shows samples and percentage, search highlights and sums matches, a click zooms, and the page
// asks for nothing over the network.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pythons, requirePython } from '../support/pythons.js';
import { firstSkip, requireTool } from '../support/requirements.js';
import { WAIT } from '../support/timeouts.js';
import { recordEnough, THREE_QUARTERS, tmpPath } from './helpers.js';
import { literal, nameFromHere } from '../support/file-name.js';

const CHROMIUM = '/usr/bin/chromium';
const py = pythons().find((p) => !p.missing && p.version[0] === 3);
const skip = firstSkip(requireTool('chromium', existsSync(CHROMIUM), `${CHROMIUM}; .ci/run installs it`), requirePython(py !== undefined, 'no Python 3 of the matrix is present'));

describe('flamegraph HTML in headless Chromium', skip, () => {
  let browser: Browser | undefined;
  let page: Page;
  const requests: string[] = [];

  before(async () => {
    const out = tmpPath('flame.html');
    // busy_small's share is checked below: 200 samples put its bounds (5% to 50%) six sigma away
    await recordEnough((seconds) => ['record', '--rate', '250', '-o', out, '--', py!.path, THREE_QUARTERS, String(seconds)], 200);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(WAIT.output);
    page.on('request', (req) => {
      if (!req.url().startsWith('file:')) requests.push(req.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(out).href);
    await page.waitForSelector('#graph div');
    assert.deepEqual(errors, [], 'no script errors');
  });

  after(async () => {
    await browser?.close();
  });

  test("the functions' names are on the page", async () => {
    const text = await page.locator('#graph').innerText();
    for (const fn of ['main', 'busy_big', 'busy_small', '<module>']) assert.ok(text.includes(`${fn} (${nameFromHere(THREE_QUARTERS)}:`), `${fn} is drawn:\n${text.slice(0, 500)}`);
  });

  test('hover shows samples and percentage', async () => {
    await page.locator('#graph div', { hasText: 'busy_big' }).first().hover();
    const details = await page.locator('#details').innerText();
    assert.match(details, new RegExp(`^busy_big \\(${literal(nameFromHere(THREE_QUARTERS))}:\\d+\\).* — \\d+ samples \\(\\d+\\.\\d\\d%\\), self \\d+`));
  });

  test('search highlights the matches and says how much they weigh', async () => {
    await page.fill('#search', 'busy_small');
    const matched = await page.locator('#graph div.match').allInnerTexts();
    assert.ok(matched.length > 0 && matched.every((t) => t === '' || t.startsWith('busy_small')), matched.join(' | '));
    const status = await page.locator('#status').innerText();
    const m = /matched (\d+\.\d\d)%/.exec(status);
    assert.ok(m, status);
    const pct = Number(m[1]);
    assert.ok(pct > 5 && pct < 50, `busy_small is about a quarter: ${pct}%`);
    await page.fill('#search', '');
    assert.equal(await page.locator('#graph div.match').count(), 0);
  });

  test('a click zooms on a frame; reset zooms out', async () => {
    const before = await page.locator('#graph div', { hasText: 'busy_small' }).first().boundingBox();
    await page.locator('#graph div', { hasText: 'busy_small' }).first().click();
    const after = await page.locator('#graph div', { hasText: 'busy_small' }).first().boundingBox();
    assert.ok(before && after && after.width > before.width * 2, `zoomed: ${before?.width} -> ${after?.width}`);
    assert.match(await page.locator('#status').innerText(), /zoomed on busy_small/);
    assert.equal(await page.locator('#graph div', { hasText: 'busy_big' }).count(), 0, 'siblings leave the view');
    await page.click('#reset');
    assert.ok((await page.locator('#graph div', { hasText: 'busy_big' }).count()) > 0);
  });

  test('no network access', () => {
    assert.deepEqual(requests, []);
  });
});
