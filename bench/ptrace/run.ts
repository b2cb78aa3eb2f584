// Benchmark: what a live native capture costs (memory/ptrace.ts). How long koffi takes to load
// and bind libc (paid once by `dump --native`, never by a plain dump); how long each thread of a
// 4-thread Python process is held (PTRACE_SEIZE to PTRACE_DETACH) with up to 256 KiB of stack
// copied; and one capture of all its threads. Writes bench/results/ptrace.md.
//
// Usage: node dist/bench/ptrace/run.js [CAPTURES] [LABEL]   (default: 300 captures, pyenv-3.12.1)
import { spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg, release } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureThreads, DEFAULT_STACK_BYTES } from '../../src/memory/ptrace.js';
import { pythons, REPO_ROOT } from '../../test/support/pythons.js';
import { watch } from '../../test/support/child.js';

const RESULTS = join(REPO_ROOT, 'bench', 'results', 'ptrace.md');
const LOADS = 15;
const WARMUP = 10;

// Four threads: main asleep, one blocked on a lock under 600 levels of C recursion (map() calls
// the function again from C), so that its copy is the full 256 KiB, one blocked reading a pipe, one
// spinning in Python code.
const TARGET = `
import os, sys, threading, time
sys.setrecursionlimit(100000)
lock = threading.Lock(); lock.acquire()
r, w = os.pipe()
ids = {}
def tid(): import ctypes; return ctypes.CDLL(None).syscall(186)
def deep(n):
    if n: return list(map(deep, [n - 1]))
    ids['deep lock'] = tid(); lock.acquire()
def reader(): ids['read'] = tid(); os.read(r, 1)
def spin():
    ids['spin'] = tid()
    while True: pass
for f, a in ((deep, (600,)), (reader, ()), (spin, ())):
    threading.Thread(target=f, args=a, daemon=True).start()
ids['main (sleep)'] = tid()
while len(ids) < 4: time.sleep(0.01)
print(' '.join('%s=%d' % (k.replace(' ', '_'), v) for k, v in ids.items()), flush=True)
time.sleep(3600)
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** koffi's load and libc binding in a fresh Node each time, as the CLI meets it. */
function koffiLoads(): number[] {
  const module = join(REPO_ROOT, 'dist', 'src', 'memory', 'ptrace-libc.js');
  const script = `import(${JSON.stringify(module)}).then((m) => { m.libc(); console.log(m.libcLoadMs); })`;
  const out: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`loading koffi failed: ${r.stderr}`);
    out.push(Number(r.stdout.trim()));
  }
  return out;
}

function cpuModel(): string {
  const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return m?.[1] ?? cpus()[0]?.model ?? 'unknown';
}

async function main(): Promise<void> {
  const [capturesArg, label] = process.argv.slice(2);
  const captures = capturesArg ? Number(capturesArg) : 300;
  if (!Number.isInteger(captures) || captures < 1) throw new Error(`bad capture count: ${capturesArg}`);
  const python = pythons().find((p) => p.label === (label ?? 'pyenv-3.12.1') && !p.missing) ?? pythons().find((p) => !p.missing && p.version[0] === 3);
  if (!python) throw new Error('no Python 3 of the matrix is present');
  const load = loadavg();
  const loads = koffiLoads();
  const child = spawn(python.path, ['-c', TARGET], { stdio: ['ignore', 'pipe', 'inherit'] });
  const target = watch(child, 'bench target');
  try {
    const line = (await target.waitFor(/^(\S+=\d+ ?)+$/m))[0];
    const roles = new Map(line.split(' ').map((kv) => [Number(kv.split('=')[1]), kv.split('=')[0]!.replace(/_/g, ' ')] as [number, string]));
    const tids = [...roles.keys()];
    const held = new Map<number, number[]>(tids.map((t) => [t, []]));
    const bytes = new Map<number, number>();
    const whole: number[] = [];
    for (let i = 0; i < WARMUP + captures; i++) {
      const start = performance.now();
      const r = captureThreads(child.pid!, tids, { stackBytes: DEFAULT_STACK_BYTES });
      const ms = performance.now() - start;
      if (i < WARMUP) continue;
      whole.push(ms);
      for (const [tid, c] of r) {
        if (c instanceof Error) throw new Error(`thread ${tid}: ${c.message}`);
        held.get(tid)!.push(c.heldMs);
        bytes.set(tid, c.stack.bytes.length);
      }
    }
    const all = [...held.values()].flat();
    const f = (x: number): string => x.toFixed(3);
    const lines = [
      '# Live native capture: threads held by ptrace',
      '',
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`node dist/bench/ptrace/run.js\`` +
        ` on ${cpuModel()}, ${cpus().length} cores, Linux ${release()}, Node ${process.version}, koffi ${JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'koffi', 'package.json'), 'utf8')).version as string}, ${python.label}.` +
        ` Load average when the run began: ${load.map((x) => x.toFixed(2)).join(' ')} (the machine is shared).`,
      '',
      `Loading koffi and binding ptrace, waitpid and process_vm_readv (once per \`--native\` run, never for a plain dump), in a fresh Node, ${LOADS} runs: median ${loads.length ? median(loads).toFixed(1) : 'n/a'} ms, max ${Math.max(...loads).toFixed(1)} ms.`,
      '',
      `${captures} captures of every thread of a 4-thread process (after ${WARMUP} warm-up captures), each thread stopped in turn` +
        ` with up to ${DEFAULT_STACK_BYTES / 1024} KiB of stack copied above sp (the copy ends at the top of the stack mapping).` +
        ' Held: from PTRACE_SEIZE to PTRACE_DETACH of one thread, the longest it can have been stopped.',
      '',
      '| thread | stack copied | held, median | p99 | max |',
      '|---|---:|---:|---:|---:|',
      ...tids.map((t) => {
        const xs = held.get(t)!;
        return `| ${roles.get(t)} | ${((bytes.get(t) ?? 0) / 1024).toFixed(1)} KiB | ${f(median(xs))} ms | ${f(percentile(xs, 99))} ms | ${f(Math.max(...xs))} ms |`;
      }),
      `| all threads | | ${f(median(all))} ms | ${f(percentile(all, 99))} ms | ${f(Math.max(...all))} ms |`,
      '',
      `One capture of all 4 threads (captureThreads, maps read included): median ${f(median(whole))} ms, p99 ${f(percentile(whole, 99))} ms, max ${f(Math.max(...whole))} ms.`,
      '',
    ];
    mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(RESULTS, lines.join('\n'));
    process.stdout.write(lines.join('\n'));
  } finally {
    child.kill('SIGKILL');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
