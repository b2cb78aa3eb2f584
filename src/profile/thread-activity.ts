// Whether a sampled thread counts as active, from what it is doing rather than from one reading of
// the kernel's run state. A thread blocked in select, a condition variable or a socket sleeps (S)
// nearly always, but each time it is woken (data arrived, a timeout, the GIL's 5 ms drop request)
// it is runnable (R) for a moment while it returns to Python and waits for the GIL; on a busy server
// those moments add up to several percent of the samples, all in functions that only wait.
//
// /proc/PID/task/TID/syscall cannot refine an R reading: the kernel reports "running" for every
// runnable thread, even one still inside the system call it was woken in, so a sleeping thread is
// the only one it names a system call for, and those are idle already. What refines it is the
// innermost Python frame, read anyway for the sample: a thread whose innermost frame is one of the
// standard library's thin wrappers around a blocking call is waiting, whatever the kernel says at
// that instant. A thread the interpreter itself records as waiting for the GIL (3.15+, or read
// from its native stack under --native) is idle too.
import type { CodeInfo } from '../cpython/model/code.js';
import type { ThreadSnapshot } from '../cpython/snapshot.js';

/**
 * Standard-library functions whose own code does nothing but wait in a blocking C call: module file
 * name (the last path component) to function names. Kept to wrappers that cannot run long in
 * Python between waits, so that a thread doing real work is never counted idle by this list.
 */
const WAITING: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  // BaseSelector.select: epoll/poll/select/kqueue/devpoll, the heart of socketserver, asyncio and http.server
  ['selectors.py', new Set(['select'])],
  // Condition.wait (Event.wait, Queue.get, Semaphore.acquire wait in it), Thread.join
  ['threading.py', new Set(['wait', '_wait_for_tstate_lock', 'join'])],
  ['socket.py', new Set(['accept', 'readinto'])],
  ['subprocess.py', new Set(['_try_wait', '_wait'])],
  ['connection.py', new Set(['_recv', '_poll'])],
]);

/** The function's own name, without its class or enclosing functions (`Condition.wait` -> `wait`). */
function bareName(qualname: string): string {
  const dot = qualname.lastIndexOf('.');
  return dot < 0 ? qualname : qualname.slice(dot + 1);
}

function fileName(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash < 0 ? path : path.slice(slash + 1);
}

/** The answer for each code object seen innermost, found once (names are sliced to find it). */
const waits = new WeakMap<CodeInfo, boolean>();

/** The innermost frame is a standard-library wrapper that only waits in a blocking call. */
export function inWaitingCall(t: Pick<ThreadSnapshot, 'frames'>): boolean {
  const top = t.frames[0];
  if (!top) return false;
  let waiting = waits.get(top.code);
  if (waiting === undefined) {
    const names = WAITING.get(fileName(top.code.filename));
    waiting = names !== undefined && names.has(bareName(top.code.qualname || top.code.name));
    waits.set(top.code, waiting);
  }
  return waiting;
}

/** Active: the kernel says it runs, it is not waiting for the GIL, and its innermost frame is not a wait. */
export function isActive(t: Pick<ThreadSnapshot, 'status' | 'gilState' | 'frames'>): boolean {
  if (t.status === 'idle') return false;
  if (t.gilState === 'waiting') return false;
  return !inWaitingCall(t);
}
