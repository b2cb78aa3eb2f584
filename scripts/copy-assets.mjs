// Copies non-TypeScript assets that the built code loads at run time next to it in dist/.
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const assets = [
  ['src/agent', 'dist/src/agent', (n) => n.endsWith('.py')],
  ['src/agent/pyscope_agent', 'dist/src/agent/pyscope_agent', (n) => n.endsWith('.py')],
  ['src/agent/children_hook', 'dist/src/agent/children_hook', (n) => n.endsWith('.py')],
  ['src/pyodide', 'dist/src/pyodide', (n) => n.endsWith('.py')],
  ['src/kernel', 'dist/src/kernel', (n) => n.endsWith('.py')],
  ['src/kernel/pyscope_kernel', 'dist/src/kernel/pyscope_kernel', (n) => n.endsWith('.py')],
  ['src/playground', 'dist/src/playground', (n) => /\.(html|css)$/.test(n)],
  ['test/fixtures', 'dist/test/fixtures', () => true],
];
for (const [from, to, keep] of assets) {
  if (!existsSync(from)) continue;
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) if (keep(name)) cpSync(join(from, name), join(to, name), { recursive: true });
}
