// Benchmark of the debugger in Pyodide, run as `node dist/bench/pyodide/run.js`.
// Writes bench/results/pyodide.md. Figures:
//  1. slowdown of 2M calls of a small function with a breakpoint in an unrelated function, under
//     `pyscope dap` with runtime "pyodide", against the same program in plain Pyodide (both in a
//     Node worker_thread);
//  2. time from the launch request to the first `stopped` event, next to the time plain Pyodide
//     takes to load (most of it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { REPO_ROOT } from '../../test/support/pythons.js';
import { DapClient } from '../../test/dap/client.js';
import { scaled } from '../../test/support/timeouts.js';

/** A measured run's limit: far above any run's length, it only turns a hang into a failure. */
const BENCH_RUN_LIMIT_MS = scaled(600_000);

const HOT = join(REPO_ROOT, 'bench', 'pyodide', 'hot.py');
const FIRST = join(REPO_ROOT, 'bench', 'dap', 'first.py');
const CALLS = 2_000_000;
const REPEAT = 3;
const LINE_UNRELATED = 6;

const elapsedOf = (out: string): number => Number(/elapsed ([\d.]+)/.exec(out)![1]);

function plain(): Promise<{ elapsed: number; loadMs: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./plainWorker.js', import.meta.url), { workerData: { script: HOT, args: [String(CALLS)] } });
    w.once('message', (m: { out: string; loadMs: number }) => {
      void w.terminate();
      resolve({ elapsed: elapsedOf(m.out), loadMs: m.loadMs });
    });
    w.once('error', reject);
  });
}

async function debugged(): Promise<number> {
  const c = new DapClient();
  try {
    await c.request('initialize', { adapterID: 'bench' });
    const launched = c.raw('launch', { program: HOT, args: [String(CALLS)], runtime: 'pyodide' });
    await c.waitFor('initialized');
    await launched;
    await c.request('setBreakpoints', { source: { path: HOT }, breakpoints: [{ line: LINE_UNRELATED }] });
    await c.request('configurationDone');
    await c.waitFor('terminated', undefined, { step: 'the debugged run to end', timeoutMs: BENCH_RUN_LIMIT_MS });
    return elapsedOf(c.output('stdout'));
  } finally {
    await c.close();
  }
}

async function firstStop(): Promise<number> {
  const c = new DapClient();
  try {
    await c.request('initialize', { adapterID: 'bench' });
    const t0 = performance.now();
    const launched = c.raw('launch', { program: FIRST, runtime: 'pyodide' });
    await c.waitFor('initialized');
    await launched;
    await c.request('setBreakpoints', { source: { path: FIRST }, breakpoints: [{ line: 2 }] });
    await c.request('configurationDone');
    await c.waitFor('stopped');
    return performance.now() - t0;
  } finally {
    await c.close();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const loadStart = loadavg()[0]!.toFixed(1);
const plainTimes: number[] = [];
const loads: number[] = [];
const dbgTimes: number[] = [];
const firsts: number[] = [];
for (let r = 0; r < REPEAT; r++) {
  const p = await plain();
  plainTimes.push(p.elapsed);
  loads.push(p.loadMs);
  dbgTimes.push(await debugged());
  firsts.push(await firstStop());
  process.stderr.write(`round ${r + 1}: plain ${p.elapsed.toFixed(3)} s, debugged ${dbgTimes[r]!.toFixed(3)} s, first stop ${firsts[r]!.toFixed(0)} ms, load ${p.loadMs.toFixed(0)} ms\n`);
}
const best = (xs: number[]): number => Math.min(...xs);
const slowdown = best(dbgTimes) / best(plainTimes);
const text = [
  '## Debugging in WebAssembly (`runtime: "pyodide"`)',
  '',
  `Measured by \`node dist/bench/pyodide/run.js\` on ${new Date().toISOString().slice(0, 10)} (${process.platform}, Node ${process.version}, Pyodide 314 = CPython 3.14.2 on wasm32; ${cpus().length} cores, load average ${loadStart} at the start and ${loadavg()[0]!.toFixed(1)} at the end: the machine is shared).`,
  `Slowdown: ${CALLS.toLocaleString('en')} calls of a small function (bench/pyodide/hot.py), a breakpoint in an unrelated function of the same file, the loop's wall time measured inside the program, best of ${REPEAT} interleaved rounds, against the same program in plain Pyodide in a worker_thread.`,
  'First stop: from the `launch` request to the first `stopped` event (breakpoint on line 2 of a 3-line program), which includes starting a worker and loading Pyodide; median of 3, next to the median time plain Pyodide takes to load in a worker.',
  '',
  '| plain Pyodide loop | debugged loop | slowdown (bp elsewhere) | launch to first stop | of which loading Pyodide (plain) |',
  '|---:|---:|---:|---:|---:|',
  `| ${best(plainTimes).toFixed(3)} s | ${best(dbgTimes).toFixed(3)} s | ${slowdown.toFixed(2)}x | ${median(firsts).toFixed(0)} ms | ${median(loads).toFixed(0)} ms |`,
  '',
  'Target (issue 7): slowdown <= 1.1x. Every round: ' +
    plainTimes.map((p, i) => `${p.toFixed(3)}/${dbgTimes[i]!.toFixed(3)} s`).join(', ') +
    ' (plain/debugged); first stops ' + firsts.map((f) => `${f.toFixed(0)} ms`).join(', ') + '.',
  '',
  'Notes:',
  "- The agent is the native one (sys.monitoring on 3.14): a function without a breakpoint costs one PY_START callback in the life of the program, then runs untouched; the rest of the gap is noise of a shared machine.",
  '- Nothing polls while the program runs: commands arrive through a shared-memory mailbox and Pyodide\'s interrupt buffer (a SIGINT handler reads them), so an idle debugger costs the loop nothing.',
  '',
].join('\n');
mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(REPO_ROOT, 'bench', 'results', 'pyodide.md'), text);
process.stdout.write(text);
