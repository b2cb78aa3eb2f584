// Skips are decided in one place (test/support/requirements.ts), so that CI can refuse every skip
// the README does not list as optional: no test file skips on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../support/pythons.js';
import { OPTIONAL } from '../support/requirements.js';

const TEST = join(REPO_ROOT, 'test');
const POLICY = join(TEST, 'support', 'requirements.ts');
const SELF = join(TEST, 'architecture', 'skips.test.ts');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'fixtures' || name === 'golden' ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Ways a file could skip without the policy: t.skip(), test.skip/describe.skip, a literal skip reason, a reason chosen by `cond ? false : '...'`. */
const OWN_SKIPS = [/\bt\.skip\(/, /\b(?:test|describe|it)\.skip\b/, /\bskip:\s*['"`]/, /\btodo:\s*['"`]/, /\?\s*false\s*:\s*['"`]/, /\bskip\s*=\s*[^;]*\?[^;]*['"`]/];

test('no test decides a skip on its own: it goes through test/support/requirements.ts', () => {
  const found: string[] = [];
  for (const file of sources(TEST)) {
    if (file === POLICY || file === SELF) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (OWN_SKIPS.some((re) => re.test(line))) found.push(`${relative(REPO_ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(found, [], 'use requireThat/requireTool/skipIfMissing/requirePython/optional/skipOrFail from test/support');
});

test("the README's Tests section lists as many optional skip reasons as the policy has", () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Tests\n'));
  assert.ok(section.length > 20, 'README.md has a Tests section');
  const list = /the only optional ones:\n\n((?:- [^]*?\n)+)\n/.exec(section);
  assert.ok(list, 'the Tests section lists the optional reasons');
  const items = list[1]!.split('\n').filter((l) => l.startsWith('- '));
  assert.equal(items.length, Object.keys(OPTIONAL).length, `README: ${items.join(' | ')}; policy: ${Object.values(OPTIONAL).join(' | ')}`);
});
