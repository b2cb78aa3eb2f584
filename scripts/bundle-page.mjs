// Bundles the playground page's scripts (its CodeMirror editor included) into one file each under
// dist/, so the installed package serves the page without node_modules: bare imports such as
// '@codemirror/view' cannot load in a browser. tsc only type-checks the page
// (src/playground/page/tsconfig.json has noEmit); this writes its JavaScript.
import { build } from 'esbuild';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = 'dist/src/playground/page';

/** The npm packages a bundle holds, from esbuild's list of its inputs: name -> folder. */
function packagesIn(metafile) {
  const found = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) found.set(m[1], input.slice(0, m.index + m[0].length));
  }
  return found;
}

/** Their licences (all MIT for CodeMirror and Lezer) go with the code they cover. */
function licenceNotice(packages) {
  const parts = [];
  for (const [name, dir] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
    const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'].map((f) => join(dir, f)).find((f) => existsSync(f));
    parts.push(`${name} ${version} (${license})${file ? `\n\n${readFileSync(file, 'utf8').trim()}` : ''}`);
  }
  return parts.length ? `\n/*! Third-party code in this file:\n\n${parts.join('\n\n---\n\n').replace(/\*\//g, '* /')}\n*/\n` : '';
}

for (const name of ['app', 'worker']) {
  const outfile = join(OUT, `${name}.js`);
  const result = await build({
    entryPoints: [`src/playground/page/${name}.ts`],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    metafile: true,
    logLevel: 'warning',
  });
  appendFileSync(outfile, licenceNotice(packagesIn(result.metafile)));
}
