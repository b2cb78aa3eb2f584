# pyscope agent transport for Pyodide: the same agent.py engine, served without threads.
#
# Natively the agent reads commands on a thread of its own and a stopped program waits on a
# condition variable. Pyodide has one thread, so here:
#   - before the program starts and while it is stopped, the agent blocks on the adapter's
#     shared-memory mailbox (pyscope_js.take, an Atomics.wait in the worker) and serves commands;
#   - while the program runs, the adapter raises SIGINT through Pyodide's interrupt buffer and the
#     handler below serves whatever is queued (setBreakpoints, pause, ...), then the program goes on.
# While the agent serves, the thread counts as an agent thread, so the engine's hooks ignore the
# user code that evaluations run. A repr or an evaluation cannot be left to a helper thread when it
# overruns, as natively: the adapter interrupts it instead (InlineWorker below).
import sys
import os
import json
import signal
import threading
import time
import traceback
import importlib.util

import pyscope_js  # registered by the worker: options, post(text), take(timeout_ms) -> str | None, rearm(), deadline(ms | None)

_BOOT_FILE = os.path.normcase(os.path.abspath(__file__))


def _load_agent(path):
    spec = importlib.util.spec_from_file_location('pyscope_agent', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_opts = json.loads(pyscope_js.options)
A = _load_agent(_opts['agentPath'])


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


class InlineWorker(object):
    """No threads: reprs and evaluations run inline, on the program's only thread.

    Their time limit comes from outside: the adapter hears the deadline, and once it has passed
    raises SIGINT through the interrupt buffer (again every 50 ms, for code that swallows one
    exception) until the call ends; PyodideAgent.on_interrupt turns that into the _Timeout the
    native Worker raises, so the callers' handling is the same."""

    def __init__(self, agent):
        self.agent = agent

    def call(self, timeout, fn, *args):
        agent = self.agent
        if agent.deadline is not None:
            return fn(*args)  # called from inside a timed call: the outer limit holds
        agent.deadline_text = 'timed out after %gs' % timeout
        agent.deadline = time.monotonic() + timeout
        try:
            pyscope_js.deadline(timeout * 1000)
            return fn(*args)
        finally:
            # before any call: an interrupt handled from here on must not raise any more
            agent.deadline = None
            pyscope_js.deadline(None)


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


class PyodideAgent(A.Agent):
    def __init__(self, ch):
        A.Agent.__init__(self, ch)
        self.ident = A._get_ident()
        # _Servings entered and not left
        self.serving = 0
        self.serving_commands = _Serving(self)
        # time.monotonic() by which the running repr or evaluation must end (InlineWorker)
        self.deadline = None
        self.deadline_text = ''

    def is_user(self, filename):
        if self.canon(filename) == _BOOT_FILE:
            return False
        return A.Agent.is_user(self, filename)

    def is_library(self, filename):
        if self.canon(filename) == _BOOT_FILE:
            return True
        return A.Agent.is_library(self, filename)

    def cmd_threads(self, a):
        # the one thread is the program's even while it serves this request (the base class
        # leaves out threads that serve the agent, which here would leave no thread at all)
        return {'threads': [{'id': self.thread_num(self.ident), 'name': threading.main_thread().name}]}

    def dispatch(self, line):
        # mirrors Agent.serve's loop body for one message
        try:
            msg = json.loads(line)
        except ValueError:
            return
        rid = msg.get('id')
        cmd = msg.get('cmd', '')
        handler = getattr(self, 'cmd_' + cmd, None)
        try:
            if handler is None:
                raise A.Refusal('unknown agent command %r' % cmd)
            body = handler(msg.get('args') or {})
            self.ch.send({'id': rid, 'ok': True, 'body': body or {}})
            then, self.after_reply = self.after_reply, None
            if then is not None:
                then()
        except A.Refusal as e:
            self.ch.send({'id': rid, 'ok': False, 'error': str(e)})
        except Exception as e:
            self.ch.send({'id': rid, 'ok': False, 'error': '%s: %s' % (type(e).__name__, e)})

    def serve_one(self, timeout_ms):
        """Serves one command if one comes within timeout_ms; False if none came."""
        # serving from before the take: a SIGINT handler that ran between the take and the
        # dispatch would serve the next command first
        with self.serving_commands:
            line = pyscope_js.take(timeout_ms)
            if line is None:
                return False
            self.dispatch(line)
        return True

    def on_interrupt(self, signum, frame):
        deadline = self.deadline
        if deadline is not None and time.monotonic() >= deadline:
            raise A._Timeout(self.deadline_text)
        if self.serving:
            return  # an evaluation run by a command, or a wait for one: the agent reads the rest itself
        while self.serve_one(0):
            pass


def _parked_with_wait(agent):
    base = A.Parked

    class Parked(base):
        __slots__ = ()

        def __init__(self, *args):
            base.__init__(self, *args)
            self.cond = _Wait(agent)
    return Parked


def main():
    opts = _opts
    ch = JsChannel()
    agent = A._agent = PyodideAgent(ch)
    A.Parked = _parked_with_wait(agent)
    agent.thread_num(agent.ident)
    agent.worker = InlineWorker(agent)
    # before anything runs Python code: a command that arrives early must not be a KeyboardInterrupt
    signal.signal(signal.SIGINT, agent.on_interrupt)
    run_opts = {'args': list(opts.get('args', []))}
    if opts.get('module'):
        run_opts['module'] = opts['module']
    else:
        run_opts['program'] = opts['program']
    try:
        code = A._compile_program(run_opts)
    except BaseException as e:
        text = ''.join(traceback.format_exception_only(type(e), e))
        ch.event('launchError', {'message': text.strip().splitlines()[-1], 'text': text})
        return 1
    hello = A._hello(agent, run_opts)
    # Pyodide's own Python (_pyodide, pyodide, the zipped stdlib) lives under /lib
    hello['libraryPaths'].extend([os.path.dirname(_BOOT_FILE), '/lib'])
    hello['implementation'] = 'pyodide'
    ch.event('hello', hello)
    with agent.serving_commands:
        while not agent.started.is_set():
            agent.serve_one(-1)
    engine = A.MonitoringEngine() if A._MONITORING else A.TraceEngine()
    A._bind_engine(agent, engine)
    engine.install(agent)
    engine.breakpoints_changed()
    if opts.get('stopOnEntry'):
        agent.steps[agent.ident] = A.Step('entry', None)
        engine.update()
    try:
        A._run(agent, run_opts, code)
    except SystemExit as e:
        return _exit_code(e.code)
    except BaseException as e:
        tb = _program_tb(e.__traceback__)
        e.__traceback__ = tb
        try:
            agent.on_uncaught(e, tb)
        except Exception:
            A._report_internal_error()
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


def _program_tb(tb):
    while tb is not None and os.path.normcase(os.path.abspath(tb.tb_frame.f_code.co_filename)) in (A._AGENT_FILE, _BOOT_FILE):
        tb = tb.tb_next
    return tb


def _exit_code(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xff
    print(code, file=sys.stderr)
    return 1
