// Benchmark of --native: what a native dump costs over a plain one (test/fixtures/native/blocked.py,
// threads blocked in C), with py-spy's native dump of the same process beside it; and the CPU per
// sample of `record --native` against `py-spy record --native` on bench/profile/deep.py, in the
// same run. Writes bench/results/native.md.
//
// Usage: node dist/bench/native/run.js [--runs N] [--pythons LABEL,LABEL]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBlocked } from '../../test/support/blocked-target.js';
import { pythons, REPO_ROOT, type Python } from '../../test/support/pythons.js';
import { PYSCOPE_MAIN } from '../../test/support/pyscope.js';

const PYSPY = join(REPO_ROOT, 'bench', '.venv', 'bin', 'py-spy');
const DEEP = join(REPO_ROOT, 'bench', 'profile', 'deep.py');
const RESULTS = join(REPO_ROOT, 'bench', 'results', 'native.md');
const TMP = mkdtempSync(join(tmpdir(), 'pyscope-bench-native-'));

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(TMP, { recursive: true, force: true });
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function fmt(n: number, digits = 0): string {
  return n.toFixed(digits);
}

/** Wall time of one command in ms, or why it failed. */
function timed(file: string, args: string[]): number | string {
  const start = performance.now();
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: 120_000 });
  const ms = performance.now() - start;
  if (r.status !== 0) return `fails: ${`${r.stderr}\n${r.stdout}`.split('\n').find((l) => /error/i.test(l))?.trim() ?? `exit ${r.status}`}`;
  return ms;
}

function series(runs: number, file: string, args: string[]): number | string {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = timed(file, args);
    if (typeof t === 'string') return t;
    times.push(t);
  }
  return median(times);
}

function cell(x: number | string): string {
  return typeof x === 'string' ? x : `${fmt(x, 1)} ms`;
}

/** CPU seconds of a profiler run under bash's `times`, and the samples it wrote (collapsed / raw). */
function recording(argv: string[], out: string): { cpu: number; samples: number; text: string } {
  const r = spawnSync('bash', ['-c', '"$@" 2>&1; times', '_', ...argv], { encoding: 'utf8', timeout: 180_000 });
  const text = r.stdout ?? '';
  const t = [...text.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)][1];
  if (!t) throw new Error(`no CPU times in:\n${text}`);
  const cpu = Number(t[1]) * 60 + Number(t[2]) + Number(t[3]) * 60 + Number(t[4]);
  let samples = 0;
  if (existsSync(out)) for (const line of readFileSync(out, 'utf8').split('\n')) samples += Number(/ (\d+)$/.exec(line)?.[1] ?? 0);
  return { cpu, samples, text };
}

async function deepTarget(py: Python, seconds: number): Promise<ChildProcess> {
  const child = spawn(py.path, [DEEP, String(seconds), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('ready')) resolve();
    });
  });
  return child;
}

let runNo = 0;

function record(tool: 'pyscope' | 'py-spy', pid: number, rate: number, seconds: number): { cpu: number; samples: number; text: string } {
  const out = join(TMP, `${tool}-${runNo++}.txt`);
  const argv =
    tool === 'pyscope'
      ? [process.execPath, PYSCOPE_MAIN, 'record', '--native', '--pid', String(pid), '--rate', String(rate), '--duration', String(seconds), '-f', 'collapsed', '-o', out]
      : [PYSPY, 'record', '--native', '--pid', String(pid), '--rate', String(rate), '--duration', String(seconds), '--format', 'raw', '-o', out];
  return recording(argv, out);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, pythons: { type: 'string', default: 'pyenv-2.7.18,pyenv-3.12.1,debian-3.11,sid-3.14' } } });
  const runs = Number(values.runs);
  const wanted = values.pythons.split(',');
  const list = pythons().filter((p) => !p.missing && wanted.includes(p.label));
  const hasSpy = existsSync(PYSPY);
  const lines: string[] = [];
  const log = (s: string): void => {
    lines.push(s);
    process.stdout.write(s + '\n');
  };
  log('## `dump --native` vs a plain dump, and vs `py-spy dump --native`');
  log('');
  log(
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`node dist/bench/native/run.js\` on ${cpus()[0]?.model.trim() ?? 'cpu'}, ${cpus().length} cores, Linux ${release()}, Node ${process.version}. Load average when the run began: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (the machine is shared).`,
  );
  log('');
  log(
    `Target: test/fixtures/native/blocked.py, 5 threads blocked in C (sleep, a Lock, os.read, a qsort comparator, a sorted() key). Wall time from spawn to exit of one text dump, median of ${runs} runs, the tools taking turns; pyscope's times include starting Node, and --native's loading koffi and holding each thread while its registers and stack are copied.`,
  );
  log('');
  log('| interpreter | dump | dump --native | --native / plain | py-spy dump --native |');
  log('|---|---:|---:|---:|---:|');
  for (const py of list) {
    const target = await startBlocked(py);
    try {
      const pid = String(target.pid);
      const plain = series(runs, process.execPath, [PYSCOPE_MAIN, 'dump', pid]);
      const native = series(runs, process.execPath, [PYSCOPE_MAIN, 'dump', '--native', pid]);
      const spy = hasSpy ? series(runs, PYSPY, ['dump', '--native', '--pid', pid]) : 'absent';
      const ratio = typeof plain === 'number' && typeof native === 'number' ? `${fmt(native / plain, 2)}x` : 'n/a';
      log(`| ${py.label} (${py.version.join('.')}) | ${cell(plain)} | ${cell(native)} | ${ratio} | ${cell(spy)} |`);
    } finally {
      target.stop();
    }
  }
  log('');
  const py = pythons().find((p) => p.label === 'pyenv-3.12.1' && !p.missing);
  if (py) {
    log('## `record --native` vs `py-spy record --native`');
    log('');
    log(
      `Target: ${py.label}, bench/profile/deep.py (a CPU-bound loop 20 Python frames deep). CPU time (user + system) of the profiler, from the difference between a 5 s and a 1 s recording at 100 Hz (start-up cancels out), divided by the difference in samples; both tools in the same run. py-spy stops the whole process for each native sample; pyscope stops each thread only while it copies its registers and stack.`,
    );
    log('');
    log('| tool | CPU per sample | samples in 5 s | CPU share of a core (5 s run) |');
    log('|---|---:|---:|---:|');
    for (const tool of hasSpy ? (['pyscope', 'py-spy'] as const) : (['pyscope'] as const)) {
      const target = await deepTarget(py, 40);
      try {
        const short = record(tool, target.pid!, 100, 1);
        const long = record(tool, target.pid!, 100, 5);
        const per = long.samples > short.samples ? ((long.cpu - short.cpu) / (long.samples - short.samples)) * 1e6 : NaN;
        log(`| ${tool} | ${Number.isFinite(per) ? `${fmt(per)} µs` : `n/a (${long.samples} samples)`} | ${long.samples} | ${fmt((100 * long.cpu) / 5, 1)}% |`);
      } finally {
        target.kill('SIGKILL');
      }
    }
    log('');
  }
  writeFileSync(RESULTS, lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
