// Starts a fixture that records the truth about its own threads in a JSON file, then parks them
// (test/fixtures/dump/target.py, test/fixtures/native/blocked.py), and hands back that truth once
// the target is in the state it describes: the truth written and only the threads it lists alive.
import { taskIds } from '../../src/memory/proc.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Python } from './pythons.js';
import { scaled } from './timeouts.js';

/** How long a target lives by itself if nobody kills it (the after hooks normally do). */
const LIFETIME_SECONDS = 900;
const STARTUP_LIMIT_MS = scaled(120_000);

export interface TruthTargetSpec<T> {
  /** The fixture, run as `python SCRIPT TRUTH_PATH LIFETIME_SECONDS`. */
  script: string;
  /** Prefix of the target's own temporary folder, its working directory. */
  folderPrefix: string;
  /** The native thread ids the truth lists: the target is ready when exactly these remain. */
  threadsOf(truth: T): number[];
  /** A word the target prints on stdout once parked, if it prints one. */
  readyWord?: string;
  /** Added to this process's environment (MALLOC_ARENA_MAX keeps a gcore core small). */
  env?: NodeJS.ProcessEnv;
  /** Runs the target through a shell that raises its core size limit, then execs it (same pid). */
  coreDumps?: boolean;
}

export interface TruthTarget<T> {
  python: Python;
  pid: number;
  truth: T;
  /** The target's own folder (its working directory, where the kernel writes its core). */
  dir: string;
  /** Resolves with how the target ended. */
  ended: Promise<string>;
  /** Kills the target and removes its folder; safe to call twice. */
  stop(): void;
}

const sortedTasks = (pid: number): string => taskIds(pid).sort((a, b) => a - b).join();

export async function startTruthTarget<T>(python: Python, spec: TruthTargetSpec<T>): Promise<TruthTarget<T>> {
  const dir = mkdtempSync(join(tmpdir(), spec.folderPrefix));
  const truthPath = join(dir, 'truth.json');
  let stdout = '';
  let stderr = '';
  let exited: string | undefined;
  // The sid wrappers exec their loader, which runs python in the same process: the pid is python's.
  const [file, args] = spec.coreDumps
    ? ['sh', ['-c', 'ulimit -c unlimited && exec "$0" "$@"', python.path, spec.script, truthPath, String(LIFETIME_SECONDS)]]
    : [python.path, [spec.script, truthPath, String(LIFETIME_SECONDS)]];
  // A UTF-8 locale lets 3.6 write the dump target's module whose file name is not ASCII.
  const child = spawn(file, args, {
    cwd: dir,
    env: { ...process.env, ...spec.env, LC_ALL: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const ended = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = `exited (code ${code}, signal ${signal})`;
      resolve(exited);
    }),
  );
  const stop = (): void => {
    if (exited === undefined) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const name = spec.script.split('/').pop();
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${python.label}: could not start ${python.path}`);
    const deadline = Date.now() + STARTUP_LIMIT_MS;
    let truth: T | undefined;
    for (;;) {
      if (exited !== undefined) throw new Error(`${python.label}: ${name} ${exited} before it was ready: ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`${python.label}: ${name} was not ready within ${STARTUP_LIMIT_MS} ms: ${stderr.trim()}`);
      const printed = spec.readyWord === undefined || stdout.includes(spec.readyWord);
      if (!truth && printed && existsSync(truthPath)) truth = JSON.parse(readFileSync(truthPath, 'utf8')) as T;
      // The thread that wrote the truth is about to exit: wait until it has.
      if (truth && sortedTasks(pid) === [...spec.threadsOf(truth)].sort((a, b) => a - b).join()) return { python, pid, truth, dir, ended, stop };
      await sleep(25);
    }
  } catch (e) {
    stop();
    throw e;
  }
}
