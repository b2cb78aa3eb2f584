// Runs every compiled test file under dist/test with Node's own test runner.
// A directory walk instead of a glob: Node 20's --test does not expand globs.
//
// Every wait inside the tests has a limit of its own (test/support/timeouts.ts) and fails naming
// its step; PYSCOPE_TEST_TIMEOUT_SCALE scales them all. The one limit set here is the last resort
// for a test file as a whole (Node 20 applies --test-timeout per file): a file whose process
// never ends (a handle left open after its tests) fails after it instead of hanging the run.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const scale = Number(process.env.PYSCOPE_TEST_TIMEOUT_SCALE || '1');
if (!Number.isFinite(scale) || scale <= 0) {
  console.error(`PYSCOPE_TEST_TIMEOUT_SCALE must be a positive number, not "${process.env.PYSCOPE_TEST_TIMEOUT_SCALE}"`);
  process.exit(2);
}
const FILE_LIMIT_MS = Math.round(60 * 60_000 * scale);

const filters = process.argv.slice(2);
let files = walk('dist/test', []).sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test file under dist/test matches ${filters.map((f) => JSON.stringify(f)).join(' or ')} (npm run build first?)`);
  process.exit(1);
}
if (process.env.CI === 'true') console.error('CI=true: a missing tool, interpreter or golden fails the run; only the README\'s optional reasons may skip a test');
const concurrency = process.env.PYSCOPE_TEST_CONCURRENCY ?? '2';
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, `--test-timeout=${FILE_LIMIT_MS}`, '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
