# Before 3.12, sys.settrace reaches only the thread that calls it, and threading.settrace only the
# threads started after it. An agent attached to a running program (attach.py) finds its threads
# running already, so it sets the trace function on each of their thread states itself, holding
# the GIL: through _PyEval_SetTrace (3.9-3.11, which takes another thread's state), or on 3.8 by
# setting the fields PyEval_SetTrace sets. Where those fields are is found by watching what
# sys.settrace changes in this thread's own state (c_tracefunc, c_traceobj, use_tracing, and on
# 3.8 the runtime's tracing_possible count), so no layout is assumed. Natively only (ctypes).
from .runtime import sys, ctypes, get_ident

_WORD = 8
_SCAN = 512  # bytes of a PyThreadState searched; the fields sit in its first 200 on 3.8-3.11
_RUNTIME_SCAN = 4096


class _Layout(object):
    pass


def _word(buf, off):
    return int.from_bytes(buf[off:off + _WORD], 'little')


def _int(buf, off):
    return int.from_bytes(buf[off:off + 4], 'little', signed=True)


def _api():
    api = ctypes.pythonapi
    P = ctypes.c_void_p
    for name, res, args in (('PyThreadState_Get', P, []), ('PyInterpreterState_Main', P, []),
                            ('PyInterpreterState_ThreadHead', P, [P]), ('PyThreadState_Next', P, [P])):
        f = getattr(api, name)
        f.restype = res
        f.argtypes = args
    return api


def _find_layout(func):
    api = _api()
    me = api.PyThreadState_Get()
    prev = sys.gettrace()
    runtime = None
    if not hasattr(api, '_PyEval_SetTrace'):
        runtime = ctypes.addressof(ctypes.c_char.in_dll(api, '_PyRuntime'))
    sys.settrace(None)
    before = ctypes.string_at(me, _SCAN)
    rt0 = ctypes.string_at(runtime, _RUNTIME_SCAN) if runtime else b''
    sys.settrace(func)
    after = ctypes.string_at(me, _SCAN)
    rt1 = ctypes.string_at(runtime, _RUNTIME_SCAN) if runtime else b''
    sys.settrace(None)
    rt2 = ctypes.string_at(runtime, _RUNTIME_SCAN) if runtime else b''
    sys.settrace(prev)
    L = _Layout()
    L.traceobj = L.tracefunc = L.ident = L.use_tracing = L.possible = None
    for off in range(2 * _WORD, _SCAN - _WORD + 1, _WORD):
        if _word(after, off) == id(func) and _word(before, off) == 0 and _word(after, off - 2 * _WORD) and not _word(before, off - 2 * _WORD):
            # c_profilefunc, c_tracefunc, c_profileobj, c_traceobj: the same order 3.8-3.11
            L.traceobj, L.tracefunc = off, off - 2 * _WORD
            L.trampoline = _word(after, L.tracefunc)
            break
    for off in range(0, _SCAN - _WORD + 1, _WORD):
        if _word(after, off) == get_ident():
            L.ident = off
            break
    if L.traceobj is None or L.ident is None:
        return None
    if runtime:
        # 3.8 only: use_tracing, the int that went 0 -> 1 just before c_profilefunc; and the
        # runtime's tracing_possible, the int that went up by one and back
        for off in range(L.tracefunc - _WORD - 4, -1, -4):
            if _int(before, off) == 0 and _int(after, off) == 1:
                L.use_tracing = off
                break
        for off in range(0, _RUNTIME_SCAN - 3, 4):
            if _int(rt1, off) == _int(rt0, off) + 1 and _int(rt2, off) == _int(rt0, off):
                L.possible = runtime + off
                break
        if L.use_tracing is None or L.possible is None:
            return None
    return L


def _states(api):
    ts = api.PyInterpreterState_ThreadHead(api.PyInterpreterState_Main())
    n = 0
    while ts and n < 100000:
        yield ts
        ts = api.PyThreadState_Next(ts)
        n += 1


class ThreadTracer(object):
    """Sets `func` as the trace function of every thread but the agent's; unset() takes it off
    again, from threads that still have it."""

    def __init__(self, func):
        self.func = func
        self.layout = _find_layout(func)

    def set_all(self, skip_idents):
        L = self.layout
        if L is None:
            return False
        api = _api()
        for ts in list(_states(api)):
            raw = ctypes.string_at(ts, _SCAN)
            if _word(raw, L.ident) in skip_idents or _word(raw, L.tracefunc):
                continue  # the agent's own, or traced already (by us, or by another tool)
            self._set(api, ts, raw, True)
        return True

    def unset_all(self):
        L = self.layout
        if L is None:
            return
        api = _api()
        for ts in list(_states(api)):
            raw = ctypes.string_at(ts, _SCAN)
            if _word(raw, L.traceobj) == id(self.func) and _word(raw, L.tracefunc) == L.trampoline:
                self._set(api, ts, raw, False)

    def _set(self, api, ts, raw, on):
        L = self.layout
        if L.possible is None:
            f = api._PyEval_SetTrace
            f.restype = ctypes.c_int
            if on:
                f.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.py_object]
                f(ts, L.trampoline, self.func)
            else:
                f.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
                f(ts, None, None)
            return
        # 3.8: what PyEval_SetTrace does to the calling thread's state, done to this one
        put = lambda off, v: ctypes.c_uint64.from_address(ts + off).__setattr__('value', v)
        possible = ctypes.c_int.from_address(L.possible)
        profiling = _word(raw, L.tracefunc - _WORD) != 0
        if on:
            api.Py_IncRef(ctypes.py_object(self.func))
            put(L.traceobj, id(self.func))
            put(L.tracefunc, L.trampoline)
            ctypes.c_int.from_address(ts + L.use_tracing).value = 1
            possible.value += 1
        else:
            put(L.tracefunc, 0)
            put(L.traceobj, 0)
            ctypes.c_int.from_address(ts + L.use_tracing).value = 1 if profiling else 0
            possible.value -= 1
            api.Py_DecRef(ctypes.py_object(self.func))
