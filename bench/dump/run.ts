// Benchmark: `pyscope dump` vs `py-spy dump` on the same parked process (the dump test target),
// wall time from spawn to exit, as a user meets it. Writes bench/results/dump.md.
//
// Usage: node dist/bench/dump/run.js [RUNS] [LABEL ...]   (default: 20 runs; pyenv-3.12.1 plus
// a few other interpreters of the matrix that are present)
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythons, REPO_ROOT, type Python } from '../../test/support/pythons.js';
import { startDumpTarget, type DumpTarget } from '../../test/support/dump-target.js';
import { PYSCOPE_MAIN } from '../../test/support/pyscope.js';

const PYSPY = join(REPO_ROOT, 'bench', '.venv', 'bin', 'py-spy');
const RESULTS = join(REPO_ROOT, 'bench', 'results', 'dump.md');
const DEFAULT_LABELS = ['pyenv-3.12.1', 'pyenv-2.7.18', 'pyenv-3.11.7', 'pyenv-3.13.0', 'debian-3.11', 'sid-3.14'];
const WARMUP = 2;

interface Timing {
  medianMs: number;
  minMs: number;
  ok: boolean;
  error?: string;
  reads?: number;
}

interface Row {
  python: Python;
  threads: number;
  frames: number;
  pyscope: Timing;
  pyspy?: Timing;
}

function once(file: string, args: string[], env: NodeJS.ProcessEnv): { ms: number; code: number | null; stderr: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, code: r.status, stderr: r.stderr ?? '' };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs both tools in turns, so that a slow moment of the machine hits both alike. */
function measure(target: DumpTarget, runs: number): Pick<Row, 'pyscope' | 'pyspy'> {
  const pid = String(target.pid);
  const tools: { name: 'pyscope' | 'pyspy'; file: string; args: string[]; env: NodeJS.ProcessEnv }[] = [
    { name: 'pyscope', file: process.execPath, args: [PYSCOPE_MAIN, 'dump', pid], env: { ...process.env, PYSCOPE_STATS: '1' } },
  ];
  if (existsSync(PYSPY)) tools.push({ name: 'pyspy', file: PYSPY, args: ['dump', '--pid', pid], env: process.env });
  const times = new Map<string, number[]>(tools.map((t) => [t.name, []]));
  const failures = new Map<string, string>();
  let reads: number | undefined;
  for (let i = 0; i < WARMUP + runs; i++) {
    for (const tool of tools) {
      if (failures.has(tool.name)) continue;
      const r = once(tool.file, tool.args, tool.env);
      if (r.code !== 0) {
        failures.set(tool.name, r.stderr.split('\n').find((l) => l.trim()) ?? `exit ${r.code}`);
        continue;
      }
      if (tool.name === 'pyscope') {
        const m = /reads=(\d+)/.exec(r.stderr);
        if (m) reads = Number(m[1]);
      }
      if (i >= WARMUP) times.get(tool.name)!.push(r.ms);
    }
  }
  const timing = (name: string): Timing | undefined => {
    if (!tools.some((t) => t.name === name)) return undefined;
    const xs = times.get(name)!;
    const error = failures.get(name);
    if (error !== undefined) return { medianMs: NaN, minMs: NaN, ok: false, error };
    return { medianMs: median(xs), minMs: Math.min(...xs), ok: true };
  };
  const pyscope = timing('pyscope')!;
  if (reads !== undefined) pyscope.reads = reads;
  const pyspy = timing('pyspy');
  return pyspy ? { pyscope, pyspy } : { pyscope };
}

function cpuModel(): string {
  const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return m?.[1] ?? cpus()[0]?.model ?? 'unknown';
}

const ms = (t: Timing | undefined): string =>
  !t ? 'n/a' : t.ok ? `${t.medianMs.toFixed(1)} ms` : `fails: ${(t.error ?? '').slice(0, 80).replace(/\|/g, '\\|')}`;

/** Median time of the CLI doing nothing but start: the part of every dump that is Node's. */
function startupMs(runs: number): number {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(once(process.execPath, [PYSCOPE_MAIN, '--version'], process.env).ms);
  return median(xs);
}

function report(rows: Row[], runs: number, startup: number, load: number[]): string {
  const lines = [
    '# `pyscope dump` vs `py-spy dump`',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`node dist/bench/dump/run.js\`` +
      ` on ${cpuModel()}, ${cpus().length} cores, Linux ${release()}, Node ${process.version}` +
      (existsSync(PYSPY) ? `, ${spawnSync(PYSPY, ['--version'], { encoding: 'utf8' }).stdout.trim()}` : ', py-spy absent') +
      '.',
    '',
    `Target: test/fixtures/dump/target.py, every thread parked. Wall time from spawn to exit of one text dump,` +
      ` median of ${runs} runs after ${WARMUP} warm-up runs, the two tools taking turns. pyscope's time includes` +
      ' starting Node; py-spy pauses the target while it reads, pyscope does not. Reads: memory reads of one' +
      ' pyscope dump (PYSCOPE_STATS=1).',
    '',
    `Of each pyscope time, ${startup.toFixed(1)} ms is starting the CLI (\`pyscope --version\`, same median).` +
      ` Load average when the run began: ${load.map((x) => x.toFixed(2)).join(' ')} (the machine is shared).`,
    '',
    '| interpreter | threads | frames | pyscope | py-spy | py-spy / pyscope | pyscope reads |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const ratio = r.pyspy?.ok && r.pyscope.ok ? `${(r.pyspy.medianMs / r.pyscope.medianMs).toFixed(2)}x` : 'n/a';
    lines.push(
      `| ${r.python.label} (${r.python.version.join('.')}) | ${r.threads} | ${r.frames} | ${ms(r.pyscope)} | ${ms(r.pyspy)} | ${ratio} | ${r.pyscope.reads ?? 'n/a'} |`,
    );
  }
  lines.push('', 'A ratio above 1 means pyscope is faster.', '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const [runsArg, ...labels] = process.argv.slice(2);
  const runs = runsArg ? Number(runsArg) : 20;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`bad run count: ${runsArg}`);
  const wanted = labels.length ? labels : DEFAULT_LABELS;
  const chosen = pythons().filter((p) => wanted.includes(p.label) && !p.missing);
  if (!chosen.length) throw new Error(`none of ${wanted.join(', ')} is present`);
  const load = loadavg();
  const startup = startupMs(runs);
  const rows: Row[] = [];
  for (const python of chosen) {
    const target = await startDumpTarget(python);
    try {
      const frames = target.truth.threads.reduce((n, t) => n + t.frames.length, 0);
      const row: Row = { python, threads: target.truth.threads.length, frames, ...measure(target, runs) };
      process.stdout.write(`${python.label}: pyscope ${ms(row.pyscope)}, py-spy ${ms(row.pyspy)}, reads ${row.pyscope.reads ?? 'n/a'}\n`);
      rows.push(row);
    } finally {
      target.stop();
    }
  }
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS, report(rows, runs, startup, load));
  process.stdout.write(`wrote ${RESULTS}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/dump: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
