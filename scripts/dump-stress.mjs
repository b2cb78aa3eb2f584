// Dumps a process whose threads and frames change all the time (test/fixtures/dump/churn.py) many
// times in a row with the built CLI, and counts how each dump ended: a dump that reads a target
// moving under it must mark the torn thread and go on, never fail whole.
// Usage: node scripts/dump-stress.mjs --python PATH [--count 500] [--pyscope dist/src/cli/main.js]
// Prints one line per exit code, the dumps with a truncated thread, and each distinct error line.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    python: { type: 'string' },
    count: { type: 'string', default: '500' },
    pyscope: { type: 'string', default: join(ROOT, 'dist', 'src', 'cli', 'main.js') },
  },
});
if (!values.python) {
  process.stderr.write('usage: node scripts/dump-stress.mjs --python PATH [--count N] [--pyscope MAIN_JS]\n');
  process.exit(2);
}
const count = Number(values.count);
const child = spawn(values.python, [join(ROOT, 'test', 'fixtures', 'dump', 'churn.py'), '3600'], { stdio: ['ignore', 'pipe', 'inherit'] });
const [chunk] = await once(child.stdout, 'data');
if (!String(chunk).includes('ready')) throw new Error(`churn.py said ${String(chunk)}`);

const codes = new Map();
const errors = new Map();
let truncatedDumps = 0;
let truncatedThreads = 0;
const started = performance.now();
try {
  for (let i = 0; i < count; i++) {
    const r = spawnSync(process.execPath, [values.pyscope, 'dump', '--json', String(child.pid)], { encoding: 'utf8', timeout: 120_000 });
    const code = r.status ?? -1;
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (code === 0) {
      const torn = JSON.parse(r.stdout).threads.filter((t) => t.truncated !== undefined).length;
      truncatedThreads += torn;
      if (torn) truncatedDumps++;
    } else {
      const line = r.stderr.trim().split('\n')[0].replace(/0x[0-9a-f]+/g, '0x…');
      errors.set(line, (errors.get(line) ?? 0) + 1);
    }
  }
} finally {
  child.kill('SIGKILL');
}
const secs = (performance.now() - started) / 1000;
const version = spawnSync(values.python, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' }).stdout.trim();
console.log(`python ${version}: ${count} dumps in ${secs.toFixed(0)} s`);
for (const [code, n] of [...codes].sort((a, b) => a[0] - b[0])) console.log(`  exit ${code}: ${n} (${((100 * n) / count).toFixed(1)}%)`);
console.log(`  dumps with a truncated thread: ${truncatedDumps} (${truncatedThreads} threads)`);
for (const [line, n] of errors) console.log(`  ${n} x ${line}`);
