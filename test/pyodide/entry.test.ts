// `pyscope/pyodide` must load in a browser: nothing it imports, directly or not, is a node: module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from '../support/pythons.js';
import { isolationProblem } from '../../src/web/browserSession.js';

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

test('the pyscope/pyodide entry reaches no node: module', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string>; dependencies?: Record<string, string> };
  assert.ok(pkg.dependencies?.pyodide, 'pyodide is a runtime dependency');
  const entry = resolve(REPO_ROOT, pkg.exports['./pyodide']!);
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const spec of importsOf(f)) {
      assert.ok(spec.startsWith('.'), `${f} imports ${spec}`);
      todo.push(resolve(dirname(f), spec));
    }
  }
  assert.ok(seen.size >= 5);
});

test('a page without cross-origin isolation is told which headers are missing', () => {
  const why = isolationProblem({ crossOriginIsolated: false });
  assert.match(why ?? '', /Cross-Origin-Opener-Policy: same-origin/);
  assert.match(why ?? '', /Cross-Origin-Embedder-Policy: require-corp/);
  assert.equal(isolationProblem({ crossOriginIsolated: true }), undefined);
});
