# Engine for 3.12+: sys.monitoring; LINE only for code objects holding breakpoints or while stepping.
from .runtime import sys, mon, E, DISABLE, RLock, get_ident, getframe, report_internal_error
from .policy import is_string_module


class MonitoringEngine(object):
    def __init__(self):
        # install and update run on the program's threads, remove on the agent's (a detach, at any
        # moment): one at a time, and nothing after remove, or a call on the freed tool id raises
        # ValueError into the program (a detach landing while the main thread installs killed it)
        self.lock = RLock()
        self.removed = False
        self.tool = None
        self.local_codes = set()

    def install(self, agent):
        self.agent = agent
        with self.lock:
            # a detach that came first leaves the program untraced
            if self.removed or agent.detached:
                return
            tool = None
            for t in (mon.DEBUGGER_ID, 1, 3, 4):
                if mon.get_tool(t) is None:
                    tool = t
                    break
            if tool is None:
                raise RuntimeError('no free sys.monitoring tool id')
            mon.use_tool_id(tool, 'pyscope')
            self.tool = tool
            mon.register_callback(tool, E.PY_START, self.py_start)
            mon.register_callback(tool, E.LINE, self.line)
            mon.register_callback(tool, E.RAISE, self.raise_)
            mon.register_callback(tool, E.PY_UNWIND, self.unwind)
            mon.register_callback(tool, E.PY_RETURN, self.py_return)
            mon.register_callback(tool, E.PY_YIELD, self.py_yield)
            mon.register_callback(tool, E.PY_RESUME, self.py_resume)
            self.update()

    def update(self):
        with self.lock:
            # before install (a detach as the program starts) and after remove: nothing to update
            if self.tool is None:
                return
            a = self.agent
            if a.detached:
                return
            ev = E.PY_START
            if a.steps or a.stop_all:
                ev |= E.LINE
            if a.step_frames():
                # how the frame stepped from leaves (a return stops in its caller) or, after a step
                # out of a task's coroutine, where its awaiter resumes
                ev |= E.PY_RETURN | E.PY_YIELD | E.PY_UNWIND
                if a.awaiting():
                    ev |= E.PY_RESUME
            if 'raised' in a.exc_filters:
                ev |= E.RAISE
            if 'userUnhandled' in a.exc_filters:
                ev |= E.PY_UNWIND
            mon.set_events(self.tool, ev)
            mon.restart_events()

    def hook_code(self, code):
        if code in self.local_codes:
            return
        with self.lock:
            if self.tool is not None and code not in self.local_codes:
                self.local_codes.add(code)
                mon.set_local_events(self.tool, code, E.LINE)

    def breakpoints_changed(self):
        with self.lock:
            if self.tool is None:
                return
            for c in self.local_codes:
                mon.set_local_events(self.tool, c, 0)
            self.local_codes = set()
            for f in sys._current_frames().values():
                while f is not None:
                    if self.agent.code_has_bp(f.f_code):
                        self.hook_code(f.f_code)
                    f = f.f_back
            self.update()

    def hook_running_frames(self):
        pass  # global LINE events (update) reach running frames already

    def prepare_step(self, frame):
        pass

    def remove(self):
        with self.lock:
            self.removed = True
            tool, self.tool = self.tool, None
            if tool is None:
                return
            try:
                mon.set_events(tool, 0)
                for c in self.local_codes:
                    mon.set_local_events(tool, c, 0)
                for e in (E.PY_START, E.LINE, E.RAISE, E.PY_UNWIND, E.PY_RETURN, E.PY_YIELD, E.PY_RESUME):
                    mon.register_callback(tool, e, None)
                mon.free_tool_id(tool)
            except Exception:
                pass

    # callbacks: return DISABLE wherever nothing can ever happen at that location

    def py_start(self, code, offset):
        a = self.agent
        try:
            if get_ident() in a.agent_idents:
                return None
            if code.co_name == '<module>' and is_string_module(code):
                a.note_exec(getframe(1))
            interesting = False
            if a.code_has_bp(code):
                self.hook_code(code)
                interesting = True
            if a.func_bps and (code.co_name in a.func_bps or getattr(code, 'co_qualname', None) in a.func_bps):
                interesting = True
                if a.code_is_user(code):
                    a.on_call_func_bp(getframe(1), code)
            if a.steps or a.stop_all:
                return None
            return None if interesting else DISABLE
        except Exception:
            report_internal_error()
            return None

    def line(self, code, line):
        a = self.agent
        try:
            if not (a.steps or a.stop_all):
                # breakpoints only: the common case, and the cost of a condition on a hot line
                fb = a.file_bps(code.co_filename)
                bps = fb.by_line.get(line) if fb is not None else None
                if not bps:
                    return DISABLE
                if get_ident() in a.agent_idents:
                    return None
                frame = getframe(1)
                hit = [bp.id for bp in bps if a.bp_fires(bp, frame)]
                if hit:
                    a.park(frame, 'breakpoint', bp_ids=hit)
                return None
            if get_ident() in a.agent_idents:
                return None
            if a.on_line(getframe(1), code, line):
                return None
            fb = a.file_bps(code.co_filename)
            if fb is not None and line in fb.by_line:
                return None
            if a.wants_lines(code) or code is a.step_code():
                return None
            return DISABLE
        except Exception:
            report_internal_error()
            return None

    def raise_(self, code, offset, exc):
        a = self.agent
        try:
            if get_ident() in a.agent_idents or 'raised' not in a.exc_filters:
                return None
            a.on_raise(getframe(1), exc, 'always')
        except Exception:
            report_internal_error()
        return None

    def _step_exit(self, code, how, value):
        a = self.agent
        frames = a.step_frames()
        for f in frames:
            if f.f_code is code:
                break
        else:
            # no step waits for this code: silence this location until the next resume
            return DISABLE if how != 'raise' else None
        if get_ident() in a.agent_idents:
            return None
        frame = getframe(2)
        if frame in frames:
            a.on_step_exit(frame, how, value)
        return None

    def py_return(self, code, offset, value):
        try:
            return self._step_exit(code, 'return', value)
        except Exception:
            report_internal_error()
            return None

    def py_yield(self, code, offset, value):
        try:
            return self._step_exit(code, 'yield', value)
        except Exception:
            report_internal_error()
            return None

    def py_resume(self, code, offset):
        a = self.agent
        try:
            for f in a.step_frames():
                if f.f_code is code:
                    break
            else:
                return DISABLE
            if get_ident() in a.agent_idents:
                return None
            a.on_resume(getframe(1))
        except Exception:
            report_internal_error()
        return None

    def unwind(self, code, offset, exc):
        a = self.agent
        try:
            if a.step_frames() and get_ident() not in a.agent_idents:
                f = getframe(1)
                if f in a.step_frames():
                    a.on_step_exit(f, 'raise', exc)
            if get_ident() in a.agent_idents or 'userUnhandled' not in a.exc_filters:
                return None
            f = getframe(1)
            back = f.f_back
            if a.code_is_user(code) and back is not None and not a.code_is_user(back.f_code) \
                    and not a.is_agent_file(back.f_code.co_filename):
                a.on_raise(f, exc, 'userUnhandled')
        except Exception:
            report_internal_error()
        return None
