# The agent inside a program that was already running (an attach, docs/DEBUGGER.md): the bootstrap
# (../attach_bootstrap.py) connected the adapter's unix socket and calls main(). This starts the
# agent's threads and says hello, then returns, so the program runs on. The engine is installed on
# every thread when the adapter says `start`. When the adapter detaches or goes away, everything
# of the agent goes again: hooks, trace functions, its threads, the socket and its modules.
from .runtime import sys, os, socket_shutdown, threading, get_ident, start_new_thread, MONITORING, Holder, report_internal_error
from .channel import Channel
from .agent import Agent
from .timed import Worker, Watchdog
from .dispatch import handle_line
from .runner import hello, install_engine
from .uncaught import hook_uncaught


class _Start(object):
    """Stands in for agent.started: `start` installs the engine (a launch lets the program run)."""

    def __init__(self, agent):
        self.agent = agent
        self.done = False

    def set(self):
        if self.done or self.agent.detached:
            return
        self.done = True
        try:
            install(self.agent)
        except Exception:
            report_internal_error()

    def is_set(self):
        return self.done

    def wait(self, timeout=None):
        return True


def install(agent):
    """On the reader thread: the engine for every thread of the program, none of the agent's."""
    install_engine(agent, False)
    # an exception nobody handles stops the program as in a launch; put back on detach
    agent.restore_hooks = hook_uncaught(agent)
    if not MONITORING:
        # the engine sets the trace function on the program's threads (and only while something
        # may stop them); the thread tracer is kept for the clean-up on detach
        agent.thread_tracer = agent.engine.tracer
        if agent.thread_tracer.layout is None:
            agent.ch.event('output', {'category': 'console', 'text': 'pyscope: threads that were running before the attach cannot be traced in this interpreter; breakpoints reach threads started from now on\n'})


def main(sock, bootstrap_file):
    fd = sock.fileno()
    ch = Channel(os.dup(fd), os.dup(fd))
    agent = Holder.agent = Agent(ch)
    agent.attached = True
    agent.attach_socket = sock
    agent.thread_tracer = None
    agent.restore_hooks = None
    agent.agent_file = os.path.normcase(os.path.abspath(bootstrap_file))
    agent.agent_files.add(agent.canon(bootstrap_file))
    main_thread = threading.main_thread().ident
    if main_thread is not None:
        agent.thread_num(main_thread)  # thread 1, as in a launch
    agent.worker = Worker(agent)
    agent.watchdog = Watchdog(agent)
    agent.started = _Start(agent)
    agent.own_ident(start_new_thread(_serve, (agent,)))
    ch.event('hello', hello(agent, {}))


def _serve(agent):
    agent.own_ident(get_ident())
    try:
        for line in agent.ch.read_lines():
            handle_line(agent, line)
    except BaseException:  # noqa: the reader must end in the clean-up, whatever happened
        report_internal_error()
    finally:
        _leave(agent)


def stand_down(agent):
    """Everything of an agent that joined a running program goes (the Jupyter kernel's too):
    breakpoints, trace functions, hooks, its threads; parked threads run on."""
    try:
        agent.detach()
    except Exception:
        pass
    if agent.thread_tracer is not None:
        try:
            agent.thread_tracer.unset_all()
        except Exception:
            pass
    if agent.restore_hooks is not None:
        agent.restore_hooks()
    agent.worker.stop()
    agent.watchdog.stop()


def _leave(agent):
    """The adapter detached or went away: the program runs on as if never attached."""
    stand_down(agent)
    agent.ch.close()
    socket_shutdown(agent.attach_socket)
    if Holder.agent is agent:
        Holder.agent = None
    for name in [n for n in sys.modules if n == 'pyscope_agent' or n.startswith('pyscope_agent.')]:
        sys.modules.pop(name, None)
