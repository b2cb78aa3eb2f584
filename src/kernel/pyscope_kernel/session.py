# One debug session's agent, inside the kernel's process: created at `attach`, gone at
# `disconnect`. The agent is the same package the native launch and the attach use; here its
# commands are called directly on the kernel's control thread (no channel, no port), and its
# events (stopped, output) come back through InProcessChannel.
import os
import sys
from threading import get_ident

from pyscope_agent.runtime import Holder, MONITORING
from pyscope_agent.settrace import _global_trace
from pyscope_agent.agent import Agent, configure
from pyscope_agent.timed import Worker, Watchdog
from pyscope_agent.dispatch import COMMANDS
from pyscope_agent.runner import library_paths
from pyscope_agent.errors import Refusal, BadArgument
from pyscope_agent import attach as agent_attach


class CommandFailed(Exception):
    """An agent command refused: its one-line message goes into the error reply."""


class InProcessChannel(object):
    """Stands in for the agent's Channel: only events pass through it (commands are calls)."""

    closed = False

    def __init__(self, on_event):
        self.on_event = on_event

    def send(self, msg):
        if 'event' in msg:
            self.on_event(msg['event'], msg.get('body') or {})

    def event(self, name, body=None):
        self.on_event(name, body or {})

    def close(self):
        self.closed = True


def library_roots():
    """The standard library and the site folders: Just-My-Code's library (the kernel's own
    modules, IPython's and ipykernel's, are among them)."""
    return sorted(set(os.path.normcase(r) for r in library_paths()))


class AgentSession(object):
    def __init__(self, on_event, kernel_threads, just_my_code):
        agent = self.agent = Agent(InProcessChannel(on_event))
        Holder.agent = agent
        agent.attached = True  # inside a running program: its stdio is not ours to close
        agent.thread_tracer = None
        agent.restore_hooks = None
        agent.agent_file = os.path.normcase(os.path.abspath(__file__))
        # the kernel's own files (this package and its launcher) are the agent's: no frame of
        # theirs shows, and the stack ends above them
        here = os.path.dirname(os.path.abspath(__file__))
        for d in (here, os.path.dirname(here)):
            for name in os.listdir(d):
                if name.endswith('.py'):
                    agent.agent_files.add(agent.canon(os.path.join(d, name)))
        for ident in kernel_threads:
            agent.own_ident(ident)
        agent.own_ident(get_ident())
        main = _main_ident()
        if main is not None:
            agent.thread_num(main)  # the main thread, which runs the cells, is thread 1
        agent.worker = Worker(agent)
        agent.watchdog = Watchdog(agent)
        configure(agent, {'libraryRoots': library_roots(), 'justMyCode': just_my_code, 'reprTimeout': 1.0})
        self.engine_on = False
        self.retrace = False
        self.on_event = on_event
        agent.park = self._interruptible(agent.park)

    def _interruptible(self, park):
        """The kernel's interrupt is a KeyboardInterrupt in the cell's thread, which may be
        stopped: the stop ends with it (the cell gets the exception), or the agent would think the
        program still stopped and the next cell would wait there, unannounced, for ever."""
        agent = self.agent

        def interruptible_park(*args, **kwargs):
            try:
                return park(*args, **kwargs)
            except BaseException:
                # CPython unsets a thread's trace function that raises: put back before the next cell
                self.retrace = not MONITORING
                agent.steps.clear()
                agent.resume_all()
                self.on_event('continued', {'threadId': 1, 'allThreadsContinued': True})
                raise
        return interruptible_park

    def start_engine(self):
        if not self.engine_on:
            self.engine_on = True
            agent_attach.install(self.agent)

    def before_cell(self):
        """On the cell's thread, before each cell (IPython's pre_execute event)."""
        if self.retrace and self.engine_on and not self.agent.detached:
            self.retrace = False
            sys.settrace(_global_trace)

    def call(self, cmd, args):
        """(body, then): `then` (a resume) must run after the reply is out."""
        agent = self.agent
        agent.own_ident(get_ident())
        agent.after_reply = None
        try:
            body = COMMANDS[cmd](agent, args)
        except BadArgument as e:
            agent.after_reply = None
            raise CommandFailed('%s: %s' % (cmd, e))
        except Refusal as e:
            agent.after_reply = None
            raise CommandFailed(str(e))
        then, agent.after_reply = agent.after_reply, None
        return body or {}, then

    def close(self):
        """Everything of the agent goes: hooks, trace functions, its threads; parked threads run on."""
        agent = self.agent
        agent_attach.stand_down(agent)
        if Holder.agent is agent:
            Holder.agent = None


def _main_ident():
    import threading
    t = threading.main_thread()
    return t.ident if t is not None else None
