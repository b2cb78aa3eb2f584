// Starts test/fixtures/native/blocked.py under one interpreter and hands back the truth it records
// about its blocked threads (see the comment at the top of blocked.py).
import { join } from 'node:path';
import { REPO_ROOT, type Python } from './pythons.js';
import { startTruthTarget, type TruthTarget } from './truth-target.js';

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

export type BlockedTarget = TruthTarget<BlockedTruth>;

/**
 * Starts the target; resolves once it printed "ready" and only the threads its truth lists remain.
 * `env` is added to this process's environment (MALLOC_ARENA_MAX keeps a gcore core small); with
 * coreDumps the target runs with no limit on its core's size.
 */
export function startBlocked(python: Python, env: NodeJS.ProcessEnv = {}, opts: { coreDumps?: boolean } = {}): Promise<BlockedTarget> {
  return startTruthTarget<BlockedTruth>(python, {
    script: BLOCKED,
    folderPrefix: 'pyscope-blocked-',
    readyWord: 'ready',
    threadsOf: (truth) => truth.threads.map((t) => t.native_thread_id),
    env,
    coreDumps: opts.coreDumps,
  });
}
