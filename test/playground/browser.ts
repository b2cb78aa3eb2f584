// Debian's chromium driven by playwright-core, for the playground tests and its screenshot.
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = (): boolean => existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** Waits until the status line matches (the page says what the debugger is doing there). */
export async function statusMatches(page: Page, pattern: RegExp, timeout = 120_000): Promise<string> {
  // page functions are strings: this project compiles without the DOM library
  await page.waitForFunction(`${pattern.toString()}.test(document.getElementById('status').textContent)`, undefined, { timeout });
  return (await page.textContent('#status')) ?? '';
}

/** The value shown for a variable row under the variables tree. */
export async function variableValue(page: Page, name: string): Promise<string> {
  return (await page.locator(`#variables [data-name="${name}"] > .row .value`).first().textContent()) ?? '';
}
