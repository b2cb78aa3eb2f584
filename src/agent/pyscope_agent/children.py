# Following child processes (docs/DEBUGGER.md, "Child processes"), natively only.
#
# The adapter listens on a unix socket (0600, in a 0700 folder, a random token in its name) and
# hands its path to the launched program in PYSCOPE_DAP_CHILDREN. A followed process:
#   - forks: the at-fork hook below drops the parent's agent in the child (its threads did not
#     survive the fork, its channel is the parent's) and starts a fresh one on the socket;
#   - spawns a Python interpreter (subprocess, multiprocessing spawn and forkserver, os.exec*):
#     PYTHONPATH leads it to ../children_hook/sitecustomize.py, which starts an agent the same way
#     before the child's own code runs.
# A child's agent says hello with what the adapter needs to name it, then waits, the child held,
# until its debug session has set breakpoints and says `start` (or the adapter releases it with
# `detach`). Children of children follow the same way: the environment and the at-fork hook pass on.
from .runtime import sys, os, socket, threading, allocate_lock, get_ident, start_new_thread, Holder, report_internal_error
from .agent import Agent
from .channel import Channel
from .timed import Worker, Watchdog
from . import timed
from . import runner
from .uncaught import hook_uncaught

ENV_SOCKET = 'PYSCOPE_DAP_CHILDREN'
HOOK_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'children_hook')
HOOK_FILE = os.path.join(HOOK_DIR, 'sitecustomize.py')
# an adapter that accepts nothing within this is gone or stuck: the child runs untraced
CONNECT_TIMEOUT_S = 10.0

_state = {'path': None, 'hooked': False}


def follow(path):
    """In every process under a native agent once the agent is in place. Following (a path): its
    spawned interpreters find the hook through PYTHONPATH, its forks go through the at-fork hook.
    Not following: a fork still drops the inherited agent, and runs untraced."""
    if not _state['hooked'] and hasattr(os, 'register_at_fork'):
        _state['hooked'] = True
        os.register_at_fork(after_in_child=_after_fork)
    if not path:
        return
    _state['path'] = path
    os.environ[ENV_SOCKET] = path
    old = os.environ.get('PYTHONPATH')
    parts = old.split(os.pathsep) if old else []
    if HOOK_DIR not in parts:
        os.environ['PYTHONPATH'] = os.pathsep.join([HOOK_DIR] + parts)


def adapter_gone(agent):
    """The launched program's agent lost its adapter without a detach (an adapter killed with
    SIGKILL cleans up nothing): the children's socket and its folder go, since nobody listens."""
    path = _state['path']
    if not path or getattr(agent, 'inherited_output', False):
        return
    for remove in (os.unlink, os.rmdir):
        try:
            remove(path)
        except OSError:
            return
        path = os.path.dirname(path)


def _after_fork():
    try:
        old = Holder.agent
        if old is not None:
            _abandon(old)
        caller = sys._getframe(1)
        if caller.f_code.co_name == '_execute_child' and os.path.basename(caller.f_code.co_filename) == 'subprocess.py':
            # subprocess's child running a preexec_fn: it execs next, and a Python it runs is
            # followed through the hook; this fork itself is no program of its own
            return
        if _state['path']:
            start_child(_state['path'], 'fork')
    except Exception:
        pass  # a fork of the program must never fail because of the debugger


def _abandon(old):
    """The parent's agent, as the child inherits it: its threads are gone, its locks may be held
    by them, its channel is the parent's. Its hooks go and its channel is closed without a lock."""
    old.detached = True
    try:
        old._engine_remove()
    except Exception:
        pass
    old.ch.closed = True
    for f in (old.ch._in, old.ch._out):
        try:
            f.close()
        except Exception:
            pass
    timed._fired_lock = allocate_lock()
    timed.fired.clear()
    Holder.agent = None


def _cmdline():
    if hasattr(sys, 'orig_argv'):
        return list(sys.orig_argv)  # 3.10+: as the interpreter was run (not its loader's command line)
    try:
        with open('/proc/self/cmdline', 'rb') as f:
            raw = f.read()
        return [a.decode('utf-8', 'replace') for a in raw.split(b'\0')[:-1]]
    except OSError:
        return list(sys.argv)


def start_child(path, how):
    """Connects this process to the adapter as a child and holds it until its session starts it.
    Returns whether it is debugged (False: the adapter is gone or let it go)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(CONNECT_TIMEOUT_S)
        s.connect(path)
        s.settimeout(None)
    except OSError:
        s.close()
        return False
    fd = s.detach()
    agent = Holder.agent = Agent(Channel(fd, os.dup(fd)))
    # the child's stdout and stderr are its parent's: a detach leaves them alone
    agent.inherited_output = True
    agent.agent_files.add(agent.canon(HOOK_FILE))
    agent.thread_num(get_ident())
    agent.worker = Worker(agent)
    agent.watchdog = Watchdog(agent)
    agent.own_ident(start_new_thread(runner.serve, (agent,)))
    body = runner.hello(agent, {})
    # a fork runs the parent's program: its command line as the program sees it
    argv = [sys.executable] + sys.argv if how == 'fork' else _cmdline()
    body['child'] = {'how': how, 'parentPid': os.getppid(), 'argv': argv}
    agent.ch.event('hello', body)
    agent.started.wait()
    # its children follow even when it is not debugged itself (multiprocessing's forkserver)
    follow(path)
    if agent.detached:
        return False
    runner.install_engine(agent, False)
    hook_uncaught(agent)
    return True


