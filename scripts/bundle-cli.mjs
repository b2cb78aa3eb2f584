// Bundles the CLI (dist/src/cli/main.js and everything it imports, the lazily loaded commands
// included) into one CommonJS file, dist/src/cli/bundle.cjs, which the package's `pyscope`
// command (src/cli/pyscope.cts) runs. One file to read and compile instead of ~150 ES modules to
// resolve, read and link: that resolution was most of the CLI's start-up. CommonJS so that the
// launcher can compile it with V8's code cache (vm.Script cachedData; Node 20 has no
// module.enableCompileCache). Packages stay external: koffi has a native binary and pyodide its
// own files, both required from node_modules at run time.
// The bundle sits in dist/src/cli, one folder below dist/src as every module that finds a file
// next to itself (the agent, the playground's assets, the workers) is: their relative URLs,
// resolved against the bundle's own, land where they did.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';

const OUT = 'dist/src/cli/bundle.cjs';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: OUT,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // import.meta does not exist in CommonJS: each module's URL becomes the bundle's.
  define: { 'import.meta.url': '__pyscope_bundle_url' },
  banner: { js: '"use strict";var __pyscope_bundle_url = require("node:url").pathToFileURL(__filename).href;' },
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
// main.js's #! line, which esbuild keeps: the launcher compiles the text as a function body.
writeFileSync(OUT, readFileSync(OUT, 'utf8').replace(/^#!.*\n/, ''));
