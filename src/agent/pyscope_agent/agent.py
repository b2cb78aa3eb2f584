# The Agent: the state every part shares, and the small bookkeeping around it. Its behaviour comes
# from the mixins (policy, breakpoints, stops, values, inspection); the engines call into it.
from .runtime import os, threading, PACKAGE_DIR
from .policy import CodePolicy, new_exec_made
from .breakpoints import BreakpointsMixin
from .stops import StopsMixin
from .values import ValuesMixin
from .inspection import InspectionMixin
from . import args as A


class Agent(CodePolicy, BreakpointsMixin, StopsMixin, ValuesMixin, InspectionMixin):
    def __init__(self, ch):
        self.ch = ch
        self.lock = threading.RLock()
        self.agent_idents = set()
        self.agent_files = set()  # canonical paths of the agent's files outside its package
        self.agent_file = PACKAGE_DIR  # what hello reports: the script the adapter started
        self.files = {}  # canonical path -> FileBreakpoints
        self.raw_files = {}  # co_filename -> FileBreakpoints | None (cache)
        self.canon_cache = {}
        self.func_bps = {}  # name -> LineBreakpoint-like (line ignored)
        self.exc_filters = set()
        self.library_roots = ()
        self.just_my_code = True
        self.user_cache = {}
        self.library_cache = {}
        self.exec_made = new_exec_made()  # code objects made by the user's exec/eval
        self.entry_file = None  # canonical path of the module `-m` runs
        self.steps = {}  # ident -> Step
        self.parked = {}  # ident -> Parked
        self.stop_all = False  # every thread parks at its next line
        self.pause_any = False  # ... of any code, not only the program's own (a pause overdue)
        self.pause_gen = 0  # counts pause requests, so an overdue check knows its own
        self.stopped = False  # a stopped event is out and not yet resumed
        self.gc_paused = False
        self.thread_nums = {}  # ident -> small number for the adapter
        self.task_nums = {}  # id(task) -> (number, weakref): asyncio tasks shown as threads
        self.show_async_tasks = False
        self.next_thread_num = 1
        self.detached = False
        self.attached = False  # started inside a running program (attach.py), not launched by us
        self.started = threading.Event()
        self.worker = None
        self.watchdog = None
        self.last_exc = None
        self.repr_timeout = 1.0
        self.after_reply = None
        self.slow = False  # settrace: take the slow global path (stepping, pausing, exception filters)
        self.next_handle = 1
        self.clear_stop_state()
        nothing = lambda *a: None
        self._engine_update = self._breakpoints_changed = self._hook_running_frames = nothing
        self._prepare_step = self._engine_remove = nothing

    def clear_stop_state(self):
        """Forgets what is valid only while stopped; returns it, for the caller to drop later."""
        old = (getattr(self, 'frames', None), getattr(self, 'handles', None), getattr(self, 'held', None))
        self.frames = {}  # frame id -> frame
        self.frame_ids = {}
        self.handles = {}  # variable handle -> ('scope', frame, kind) | ('obj', value, evaluateName)
        self.sources = {}  # source key -> (filename, code, globals)
        self.held = []  # values an answer made or read: released only after the program resumes
        return old

    def bind_engine(self, engine):
        self.engine = engine
        self._engine_update = engine.update
        self._breakpoints_changed = engine.breakpoints_changed
        self._hook_running_frames = engine.hook_running_frames
        self._prepare_step = engine.prepare_step
        self._engine_remove = engine.remove

    def breakpoints_changed(self):
        self._breakpoints_changed()
        self.timed_codes_changed()

    def own_ident(self, ident):
        self.agent_idents.add(ident)

    def thread_num(self, ident):
        n = self.thread_nums.get(ident)
        if n is None:
            n = self.thread_nums[ident] = self.next_thread_num
            self.next_thread_num += 1
        return n

    def ident_of(self, num):
        for ident, n in self.thread_nums.items():
            if n == num:
                return ident
        return None


def configure(agent, a):
    roots = A.strings(a, 'libraryRoots')
    agent.library_roots = tuple(os.path.normcase(r) for r in roots)
    agent.just_my_code = A.boolean(a, 'justMyCode', True)
    t = A.number(a, 'reprTimeout', 1.0)
    if t <= 0:
        raise A.BadArgument('reprTimeout must be more than 0, not %r' % t)
    agent.repr_timeout = float(t)
    agent.show_async_tasks = A.boolean(a, 'showAsyncTasks', False)
    agent.forget_policy()
    return {}
