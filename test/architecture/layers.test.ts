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
  cpython: ['common', 'memory', 'elf', 'layout'],
  profile: ['common', 'memory', 'elf', 'layout', 'cpython'],
  agent: [],
  pyodide: ['agent'],
  debugger: ['common', 'agent', 'pyodide'],
  debugclient: ['common', 'agent', 'debugger'],
  tui: ['common', 'profile', 'agent', 'debugger', 'debugclient'],
  web: ['common', 'profile', 'agent', 'pyodide', 'debugger'],
  playground: ['common', 'profile', 'agent', 'pyodide', 'debugger', 'web'],
  commands: ['common', 'memory', 'elf', 'layout', 'cpython', 'profile', 'agent', 'pyodide', 'debugger', 'debugclient', 'tui', 'web', 'playground'],
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
