// What keeps the main thread of a process from running Python code, read from outside, for the
// line an attach prints while it waits ("waiting for the main thread to run Python code: it is
// blocked in ..."): the system call it sleeps in, as /proc/PID/task/PID/syscall names it, and its
// innermost Python frame, read as `dump` reads it. Only reads; never fails (a process that cannot
// be read gets a plainer line).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { openLiveProcess } from '../process.js';
import { snapshot } from '../snapshot.js';

/** x86-64 numbers of the system calls a blocked Python thread is usually found in. */
const SYSCALL_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'read'],
  [7, 'poll'],
  [23, 'select'],
  [35, 'nanosleep'],
  [43, 'accept'],
  [45, 'recvfrom'],
  [47, 'recvmsg'],
  [61, 'wait4'],
  [202, 'futex'],
  [230, 'clock_nanosleep'],
  [232, 'epoll_wait'],
  [247, 'waitid'],
  [270, 'pselect6'],
  [271, 'ppoll'],
  [281, 'epoll_pwait'],
  [288, 'accept4'],
]);

/** What the kernel says the thread does: 'in the system call futex (a lock or a wait)', 'running C code'. */
function kernelSide(pid: number): string | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/task/${pid}/syscall`, 'latin1').trim();
  } catch {
    return undefined;
  }
  if (text === 'running') return 'running C code';
  const nr = Number(text.split(' ')[0]);
  if (!Number.isInteger(nr) || nr < 0) return undefined;
  const name = SYSCALL_NAMES.get(nr) ?? `number ${nr}`;
  const what = nr === 202 ? ' (a lock, a join or a condition)' : nr === 35 || nr === 230 ? ' (a sleep)' : '';
  return `the system call ${name}${what}`;
}

/** The main thread's innermost Python frame as `function (file.py:line)`, when it can be read. */
function pythonSide(pid: number): string | undefined {
  try {
    const p = openLiveProcess(pid);
    try {
      const threads = snapshot(p, {});
      const main = threads.find((t) => t.nativeThreadId === pid) ?? threads[threads.length - 1];
      const top = main?.frames[0];
      if (!top) return undefined;
      const name = top.code.qualname || top.code.name;
      return `${name} (${basename(top.code.filename)}:${top.line ?? '?'})`;
    } finally {
      p.memory.close();
    }
  } catch {
    return undefined;
  }
}

/** One line's end: "blocked in the system call clock_nanosleep (a sleep), called from main (app.py:3)". */
export function describeMainThreadWait(pid: number): string {
  const kernel = kernelSide(pid);
  const python = pythonSide(pid);
  const where = kernel === 'running C code' ? 'running C code' : `blocked in ${kernel ?? 'a C call'}`;
  return python ? `${where}, called from ${python}` : where;
}
