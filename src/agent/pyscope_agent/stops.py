# Stopping: the decision to stop at a line (breakpoints, steps, pause, entry), parking the thread
# that stops (all threads stop together), and resuming.
from .runtime import sys, os, gc, time, get_ident, start_new_thread, allocate_lock, describe_exc
from .errors import Refusal
from . import args as A
from . import asynctasks


class Step(object):
    __slots__ = ('kind', 'frame', 'coro', 'awaiter')

    def __init__(self, kind, frame):
        self.kind = kind  # 'in' | 'over' | 'out' | 'entry'
        # the frame stepped from; None once it has left other than by a return to user code
        self.frame = frame
        # stepping in a coroutine: it may suspend in an await while other tasks run; the step
        # waits for that same coroutine instead of stopping in theirs
        self.coro = frame is not None and asynctasks.is_async_code(frame.f_code)
        # (frame, return value label, value): the coroutine stepped out of ended its task; the
        # step stops where the task that awaited it resumes, in that frame
        self.awaiter = None


class Parked(object):
    __slots__ = ('frame', 'frames', 'resume', 'cond', 'exc', 'reason', 'ret', 'task', 'loop')

    def __init__(self, frame, frames, exc, reason, cond, ret):
        self.frame = frame
        self.frames = frames  # explicit frame list (uncaught exception: from the traceback)
        self.resume = None
        self.cond = cond
        self.exc = exc
        self.reason = reason
        self.ret = ret  # (frame, label, value): a return value shown among that frame's locals
        self.task = None  # the asyncio task running on the thread, if any
        self.loop = None  # its running event loop, if any


class ParkGate(object):
    """What a parked thread waits on until resumed: a lock held from the start that the resume
    releases once. threading.Condition would do the same, but an exception a signal handler raises
    in the middle of its wait (the kernel's interrupt: KeyboardInterrupt) can leave its lock held,
    or leave `with cond:` releasing a lock it no longer holds: a RuntimeError instead of the
    interrupt, which the trace function takes for an error of the agent's, and the interrupted
    cell ran on as if nothing had happened. Entering and leaving the gate hold nothing, and a wait
    cut short holds nothing either."""
    __slots__ = ('lock', 'opened')

    def __init__(self):
        self.lock = allocate_lock()
        self.lock.acquire()
        self.opened = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def wait(self):
        self.lock.acquire()
        self.lock.release()

    def notify_all(self):
        # one resume per stop: resume_all hands each parked thread to exactly one caller
        if not self.opened:
            self.opened = True
            self.lock.release()


def on_stack(frame, target):
    while frame is not None:
        if frame is target:
            return True
        frame = frame.f_back
    return False


class StopsMixin(object):
    """Mixed into Agent."""

    def new_wait(self):
        """What a parked thread waits on (the Pyodide bootstrap serves commands instead)."""
        return ParkGate()

    def park(self, frame, reason, exc=None, frames=None, description=None, bp_ids=None, ret=None):
        """Called on the debuggee's thread: report (unless others already did) and wait."""
        ident = get_ident()
        if self.detached:
            return
        p = Parked(frame, frames, exc, reason, self.new_wait(), ret)
        p.loop = asynctasks.running_loop()
        if p.loop is not None:
            p.task = asynctasks.current_task()
        self.steps.pop(ident, None)
        with self.lock:
            announce = not self.stopped
            self.stopped = True
            self.stop_all = True
            self.parked[ident] = p
        if announce:
            # while stopped, the agent's own allocations must not run the program's finalizers
            # (__del__, weakref callbacks) on the agent's thread, where one that waits for a lock
            # a stopped thread holds would hang the session
            self.gc_paused = gc.isenabled()
            if self.gc_paused:
                gc.disable()
            self._engine_update()
            self._hook_running_frames()
            body = {'reason': reason, 'threadId': self.thread_num(ident), 'allThreadsStopped': True}
            if description:
                body['description'] = description
            if bp_ids:
                body['hitBreakpointIds'] = bp_ids
            if exc is not None:
                body['text'] = type(exc[0]).__name__
            name = asynctasks.task_name(p.task) if p.task is not None else None
            if name is not None and exc is not None:
                # which of many tasks raised is what a user of an asyncio program asks first
                body['text'] += ' in task "%s"' % name
                body['description'] = '%s (in task "%s")' % (description or body['text'], name)
            self.ch.event('stopped', body)
        with p.cond:
            while p.resume is None:
                p.cond.wait()

    def should_stop_line(self, frame, code, line, ident):
        """Decide for a LINE event; returns (reason, bp_ids, description) or None."""
        fb = self.file_bps(code.co_filename)
        if fb is not None:
            bps = fb.by_line.get(line)
            if bps:
                hit = []
                for bp in bps:
                    if self.bp_fires(bp, frame):
                        hit.append(bp.id)
                if hit:
                    return ('breakpoint', hit, None)
        st = self.steps.get(ident)
        if st is not None:
            if st.kind == 'entry':
                # `-m module` stops at the module's first line, library or not (as pdb does);
                # a program at its first line of user code
                if self.is_entry_code(code) if self.entry_file is not None else self.code_is_user(code):
                    return ('entry', None, None)
            elif st.awaiter is not None:
                # only where the awaiting task goes on (its resume is the stop, this a fallback)
                if frame is st.awaiter[0]:
                    return ('step', None, None)
            elif frame is st.frame and st.kind != 'out':
                # the next line of the frame stepped from, even one of library code
                return ('step', None, None)
            elif st.coro:
                # the coroutine stepped from runs on, or waits in an await while other tasks run:
                # their lines are not where this step goes
                if st.kind == 'in' and self.code_is_user(code) and on_stack(frame, st.frame):
                    return ('step', None, None)
            elif self.code_is_user(code):
                if st.kind == 'in':
                    return ('step', None, None)
                if st.kind == 'over' and not on_stack(frame, st.frame):
                    return ('step', None, None)
                if st.kind == 'out' and not on_stack(frame, st.frame):
                    return ('step', None, None)
        if self.stop_all and (self.code_is_user(code) or (self.pause_any and not self.is_agent_file(code.co_filename))):
            return ('pause', None, None)
        return None

    def on_line(self, frame, code, line):
        ident = get_ident()
        r = self.should_stop_line(frame, code, line, ident)
        if r is not None:
            reason, ids, desc = r
            self.park(frame, reason, description=desc, bp_ids=ids)
            return True
        return False

    def on_step_exit(self, frame, how, value):
        """The frame a step started from leaves (`how`: 'return', 'yield' or 'raise'; engines
        call this only for that frame). A return or a yield stops in the caller on the line of
        the call, as debugpy does, with the value shown there as `(return) NAME`; so stepping
        out of `f` in `x = f(a) + g(b)` and then in enters `g`."""
        st = self.steps.get(get_ident())
        if st is None or frame is not st.frame or st.kind == 'entry':
            return
        if how == 'yield' and st.coro and not asynctasks.is_async_gen_item(value):
            return  # suspended in an await: the same coroutine goes on later
        coro, st.frame, st.coro = st.coro, None, False
        if how == 'raise':
            return  # the exception's handler, wherever it is, is the next user line
        label = '(return) %s' % frame.f_code.co_name
        back = frame.f_back
        if coro:
            # through the library's own coroutines (wait_for, timeout) to the user's awaiting one
            while back is not None and not self.code_is_user(back.f_code) and asynctasks.is_suspending_code(back.f_code):
                back = back.f_back
        if back is not None and self.code_is_user(back.f_code):
            self.park(back, 'step', ret=(back, label, value))
            return
        if coro and how == 'return':
            target = self.awaiter_frame(frame)
            if target is not None:
                st.awaiter = (target, label, value)
                self._engine_update()

    def awaiter_frame(self, frame):
        """The task's coroutine `frame` ended its task: the innermost user frame of the first
        task that awaited it, which resumes later (or None)."""
        task = asynctasks.current_task()
        if task is None:
            return None
        for waiter in asynctasks.awaiting_tasks(task):
            for f in reversed(asynctasks.coroutine_frames(waiter)):
                if self.code_is_user(f.f_code):
                    return f
        return None

    def on_resume(self, frame):
        """A coroutine or generator frame resumes: the awaiter a step out of a task waits for."""
        st = self.steps.get(get_ident())
        if st is not None and st.awaiter is not None and frame is st.awaiter[0]:
            self.park(frame, 'step', ret=st.awaiter)
            return True
        return False

    def step_frames(self):
        """Frames whose return, yield or resume a step waits for (the engines' filter)."""
        out = []
        # a copy taken in one C call: another thread's park may pop its step meanwhile
        for st in list(self.steps.values()):
            if st.frame is not None:
                out.append(st.frame)
            if st.awaiter is not None:
                out.append(st.awaiter[0])
        return out

    def awaiting(self):
        for st in list(self.steps.values()):
            if st.awaiter is not None:
                return True
        return False

    def on_call_func_bp(self, frame, code):
        bp = self.func_bps.get(code.co_name) or self.func_bps.get(getattr(code, 'co_qualname', None))
        if bp is not None and self.bp_fires(bp, frame):
            self.park(frame, 'function breakpoint')

    def on_raise(self, frame, exc, mode):
        """An exception seen in user code: stop once per exception object."""
        if exc is self.last_exc or not self.code_is_user(frame.f_code):
            return
        self.last_exc = exc
        self.park(frame, 'exception', exc=(exc, mode), description=describe_exc(exc))

    def on_uncaught(self, exc, tb):
        if 'uncaught' not in self.exc_filters or self.detached:
            return
        frames = []
        t = tb
        while t is not None:
            if not self.is_agent_file(t.tb_frame.f_code.co_filename):
                frames.append(t.tb_frame)
            t = t.tb_next
        frames.reverse()
        if not frames:
            return
        self.park(frames[0], 'exception', exc=(exc, 'unhandled'), frames=frames,
                  description=describe_exc(exc))

    def needs_slow(self):
        return bool(self.steps or self.stop_all or self.func_bps or self.exc_filters & {'raised', 'userUnhandled'})

    def step_code(self):
        """Code of the frame a step started from: its lines stay live while stepping (monitoring)."""
        for st in list(self.steps.values()):
            if st.frame is not None:
                return st.frame.f_code
        return None

    def resume_all(self):
        with self.lock:
            self.stop_all = False
            self.pause_any = False
            self.stopped = False
            # the references the stop held are dropped only once the program runs on: a __del__
            # they trigger must not run on this thread while the program is still parked
            held = self.clear_stop_state()
            parked = list(self.parked.values())
            self.parked = {}
            gc_paused, self.gc_paused = self.gc_paused, False
        self._engine_update()
        for p in parked:
            with p.cond:
                p.resume = 'go'
                p.cond.notify_all()
        if gc_paused:
            gc.enable()
        del held

    def detach(self):
        self.detached = True
        self.files = {}
        self.raw_files = {}
        self.func_bps = {}
        self.exc_filters = set()
        self.steps.clear()
        self.timed_codes_changed()
        self.resume_all()
        self._engine_remove()


# -- commands

def start(agent, a):
    agent.after_reply = agent.started.set
    return {}


def continue_(agent, a):
    agent.steps.clear()
    agent.after_reply = agent.resume_all
    return {'allThreadsContinued': True}


def step(agent, a):
    tid = A.integer(a, 'threadId')
    kind = A.choice(a, 'kind', ('over', 'in', 'out'), 'over')
    ident = agent.ident_of(tid)
    p = agent.parked.get(ident)
    if p is None:
        raise Refusal('thread %s is not stopped' % tid)
    agent.steps.clear()
    frame = p.frames[0] if p.frames else p.frame
    agent.steps[ident] = Step(kind, frame)
    agent._prepare_step(frame)
    agent.after_reply = agent.resume_all
    return {}


# A pause stops at the next line of the program's own code; after this long without one it takes
# the next line of any code. A program that runs only library code while it waits (python -m
# http.server, a user's app parked in serve_forever) would otherwise never stop.
PAUSE_ANY_CODE_S = 1.0


def pause(agent, a):
    with agent.lock:
        if agent.stopped:
            return {}
        agent.stop_all = True
        agent.pause_gen += 1
        gen = agent.pause_gen
    agent._engine_update()
    agent._hook_running_frames()
    if sys.platform != 'emscripten':
        start_new_thread(_pause_any_code_later, (agent, gen))
    return {}


def _pause_any_code_later(agent, gen):
    ident = get_ident()
    agent.own_ident(ident)
    try:
        sys.settrace(None)
        time.sleep(PAUSE_ANY_CODE_S)
        with agent.lock:
            if agent.pause_gen != gen or not agent.stop_all or agent.stopped or agent.detached:
                return
            agent.pause_any = True
        agent._engine_update()
        agent._hook_running_frames()
    except Exception:
        pass
    finally:
        # its ident may be reused by a thread of the program, which must be seen again
        agent.agent_idents.discard(ident)


def detach(agent, a):
    try:
        agent.detach()
    finally:
        # whatever the detach met, the program runs on, and nobody will read its output: a
        # followed child's output is its parent's, still read by the parent's session; an
        # attached program's stdio was never ours
        if sys.platform != 'emscripten' and not agent.attached and not getattr(agent, 'inherited_output', False):
            quiet_output()
    return {}


def quiet_output():
    """After a detach nobody reads the program's stdout and stderr, pipes to an adapter that may
    soon exit, after which the program's next print would raise BrokenPipeError: a program the
    user detached from must run on, so its output goes to /dev/null from here on."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    for fd in (1, 2):
        try:
            os.dup2(null, fd)
        except OSError:
            pass
    os.close(null)
