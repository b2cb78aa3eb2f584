// Packages the VS Code extension (editors/vscode) as a .vsix with @vscode/vsce, carrying its own
// copy of pyscope: the built adapter (dist/src, agent and Pyodide scripts included) and Pyodide's
// npm package, so the installed extension starts `pyscope dap` with no pyscope anywhere else (only
// Node 20 or newer on the PATH, which VS Code runs the adapter with).
//   node scripts/package-vscode.mjs [--out file.vsix]     (after npm run build; `npm run vsix` does both)
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createVSIX } from '@vscode/vsce';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const EXTENSION = join(ROOT, 'editors', 'vscode');
/** Where the extension's copy of pyscope sits inside it; the manifest's `program` points there. */
const BUNDLED = 'pyscope';
/** The runtime npm packages the adapter loads: Pyodide, for `"runtime": "pyodide"`. */
const RUNTIME_PACKAGES = ['pyodide'];

function fail(message) {
  process.stderr.write(`package-vscode: ${message}\n`);
  process.exit(1);
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** A package and the packages it depends on, found in the checkout's node_modules. */
function closure(names) {
  const found = new Map();
  const todo = [...names];
  while (todo.length) {
    const name = todo.pop();
    if (found.has(name)) continue;
    const dir = join(ROOT, 'node_modules', name);
    if (!existsSync(join(dir, 'package.json'))) fail(`${name} is not installed (run npm ci first)`);
    const pkg = readJson(join(dir, 'package.json'));
    found.set(name, { dir, version: pkg.version });
    todo.push(...Object.keys(pkg.dependencies ?? {}));
  }
  return found;
}

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const adapter = join(ROOT, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(adapter)) fail('dist/src/cli/main.js is missing: run npm run build first');
const pyscope = readJson(join(ROOT, 'package.json'));
const manifest = readJson(join(EXTENSION, 'package.json'));
const out = resolve(values.out ?? join(ROOT, 'dist', `${manifest.name}-${manifest.version}.vsix`));

const stage = mkdtempSync(join(tmpdir(), 'pyscope-vsix-'));
try {
  // pyscope's built code, without what only a compiler or a debugger of pyscope itself reads
  cpSync(join(ROOT, 'dist', 'src'), join(stage, BUNDLED, 'dist', 'src'), {
    recursive: true,
    filter: (src) => !/\.(map|d\.ts)$/.test(src),
  });
  // ESM, and the version `pyscope --version` reports
  writeFileSync(join(stage, BUNDLED, 'package.json'), `${JSON.stringify({ name: 'pyscope', version: pyscope.version, type: 'module', private: true }, null, 2)}\n`);
  const packages = closure(RUNTIME_PACKAGES);
  for (const [name, { dir }] of packages) cpSync(dir, join(stage, 'node_modules', name), { recursive: true });
  const staged = {
    ...manifest,
    // vsce lists the packages to include from the manifest's dependencies (npm list)
    dependencies: Object.fromEntries(RUNTIME_PACKAGES.map((n) => [n, packages.get(n).version])),
    contributes: {
      ...manifest.contributes,
      debuggers: manifest.contributes.debuggers.map((d) => ({ ...d, program: `./${BUNDLED}/dist/src/cli/main.js` })),
    },
  };
  delete staged.private;
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);
  cpSync(join(EXTENSION, 'README.md'), join(stage, 'README.md'));
  // what Pyodide's npm package holds for developers and browsers, not for the adapter in Node
  writeFileSync(join(stage, '.vscodeignore'), ['**/*.map', '**/*.d.ts', 'node_modules/@types/**', 'node_modules/pyodide/console*.html', ''].join('\n'));
  mkdirSync(dirname(out), { recursive: true });
  // the repository has no licence file of its own yet: the manifest's "license" field says MIT
  await createVSIX({ cwd: stage, packagePath: out, skipLicense: true, allowMissingRepository: true });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
