// The big run of `pyscope dump --core` on mutated cores: makes a kernel core of a real crash
// (test/fixtures/core/crash.py) with one interpreter, writes thousands of seeded mutants of it
// (test/core/core-mutants.ts) and runs each with several option sets. Prints how many runs ended
// how, and every hang (a run killed at the time limit) and internal error (a stack trace, an
// "internal error", an undocumented exit code, stray stderr) with the mutant that caused it.
// test/core/core-mutations.test.ts runs a few hundred of the same mutants on every test run.
// Needs `npm run build` first.
// Usage: node scripts/core-mutations.mjs [--python PATH] [--mutants 2400] [--seed 1]
//        [--concurrency 2] [--time-limit 60] [--pyscope dist/src/cli/main.js]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    python: { type: 'string' },
    mutants: { type: 'string', default: '2400' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '2' },
    'time-limit': { type: 'string', default: '60' },
    pyscope: { type: 'string', default: join(ROOT, 'dist', 'src', 'cli', 'main.js') },
  },
});
const { describeCore, makeMutants, MutantSlot, runMutant } = await import(join(ROOT, 'dist', 'test', 'core', 'core-mutants.js'));
const { kernelCore, kernelCoresUnavailable } = await import(join(ROOT, 'dist', 'test', 'core', 'cores.js'));
const { pythons } = await import(join(ROOT, 'dist', 'test', 'support', 'pythons.js'));

const VARIANTS = [[], ['--json'], ['--locals']];
const why = kernelCoresUnavailable();
if (why) {
  process.stderr.write(`core-mutations: no kernel cores here (${why})\n`);
  process.exit(1);
}
const python = values.python
  ? { label: values.python, path: values.python, version: [3, 0, 0] }
  : pythons().find((p) => !p.missing && p.version[0] === 3 && p.version[1] === 12) ?? pythons().find((p) => !p.missing);
if (!python) throw new Error('no interpreter');

const dir = mkdtempSync(join(tmpdir(), 'pm-'));
const core = await kernelCore(python, 'segv');
try {
  const fifo = join(dir, 'p');
  execFileSync('mkfifo', [fifo]);
  const folder = join(dir, 'd');
  mkdirSync(folder);
  const layout = describeCore(core.path);
  const mutants = makeMutants(layout, Number(values.seed), Number(values.mutants), { fifo, folder });
  const limit = Number(values['time-limit']) * 1000;
  const started = performance.now();
  const counts = new Map();
  const problems = [];
  let runs = 0;
  const queue = [...mutants];
  const worker = async (slot) => {
    for (let m = queue.shift(); m; m = queue.shift()) {
      const { file, undo } = slot.apply(m);
      try {
        for (const args of VARIANTS) {
          const o = await runMutant(values.pyscope, file, args, limit);
          runs++;
          const key = o.verdict === 'ok' || o.verdict === 'error' ? `exit ${o.code}` : o.verdict;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          if (o.verdict === 'hang' || o.verdict === 'internal') problems.push(`${o.verdict}: mutant ${m.id} (${m.what}) [${args.join(' ')}]: exit ${o.code}: ${o.why ?? ''}`);
        }
      } finally {
        undo();
      }
      if (m.id % 100 === 99) process.stderr.write(`core-mutations: ${m.id + 1} mutants, ${runs} runs, ${problems.length} problems\n`);
    }
  };
  const slots = Array.from({ length: Number(values.concurrency) }, (_, i) => new MutantSlot(core.path, dir, `slot${i}`, layout.size));
  await Promise.all(slots.map(worker));
  const secs = (performance.now() - started) / 1000;
  console.log(`core-mutations: ${python.label}, core ${layout.size} bytes, seed ${values.seed}`);
  console.log(`  ${mutants.length} mutants, ${runs} runs in ${secs.toFixed(0)} s`);
  console.log(`  hangs: ${counts.get('hang') ?? 0}, internal errors: ${counts.get('internal') ?? 0}`);
  for (const [k, n] of [...counts].sort()) console.log(`  ${k}: ${n}`);
  for (const p of problems) console.log(`  ${p}`);
} finally {
  core.remove();
  rmSync(dir, { recursive: true, force: true });
}
