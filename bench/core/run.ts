// Benchmark: `pyscope dump --core` vs gdb's `py-bt` (python-gdb.py loaded, every thread) on the same
// core, for both kinds: a gcore core of the parked dump target and a kernel core of its crash. Wall time from spawn to exit, as a user meets it.
// Writes bench/results/core.md.
//
// Usage: node dist/bench/core/run.js [RUNS] [LABEL ...]   (default: 10 runs; pyenv-3.12.1 and
// pyenv-3.10.13, or whichever of the pyenv builds are present)
import { spawnSync } from 'node:child_process';
import { cpus, release } from 'node:os';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pythons, REPO_ROOT, type Python } from '../../test/support/pythons.js';
import { PYSCOPE_MAIN } from '../../test/support/pyscope.js';
import { gcoreOfTarget, kernelCore, kernelCoresUnavailable, type MadeCore } from '../../test/core/cores.js';

const RESULTS = join(REPO_ROOT, 'bench', 'results', 'core.md');
const DEFAULT_LABELS = ['pyenv-3.12.1', 'pyenv-3.10.13'];
const WARMUP = 1;

interface Timing {
  medianMs: number;
  minMs: number;
  error?: string;
}

interface Row {
  python: Python;
  kind: string;
  coreMiB: number;
  threads: number;
  frames: number;
  pyscope: Timing;
  gdb: Timing;
  gdbFrames: number;
}

function once(file: string, args: string[]): { ms: number; code: number | null; stdout: string; stderr: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function gdbArgs(python: Python, core: string): string[] | undefined {
  const bin = dirname(python.path);
  const name = `python${python.version[0]}.${python.version[1]}`;
  const script = join(bin, `${name}-gdb.py`);
  const exe = join(bin, name);
  if (!existsSync(script) || !existsSync(exe)) return undefined;
  return ['-batch', '-nx', '-ex', 'set auto-load off', '-ex', `source ${script}`, '-ex', 'thread apply all py-bt', exe, core];
}

/** Both tools in turns, so that a slow moment of the machine hits both alike. */
function measure(python: Python, core: string, runs: number): Pick<Row, 'pyscope' | 'gdb' | 'gdbFrames'> {
  const tools = [
    { name: 'pyscope', file: process.execPath, args: [PYSCOPE_MAIN, 'dump', '--core', core] },
    { name: 'gdb', file: 'gdb', args: gdbArgs(python, core) },
  ];
  const times = new Map<string, number[]>([['pyscope', []], ['gdb', []]]);
  const errors = new Map<string, string>();
  let gdbFrames = 0;
  for (let i = 0; i < WARMUP + runs; i++) {
    for (const t of tools) {
      if (!t.args) {
        errors.set(t.name, 'no python-gdb.py');
        continue;
      }
      if (errors.has(t.name)) continue;
      const r = once(t.file, t.args);
      if (r.code !== 0) {
        errors.set(t.name, r.stderr.split('\n').find((l) => l.trim()) ?? `exit ${r.code}`);
        continue;
      }
      if (t.name === 'gdb') gdbFrames = (r.stdout.match(/^ {2}File "/gm) ?? []).length;
      if (i >= WARMUP) times.get(t.name)!.push(r.ms);
    }
  }
  const timing = (name: string): Timing => {
    const error = errors.get(name);
    if (error !== undefined) return { medianMs: NaN, minMs: NaN, error };
    const xs = times.get(name)!;
    return { medianMs: median(xs), minMs: Math.min(...xs) };
  };
  return { pyscope: timing('pyscope'), gdb: timing('gdb'), gdbFrames };
}

function cpuModel(): string {
  const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return m?.[1] ?? cpus()[0]?.model ?? 'unknown';
}

const ms = (t: Timing): string => (t.error === undefined ? `${t.medianMs.toFixed(0)} ms` : `fails: ${t.error}`);

function report(rows: Row[], runs: number): string {
  const gdbVersion = spawnSync('gdb', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'gdb';
  const lines = [
    '# `pyscope dump --core` vs gdb `py-bt`',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`node dist/bench/core/run.js\`` +
      ` on ${cpuModel()}, ${cpus().length} cores, Linux ${release()}, Node ${process.version}, ${gdbVersion}.`,
    '',
    'Cores: gcore of test/fixtures/dump/target.py with every thread parked, and the kernel core of the same program' +
      ' killed by SIGSEGV (test/fixtures/core/crash.py), both run with MALLOC_ARENA_MAX=1 (keeps gcore cores small). Wall time from spawn to exit,' +
      ` median of ${runs} runs after ${WARMUP} warm-up run, the two tools taking turns. pyscope: \`pyscope dump --core CORE\`` +
      " (text, includes starting Node). gdb: `gdb -batch -nx -ex 'source pythonX.Y-gdb.py' -ex 'thread apply all py-bt' EXE CORE`" +
      ' (with the interpreter\'s DWARF debug info, which py-bt needs and pyscope does not). Target of the issue: at most a tenth of gdb\'s time.',
    '',
    '| interpreter | core | size on disk | threads | frames (pyscope / gdb) | pyscope | gdb py-bt | pyscope / gdb |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const ratio = r.pyscope.error === undefined && r.gdb.error === undefined ? `${(r.pyscope.medianMs / r.gdb.medianMs).toFixed(2)}` : 'n/a';
    lines.push(
      `| ${r.python.label} (${r.python.version.join('.')}) | ${r.kind} | ${r.coreMiB.toFixed(0)} MiB | ${r.threads} | ${r.frames} / ${r.gdbFrames} | ${ms(r.pyscope)} | ${ms(r.gdb)} | ${ratio} |`,
    );
  }
  lines.push('', 'A ratio below 1 means pyscope is faster; 0.10 is the target.', '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const [runsArg, ...labels] = process.argv.slice(2);
  const runs = runsArg ? Number(runsArg) : 10;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`bad run count: ${runsArg}`);
  const wanted = labels.length ? labels : DEFAULT_LABELS;
  const chosen = pythons().filter((p) => wanted.includes(p.label) && !p.missing);
  if (!chosen.length) throw new Error(`none of ${wanted.join(', ')} is present`);
  const rows: Row[] = [];
  for (const python of chosen) {
    const kinds: [string, () => Promise<MadeCore>][] = [['gcore', () => gcoreOfTarget(python)]];
    if (!kernelCoresUnavailable()) kinds.push(['kernel (SIGSEGV)', () => kernelCore(python, 'segv')]);
    for (const [kind, make] of kinds) {
      const core = await make();
      try {
        const json = once(process.execPath, [PYSCOPE_MAIN, 'dump', '--json', '--core', core.path]);
        const dumped = json.code === 0 ? (JSON.parse(json.stdout) as { threads: { frames: unknown[] }[] }).threads : [];
        const frames = dumped.reduce((n, t) => n + t.frames.length, 0);
        // Kernel cores are sparse: count the blocks they occupy, not their apparent size.
        const onDisk = statSync(core.path).blocks * 512;
        const row: Row = { python, kind, coreMiB: onDisk / (1 << 20), threads: dumped.length, frames, ...measure(python, core.path, runs) };
        process.stdout.write(`${python.label} ${kind}: pyscope ${ms(row.pyscope)}, gdb ${ms(row.gdb)}\n`);
        rows.push(row);
      } finally {
        core.remove();
      }
    }
  }
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, report(rows, runs));
  process.stdout.write(`wrote ${RESULTS}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench/core: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
