# Engine for 3.8-3.11: sys.settrace; a local tracer only for frames that need one.
from .runtime import sys, dis, threading, RLock, get_ident, report_internal_error
from .policy import is_string_module
from .threadtrace import ThreadTracer


# The settrace hot path: called for every Python call in every thread while tracing (3.8-3.11),
# where the interpreter's own tracing machinery already costs 2-4x. Module globals and one set
# look-up by first line; only a hit (a code object starting on the first line of one holding a
# breakpoint, in any file) goes on to check the file. First line 1 is always a hit: module-level
# code starts there, and code compiled from a string must be seen starting (see policy.note_exec).
_trace_slow = False
_trace_first_lines = {1: True}
_trace_engine = None


def _global_trace(frame, event, arg):
    if _trace_slow:
        return _trace_engine.global_slow(frame, event, arg)
    if frame.f_code.co_firstlineno in _trace_first_lines:
        return _trace_engine.hit(frame)
    return None


def exit_kind(frame):
    """How a frame leaves at its 'return' event: 'return', 'yield' (it can be resumed) or 'raise'.
    An await or `yield from` that suspends leaves f_lasti on the LOAD_CONST before its YIELD_FROM
    on 3.8-3.10 (the instruction is re-run on resume), on the YIELD_VALUE on 3.11."""
    code = frame.f_code.co_code
    i = frame.f_lasti
    op = dis.opname[code[i]] if 0 <= i < len(code) else ''
    if op in ('RETURN_VALUE', 'RETURN_CONST'):
        return 'return'
    if op == 'YIELD_VALUE' or (op == 'LOAD_CONST' and i + 2 < len(code) and dis.opname[code[i + 2]] == 'YIELD_FROM'):
        return 'yield'
    return 'raise'


def interpreter_signal(frame, exc_type):
    """A StopIteration that only says a sub-iterator ended, traced where the interpreter itself
    catches it: every completed `await` (YIELD_FROM, SEND) and every `for` loop's end (FOR_ITER,
    3.8-3.9). sys.monitoring does not report these as RAISE; settrace does, 3.8-3.11."""
    if exc_type is not StopIteration:
        return False
    code = frame.f_code.co_code
    i = frame.f_lasti
    return 0 <= i < len(code) and dis.opname[code[i]] in ('YIELD_FROM', 'SEND', 'FOR_ITER')


class _FirstLines(dict):
    """co_filename -> the co_firstlineno values of code objects holding breakpoints, or None."""

    def __init__(self, agent):
        dict.__init__(self)
        self.agent = agent

    def __missing__(self, filename):
        fb = self.agent.file_bps(filename)
        v = self[filename] = fb.first_lines if fb is not None else None
        return v


class TraceEngine(object):
    def __init__(self):
        # install and update run on the program's threads, remove on the agent's (a detach, at any
        # moment): one at a time, and nothing arms the tracers again after remove
        self.lock = RLock()
        self.removed = False
        self.tracer = None

    def install(self, agent):
        global _trace_engine
        self.agent = agent
        # exceptions passing through traced frames, to tell an unwinding 'return' from a normal one
        self.in_flight = {}
        self.first_lines = _FirstLines(agent)
        _trace_engine = self
        # The trace function is on the program's threads only while something may stop them (a
        # breakpoint, a step, a pause, a function breakpoint, an exception filter that traces):
        # while it is on, every Python call pays the interpreter's tracing machinery (2.5-4x on
        # 3.8-3.11 with a trace function that does nothing), so a program run with no breakpoint
        # set runs untraced. Switching it on for threads that run already takes the thread tracer
        # (_PyEval_SetTrace on each thread state); where it cannot work, it stays on from here.
        self.tracer = ThreadTracer(_global_trace)
        self.armed = False
        with self.lock:
            # a detach that came first leaves the program untraced
            if not self.removed:
                self.update()

    def hit(self, frame):
        code = frame.f_code
        try:
            if code.co_firstlineno == 1 and code.co_name == '<module>' and is_string_module(code):
                self.agent.note_exec(frame)
            lines = self.first_lines[code.co_filename]
            if lines is not None and code.co_firstlineno in lines:
                return self.local
        except Exception:
            report_internal_error()
        return None

    def global_slow(self, frame, event, arg):
        a = self.agent
        try:
            if a.detached:
                sys.settrace(None)
                return None
            code = frame.f_code
            if code.co_name == '<module>' and is_string_module(code):
                a.note_exec(frame)
            if event == 'call' and a.steps and a.awaiting() and a.on_resume(frame):
                return self.local
            if a.func_bps and event == 'call' and a.code_is_user(code):
                if code.co_name in a.func_bps or getattr(code, 'co_qualname', None) in a.func_bps:
                    a.on_call_func_bp(frame, code)
            if a.code_has_bp(code):
                return self.local
            if (a.steps or a.stop_all or a.exc_filters) and a.wants_lines(code):
                return self.local
        except Exception:
            report_internal_error()
        return None

    def local(self, frame, event, arg):
        a = self.agent
        try:
            if event == 'line' and not a.slow:
                # breakpoints only: the common case, and the cost of a condition on a hot line
                fb = a.file_bps(frame.f_code.co_filename)
                bps = fb.by_line.get(frame.f_lineno) if fb is not None else None
                if bps:
                    hit = [bp.id for bp in bps if a.bp_fires(bp, frame)]
                    if hit:
                        a.park(frame, 'breakpoint', bp_ids=hit)
                return self.local
            if a.detached:
                sys.settrace(None)
                return None
            if event == 'line':
                a.on_line(frame, frame.f_code, frame.f_lineno)
            elif event == 'exception':
                if 'userUnhandled' in a.exc_filters:
                    self.in_flight[frame] = arg[1]
                if 'raised' in a.exc_filters and not interpreter_signal(frame, arg[0]):
                    a.on_raise(frame, arg[1], 'always')
            elif event == 'return':
                if self.in_flight:
                    exc = self.in_flight.pop(frame, None)
                    if exc is not None and 'userUnhandled' in a.exc_filters:
                        self._maybe_unhandled(frame, exc)
                if a.steps and frame in a.step_frames():
                    a.on_step_exit(frame, exit_kind(frame), arg)
        except Exception:
            report_internal_error()
        return self.local

    def _maybe_unhandled(self, frame, exc):
        a = self.agent
        back = frame.f_back
        if back is None or a.code_is_user(back.f_code) or a.is_agent_file(back.f_code.co_filename):
            return
        if not a.code_is_user(frame.f_code):
            return
        code = frame.f_code.co_code
        i = frame.f_lasti
        op = dis.opname[code[i]] if 0 <= i < len(code) else ''
        if op in ('RETURN_VALUE', 'YIELD_VALUE', 'RETURN_CONST', 'RETURN_GENERATOR'):
            return
        a.on_raise(frame, exc, 'userUnhandled')

    def update(self):
        with self.lock:
            self._update()

    def _update(self):
        global _trace_slow
        # before install (a detach as the program starts) and after remove: nothing to update
        if self.removed or self.tracer is None:
            return
        a = self.agent
        a.slow = _trace_slow = a.needs_slow()
        if a.detached:
            return
        wanted = _trace_slow or any(fb.by_line for fb in a.files.values()) or self.tracer.layout is None
        if wanted and not self.armed:
            self.armed = True
            threading.settrace(_global_trace)
            if get_ident() not in a.agent_idents:
                sys.settrace(_global_trace)
            self.tracer.set_all(a.agent_idents)
        elif not wanted and self.armed and self.tracer.layout is not None:
            self.armed = False
            threading.settrace(None)
            self.tracer.unset_all()

    def breakpoints_changed(self):
        with self.lock:
            if not self.removed and self.tracer is not None:
                self._breakpoints_changed()

    def _breakpoints_changed(self):
        self.first_lines.clear()
        _trace_first_lines.clear()
        _trace_first_lines[1] = True
        for fb in self.agent.files.values():
            _trace_first_lines.update(fb.first_lines)
        self.update()
        a = self.agent
        for ident, f in sys._current_frames().items():
            if ident in a.agent_idents:
                continue
            while f is not None:
                if a.code_has_bp(f.f_code) and f.f_trace is None:
                    f.f_trace = self.local
                f = f.f_back

    def hook_running_frames(self):
        a = self.agent
        for ident, f in sys._current_frames().items():
            if ident in a.agent_idents:
                continue
            while f is not None:
                if (a.pause_any or a.code_is_user(f.f_code)) and f.f_trace is None:
                    f.f_trace = self.local
                f = f.f_back

    def prepare_step(self, frame):
        # the frame stepped from gets its next line even when it is library code
        if frame is not None and frame.f_trace is None:
            frame.f_trace = self.local
        f = frame
        while f is not None:
            if f.f_trace is None and self.agent.code_is_user(f.f_code):
                f.f_trace = self.local
            f = f.f_back

    def remove(self):
        with self.lock:
            self.removed = True
            if self.tracer is not None:
                self._remove()

    def _remove(self):
        # other threads drop their global tracer the next time it runs (it checks `detached`)
        global _trace_slow
        self.agent.slow = _trace_slow = True
        self.armed = False
        threading.settrace(None)
        sys.settrace(None)
        self.tracer.unset_all()
        for ident, f in sys._current_frames().items():
            while f is not None:
                if f.f_trace is not None:
                    f.f_trace = None
                f = f.f_back
