// Benchmark: the CLI's start-up (`pyscope dump PID` against `node -e 0`, in the same run) with a
// breakdown of what the dump's time goes to, and many processes in one run (`dump` of 20
// processes against 20 `py-spy dump` calls). Writes bench/results/startup.md.
//
// Usage: node dist/bench/startup/run.js [RUNS]   (default 20 runs of each variant, taking turns)
// Wall time is spawn to exit. CPU time is the child's user+system time (from this process's
// cutime/cstime, which the kernel adds each reaped child to): on a shared machine it moves less
// than wall time, which also counts waiting for a core.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythons, REPO_ROOT } from '../../test/support/pythons.js';

const RUNS = Number(process.argv[2] ?? 20);
const WARMUP = 2;
const FLEET = 20;
const PYSPY = join(REPO_ROOT, 'bench', '.venv', 'bin', 'py-spy');
const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'pyscope.cjs');
const UNBUNDLED = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const PHASES = join(REPO_ROOT, 'dist', 'bench', 'startup', 'phases.js');
const RESULTS = join(REPO_ROOT, 'bench', 'results', 'startup.md');

interface Variant {
  name: string;
  file: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

interface Timing {
  wall: number[];
  cpu: number;
}

/** User+system milliseconds of this process's reaped children so far. */
function childCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // after "pid (comm) ": state is field 0, cutime field 13, cstime field 14, in clock ticks (100/s)
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Every variant RUNS times after WARMUP, in turns, so that a slow moment hits all alike. */
function measure(variants: Variant[]): Map<string, Timing> {
  const out = new Map<string, Timing>(variants.map((v) => [v.name, { wall: [], cpu: 0 }]));
  for (let i = 0; i < WARMUP + RUNS; i++) {
    for (const v of variants) {
      const c0 = childCpuMs();
      const t0 = process.hrtime.bigint();
      const r = spawnSync(v.file, v.args, { env: { ...process.env, ...v.env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 120_000 });
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      const cpu = childCpuMs() - c0;
      if (r.status !== 0) throw new Error(`${v.name}: exit ${r.status}: ${r.stderr.trim().split('\n')[0]}`);
      if (i < WARMUP) continue;
      const t = out.get(v.name)!;
      t.wall.push(wall);
      t.cpu += cpu / RUNS;
    }
  }
  return out;
}

function startTargets(python: string, n: number): Promise<ChildProcess[]> {
  const program = 'import sys, time\ndef parked():\n    print("ready"); sys.stdout.flush(); time.sleep(3600)\nparked()\n';
  return Promise.all(
    Array.from({ length: n }, () => {
      const child = spawn(python, ['-c', program], { stdio: ['ignore', 'pipe', 'ignore'] });
      return new Promise<ChildProcess>((resolve, reject) => {
        child.stdout!.once('data', () => resolve(child));
        child.once('exit', (code) => reject(new Error(`a target exited (${code}) before it was ready`)));
      });
    }),
  );
}

const cpuModel = (): string => /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
const f1 = (x: number): string => x.toFixed(1);

async function main(): Promise<void> {
  const python = pythons().find((p) => p.label === 'pyenv-3.12.1' && !p.missing) ?? pythons().find((p) => !p.missing && p.version[0] === 3 && p.pointerBits === 64);
  if (!python) throw new Error('no Python 3 of the matrix is present');
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: npm run build`);
  const load = loadavg();
  const cache = mkdtempSync(join(tmpdir(), 'pyscope-bench-cache-'));
  const targets = await startTargets(python.path, FLEET);
  try {
    const pid = String(targets[0]!.pid);
    const cached = { XDG_CACHE_HOME: cache };
    const pyspy = existsSync(PYSPY);
    const start = measure([
      { name: 'node -e 0', file: process.execPath, args: ['-e', '0'] },
      { name: 'pyscope dump PID', file: process.execPath, args: [BIN, 'dump', pid], env: cached },
      { name: 'pyscope dump PID, no code cache', file: process.execPath, args: [BIN, 'dump', pid], env: { PYSCOPE_CODE_CACHE: '0' } },
      { name: 'pyscope dump PID, unbundled (before)', file: process.execPath, args: [UNBUNDLED, 'dump', pid] },
      { name: 'pyscope --version', file: process.execPath, args: [BIN, '--version'], env: cached },
      { name: 'pyscope dump --help', file: process.execPath, args: [BIN, 'dump', '--help'], env: cached },
      { name: 'node -e "require(\'koffi\')"', file: process.execPath, args: ['-e', "require('koffi')"], env: { NODE_PATH: join(REPO_ROOT, 'node_modules') } },
      ...(pyspy ? [{ name: 'py-spy dump --pid PID', file: PYSPY, args: ['dump', '--pid', pid] }] : []),
    ]);
    // The dump taken apart, in fresh processes (medians of each step).
    const phases: Record<string, number[]> = {};
    for (let i = 0; i < RUNS; i++) {
      const r = spawnSync(process.execPath, [PHASES, pid], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`phases: ${r.stderr}`);
      for (const [k, v] of Object.entries(JSON.parse(r.stdout) as Record<string, number>)) (phases[k] ??= []).push(v);
    }
    const pidArgs = targets.flatMap((t) => ['--pid', String(t.pid)]);
    const fleetScript = join(cache, 'pyspy-fleet.sh');
    writeFileSync(fleetScript, targets.map((t) => `"${PYSPY}" dump --pid ${t.pid} > /dev/null || exit 1`).join('\n') + '\n');
    const onesScript = join(cache, 'pyscope-fleet.sh');
    writeFileSync(onesScript, targets.map((t) => `"${process.execPath}" "${BIN}" dump ${t.pid} > /dev/null || exit 1`).join('\n') + '\n');
    const fleetRuns = Math.max(3, Math.round(RUNS / 4));
    const fleet = measureFleet(
      [
        { name: `pyscope dump --pid ×${FLEET} (one process)`, file: process.execPath, args: [BIN, 'dump', ...pidArgs], env: cached },
        { name: `${FLEET} × pyscope dump PID`, file: 'sh', args: [onesScript], env: cached },
        ...(pyspy ? [{ name: `${FLEET} × py-spy dump --pid PID`, file: 'sh', args: [fleetScript] }] : []),
      ],
      fleetRuns,
    );
    const all = spawnSync(process.execPath, [BIN, 'dump', '--all'], { encoding: 'utf8', env: { ...process.env, ...cached } });
    const allCount = (all.stdout.match(/^Process \d+: /gm) ?? []).length;
    const allT0 = process.hrtime.bigint();
    spawnSync(process.execPath, [BIN, 'dump', '--all'], { stdio: 'ignore', env: { ...process.env, ...cached } });
    const allMs = Number(process.hrtime.bigint() - allT0) / 1e6;
    writeReport(start, phases, fleet, fleetRuns, { count: allCount, ms: allMs }, load, python.label);
  } finally {
    for (const t of targets) t.kill('SIGKILL');
    rmSync(cache, { recursive: true, force: true });
  }
}

function measureFleet(variants: Variant[], runs: number): Map<string, Timing> {
  const out = new Map<string, Timing>(variants.map((v) => [v.name, { wall: [], cpu: 0 }]));
  for (let i = 0; i < runs + 1; i++) {
    for (const v of variants) {
      const c0 = childCpuMs();
      const t0 = process.hrtime.bigint();
      const r = spawnSync(v.file, v.args, { env: { ...process.env, ...v.env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 600_000 });
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      const cpu = childCpuMs() - c0;
      if (r.status !== 0) throw new Error(`${v.name}: exit ${r.status}: ${r.stderr.trim().split('\n')[0]}`);
      if (i === 0) continue;
      out.get(v.name)!.wall.push(wall);
      out.get(v.name)!.cpu += cpu / runs;
    }
  }
  return out;
}

function writeReport(start: Map<string, Timing>, phases: Record<string, number[]>, fleet: Map<string, Timing>, fleetRuns: number, all: { count: number; ms: number }, load: number[], label: string): void {
  const base = start.get('node -e 0')!;
  const dump = start.get('pyscope dump PID')!;
  const row = (name: string, t: Timing): string =>
    `| ${name} | ${f1(median(t.wall))} ms | ${f1(Math.min(...t.wall))} ms | ${f1(t.cpu)} ms | ${f1(median(t.wall) - median(base.wall))} ms | ${f1(t.cpu - base.cpu)} ms |`;
  const ph = (k: string): string => f1(median(phases[k] ?? [NaN]));
  const lines = [
    '# CLI start-up and many processes in one run',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`node dist/bench/startup/run.js ${RUNS}\` on ${cpuModel()}, ${cpus().length} cores,` +
      ` Linux ${release()}, Node ${process.version}; load average when the run began: ${load.map((x) => x.toFixed(2)).join(' ')} (a shared machine).` +
      ` Targets: ${FLEET} parked ${label} processes (one Python thread each).`,
    '',
    '## Start-up: `pyscope dump PID` against `node -e 0`, same run',
    '',
    `Each variant ${RUNS} times after ${WARMUP} warm-up runs, all taking turns. Wall: spawn to exit (median, min). CPU: the child's user+system time (mean).` +
      ' "pyscope" is the package\'s command, dist/src/cli/pyscope.cjs (the one-file bundle through V8\'s code cache, warmed by the warm-up runs).',
    '',
    '| command | wall median | wall min | CPU | wall − node -e 0 | CPU − node -e 0 |',
    '|---|---:|---:|---:|---:|---:|',
    ...[...start].map(([n, t]) => row(n, t)),
    '',
    `Target: wall time of \`pyscope dump PID\` at most 20 ms above \`node -e 0\`: measured ${f1(median(dump.wall) - median(base.wall))} ms (median) and ${f1(dump.cpu - base.cpu)} ms of CPU.`,
    '',
    '### Where a dump\'s own time goes',
    '',
    `bench/startup/phases.ts runs the steps of \`dump\` one by one in a fresh process and times each (medians of ${RUNS} runs; wall time inside the process):`,
    '',
    '| step | ms |',
    '|---|---:|',
    `| Node start-up and this script's modules (performance.now() at its first line) | ${ph('loaded')} |`,
    `| /proc reads: maps, exe, cmdline | ${ph('procFiles')} |`,
    `| the interpreter's ELF file: headers, symbol tables | ${ph('elf')} |`,
    `| version detection | ${ph('version')} |`,
    `| struct layouts: the version's tables read (laid out at build time, dist/src/layout/tables) | ${ph('layouts')} |`,
    `| bindings from those layouts, the symbols they need (and 3.13+: the target's _Py_DebugOffsets) | ${ph('bindings')} |`,
    `| the real open with those caches warm (maps, ELF again, target pages) | ${ph('reopen')} |`,
    `| thread snapshot: target memory and /proc thread states (${ph('reads')} reads) | ${ph('snapshot')} |`,
    `| formatting | ${ph('format')} |`,
    `| (not paid by a dump) the same struct layouts from the C declarations, as before the tables | ${ph('layoutsFromC')} |`,
    `| koffi's require (not paid by a plain dump; --native and attach only) | ${ph('koffi')} |`,
    '',
    '## Many processes: one `pyscope dump` of 20 against 20 `py-spy dump`',
    '',
    `Median of ${fleetRuns} runs after one warm-up, in turns. \`pyscope dump --pid A --pid B ...\` is what \`dump --all\` does once it has`,
    'found the processes (the machine runs other people\'s Pythons, which --all would read too).',
    '',
    '| command | wall median | wall min | CPU |',
    '|---|---:|---:|---:|',
    ...[...fleet].map(([n, t]) => `| ${n} | ${f1(median(t.wall))} ms | ${f1(Math.min(...t.wall))} ms | ${f1(t.cpu)} ms |`),
    '',
    `\`pyscope dump --all\` on this machine at the time: ${all.count} Python processes (the ${FLEET} targets and others) read in ${f1(all.ms)} ms (one run).`,
    '',
  ];
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS, lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

await main();
