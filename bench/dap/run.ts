// Benchmark of `pyscope dap` against debugpy, run as `node dist/bench/dap/run.js`.
// Writes bench/results/dap.md. Figures:
//  1. slowdown of 2M calls of a small function with a breakpoint in an unrelated function;
//  2. cost per evaluation of a never-true condition on the hot line;
//  3. time from spawning the adapter to the first `stopped` event.
// debugpy comes from bench/.venv (created here from the pyenv 3.11 interpreter if missing).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pythons, REPO_ROOT, type Python } from '../../test/support/pythons.js';
import { DapClient } from '../../test/dap/client.js';
import { scaled } from '../../test/support/timeouts.js';

/** A measured run's limit: far above any run's length, it only turns a hang into a failure. */
const BENCH_RUN_LIMIT_MS = scaled(600_000);

const HOT = join(REPO_ROOT, 'bench', 'dap', 'hot.py');
const FIRST = join(REPO_ROOT, 'bench', 'dap', 'first.py');
const VENV = join(REPO_ROOT, 'bench', '.venv');
const CALLS = 2_000_000;
const COND_CALLS = 200_000;
const REPEAT = 3;
const LINE_UNRELATED = 6;
const LINE_HOT = 10;

type Adapter = { name: string; command: [string, string[]] };

function pyscope(): Adapter {
  return { name: 'pyscope', command: [process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'dap']] };
}

function debugpy(): Adapter | undefined {
  const base = pythons().find((p) => p.label.startsWith('pyenv-3.11') && !p.missing);
  const py = join(VENV, 'bin', 'python');
  if (!existsSync(py)) {
    if (!base) return undefined;
    execFileSync(base.path, ['-m', 'venv', VENV], { stdio: 'inherit' });
  }
  try {
    execFileSync(py, ['-c', 'import debugpy'], { stdio: 'ignore' });
  } catch {
    execFileSync(join(VENV, 'bin', 'pip'), ['install', '-q', 'debugpy'], { stdio: 'inherit' });
  }
  return { name: 'debugpy', command: [py, ['-m', 'debugpy.adapter']] };
}

function plainElapsed(py: Python, n: number, hook?: 'c-noop' | 'py-noop'): number {
  // the floors under any settrace debugger (3.8-3.11): the interpreter's tracing machinery with a
  // trace function that is C and returns None (getattr(frame, 'call', None)), then one in Python
  const trace = hook === 'c-noop' ? 'getattr' : 'lambda f, e, a: None';
  const args = hook ? ['-c', `import sys, runpy; sys.argv = [${JSON.stringify(HOT)}, ${JSON.stringify(String(n))}]; sys.settrace(${trace}); runpy.run_path(sys.argv[0], run_name='__main__')`] : [HOT, String(n)];
  const out = execFileSync(py.path, args, { encoding: 'utf8' });
  return Number(/elapsed ([\d.]+)/.exec(out)![1]);
}

interface Session {
  client: DapClient;
  spawnedAt: number;
}

/** initialize, launch, breakpoints, configurationDone; works with adapters that answer launch late. */
async function session(adapter: Adapter, py: Python, program: string, args: string[], breakpoints: { line: number; condition?: string }[]): Promise<Session> {
  const spawnedAt = performance.now();
  const client = new DapClient([], adapter.command);
  await client.request('initialize', { adapterID: 'python', clientID: 'pyscope-bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const launched = client.raw('launch', { type: 'python', request: 'launch', python: py.path, program, args, console: 'internalConsole', justMyCode: true });
  await client.waitFor('initialized');
  await client.request('setBreakpoints', { source: { path: program }, breakpoints });
  await client.request('setExceptionBreakpoints', { filters: [] });
  await client.request('configurationDone');
  const r = await launched;
  if (!r.success) throw new Error(`${adapter.name} launch failed: ${r.message}`);
  return { client, spawnedAt };
}

async function debuggedElapsed(adapter: Adapter, py: Python, n: number, bp: { line: number; condition?: string } | undefined): Promise<number> {
  const { client } = await session(adapter, py, HOT, [String(n)], bp ? [bp] : []);
  // a measured run may be long (debugpy's slowdown on a loaded machine): the wait is bounded all the same
  await client.waitFor('terminated', undefined, { step: `${adapter.name}: the measured run to end`, timeoutMs: BENCH_RUN_LIMIT_MS });
  const m = /elapsed ([\d.]+)/.exec(client.output('stdout'));
  await client.close();
  if (!m) throw new Error(`${adapter.name}: no timing in output`);
  return Number(m[1]);
}

async function firstStop(adapter: Adapter, py: Python): Promise<number> {
  const { client, spawnedAt } = await session(adapter, py, FIRST, [], [{ line: 2 }]);
  await client.waitFor('stopped');
  const ms = performance.now() - spawnedAt;
  await client.close();
  return ms;
}

const min = (xs: number[]): number => Math.min(...xs);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function repeat(f: () => Promise<number> | number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < REPEAT; i++) out.push(await f());
  return out;
}

interface Row {
  adapter: string;
  python: string;
  slowdown: number;
  /** No breakpoint at all. */
  slowdownNoBp: number;
  /** 3.8-3.11: a C trace function that does nothing, and one in Python. */
  floorC?: number;
  floorPy?: number;
  condUs: number;
  firstStopMs: number;
}

async function measure(adapter: Adapter, py: Python): Promise<Row> {
  // plain and debugged runs alternate, so a change in machine load hits both alike
  const plains: number[] = [];
  const debuggeds: number[] = [];
  const noBps: number[] = [];
  const floorsC: number[] = [];
  const floorsPy: number[] = [];
  const plainConds: number[] = [];
  const conds: number[] = [];
  const settrace = py.version[0] === 3 && py.version[1] < 12;
  for (let i = 0; i < REPEAT; i++) {
    plains.push(plainElapsed(py, CALLS));
    debuggeds.push(await debuggedElapsed(adapter, py, CALLS, { line: LINE_UNRELATED }));
    noBps.push(await debuggedElapsed(adapter, py, CALLS, undefined));
    if (settrace) {
      floorsC.push(plainElapsed(py, CALLS, 'c-noop'));
      floorsPy.push(plainElapsed(py, CALLS, 'py-noop'));
    }
    plainConds.push(plainElapsed(py, COND_CALLS));
    conds.push(await debuggedElapsed(adapter, py, COND_CALLS, { line: LINE_HOT, condition: 'x < 0' }));
  }
  const plain = min(plains);
  const debugged = min(debuggeds);
  const plainCond = min(plainConds);
  const cond = min(conds);
  const first = median(await repeat(() => firstStop(adapter, py)));
  const row = {
    adapter: adapter.name,
    python: `${py.label}`,
    slowdown: debugged / plain,
    slowdownNoBp: min(noBps) / plain,
    ...(settrace ? { floorC: min(floorsC) / plain, floorPy: min(floorsPy) / plain } : {}),
    condUs: ((cond - plainCond) / COND_CALLS) * 1e6,
    firstStopMs: first,
  };
  process.stderr.write(`${row.adapter} ${row.python}: ${row.slowdown.toFixed(2)}x, no bp ${row.slowdownNoBp.toFixed(2)}x, floors ${row.floorC?.toFixed(2) ?? '-'}x/${row.floorPy?.toFixed(2) ?? '-'}x, ${row.condUs.toFixed(2)} us/condition, first stop ${row.firstStopMs.toFixed(0)} ms\n`);
  return row;
}

async function main(): Promise<void> {
  const loadStart = loadavg()[0]!.toFixed(1);
  // BENCH_DAP_PYTHONS=pyenv-3.8,sid-3.14 measures only those (label prefixes)
  const wanted = process.env.BENCH_DAP_PYTHONS?.split(',') ?? ['pyenv-3.8', 'pyenv-3.11', 'pyenv-3.12', 'pyenv-3.13', 'sid-3.14'];
  const interpreters = wanted.map((w) => pythons().find((p) => p.label.startsWith(w) && !p.missing)).filter((p): p is Python => p !== undefined);
  const rows: Row[] = [];
  for (const py of interpreters) rows.push(await measure(pyscope(), py));
  // BENCH_DAP_DEBUGPY=0 leaves debugpy out (a quick run of pyscope alone)
  const dp = process.env.BENCH_DAP_DEBUGPY === '0' ? undefined : debugpy();
  // debugpy (its adapter runs on the venv's 3.11) launches each of these interpreters itself
  for (const py of interpreters.filter((p) => /^pyenv-3\.(8|11|12)\./.test(p.label))) if (dp) rows.push(await measure(dp, py));
  const dpVersion = dp ? execFileSync(dp.command[0], ['-c', 'import debugpy; print(debugpy.__version__)'], { encoding: 'utf8' }).trim() : 'absent';
  const lines = [
    '## DAP step debugger (`pyscope dap`) vs debugpy',
    '',
    `Measured by \`node dist/bench/dap/run.js\` on ${new Date().toISOString().slice(0, 10)} (${process.platform}, Node ${process.version}, debugpy ${dpVersion}; ${cpus().length} cores, load average ${loadStart} at the start and ${loadavg()[0]!.toFixed(1)} at the end: the machine is shared, so absolute times are inflated).`,
    `Slowdown: ${CALLS.toLocaleString('en')} calls of a small function, a breakpoint in an unrelated function of the same file, the loop's thread CPU time measured inside the program (\`time.thread_time\`), best of ${REPEAT} interleaved rounds, against the same interpreter without a debugger.`,
    `Condition: a never-true condition (\`x < 0\`) on the hot line, ${COND_CALLS.toLocaleString('en')} evaluations; cost per evaluation over the plain run.`,
    `First stop: from spawning the adapter to the first \`stopped\` event (breakpoint on line 2 of a 3-line program), median of ${REPEAT}.`,
    '',
    'Floors (3.8-3.11 only, no debugger): the same loop under `sys.settrace(getattr)` (a C trace function that returns None: the interpreter\'s tracing machinery alone) and under `sys.settrace(lambda f, e, a: None)` (plus a Python call per function call).',
    '',
    '| adapter | python | slowdown (bp elsewhere) | slowdown (no breakpoint) | floor: C no-op trace | floor: Python no-op trace | never-true condition, per evaluation | spawn to first stop |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.adapter} | ${r.python} | ${r.slowdown.toFixed(2)}x | ${r.slowdownNoBp.toFixed(2)}x | ${r.floorC !== undefined ? `${r.floorC.toFixed(2)}x` : '-'} | ${r.floorPy !== undefined ? `${r.floorPy.toFixed(2)}x` : '-'} | ${r.condUs.toFixed(2)} us | ${r.firstStopMs.toFixed(0)} ms |`),
    '',
    'Targets (issue 3): slowdown <= 1.02x on 3.12+ and <= 2x before; condition <= 2 us; first stop <= 250 ms.',
    '',
    'Notes:',
    '- 3.12+ (sys.monitoring): a function without a breakpoint costs one PY_START callback in the life of the program, then runs untouched. 3.13 reproducibly runs this loop faster under the agent than as `python hot.py` (0.87-0.90x in three runs); not explained yet.',
    '- 3.8-3.11 (sys.settrace): any trace function costs a call into it on every Python call, and the interpreter leaves its fast paths while one is set. `sys.settrace(getattr)` (a C function that returns None) alone slows this loop about 2.4x on 3.8 and 3.5-4.2x on 3.11; pyscope\'s Python hook adds the rest. The 2x target needs a hook that is not a trace function (code patching), not done yet.',
    '- Condition: compiled once, evaluated in the LINE callback / local tracer without further work.',
    '- First stop: absolute times are inflated by the machine\'s load (debugpy measured 0.55-0.80 s on an idle machine of this kind); compare the two adapters within one run.',
    '',
  ];
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'bench', 'results', 'dap.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
