// Debian's chromium driven by playwright-core, for the playground tests and its screenshot. A wait
// on the page that fails says what it waited for, what the page showed instead, and what the page
// and its workers logged.
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireTool, type SkipOption } from '../support/requirements.js';
import { Tail } from '../support/tail.js';
import { scaled, WAIT } from '../support/timeouts.js';
import { WaitTimeout } from '../support/wait.js';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = (): boolean => existsSync(CHROMIUM);

/** node:test options of a test that needs Chromium (.ci/run installs Debian's). */
export function needsChromium(): SkipOption {
  return requireTool('chromium', haveChromium(), `${CHROMIUM}; .ci/run installs it`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const logs = new WeakMap<Page, Tail>();

/** Keeps the page's console messages and errors (its workers' too) for the message of a failed wait. */
export function watchPage(page: Page): Page {
  if (logs.has(page)) return page;
  const tail = new Tail();
  logs.set(page, tail);
  // clicks and selectors wait as long as the harness's other output waits (playwright's default is 30 s)
  page.setDefaultTimeout(WAIT.output);
  page.on('console', (m) => tail.push(`[console.${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => tail.push(`[page error] ${e.message}\n`));
  page.on('worker', (w) => w.on('console', (m) => tail.push(`[worker console.${m.type()}] ${m.text()}\n`)));
  page.on('crash', () => tail.push('[page crashed]\n'));
  page.on('response', (r) => {
    if (r.status() >= 400) tail.push(`[http ${r.status()}] ${r.request().method()} ${r.url()}\n`);
  });
  page.on('requestfailed', (r) => tail.push(`[request failed: ${r.failure()?.errorText ?? '?'}] ${r.url()}\n`));
  return page;
}

/** The tail of what a watched page logged (console, page errors, failed requests). */
export function pageLog(page: Page, lines = 30): string {
  return (logs.get(page) ?? new Tail()).show(lines);
}

/** What the page shows now, for a failure message: status, console pane, and its log. */
export async function pageState(page: Page): Promise<string> {
  const text = async (selector: string): Promise<string> => {
    try {
      return (await page.textContent(selector, { timeout: 2_000 })) ?? '';
    } catch {
      return '(unreadable)';
    }
  };
  const consolePane = new Tail(2_000);
  consolePane.push(await text('#console'));
  return [
    `url: ${page.url()}`,
    `status: ${JSON.stringify(await text('#status'))}`,
    'console pane (tail):',
    consolePane.show(20),
    'page log (tail):',
    pageLog(page),
  ].join('\n');
}

/** Waits until the status line matches (the page says what the debugger is doing there). */
export async function statusMatches(page: Page, pattern: RegExp, timeout = scaled(120_000)): Promise<string> {
  try {
    // page functions are strings: this project compiles without the DOM library
    await page.waitForFunction(`${pattern.toString()}.test(document.getElementById('status').textContent)`, undefined, { timeout });
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'TimeoutError') throw e;
    throw new WaitTimeout(`the playground's status to match ${pattern.toString()}`, timeout, await pageState(page));
  }
  return (await page.textContent('#status')) ?? '';
}

/** The value shown for a variable row under the variables tree. */
export async function variableValue(page: Page, name: string): Promise<string> {
  return (await page.locator(`#variables [data-name="${name}"] > .row .value`).first().textContent()) ?? '';
}
