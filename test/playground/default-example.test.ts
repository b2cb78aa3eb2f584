// The program the playground opens with (no script given), profiled as a new user would try it
// first: it runs long enough for Profile to draw a flame graph of its busy function.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { startPlayground } from '../../src/playground/server.js';
import { launchChromium, needsChromium, statusMatches, urlOf, watchPage } from './browser.js';

describe("the playground's default example in headless Chromium", needsChromium(), () => {
  let browser: Browser;
  let server: Server;
  let page: Page;

  before(async () => {
    server = await startPlayground({ port: 0 });
    browser = await launchChromium();
    page = watchPage(await browser.newPage({ viewport: { width: 1280, height: 760 } }));
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('Profile on the default example shows a flame graph with its busy function', async () => {
    await page.goto(urlOf(server));
    await statusMatches(page, /^ready$/);
    await page.click('#profile');
    const status = await statusMatches(page, /^profiled: /);
    const m = /^profiled: (\d+) samples at 1000 Hz/.exec(status);
    assert.ok(m, status);
    // about a second of work at 1000 Hz: even a loaded machine that misses most ticks keeps dozens
    assert.ok(Number(m[1]) >= 20, `enough samples for a graph: ${status}`);
    assert.match((await page.textContent('#console')) ?? '', /fib\(7\) = 13\n\d+ primes below 150000\n/);
    const flame = page.frameLocator('#flame-frame');
    await flame.locator('#graph div', { hasText: /^is_prime / }).first().waitFor();
    assert.equal(await flame.locator('#graph p.empty').count(), 0);
  });
});
