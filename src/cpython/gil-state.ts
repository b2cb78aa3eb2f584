// Whether a thread waits for the GIL or lets go of it, from its native stack (innermost first). The
// GIL's own state in memory names only its holder; a waiter shows only in its stack, in
// Python/ceval_gil.c's take_gil (or drop_gil while it lets go). Builds differ in what the stack
// shows of them:
// - builds with a .symtab (pyenv's 3.6-3.13) name take_gil and drop_gil, or a clone of them
//   (3.8: take_gil.constprop.0), called from PyEval_RestoreThread, PyEval_AcquireThread, the eval
//   loop's pending-call handler, or _PyEval_AcquireLock / _PyEval_ReleaseLock (3.13+);
// - stripped builds (Debian's, whose .dynsym lacks static functions) show take_gil as a frame
//   without a name under an exported caller: PyEval_RestoreThread, PyEval_AcquireThread,
//   _PyThreadState_Attach (3.13+), PyGILState_Ensure, or the eval loop itself (gdb on Debian's
//   3.11: pthread_cond_timedwait, ??, _PyEval_EvalFrameDefault);
// - 2.7 has no take_gil: its GIL is a semaphore taken by PyThread_acquire_lock and given back by
//   PyThread_release_lock, which PyEval_RestoreThread / PyEval_SaveThread and the eval loop
//   (every check interval) call.
//   threading.Lock goes through PyThread_acquire_lock too, but from the lock object's method, so
//   the caller tells the two apart.

export type GilActivity = 'waiting' | 'dropping';

/** take_gil / drop_gil and the clones the compiler makes of them (name.constprop.0, name.isra.0). */
const TAKE = /^take_gil(\.|$)/;
const DROP = /^drop_gil(\.|$)/;

/** Exported functions that take the GIL and do nothing else that blocks. */
const TAKES_THE_GIL = new Set(['PyEval_RestoreThread', 'PyEval_AcquireThread', 'PyEval_AcquireLock', '_PyThreadState_Attach', '_PyEval_AcquireLock', 'PyGILState_Ensure']);
/** The eval loop: it takes the GIL back itself when another thread asked for it (2.7: every check interval). */
const EVAL_LOOP = new Set(['_PyEval_EvalFrameDefault', 'PyEval_EvalFrameEx']);
/** 2.7: callers of PyThread_acquire_lock / PyThread_release_lock on the GIL's semaphore. */
const TAKES_THE_GIL_2_7 = new Set([...TAKES_THE_GIL, 'PyEval_EvalFrameEx']);
const DROPS_THE_GIL_2_7 = new Set(['PyEval_EvalFrameEx', 'PyEval_SaveThread', 'PyEval_ReleaseThread', 'PyEval_ReleaseLock']);

/**
 * libc's synchronization under a wait or a wake-up: a condition variable, a mutex, a semaphore, the
 * futex they sleep in, and glibc's internal names for them (__pthread_cond_wait_common,
 * __futex_abstimed_wait_common64, __lll_lock_wait, __new_sem_post, ___pthread_cond_timedwait64, ...).
 */
const LIBC_SYNC = /^_*(GI_+)?(pthread_(cond|mutex)|futex|lll_|new_sem|sem_|do_futex)|^syscall$|wait_common/;
/** A condition variable: what take_gil sleeps on (locks and semaphores of threading do not use one). */
const COND_WAIT = /pthread_cond_(timed)?wait/;

/** Frames that may stand for an inlined helper (PyCOND_TIMEDWAIT) or a nameless take_gil of a stripped build. */
const BETWEEN = 1;

/**
 * What a thread does with the GIL, from its native frames innermost first: 'waiting' in take_gil,
 * 'dropping' in drop_gil, undefined when the stack shows neither (or was not taken).
 */
export function gilStateFromNative(frames: readonly { symbol?: string }[]): GilActivity | undefined {
  const name = (k: number): string => frames[k]?.symbol ?? '';
  let i = 0;
  while (i < frames.length && LIBC_SYNC.test(name(i))) i++;
  // The innermost interpreter frames decide: take_gil further out is not this thread's wait.
  for (let j = i; j < frames.length && j - i <= BETWEEN; j++) {
    if (TAKE.test(name(j))) return 'waiting';
    if (DROP.test(name(j))) return 'dropping';
  }
  if (i === 0) return undefined;
  // No take_gil by name: 2.7's semaphore, or a build whose take_gil has no name.
  if (name(i) === 'PyThread_acquire_lock') return TAKES_THE_GIL_2_7.has(name(i + 1)) ? 'waiting' : undefined;
  if (name(i) === 'PyThread_release_lock') return DROPS_THE_GIL_2_7.has(name(i + 1)) ? 'dropping' : undefined;
  const onCondition = frames.slice(0, i).some((f) => COND_WAIT.test(f.symbol ?? ''));
  for (let j = i; j < frames.length && j - i <= BETWEEN; j++) {
    if (TAKES_THE_GIL.has(name(j))) return 'waiting';
    // A stripped build: a nameless frame sleeping on a condition variable, called by the eval loop,
    // is take_gil (or, for the moment it waits for a successor, drop_gil: they look alike there).
    if (j > i && onCondition && EVAL_LOOP.has(name(j)) && frames[i]!.symbol === undefined) return 'waiting';
  }
  return undefined;
}
