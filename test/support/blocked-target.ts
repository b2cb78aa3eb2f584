// Starts test/fixtures/native/blocked.py under one interpreter and hands back the truth it records
// about its blocked threads (see the comment at the top of blocked.py).
import { taskIds } from '../../src/memory/proc.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT, type Python } from './pythons.js';
import { scaled } from './timeouts.js';

export const BLOCKED = join(REPO_ROOT, 'test', 'fixtures', 'native', 'blocked.py');

export type Role = 'sleep' | 'lock' | 'pipe' | 'qsort' | 'sorted';

export interface BlockedFrame {
  function: string;
  qualname: string | null;
  file: string;
  line: number;
  first_line: number;
}

export interface BlockedThread {
  role: Role;
  thread_id: number;
  native_thread_id: number;
  frames: BlockedFrame[];
}

export interface BlockedTruth {
  pid: number;
  version_info: [number, number, number];
  threads: BlockedThread[];
}

export interface BlockedTarget {
  python: Python;
  pid: number;
  truth: BlockedTruth;
  /** The target's own folder (its working directory, where the kernel writes its core). */
  dir: string;
  /** Resolves with how the target ended. */
  ended: Promise<string>;
  /** Kills the target and removes its folder; safe to call twice. */
  stop(): void;
}

const LIFETIME_SECONDS = 900;
const STARTUP_LIMIT_MS = scaled(120_000);

/** The target's thread ids in order (the reader's own /proc helper). */
const tasks = (pid: number): number[] => taskIds(pid).sort((a, b) => a - b);

/**
 * Starts the target; resolves once it printed "ready" and only the threads its truth lists remain.
 * `env` is added to this process's environment (MALLOC_ARENA_MAX keeps a gcore core small).
 */
export async function startBlocked(python: Python, env: NodeJS.ProcessEnv = {}, opts: { coreDumps?: boolean } = {}): Promise<BlockedTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-blocked-'));
  const truthPath = join(dir, 'truth.json');
  let stdout = '';
  let stderr = '';
  let exited: string | undefined;
  // The sid wrappers exec their loader, which runs python in the same process: the pid is python's.
  // With coreDumps the shell raises its core size limit and execs python in its place (same pid).
  const [file, args] = opts.coreDumps
    ? ['sh', ['-c', 'ulimit -c unlimited && exec "$0" "$@"', python.path, BLOCKED, truthPath, String(LIFETIME_SECONDS)]]
    : [python.path, [BLOCKED, truthPath, String(LIFETIME_SECONDS)]];
  const child = spawn(file, args, {
    cwd: dir,
    env: { ...process.env, ...env, LC_ALL: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' },
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
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${python.label}: could not start ${python.path}`);
    const deadline = Date.now() + STARTUP_LIMIT_MS;
    let truth: BlockedTruth | undefined;
    for (;;) {
      if (exited !== undefined) throw new Error(`${python.label}: blocked.py ${exited} before it was ready: ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`${python.label}: blocked.py was not ready within ${STARTUP_LIMIT_MS} ms: ${stderr.trim()}`);
      if (!truth && stdout.includes('ready') && existsSync(truthPath)) truth = JSON.parse(readFileSync(truthPath, 'utf8')) as BlockedTruth;
      // The reporter thread that wrote the truth is about to exit: wait until it has.
      const want = truth?.threads.map((t) => t.native_thread_id).sort((a, b) => a - b);
      if (want && tasks(pid).join() === want.join()) break;
      await sleep(25);
    }
    return { python, pid, truth: truth!, dir, ended, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
