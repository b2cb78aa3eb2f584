// Starts test/fixtures/dump/target.py under one interpreter and hands back the truth it records
// about its own parked threads (see the comment at the top of target.py).
import { taskIds } from '../../src/memory/proc.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Python } from './pythons.js';
import { REPO_ROOT } from './pythons.js';
import { scaled } from './timeouts.js';

export const DUMP_TARGET = join(REPO_ROOT, 'test', 'fixtures', 'dump', 'target.py');

/** One local as the target saw it: `value` is what pyscope must print, null when left to pyscope. */
export interface TruthLocal {
  name: string;
  kind: 'argument' | 'local' | 'cell' | 'free' | 'unknown';
  type: string;
  value: string | null;
  /** The text of an ASCII string on 2.7, where str vs unicode rendering is pyscope's choice. */
  text?: string;
}

export interface TruthFrame {
  function: string;
  qualname: string | null;
  file: string;
  line: number;
  first_line: number;
  /** Null for frames whose locals the target does not vouch for (stdlib, module level). */
  locals: TruthLocal[] | null;
}

export interface TruthThread {
  thread_id: number;
  native_thread_id: number;
  name: string | null;
  frames: TruthFrame[];
}

export interface Truth {
  pid: number;
  version: string;
  version_info: [number, number, number];
  binary: string;
  argv: string[];
  features: { unicode: boolean };
  threads: TruthThread[];
}

export interface DumpTarget {
  python: Python;
  pid: number;
  truth: Truth;
  /** Kills the target and removes its folder; safe to call twice. */
  stop(): void;
}

/** How long the target lives by itself if nobody kills it (the after hooks normally do). */
const LIFETIME_SECONDS = 900;
const STARTUP_LIMIT_MS = scaled(120_000);

/** The target's thread ids in order (the reader's own /proc helper). */
const tasks = (pid: number): number[] => taskIds(pid).sort((a, b) => a - b);

function sameNumbers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Starts the target and resolves once its truth is written and only the threads it lists remain. */
export async function startDumpTarget(python: Python): Promise<DumpTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-dump-'));
  const truthPath = join(dir, 'truth.json');
  let stderr = '';
  let exited: string | undefined;
  // A UTF-8 locale lets 3.6 write the module whose file name is not ASCII.
  const child: ChildProcess = spawn(python.path, [DUMP_TARGET, truthPath, String(LIFETIME_SECONDS)], {
    cwd: dir,
    env: { ...process.env, LC_ALL: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.on('exit', (code, signal) => (exited = `exited (code ${code}, signal ${signal})`));
  const stop = (): void => {
    if (exited === undefined) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${python.label}: could not start ${python.path}`);
    const deadline = Date.now() + STARTUP_LIMIT_MS;
    let truth: Truth | undefined;
    for (;;) {
      if (exited !== undefined) throw new Error(`${python.label}: target ${exited} before parking: ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`${python.label}: target did not park within ${STARTUP_LIMIT_MS} ms: ${stderr.trim()}`);
      if (!truth && existsSync(truthPath)) truth = JSON.parse(readFileSync(truthPath, 'utf8')) as Truth;
      // The thread that wrote the truth is about to exit: wait until it has.
      if (truth && sameNumbers(tasks(pid), truth.threads.map((t) => t.native_thread_id).sort((a, b) => a - b))) break;
      await sleep(25);
    }
    return { python, pid, truth, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
