// Makes docs/playground.png (the playground stopped at a breakpoint), docs/playground-profile.png
// (its flame graph after Profile) and docs/playground-notebook.png (the notebook mode stopped in a cell). Run by hand after changing the page:
// npm run build && node dist/test/playground/screenshot.js
import { join } from 'node:path';
import { REPO_ROOT } from '../support/pythons.js';
import { startPlayground } from '../../src/playground/server.js';
import { launchChromium, statusMatches, urlOf } from './browser.js';

const PROGRAM = `import json


class Order:
    def __init__(self, item, qty, price):
        self.item, self.qty, self.price = item, qty, price

    def total(self):
        return self.qty * self.price


def invoice(orders, discount=0.1):
    lines = []
    for o in orders:
        amount = o.total() * (1 - discount)
        lines.append({"item": o.item, "amount": round(amount, 2)})
    return lines


orders = [Order("tea", 3, 4.5), Order("scone", 2, 2.25), Order("jam", 1, 6.0)]
print("billing", len(orders), "orders")
result = invoice(orders)
print(json.dumps(result, indent=1))
`;

const PROFILED = `import hashlib


def checksum(data):
    h = 0
    for b in data:
        h = (h * 31 + b) & 0xFFFFFFFF
    return h


def digest(data):
    return hashlib.sha256(data).hexdigest()


def words(n):
    return [f"word{i}" for i in range(n)]


def main():
    for rnd in range(40):
        blob = " ".join(words(3000)).encode()
        checksum(blob)
        digest(blob * 50)
    print("done")


main()
`;

const server = await startPlayground({ port: 0, programText: PROGRAM, programName: 'invoice.py' });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(urlOf(server));
  await statusMatches(page, /^ready$/);
  await page.click('.cm-breakpoints [data-line="16"]', { modifiers: ['Shift'] });
  await page.fill('#cond-input', 'o.item == "scone"');
  await page.press('#cond-input', 'Enter');
  await page.click('#run');
  await statusMatches(page, /paused/);
  await page.click('#variables [data-name="o"] > .row');
  await page.waitForSelector('#variables [data-name="o"] [data-name="price"]');
  await page.click('#variables [data-name="lines"] > .row');
  await page.waitForSelector('#variables [data-name="lines"] .children .row');
  await page.fill('#watch-input', 'o.total()');
  await page.press('#watch-input', 'Enter');
  await page.fill('#console-input', '[o.item for o in orders]');
  await page.press('#console-input', 'Enter');
  await page.waitForSelector('#console .result');
  await page.screenshot({ path: join(REPO_ROOT, 'docs', 'playground.png') });
  await page.click('#stop');
  await statusMatches(page, /stopped|exited/);
  await page.fill('#editor .cm-content', PROFILED);
  await page.click('#profile');
  await statusMatches(page, /^profiled: /);
  await page.frameLocator('#flame-frame').locator('#graph div', { hasText: /^checksum / }).first().waitFor();
  await page.screenshot({ path: join(REPO_ROOT, 'docs', 'playground-profile.png') });
  // the notebook's own example cells: a breakpoint in the first cell's function, stopped there from the second
  await page.goto(`${urlOf(server)}?notebook`);
  await statusMatches(page, /^ready$/);
  await page.click('#notebook .cell:nth-child(1) .cm-breakpoints [data-line="6"]', { modifiers: ['Shift'] });
  await page.fill('#notebook .cell:nth-child(1) input', 'n == 7');
  await page.press('#notebook .cell:nth-child(1) input', 'Enter');
  await page.click('#run');
  await statusMatches(page, /paused/);
  await page.screenshot({ path: join(REPO_ROOT, 'docs', 'playground-notebook.png') });
} finally {
  await browser.close();
  server.close();
}
