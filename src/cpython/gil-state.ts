// Whether a thread waits for the GIL or lets go of it, from its native stack (innermost first). The
// GIL's own state in memory names only its holder; a waiter shows only in its stack, in
// Python/ceval_gil.c's take_gil (or drop_gil while it lets go). Builds differ in what the stack
// shows of them:
// - builds with a .symtab (pyenv's 3.6-3.13) name take_gil and drop_gil, or a clone of them
//   (3.8: take_gil.constprop.0), called from PyEval_RestoreThread, PyEval_AcquireThread, the eval
//   loop's pending-call handler, or _PyEval_AcquireLock / _PyEval_ReleaseLock (3.13+);
// - stripped builds (Debian's, whose .dynsym lacks static functions) show take_gil as a frame
//   without a name (or an unrelated one) under an exported caller: PyEval_RestoreThread,
//   PyEval_AcquireThread, _PyThreadState_Attach (3.13+), PyGILState_Ensure;
// - 2.7 has no take_gil: its GIL is a semaphore taken by PyThread_acquire_lock, which
//   PyEval_RestoreThread, PyEval_AcquireThread and the eval loop (every check interval) call.
//   threading.Lock goes through PyThread_acquire_lock too, but from the lock object's method, so
//   the caller tells the two apart.

export type GilActivity = 'waiting' | 'dropping';

/** take_gil / drop_gil and the clones the compiler makes of them (name.constprop.0, name.isra.0). */
const TAKE = /^take_gil(\.|$)/;
const DROP = /^drop_gil(\.|$)/;

/** Exported functions that take the GIL and do nothing else that blocks. */
const TAKES_THE_GIL = new Set(['PyEval_RestoreThread', 'PyEval_AcquireThread', 'PyEval_AcquireLock', '_PyThreadState_Attach', '_PyEval_AcquireLock', 'PyGILState_Ensure']);
/** 2.7: the eval loop itself takes the GIL back after each check interval. */
const TAKES_THE_GIL_2_7 = new Set([...TAKES_THE_GIL, 'PyEval_EvalFrameEx']);

/**
 * libc's blocking primitives under a wait: a condition variable, a mutex, a semaphore, the futex
 * they sleep in, and glibc's internal names for them (__pthread_cond_wait_common,
 * __futex_abstimed_wait_common64, __lll_lock_wait, __GI___pthread_mutex_lock, ...).
 */
const LIBC_WAIT = /^(__)?(GI_+)?(pthread_(cond|mutex)|futex|lll_|new_sem|sem_|do_futex|syscall$)|^_*(futex|lll|sem)_|^__pthread_(cond|mutex)|wait_common/;

/** Frames that may stand for an inlined or stripped take_gil between the wait and its exported caller. */
const UNNAMED_BUDGET = 1;

export function gilStateFromNative(frames: readonly { symbol?: string }[]): GilActivity | undefined {
  let i = 0;
  while (i < frames.length && LIBC_WAIT.test(frames[i]!.symbol ?? '')) i++;
  // A thread that is not sleeping in a wait may still be in take_gil (spinning on its mutex) or
  // drop_gil (signalling): the first interpreter frame decides.
  const waited = i > 0;
  for (let j = i; j < frames.length; j++) {
    const name = frames[j]!.symbol ?? '';
    if (TAKE.test(name)) return 'waiting';
    if (DROP.test(name)) return 'dropping';
    // Only the innermost interpreter frames: take_gil further out is not this wait.
    if (j - i > UNNAMED_BUDGET) break;
  }
  if (!waited) return undefined;
  // No take_gil by name: a stripped build, or 2.7.
  const first = frames[i]?.symbol;
  if (first === 'PyThread_acquire_lock' || first === 'PyThread_acquire_lock_timed') {
    return TAKES_THE_GIL_2_7.has(frames[i + 1]?.symbol ?? '') ? 'waiting' : undefined;
  }
  for (let j = i; j < frames.length && j - i <= UNNAMED_BUDGET; j++) {
    if (TAKES_THE_GIL.has(frames[j]!.symbol ?? '')) return 'waiting';
  }
  return undefined;
}
