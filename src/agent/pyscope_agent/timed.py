# Time limits on what runs the program's code for the agent.
#
# Worker: reprs and evaluations run on a helper thread with a time limit; one that overruns is
# abandoned with its thread, and a spare started in advance takes over, so a repr that never
# returns costs a thread, never the session. The threads are started with _thread, not threading:
# threading.Thread.start() takes threading's internal lock, which a stopped program may hold.
#
# Watchdog: conditions and log-point expressions run on the program's own thread, in the hot path,
# so they get no marker at all: a thread samples the program's stacks and, when one evaluation has
# been under way for longer than the limit, raises EvalTimeout in that thread
# (PyThreadState_SetAsyncExc). The program's thread only checks `fired` after each evaluation.
from .runtime import sys, ctypes, get_ident, allocate_lock, start_new_thread, monotonic
from .errors import Timeout, EvalTimeout


_STOP = object()


class _Thread(object):
    """One helper thread; runs one call at a time."""

    def __init__(self, agent):
        self.agent = agent
        self.wake = allocate_lock()
        self.wake.acquire()
        self.job = None
        self.abandoned = False
        self.ident = start_new_thread(self._loop, ())
        agent.own_ident(self.ident)

    def _loop(self):
        sys.settrace(None)
        self.agent.own_ident(get_ident())
        while True:
            self.wake.acquire()
            if self.job is _STOP:
                return
            fn, args, box, done = self.job
            self.job = None
            try:
                box.append((True, fn(*args)))
            except BaseException as e:  # noqa: the user's code may raise anything
                box.append((False, e))
            done.release()
            if self.abandoned:
                # its ident may be reused by a thread of the program, which must be seen again
                self.agent.agent_idents.discard(get_ident())
                return

    def stop(self):
        """Ends the thread once it is idle (an attached agent that detaches leaves no thread)."""
        if self.job is None and not self.abandoned:
            self.job = _STOP
            self.wake.release()

    def run(self, timeout, fn, args):
        box = []
        done = allocate_lock()
        done.acquire()
        self.job = (fn, args, box, done)
        self.wake.release()
        if not done.acquire(True, timeout):
            self.abandoned = True
            return None
        return box[0]


class Worker(object):
    def __init__(self, agent):
        self._agent = agent
        self._current = _Thread(agent)
        self._spare = _Thread(agent)

    def call(self, timeout, fn, *args):
        t = self._current
        if get_ident() == t.ident:
            return fn(*args)  # called from inside a timed call: the outer limit holds
        r = t.run(timeout, fn, args)
        if r is None:
            self._current = self._spare
            self._spare = _Thread(self._agent)
            raise Timeout('timed out after %gs' % timeout)
        ok, value = r
        if ok:
            return value
        raise value

    def stop(self):
        self._current.stop()
        self._spare.stop()


# thread ident -> the evaluation's frame, for each EvalTimeout raised; read after every evaluation
fired = {}
_fired_lock = allocate_lock()


def _set_async_exc(ident, exc):
    # exc None clears a pending one (NULL, not Py_None: no argtypes on purpose)
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc) if exc is not None else None)


def settle():
    """After an evaluation on the program's thread that a timeout was raised into: no second one
    may be left pending, to surface later in the program's own code."""
    ident = get_ident()
    with _fired_lock:
        if fired.pop(ident, None) is not None:
            _set_async_exc(ident, None)


_DEPTH = 64  # frames searched from the top of a thread for an evaluation


def _on_stack(top, target):
    f = top
    for _ in range(_DEPTH):
        if f is None:
            return False
        if f is target:
            return True
        f = f.f_back
    return False


class Watchdog(object):
    def __init__(self, agent):
        self.agent = agent
        self.codes = frozenset()  # code objects of conditions and log-point expressions
        self.seen = {}  # ident -> (evaluation frame, when first seen)
        self.stopping = False
        self.wake = allocate_lock()
        self.wake.acquire()
        self.ident = start_new_thread(self._loop, ())
        agent.own_ident(self.ident)

    def set_codes(self, codes):
        self.codes = frozenset(codes)
        if self.codes and self.wake.locked():
            try:
                self.wake.release()
            except RuntimeError:
                pass

    def _loop(self):
        sys.settrace(None)
        self.agent.own_ident(get_ident())
        while True:
            a = self.agent
            if self.stopping:
                return
            if not self.codes or a.detached:
                self.seen = {}
                self.wake.acquire(True, 5.0)
                continue
            if a.stopped:
                # an evaluation that stopped at a breakpoint of its own is not running meanwhile
                self.seen = {}
                self.wake.acquire(True, 0.25)
                continue
            limit = a.repr_timeout
            self.wake.acquire(True, min(max(limit / 4.0, 0.02), 0.25))
            try:
                self.scan(limit)
            except Exception:
                pass

    def stop(self):
        self.stopping = True
        if self.wake.locked():
            try:
                self.wake.release()
            except RuntimeError:
                pass

    def _find(self, top, codes):
        f = top
        for _ in range(_DEPTH):
            if f is None:
                return None
            if f.f_code in codes:
                return f
            f = f.f_back
        return None

    def scan(self, limit):
        codes = self.codes
        agent_idents = self.agent.agent_idents
        now = monotonic()
        frames = sys._current_frames()
        seen = {}
        for ident, top in frames.items():
            if ident in agent_idents:
                continue
            f = self._find(top, codes)
            if f is None:
                continue
            prev = self.seen.get(ident)
            # the frame is held from one sample to the next, so `is` cannot match a new one
            if prev is not None and prev[0] is f:
                seen[ident] = prev
                if now - prev[1] >= limit:
                    self._interrupt(ident, f)
            else:
                seen[ident] = (f, now)
        self.seen = seen
        if fired:
            with _fired_lock:
                for ident in [i for i in fired if i not in frames]:
                    del fired[ident]  # the thread is gone

    def _interrupt(self, ident, f):
        with _fired_lock:
            # first `fired`, then the check that the evaluation still runs: its thread reads
            # `fired` after the evaluation ends, so either it sees this entry or no exception is raised
            fired[ident] = f
            top = sys._current_frames().get(ident)
            if _on_stack(top, f):
                _set_async_exc(ident, EvalTimeout)
