// Makes real core files of the dump test target: a kernel core from a real crash (SIGSEGV or
// SIGABRT, test/fixtures/core/crash.py) and a gcore core of the live, parked target. Each core
// lives in its own temporary folder, removed by `remove()`.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, type Python } from '../support/pythons.js';
import { startDumpTarget, type Truth } from '../support/dump-target.js';
import { optional, requireTool, type SkipOption } from '../support/requirements.js';
import { scaled } from '../support/timeouts.js';

export const CRASH_FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'core', 'crash.py');
const CRASH_LIMIT_MS = scaled(120_000);

export interface MadeCore {
  path: string;
  truth: Truth;
  remove(): void;
}

export type CrashMode = 'segv' | 'abort';

/** Why kernel cores cannot be made here, or undefined when they can. */
export function kernelCoresUnavailable(): string | undefined {
  let pattern: string;
  try {
    pattern = readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim();
  } catch {
    return '/proc/sys/kernel/core_pattern is unreadable';
  }
  // A pipe (systemd-coredump, apport) or an absolute folder takes the core away from the test.
  if (pattern.startsWith('|') || pattern.includes('/')) return `kernel cores go to "${pattern}", not the working directory`;
  // The child raises its soft limit; a hard limit below unlimited cannot be raised without root.
  const hard = spawnSync('sh', ['-c', 'ulimit -H -c'], { encoding: 'utf8' }).stdout.trim();
  if (hard !== 'unlimited') return `the hard core size limit is ${hard || 'unknown'} (ulimit -H -c), kernel cores would be cut or absent`;
  return undefined;
}

export function hasGcore(): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'gcore')));
}

/** node:test options of a test that makes kernel cores: an optional reason, the README lists it. */
export function needsKernelCores(): SkipOption {
  const why = kernelCoresUnavailable();
  return optional('kernelCores', why === undefined, why);
}

/** node:test options of a test that runs gcore (it comes with gdb). */
export function needsGcore(): SkipOption {
  return requireTool('gcore', hasGcore(), '.ci/run installs gdb, which brings it');
}

function run(file: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', timeout: scaled(120_000), maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out: stdout + stderr });
    });
  });
}

/** gcore of a process; the core file's path. */
export async function gcore(pid: number, dir: string): Promise<string> {
  const prefix = join(dir, 'core');
  const r = await run('gcore', ['-o', prefix, String(pid)]);
  const path = `${prefix}.${pid}`;
  if (r.code !== 0 || !existsSync(path)) throw new Error(`gcore ${pid} failed (exit ${r.code}): ${r.out.slice(-500)}`);
  return path;
}

// glibc gives each thread its own 64 MiB malloc arena, which gcore writes out in full: one arena
// keeps a gcore core near 100 MiB instead of 1 GiB. It changes nothing pyscope reads.
const SMALL_CORES = { MALLOC_ARENA_MAX: '1' };

/** The parked dump target, gcore'd, then killed. */
export async function gcoreOfTarget(python: Python): Promise<MadeCore> {
  // startDumpTarget passes this process's environment to the target, and spawns it before its
  // first await: set the variable for exactly that moment.
  const saved = process.env.MALLOC_ARENA_MAX;
  process.env.MALLOC_ARENA_MAX = SMALL_CORES.MALLOC_ARENA_MAX;
  const starting = startDumpTarget(python);
  if (saved === undefined) delete process.env.MALLOC_ARENA_MAX;
  else process.env.MALLOC_ARENA_MAX = saved;
  const target = await starting;
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-gcore-'));
  try {
    const path = await gcore(target.pid, dir);
    return { path, truth: target.truth, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    target.stop();
  }
}

/** Runs crash.py until it kills itself; the kernel writes `core` into its working folder. */
export async function kernelCore(python: Python, mode: CrashMode): Promise<MadeCore & { exitSignal: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-kcore-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const truthPath = join(dir, 'truth.json');
    // The child raises its own core size limit: the test runner's limit is usually 0.
    const child = spawn('sh', ['-c', 'ulimit -c unlimited && exec "$0" "$@"', python.path, CRASH_FIXTURE, mode, truthPath], {
      cwd: dir,
      env: { ...process.env, ...SMALL_CORES, LC_ALL: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), CRASH_LIMIT_MS);
    const exitSignal = await new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
    clearTimeout(timer);
    const name = readdirSync(dir).find((f) => f === 'core' || /^core\.\d+$/.test(f));
    if (!name) throw new Error(`${python.label}: crash.py ended with ${exitSignal} and left no core: ${stderr.trim().slice(-500)}`);
    const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as Truth;
    return { path: join(dir, name), truth, exitSignal, remove };
  } catch (e) {
    remove();
    throw e;
  }
}

/** The line of crash.py marked `# crash-line: NAME`. */
export function crashLine(name: string): number {
  const lines = readFileSync(CRASH_FIXTURE, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`# crash-line: ${name}`));
  if (i < 0) throw new Error(`crash.py has no crash-line ${name}`);
  return i + 1;
}
