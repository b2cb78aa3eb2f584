// Runs every benchmark (each writes bench/results/<name>.md) and assembles BENCHMARKS.md from the
// results, headed by the machine and date. `npm run bench` runs all; `npm run bench -- dump core`
// runs some; `npm run bench -- --assemble` only rebuilds BENCHMARKS.md from the results.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ORDER = ['dump', 'startup', 'core', 'ptrace', 'native', 'profile', 'dap', 'debug', 'pyodide'];

function run(names: string[]): void {
  for (const name of names) {
    const script = join(ROOT, 'dist', 'bench', name, 'run.js');
    if (!existsSync(script)) continue;
    process.stderr.write(`== bench ${name}\n`);
    const r = spawnSync(process.execPath, [script], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) process.stderr.write(`bench ${name} failed (exit ${r.status})\n`);
  }
}

function assemble(): void {
  const dir = join(ROOT, 'bench', 'results');
  const files = readdirSync(dir).filter((f) => f.endsWith('.md'));
  const rank = (f: string) => {
    const i = ORDER.indexOf(f.replace(/\.md$/, ''));
    return i < 0 ? ORDER.length : i;
  };
  files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const head = [
    '# Benchmarks',
    '',
    `Assembled ${new Date().toISOString().slice(0, 10)} from bench/results/ by \`npm run bench\`; each section`,
    'says when and how it was measured. Every comparison runs pyscope and the peer in the same run,',
    `on the same machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}.`,
    'These machines are shared 2-core VMs: absolute times move between runs; ratios are what to read.',
    '',
  ];
  // Each result file's top heading becomes a section (##) of BENCHMARKS.md, the rest follow it.
  const body = files.map((f) => {
    const text = readFileSync(join(dir, f), 'utf8').trim();
    const top = Math.min(...[...text.matchAll(/^(#+) /gm)].map((m) => m[1]!.length));
    const shift = Number.isFinite(top) ? 2 - top : 0;
    return text.replace(/^(#+) /gm, (_, h: string) => `${'#'.repeat(Math.max(2, h.length + shift))} `);
  });
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), head.join('\n') + '\n' + body.join('\n\n') + '\n');
}

const args = process.argv.slice(2);
if (!args.includes('--assemble')) run(args.length ? args : ORDER);
assemble();
