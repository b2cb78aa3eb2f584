// A speedscope file from `pyscope record` against speedscope itself (the npm package): valid
// against the schema it ships, and opened by its app in headless Chromium the way its own CLI
// does it (index.html#localProfilePath=a script calling speedscope.loadFileFromBase64).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pythons, REPO_ROOT, requirePython } from '../support/pythons.js';
import { firstSkip, requireThat, requireTool } from '../support/requirements.js';
import { WAIT } from '../support/timeouts.js';
import { FIXTURES, recordEnough, tmpPath } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const RELEASE = join(REPO_ROOT, 'node_modules', 'speedscope', 'dist', 'release');
const py = pythons().find((p) => !p.missing && p.version[0] === 3);
const skip = firstSkip(requireThat(existsSync(RELEASE), 'the speedscope package is not installed (npm ci)'), requirePython(py !== undefined, 'no Python 3 of the matrix is present'));

describe('speedscope files in speedscope', skip, () => {
  let file = '';
  let browser: Browser | undefined;

  before(async () => {
    file = tmpPath('app.speedscope.json');
    // both threads must be in it: enough samples that neither is missing on a loaded machine
    await recordEnough((seconds) => ['record', '--rate', '250', '-f', 'speedscope', '--threads', '--idle', '-o', file, '--', py!.path, join(FIXTURES, 'two_threads.py'), String(seconds)], 100);
  });

  after(async () => {
    await browser?.close();
  });

  test("valid against the schema speedscope ships (file-format-schema.json)", () => {
    const schema = JSON.parse(readFileSync(join(RELEASE, 'file-format-schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    assert.ok(validate(JSON.parse(readFileSync(file, 'utf8'))), JSON.stringify(validate.errors, null, 2));
  });

  test('opens in the speedscope app: every thread is a profile, no error', requireTool('chromium', existsSync(CHROMIUM), `${CHROMIUM}; .ci/run installs it`), async () => {
    const loader = tmpPath('load-profile.js');
    const data = readFileSync(file);
    writeFileSync(loader, `speedscope.loadFileFromBase64(${JSON.stringify('app.speedscope.json')}, ${JSON.stringify(data.toString('base64'))})`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--allow-file-access-from-files'],
    });
    const page: Page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(WAIT.output);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${pathToFileURL(join(RELEASE, 'index.html')).href}#localProfilePath=${encodeURIComponent(loader)}`);
    // The toolbar names the profile shown and says which of how many: "pid … thread … (1/2)".
    const toolbar = page.getByText(/thread \d+ \(MainThread\)|thread \d+ \(sleeper\)/).first();
    await toolbar.waitFor({ timeout: WAIT.output });
    const body = await page.locator('body').innerText();
    assert.match(body, /\(1\/2\)/, body.slice(0, 400));
    assert.doesNotMatch(body, /Something went wrong|Unrecognized format/i);
    assert.deepEqual(errors, []);
  });
});
