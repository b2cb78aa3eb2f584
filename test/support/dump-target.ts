// Starts test/fixtures/dump/target.py under one interpreter and hands back the truth it records
// about its own parked threads (see the comment at the top of target.py).
import { join } from 'node:path';
import { REPO_ROOT, type Python } from './pythons.js';
import { startTruthTarget, type TruthTarget } from './truth-target.js';

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

export type DumpTarget = TruthTarget<Truth>;

/** Starts the target and resolves once its truth is written and only the threads it lists remain. */
export function startDumpTarget(python: Python): Promise<DumpTarget> {
  return startTruthTarget<Truth>(python, {
    script: DUMP_TARGET,
    folderPrefix: 'pyscope-dump-',
    threadsOf: (truth) => truth.threads.map((t) => t.native_thread_id),
  });
}
