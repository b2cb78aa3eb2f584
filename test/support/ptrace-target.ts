// Starts test/fixtures/ptrace/threads.py under one interpreter and talks to it: the kernel ids of
// its threads, commands on stdin answered on stdout (so a test sees that it still runs), and what
// the kernel says of its threads (state letter, tracer).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { watch, type WatchedChild } from './child.js';
import { REPO_ROOT } from './pythons.js';
import { until } from './wait.js';

export const PTRACE_TARGET = join(REPO_ROOT, 'test', 'fixtures', 'ptrace', 'threads.py');

export type ThreadRole = 'main' | 'sleep' | 'lock' | 'read' | 'spin' | 'waiting';

export class PtraceTarget {
  readonly pid: number;
  private constructor(
    readonly child: ChildProcess,
    readonly watched: WatchedChild,
    readonly threads: Record<ThreadRole, number>,
  ) {
    this.pid = child.pid!;
  }

  static async start(python: string): Promise<PtraceTarget> {
    const child = spawn(python, [PTRACE_TARGET], { stdio: ['pipe', 'pipe', 'pipe'] });
    const watched = watch(child, `ptrace target (${python})`);
    const m = await watched.waitFor(/^(\{.*\})\nready\n/m, { step: 'the ptrace target to name its threads' });
    const info = JSON.parse(m[1]!) as { threads: Record<ThreadRole, number> };
    return new PtraceTarget(child, watched, info.threads);
  }

  /** Sends a command and resolves with its answer line, failing if none comes within the limit. */
  async ask(command: string, answer: RegExp): Promise<string> {
    const mark = this.watched.stdout.length;
    this.child.stdin!.write(`${command}\n`);
    return until(() => answer.exec(this.watched.stdout.slice(mark))?.[0], {
      step: `the ptrace target to answer "${command}"`,
      diagnose: () => `${this.watched.diagnosis()}\nstates: ${JSON.stringify(this.states())}`,
    });
  }

  /** Kernel thread ids of the process now. */
  tasks(): number[] {
    try {
      return readdirSync(`/proc/${this.pid}/task`).map(Number).sort((a, b) => a - b);
    } catch {
      return [];
    }
  }

  /** Each thread's state letter and TracerPid, as /proc shows them. */
  states(): { tid: number; state: string; tracer: number }[] {
    return this.tasks().flatMap((tid) => {
      try {
        const stat = readFileSync(`/proc/${this.pid}/task/${tid}/stat`, 'latin1');
        const status = readFileSync(`/proc/${this.pid}/task/${tid}/status`, 'latin1');
        return [{ tid, state: stat.charAt(stat.lastIndexOf(')') + 2), tracer: Number(/^TracerPid:\s*(\d+)/m.exec(status)?.[1]) }];
      } catch {
        return []; // ended while listed
      }
    });
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
