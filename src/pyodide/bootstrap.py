# pyscope agent transport for Pyodide: the same agent (the pyscope_agent package), served without threads.
#
# Natively the agent reads commands on a thread of its own and a stopped program waits on a
# condition variable. Pyodide has one thread, so here:
#   - before the program starts and while it is stopped, the agent blocks on the adapter's
#     shared-memory mailbox (pyscope_js.take, an Atomics.wait in the worker) and serves commands;
#   - while the program runs, the adapter raises SIGINT through Pyodide's interrupt buffer and the
#     handler below serves whatever is queued (setBreakpoints, pause, ...), then the program goes on.
# Each command is answered by the package's own handle_line(). While the agent serves, the thread
# counts as an agent thread, so the engine's hooks ignore the user code that evaluations run. A
# repr, an evaluation, a condition or a log-point expression cannot be left to a helper thread when
# it overruns, as natively: the adapter interrupts it instead (InlineWorker, ConditionDeadline).
import sys
import os
import json
import signal
import threading
import traceback

import pyscope_js  # registered by the worker: options, post(text), take(timeout_ms) -> str | None, rearm(), deadline(ms | None), notebook(text)

from pyscope_agent import runtime as R
from pyscope_agent import runner, breakpoints
from pyscope_agent.agent import Agent
from pyscope_agent.dispatch import handle_line
from pyscope_agent.errors import Timeout, EvalTimeout

_BOOT_FILE = os.path.normcase(os.path.abspath(__file__))
_opts = json.loads(pyscope_js.options)

# A notebook kernel's messages share the agent's mailbox (so a cell dumped while the program is
# stopped is written before the breakpoints set in it are read): they start with this, and go to
# the handler the kernel program sets (pyodide/notebook_kernel.py), never to the agent.
NOTEBOOK_PREFIX = '{"notebook":'
notebook_handler = None


class JsChannel(object):
    closed = False

    def send(self, msg):
        if msg.get('event') == 'stopped':
            # what the program printed before the stop reaches the client before the stop
            for s in (sys.stdout, sys.stderr):
                try:
                    s.flush()
                except Exception:
                    pass
        pyscope_js.post(json.dumps(msg, default=str))

    def event(self, name, body=None):
        self.send({'event': name, 'body': body or {}})


def _post_deadline(agent, ms):
    """The adapter keeps one deadline: a repr's, or else a running condition's (the lease)."""
    agent.lease_posted = False
    pyscope_js.deadline(ms)


class InlineWorker(object):
    """No threads: reprs and evaluations run inline, on the program's only thread.

    Their time limit comes from outside: the adapter hears the deadline, and once it has passed
    raises SIGINT through the interrupt buffer (again every 50 ms, for code that swallows one
    exception) until the call ends; PyodideAgent.on_interrupt turns that into the Timeout the
    native Worker raises, so the callers' handling is the same."""

    def __init__(self, agent):
        self.agent = agent

    def call(self, timeout, fn, *args):
        agent = self.agent
        if agent.deadline is not None:
            return fn(*args)  # called from inside a timed call: the outer limit holds
        agent.deadline_text = 'timed out after %gs' % timeout
        agent.deadline = R.monotonic() + timeout
        try:
            _post_deadline(agent, timeout * 1000)
            return fn(*args)
        finally:
            # before any call: an interrupt handled from here on must not raise any more
            agent.deadline = None
            _post_deadline(agent, None)
            if agent.cond_deadline is not None:
                # served from inside a condition's evaluation: its own deadline holds again
                agent.lease_posted = True
                pyscope_js.deadline(max(0.0, agent.cond_deadline - R.monotonic()) * 1000)


class ConditionDeadline(object):
    """Around each condition and log-point evaluation, on the program's thread (the hot path).

    Posting a deadline for every evaluation would cost a message each; instead one deadline (a
    lease) is posted when evaluations start, and the interrupts it brings either find one
    evaluation overdue (EvalTimeout) or none running (the lease ends until the next one)."""

    def __init__(self, agent):
        self.agent = agent

    def begin(self):
        a = self.agent
        a.cond_depth += 1
        if a.cond_depth == 1:
            a.cond_deadline = R.monotonic() + a.repr_timeout
            if not a.lease_posted:
                a.lease_posted = True
                pyscope_js.deadline(a.repr_timeout * 1000)

    def end(self):
        a = self.agent
        a.cond_depth -= 1
        if a.cond_depth <= 0:
            a.cond_depth = 0
            a.cond_deadline = None


class _Serving(object):
    """The agent serves commands itself, reading the mailbox: while it serves one, and for the
    whole of a loop that serves them until something happens (the start; a resume, while
    stopped). Meanwhile the SIGINT handler leaves every command to it.

    A loop is inside with its test: `while not started: serve_one(-1)` tests, then blocks in the
    take. A handler run between the two (the interrupt of the command that came meanwhile) used to
    serve that very command (start, continue) itself; the loop then waited in the take for a
    command that had already come, and the program never ran on: the lost stop."""

    def __init__(self, agent):
        self.agent = agent

    def __enter__(self):
        a = self.agent
        a.serving += 1
        a.agent_idents.add(a.ident)
        return self

    def __exit__(self, *exc):
        a = self.agent
        a.serving -= 1
        if not a.serving:
            a.agent_idents.discard(a.ident)
            # the handler declined what came meanwhile: the running program reads it next
            pyscope_js.rearm()
        return False


class _Wait(object):
    """Stands in for a parked thread's condition: waiting means serving the next command, and
    `with cond: while not resumed: cond.wait()` is one _Serving."""

    def __init__(self, agent):
        self.agent = agent

    def __enter__(self):
        self.agent.serving_commands.__enter__()
        return self

    def __exit__(self, *exc):
        return self.agent.serving_commands.__exit__(*exc)

    def wait(self, timeout=None):
        self.agent.serve_one(-1)

    def notify_all(self):
        pass


class PyodideAgent(Agent):
    def __init__(self, ch):
        Agent.__init__(self, ch)
        self.ident = R.get_ident()
        # _Servings entered and not left
        self.serving = 0
        self.serving_commands = _Serving(self)
        self.agent_files.add(_BOOT_FILE)
        # time.monotonic() by which the running repr or evaluation must end (InlineWorker)
        self.deadline = None
        self.deadline_text = ''
        # the same for a condition or log-point expression (ConditionDeadline)
        self.cond_deadline = None
        self.cond_depth = 0
        self.lease_posted = False

    def thread_list(self):
        # the one thread is the program's even while it serves this request (the base class
        # leaves out threads that serve the agent, which here would leave no thread at all)
        return [{'id': self.thread_num(self.ident), 'name': threading.main_thread().name}]

    def new_wait(self):
        return _Wait(self)

    def serve_one(self, timeout_ms):
        """Serves one command if one comes within timeout_ms; False if none came."""
        # serving from before the take: a SIGINT handler that ran between the take and the
        # dispatch would serve the next command first
        with self.serving_commands:
            line = pyscope_js.take(timeout_ms)
            if line is None:
                return False
            if line.startswith(NOTEBOOK_PREFIX):
                if notebook_handler is not None:
                    notebook_handler(json.loads(line)['notebook'])
            else:
                handle_line(self, line)
        return True

    def on_interrupt(self, signum, frame):
        now = R.monotonic()
        if self.serving:
            # a repr or an evaluation run by a command, or a wait for one: the agent reads the
            # rest itself
            deadline = self.deadline
            if deadline is not None and now >= deadline:
                raise Timeout(self.deadline_text)
            return
        cond_deadline = self.cond_deadline
        if cond_deadline is not None and now >= cond_deadline:
            raise EvalTimeout()
        if cond_deadline is None and self.lease_posted:
            # no evaluation under way: the adapter may stop interrupting until the next one
            _post_deadline(self, None)
        while self.serve_one(0):
            pass


def main():
    opts = _opts
    ch = JsChannel()
    agent = R.Holder.agent = PyodideAgent(ch)
    agent.thread_num(agent.ident)
    agent.worker = InlineWorker(agent)
    breakpoints.set_condition_guard(ConditionDeadline(agent))
    # before anything runs Python code: a command that arrives early must not be a KeyboardInterrupt
    signal.signal(signal.SIGINT, agent.on_interrupt)
    run_opts = {'args': list(opts.get('args', []))}
    if opts.get('module'):
        run_opts['module'] = opts['module']
    else:
        run_opts['program'] = opts['program']
    try:
        code = runner.compile_program(agent, run_opts)
    except BaseException as e:
        text = ''.join(traceback.format_exception_only(type(e), e))
        ch.event('launchError', {'message': text.strip().splitlines()[-1], 'text': text})
        return 1
    hello = runner.hello(agent, run_opts)
    # Pyodide's own Python (_pyodide, pyodide, the zipped stdlib) lives under /lib
    hello['libraryPaths'].extend([os.path.dirname(_BOOT_FILE), '/lib'])
    hello['implementation'] = 'pyodide'
    ch.event('hello', hello)
    with agent.serving_commands:
        while not agent.started.is_set():
            agent.serve_one(-1)
    runner.install_engine(agent, bool(opts.get('stopOnEntry')))
    try:
        runner.run(agent, run_opts, code)
    except SystemExit as e:
        return _exit_code(e.code)
    except BaseException as e:
        tb = agent.trim_tb(e.__traceback__)
        e.__traceback__ = tb
        try:
            agent.on_uncaught(e, tb)
        except Exception:
            R.report_internal_error()
        traceback.print_exception(type(e), e, tb)
        if isinstance(e, ModuleNotFoundError) and e.name:
            sys.stderr.write("pyscope: the module %r is not among the Pyodide files installed with pyscope, "
                             "and nothing is fetched from the network\n" % e.name.split('.')[0])
        return 1
    finally:
        # what runs after the program (Pyodide's own runPython machinery) is not to be debugged
        agent.detach()
        # a command that races the end must not become a KeyboardInterrupt in Pyodide's epilogue
        signal.signal(signal.SIGINT, _ignore)
        for s in (sys.stdout, sys.stderr):
            try:
                s.flush()
            except Exception:
                pass
    return 0


def _ignore(signum, frame):
    pass


def _exit_code(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xff
    print(code, file=sys.stderr)
    return 1
