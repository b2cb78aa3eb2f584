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
/** The threads that block for good once started, in calls whose registers do not change. */
export type BlockedRole = 'main' | 'sleep' | 'lock' | 'read';
export const BLOCKED_ROLES: readonly BlockedRole[] = ['main', 'sleep', 'lock', 'read'];

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
    const target = new PtraceTarget(child, watched, info.threads);
    // "ready" is printed before the threads reach their blocking calls: the main thread still has to
    // flush and call read, the others may still wait for the GIL. Tests compare registers taken at
    // different moments, so they start only once each blocked thread sits in its own system call.
    await until(() => BLOCKED_ROLES.every((role) => target.inBlockingCall(role)), {
      step: 'the ptrace target\'s threads to block in their system calls',
      diagnose: () => BLOCKED_ROLES.map((role) => `${role}: ${target.syscallLine(target.threads[role])}`).join('\n'),
    });
    return target;
  }

  /** /proc's line for the system call a thread is in ("NR ARG0..ARG5 SP PC"), or "running". */
  syscallLine(tid: number): string {
    try {
      return readFileSync(`/proc/${this.pid}/task/${tid}/syscall`, 'latin1').trim();
    } catch {
      return 'gone';
    }
  }

  /** Whether a blocked thread is in the call it blocks in for good (x86-64 system call numbers). */
  inBlockingCall(role: BlockedRole): boolean {
    const [nr, ...args] = this.syscallLine(this.threads[role]).split(' ');
    switch (role) {
      case 'main': // read(0, ...): the command loop on stdin
        return nr === '0' && args[0] === '0x0';
      case 'read': // os.read on the pipe
        return nr === '0' && args[0] !== '0x0';
      case 'sleep': // select (2.7, 3.6-3.10), nanosleep, clock_nanosleep (3.11+), pselect6
        return ['23', '35', '230', '270'].includes(nr ?? '');
      case 'lock': // futex without a timeout; the GIL's wait has one
        return nr === '202' && args[3] === '0x0';
    }
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
