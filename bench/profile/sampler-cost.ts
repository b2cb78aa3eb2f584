// Benchmark: where one sample's time goes, measured inside one Node process with no timer, so that
// the scheduler of a loaded machine does not count (it shows up as missed ticks in run.ts
// instead). For each build (this one, and another given with --before), on the 20-frame target
// with 0 and with 50 idle threads: CPU per sample (user, system), the time spent in memory reads
// (system calls) and in /proc reads, garbage collection, and the rest (JavaScript), with memory
// and /proc reads per sample; then scavenges (young-generation collections) per 1,000 samples and
// the bytes allocated per sample, the latter from a second run under V8's sampling heap profiler
// (every 128th byte on average, objects collected since included), which slows that run but not
// the first.
//
// Usage: node dist/bench/profile/sampler-cost.js [--before PATH_TO_OTHER_DIST_SRC] [--samples N] [--python LABEL]
//   PATH_TO_OTHER_DIST_SRC is the other build's dist/src folder. Each build is measured in a Node
//   process of its own.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pythons, REPO_ROOT, type Python } from '../../test/support/pythons.js';

const TARGET = join(REPO_ROOT, 'bench', 'profile', 'deep.py');
const THIS_BUILD = join(REPO_ROOT, 'dist', 'src');

interface SamplerLike {
  sample(): unknown;
  close(): void;
  readonly reads: number;
  readonly procReads?: number;
}
type Patchable = Record<string, unknown>;

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

async function startTarget(py: Python, idleThreads: number): Promise<ChildProcess> {
  const child = spawn(py.path, [TARGET, '600', String(idleThreads)], { stdio: ['ignore', 'pipe', 'inherit'] });
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

/** Wraps prototype methods so that the time spent in them adds up in `into.ms`. */
function timeMethods(proto: Patchable, names: string[], into: { ms: number }): void {
  for (const name of names) {
    const original = proto[name];
    if (typeof original !== 'function') continue;
    const f = original as (...args: unknown[]) => unknown;
    let depth = 0;
    proto[name] = function (this: unknown, ...args: unknown[]): unknown {
      if (depth > 0) return f.apply(this, args);
      depth++;
      const t = performance.now();
      try {
        return f.apply(this, args);
      } finally {
        into.ms += performance.now() - t;
        depth--;
      }
    };
  }
}

async function measure(build: string, pid: number, samples: number): Promise<string> {
  const imp = async (rel: string): Promise<Patchable> => (await import(pathToFileURL(join(build, rel)).href)) as Patchable;
  const { Sampler } = (await imp('profile/sampler.js')) as { Sampler: new (pid: number, opts: object) => SamplerLike };
  const live = (await imp('memory/live.js')) as { LiveProcessMemory: { prototype: Patchable } };
  const proc = (await imp('memory/proc.js')) as { ThreadStatusReader: { prototype: Patchable } };
  const memory = { ms: 0 };
  const procfs = { ms: 0 };
  timeMethods(live.LiveProcessMemory.prototype, ['readScatter', 'readInto', 'read'], memory);
  timeMethods(proc.ThreadStatusReader.prototype, ['status'], procfs);
  const s = new Sampler(pid, { activeOnly: true, names: true });
  for (let i = 0; i < 300; i++) s.sample();
  let gc = 0;
  let scavenges = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc += e.duration;
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  memory.ms = 0;
  procfs.ms = 0;
  const reads0 = s.reads;
  const proc0 = s.procReads ?? 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < samples; i++) s.sample();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  const us = (ms: number): string => ((ms * 1000) / samples).toFixed(1);
  const js = wall - memory.ms - procfs.ms - gc;
  const procReads = s.procReads === undefined ? '≈ threads' : ((s.procReads - proc0) / samples).toFixed(2);
  const reads = s.reads - reads0;
  const inMemory = us(memory.ms);
  const inProc = us(procfs.ms);
  const allocated = await allocatedPerSample(() => s.sample(), samples);
  s.close();
  return `${us(wall)} µs | ${(cpu.user / samples).toFixed(1)} µs | ${(cpu.system / samples).toFixed(1)} µs | ${inMemory} µs | ${inProc} µs | ${us(gc)} µs | ${us(js)} µs | ${(reads / samples).toFixed(2)} | ${procReads} | ${((scavenges * 1000) / samples).toFixed(1)} | ${Math.round(allocated).toLocaleString('en-US')} B`;
}

interface HeapNode {
  selfSize: number;
  children: HeapNode[];
}

/** Bytes allocated per call of `take`, from V8's sampling heap profiler over `n` calls. */
async function allocatedPerSample(take: () => void, n: number): Promise<number> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params: object = {}): Promise<T> =>
    new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r as T))));
  try {
    await post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    for (let i = 0; i < n; i++) take();
    const { profile } = await post<{ profile: { head: HeapNode } }>('HeapProfiler.stopSampling');
    const total = (node: HeapNode): number => node.children.reduce((sum, c) => sum + total(c), node.selfSize);
    return total(profile.head) / n;
  } finally {
    session.disconnect();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      before: { type: 'string' },
      samples: { type: 'string', default: '3000' },
      python: { type: 'string', default: 'pyenv-3.12.1' },
      // Internal: measure one build against a running target, in a process of its own.
      measure: { type: 'string' },
      pid: { type: 'string' },
    },
  });
  const samples = Number(values.samples);
  if (values.measure !== undefined) {
    process.stdout.write(await measure(values.measure, Number(values.pid), samples));
    return;
  }
  const py = pythons().find((p) => p.label === values.python && !p.missing);
  if (!py) throw new Error(`${values.python} is not available`);
  const builds: [string, string][] = [...(values.before ? ([['pyscope (before)', values.before]] as [string, string][]) : []), ['pyscope', THIS_BUILD]];
  process.stdout.write(`Sampler cost in-process, ${samples} samples back to back, ${py.label}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n\n`);
  process.stdout.write('| build | idle threads | wall per sample | user CPU | system CPU | in memory reads | in /proc reads | in GC | rest (JavaScript) | memory reads per sample | /proc reads per sample | scavenges per 1,000 samples | allocated per sample |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n');
  for (const idle of [0, 50]) {
    const target = await startTarget(py, idle);
    // Each build in a Node process of its own: two builds in one would share koffi, which refuses
    // the second's definitions of the same C types (its scatter reads then fell back to preads).
    for (const [label, build] of builds) {
      const row = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', build, '--pid', String(target.pid), '--samples', String(samples)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      process.stdout.write(`| ${label} | ${idle} | ${row} |\n`);
    }
    target.kill('SIGKILL');
  }
  process.stdout.write(`\nLoad average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
