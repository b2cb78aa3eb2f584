#!/usr/bin/env node
// The package's `pyscope` command: runs the one-file bundle of the CLI (bundle.cjs, written by
// scripts/bundle-cli.mjs) through V8's code cache, so that a second run of a command skips
// compiling what the first one compiled. Node 20 has no module.enableCompileCache (22+); a
// vm.Script's cachedData is the same cache by hand. The cache lives in the user's cache folder,
// one file per command (each compiles different functions; a command's --help has its own),
// keyed by the bundle's size and time and by Node's version: V8 refuses data of another source
// or version, and the file is then written anew. Any failure to read or write it only costs the
// compile it would have saved.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module = require('node:module');
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';

const bundle = join(__dirname, 'bundle.cjs');
const source = readFileSync(bundle, 'utf8');

function cacheFile(): string | undefined {
  if (process.env.PYSCOPE_CODE_CACHE === '0') return undefined;
  try {
    const st = statSync(bundle);
    const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    // A command's help compiles little of it: its own cache, or a user's first `dump --help`
    // would leave every later `dump` compiling what the help never ran.
    const help = process.argv.slice(3).some((a) => a === '--help' || a === '-h');
    const command = /^[a-z]+$/.test(process.argv[2] ?? '') ? `${process.argv[2]}${help ? '-help' : ''}` : 'none';
    return join(base, 'pyscope', `code-${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}-${command}.bin`);
  } catch {
    return undefined;
  }
}

const file = cacheFile();
let cached: Buffer | undefined;
if (file) {
  try {
    cached = readFileSync(file);
  } catch {
    cached = undefined;
  }
}
const script = new Script(Module.wrap(source), { filename: bundle, ...(cached ? { cachedData: cached } : {}) });
if (file && (!cached || script.cachedDataRejected)) {
  // After the command ran, so that the functions it compiled on the way are in the data.
  process.once('exit', () => {
    try {
      mkdirSync(join(file, '..'), { recursive: true });
      const tmp = `${file}.${process.pid}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, file);
    } catch {
      // a read-only home, a full disk: the next run compiles again
    }
  });
}
const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
const mod = { exports: {} };
wrapper(mod.exports, Module.createRequire(bundle), mod, bundle, __dirname);
