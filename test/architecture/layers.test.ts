// The layering of docs/ARCHITECTURE.md, held against the sources: every import from another
// folder of src/ (static, type-only or dynamic) must point to a folder below the importer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { REPO_ROOT } from '../support/pythons.js';

const SRC = join(REPO_ROOT, 'src');

/** What each folder may import besides itself (docs/ARCHITECTURE.md, "Layers"). */
const BELOW: Record<string, string[]> = {
  common: [],
  memory: ['common'],
  elf: ['common', 'memory'],
  layout: ['common'],
  native: ['common', 'memory', 'elf', 'layout'],
  cpython: ['common', 'memory', 'elf', 'layout', 'native'],
  profile: ['common', 'memory', 'elf', 'layout', 'native', 'cpython'],
  agent: [],
  pyodide: ['agent'],
  debugger: ['common', 'agent', 'pyodide'],
  debugclient: ['common', 'agent', 'debugger'],
  tui: ['common', 'profile', 'agent', 'debugger', 'debugclient'],
  web: ['common', 'profile', 'agent', 'pyodide', 'debugger'],
  playground: ['common', 'profile', 'agent', 'pyodide', 'debugger', 'web'],
  commands: ['common', 'memory', 'elf', 'layout', 'native', 'cpython', 'profile', 'agent', 'pyodide', 'debugger', 'debugclient', 'tui', 'web', 'playground'],
  cli: ['common', 'commands'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const stat = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  const dyn = [...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  return [...stat, ...dyn].filter((s) => s.startsWith('.'));
}

const folderOf = (file: string): string => relative(SRC, file).split(sep)[0]!;

test('imports flow one way between the folders of src/', () => {
  const wrong: string[] = [];
  const files = sources(SRC).filter((f) => dirname(f) !== SRC); // src/index.ts is the library's front door
  for (const file of files) {
    const from = folderOf(file);
    assert.ok(BELOW[from], `${relative(REPO_ROOT, file)}: folder ${from} has no place in the layering`);
    for (const spec of importsOf(file)) {
      const to = folderOf(resolve(dirname(file), spec));
      if (to !== from && !BELOW[from]!.includes(to)) wrong.push(`${relative(REPO_ROOT, file)} imports ${spec} (${from} -> ${to})`);
    }
  }
  assert.ok(files.length > 100, 'the sources were found');
  assert.deepEqual(wrong, []);
});

// What differs between CPython versions is decided in one table (src/cpython/version-traits.ts)
// and reaches the rest as Bindings: the reading side compares no version numbers elsewhere. The
// detection that parses a version and checks it is plausible may compare them.
const READING_SIDE = ['common', 'memory', 'elf', 'layout', 'native', 'cpython', 'profile', 'commands', 'cli'];
const MAY_COMPARE_VERSIONS = ['src/cpython/version-traits.ts', 'src/cpython/discover/detect-version.ts'];
const OPS = '(?:===|!==|==|!=|>=|<=|>|<)';
const VERSION_COMPARISON = [
  // minor >= 11, version.major === 3, v.micro < 2
  new RegExp(`\\b(?:major|minor|micro)\\s*${OPS}\\s*-?\\d`),
  // 11 <= minor
  new RegExp(`\\d\\s*${OPS}\\s*[\\w.]*\\b(?:major|minor|micro)\\b`),
  // minor >= FIRST_KNOWN, a < b.minor: an ordering of version numbers, whatever the other side
  new RegExp(`\\b(?:major|minor|micro)\\s*(?:>=|<=|>|<)\\s*[\\w.(]`),
  new RegExp(`[\\w.)]\\s*(?:>=|<=|>|<)\\s*[\\w.]*\\b(?:major|minor|micro)\\b`),
  // version[1] >= 11
  new RegExp(`\\bversion\\[\\d\\]\\s*${OPS}`),
];

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

test('only the version traits table compares version numbers on the reading side', () => {
  const found: string[] = [];
  for (const file of sources(SRC).filter((f) => READING_SIDE.includes(folderOf(f)))) {
    const rel = relative(REPO_ROOT, file).split(sep).join('/');
    if (MAY_COMPARE_VERSIONS.includes(rel)) continue;
    withoutComments(readFileSync(file, 'utf8'))
      .split('\n')
      .forEach((line, i) => {
        if (VERSION_COMPARISON.some((re) => re.test(line))) found.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(found, []);
});

test('the version rule sees the comparisons it forbids', () => {
  const caught = (line: string): boolean => VERSION_COMPARISON.some((re) => re.test(withoutComments(line)));
  for (const bad of ['if (minor >= 11) {', 'const x = version.minor < 12 ? a : b;', 'major === 3 && minor >= 6', 'v.minor === 10', '11 <= v.minor', 'p.version[1] >= 11', 'minor > NEWEST_MINOR']) {
    assert.ok(caught(bad), bad);
  }
  for (const fine of ['published.minor !== version.minor', '`${v.major}.${v.minor}`', 'const minor = 3; // minor >= 11 in prose', 'traits.frames.kind === "frameobject"']) {
    assert.ok(!caught(fine), fine);
  }
});
