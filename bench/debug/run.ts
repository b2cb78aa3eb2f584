// Benchmark: the loop of 2 million calls (bench/debug/loop.py) with a breakpoint in the same
// file on a function that is never called, under `pyscope debug` and `python -m pdb` (both fed
// `b unrelated` and `c` on stdin, as a user would type them), next to plain python.
// Writes bench/results/debug.md.
//
// Usage: node dist/bench/debug/run.js [RUNS] [LABEL ...]   (default: 3 runs; 3.11, 3.12, 3.13, 3.14)
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythons, REPO_ROOT, type Python } from '../../test/support/pythons.js';
import { PYSCOPE_MAIN } from '../../test/support/pyscope.js';

const RESULTS = join(REPO_ROOT, 'bench', 'results', 'debug.md');
const LOOP = join(REPO_ROOT, 'bench', 'debug', 'loop.py');
const DEFAULT_LABELS = ['pyenv-3.11.7', 'pyenv-3.12.1', 'pyenv-3.13.0', 'sid-3.14'];
const COMMANDS = 'b unrelated\nc\n';
const NOTE =
  'pdb of 3.14 runs on sys.monitoring (its default backend since 3.14) and so no longer pays for the breakpoint; the pdbs before it trace every line of the file. Sub-1x slowdowns are the noise of a shared machine on a 0.1 s loop.';

type Tool = 'python' | 'pyscope' | 'pdb';

interface Run {
  loopS: number;
  wallS: number;
}

interface Row {
  python: Python;
  results: Map<Tool, Run[]>;
  errors: Map<Tool, string>;
}

function command(tool: Tool, py: Python): { file: string; args: string[] } {
  if (tool === 'python') return { file: py.path, args: [LOOP] };
  if (tool === 'pdb') return { file: py.path, args: ['-m', 'pdb', LOOP] };
  return { file: process.execPath, args: [PYSCOPE_MAIN, 'debug', '--python', py.path, LOOP] };
}

function once(tool: Tool, py: Python): Run | string {
  const { file, args } = command(tool, py);
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, { input: tool === 'python' ? '' : COMMANDS, encoding: 'utf8', timeout: 600_000, env: { ...process.env, NO_COLOR: '1' } });
  const wallS = Number(process.hrtime.bigint() - start) / 1e9;
  const m = /loop-seconds (\d+\.\d+)/.exec(r.stdout ?? '');
  if (!m) return `no loop time in the output (exit ${r.status}): ${(r.stderr || r.stdout || '').trim().split('\n').slice(-1)[0] ?? ''}`;
  return { loopS: Number(m[1]), wallS };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function measure(py: Python, runs: number): Row {
  const tools: Tool[] = ['python', 'pyscope', 'pdb'];
  const row: Row = { python: py, results: new Map(tools.map((t) => [t, []])), errors: new Map() };
  // the tools take turns, so a slow moment of the shared machine hits all of them alike
  for (let i = 0; i < runs; i++) {
    for (const tool of tools) {
      if (row.errors.has(tool)) continue;
      const r = once(tool, py);
      if (typeof r === 'string') row.errors.set(tool, r);
      else row.results.get(tool)!.push(r);
      process.stderr.write(`${py.label} ${tool} ${typeof r === 'string' ? r : `${r.loopS.toFixed(3)} s`}\n`);
    }
  }
  return row;
}

function cell(row: Row, tool: Tool, what: keyof Run): string {
  const e = row.errors.get(tool);
  if (e) return `fails: ${e}`;
  return `${median(row.results.get(tool)!.map((r) => r[what])).toFixed(3)} s`;
}

function ratio(row: Row, a: Tool, b: Tool): string {
  const ra = row.results.get(a)!;
  const rb = row.results.get(b)!;
  if (!ra.length || !rb.length) return 'n/a';
  return `${(median(ra.map((r) => r.loopS)) / median(rb.map((r) => r.loopS))).toFixed(1)}x`;
}

function main(): void {
  const [runsArg, ...labels] = process.argv.slice(2);
  const runs = runsArg ? Number(runsArg) : 3;
  const wanted = labels.length ? labels : DEFAULT_LABELS;
  const chosen = pythons().filter((p) => wanted.includes(p.label) && !p.missing);
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  const rows = chosen.map((py) => measure(py, runs));
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const lines = [
    '# `pyscope debug` vs `python -m pdb`: a breakpoint in the same file',
    '',
    `Measured ${when} UTC by \`node dist/bench/debug/run.js ${runs}\` on ${cpu}, ${cpus().length} cores, Linux ${release()}, Node ${process.version}. Load average when the run began: ${load} (the machine is shared).`,
    '',
    'Program: bench/debug/loop.py, 2,000,000 calls of a one-line function; it prints the time of its own loop, so',
    'interpreter and debugger start-up are left out of "loop". Both debuggers get `b unrelated` and `c` on stdin: a',
    'breakpoint in the same file, in a function that is never called. `pyscope debug` turns `b unrelated` into a',
    "line breakpoint on the function's first line, as pdb does. Medians of " + `${runs} runs, the three taking turns; "wall" is spawn to exit.`,
    '',
    '| interpreter | python loop | pyscope debug loop | pdb loop | pyscope slowdown | pdb slowdown | pdb / pyscope | pyscope wall | pdb wall |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.python.label} (${r.python.version.join('.')}) | ${cell(r, 'python', 'loopS')} | ${cell(r, 'pyscope', 'loopS')} | ${cell(r, 'pdb', 'loopS')} | ${ratio(r, 'pyscope', 'python')} | ${ratio(r, 'pdb', 'python')} | ${ratio(r, 'pdb', 'pyscope')} | ${cell(r, 'pyscope', 'wallS')} | ${cell(r, 'pdb', 'wallS')} |`,
    );
  }
  lines.push('', 'Slowdown: loop time under the debugger over plain python. "pdb / pyscope" above 1 means pyscope debug is faster.', '', NOTE, '');
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS, lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

main();
