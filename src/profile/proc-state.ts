// What /proc says about a process the profiler follows: gone or a zombie, and its children.
import { readFileSync, readdirSync } from 'node:fs';

/** True once the process has exited (a zombie has no memory left to read). */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state === 'Z' || state === 'X' || state === 'x';
  } catch {
    return true;
  }
}

/** Every descendant of a process, found through each task's `children` file (Linux 3.5+). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>([pid]);
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const child of childrenOf(p)) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      for (const s of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) if (s) out.push(Number(s));
    } catch {
      // The task ended while we listed it.
    }
  }
  return out;
}
