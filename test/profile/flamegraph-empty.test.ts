// A flame graph of a recording with no samples (a program that ended before the first tick, or
// only idle threads) says so in headless Chromium, instead of drawing a strip of zero width.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { Profile } from '../../src/profile/model.js';
import { flamegraph } from '../../src/profile/output/flamegraph.js';
import { launchChromium, needsChromium } from '../playground/browser.js';
import { WAIT } from '../support/timeouts.js';
import { tmpPath } from './helpers.js';

describe('an empty flame graph in headless Chromium', needsChromium(), () => {
  let browser: Browser | undefined;

  before(async () => {
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  for (const [what, ticks] of [
    ['ticks that found only idle threads', 40],
    ['no tick at all', 0],
  ] as const) {
    test(`${what}: the page says "no samples"`, async () => {
      const p = new Profile();
      p.meta = { ...p.meta, pid: 4242, pythonVersion: '3.12.1', rate: 100, duration: ticks * 10, ticks };
      const out = tmpPath(`empty-${ticks}.html`);
      writeFileSync(out, flamegraph(p, 'pyscope profile: empty'));
      const page = await browser!.newPage({ viewport: { width: 1000, height: 600 } });
      page.setDefaultTimeout(WAIT.output);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(out).href);
      const graph = page.locator('#graph');
      await graph.locator('p.empty').waitFor();
      assert.match(await graph.innerText(), /^no samples: the recording holds no stacks\./);
      assert.ok(((await graph.boundingBox())?.height ?? 0) > 10, 'the message takes room on the page');
      assert.equal(await graph.locator('div').count(), 0, 'no boxes');
      assert.equal(await page.locator('#status').innerText(), '0 samples');
      assert.match(await page.locator('header .sub').innerText(), new RegExp(`${ticks} ticks at 100 Hz`));
      // a search or a resize draws the page again: still the message, not an empty strip
      await page.fill('#search', 'main');
      await page.setViewportSize({ width: 800, height: 600 });
      assert.match(await graph.innerText(), /^no samples/);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
