# Start-up of the native agent: the channel, the helper threads, hello, compiling and running the
# program on the main thread once the adapter says `start`.
from .runtime import (sys, os, signal, time, site, types, runpy, builtins, threading, traceback, importlib,
                      get_ident, start_new_thread, MONITORING, Holder, report_internal_error)
from .channel import Channel
from .agent import Agent
from .stops import Step
from .timed import Worker, Watchdog
from .dispatch import handle_line
from .monitoring import MonitoringEngine
from .settrace import TraceEngine
from . import children
from .uncaught import hook_uncaught


def parse_argv(argv):
    opts = {'args': []}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == '--':
            opts['args'] = argv[i + 1:]
            break
        opts[a.lstrip('-')] = argv[i + 1]
        i += 2
    return opts


def library_paths():
    """The standard library and the site folders, real paths: what Just-My-Code counts as library."""
    roots = [os.path.dirname(os.__file__)]
    try:
        roots.extend(site.getsitepackages())
    except Exception:
        pass
    try:
        roots.append(site.getusersitepackages())
    except Exception:
        pass
    for p in sys.path:
        if 'site-packages' in p or 'dist-packages' in p:
            roots.append(p)
    return [os.path.realpath(p) for p in roots if p]


def hello(agent, opts):
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = None  # the folder was removed under the program
    return {
        'pid': os.getpid(),
        'cwd': cwd,
        'version': list(sys.version_info[:3]),
        'implementation': sys.implementation.name,
        'executable': sys.executable,
        'prefix': sys.prefix,
        'basePrefix': getattr(sys, 'base_prefix', sys.prefix),
        'libraryPaths': library_paths(),
        'agentFile': agent.agent_file,
        'engine': 'monitoring' if MONITORING else 'settrace',
    }


def _main_file(spec):
    """The file whose top-level code `python -m` runs for this spec, if it has one."""
    if spec.submodule_search_locations is not None:
        # a package runs its __main__, found without importing the package before the program
        for d in spec.submodule_search_locations:
            p = os.path.join(d, '__main__.py')
            if os.path.isfile(p):
                return p
        return None
    origin = spec.origin
    if origin and origin.endswith('.py') and os.path.isfile(origin):
        return origin
    return None


def compile_program(agent, opts):
    """Compile the program before anything runs: a syntax error fails the launch cleanly."""
    if 'module' in opts:
        sys.path[0] = os.getcwd()
        spec = importlib.util.find_spec(opts['module'])
        if spec is None:
            raise ImportError('No module named %s' % opts['module'])
        main = _main_file(spec)
        agent.entry_file = agent.canon(main) if main else None
        return None
    path = os.path.abspath(opts['program'])
    with open(path, 'rb') as f:
        source = f.read()
    return compile(source, path, 'exec', dont_inherit=True)


def run(agent, opts, code):
    if 'module' in opts:
        sys.argv = [opts['module']] + opts['args']
        sys.path[0] = os.getcwd()
        runpy.run_module(opts['module'], run_name='__main__', alter_sys=True)
        return
    path = os.path.abspath(opts['program'])
    sys.argv = [opts['program']] + opts['args']
    sys.path[0] = os.path.dirname(path)
    main = types.ModuleType('__main__')
    main.__file__ = path
    main.__builtins__ = builtins
    main.__spec__ = None
    sys.modules['__main__'] = main
    exec(code, main.__dict__)


def install_engine(agent, stop_on_entry):
    engine = MonitoringEngine() if MONITORING else TraceEngine()
    agent.bind_engine(engine)
    engine.install(agent)
    engine.breakpoints_changed()
    if stop_on_entry:
        agent.steps[get_ident()] = Step('entry', None)
        engine.update()


def serve(agent):
    agent.own_ident(get_ident())
    try:
        for line in agent.ch.read_lines():
            handle_line(agent, line)
    finally:
        # the adapter went away. After a detach the program runs on, untraced; otherwise it was
        # launched for a session that no longer exists (an adapter killed by SIGKILL cannot end it
        # itself), so it ends, with the children in its process group
        detached = agent.detached
        agent.detach()
        agent.started.set()
        if not detached:
            children.adapter_gone(agent)
            end_orphaned_program()


ORPHAN_GRACE_S = 2.0


def end_orphaned_program():
    """SIGTERM to the program's process group (its own, when the adapter made it the leader, else
    just this process), then SIGKILL if it still runs after ORPHAN_GRACE_S: what the adapter's own
    terminate does."""
    pid = os.getpid()
    leader = os.getpgrp() == pid

    def send(sig):
        try:
            if leader:
                os.killpg(pid, sig)
            else:
                os.kill(pid, sig)
        except OSError:
            pass
    send(signal.SIGTERM)
    time.sleep(ORPHAN_GRACE_S)
    send(signal.SIGKILL)


def main(argv, entry_script):
    opts = parse_argv(argv)
    ch = Channel(int(opts['fd-in']), int(opts['fd-out']))
    agent = Holder.agent = Agent(ch)
    agent.agent_file = os.path.normcase(os.path.abspath(entry_script))
    agent.agent_files.add(agent.canon(entry_script))
    agent.thread_num(get_ident())  # the main thread is thread 1
    # the agent's threads start before any trace hook exists, and are excluded by identity
    agent.worker = Worker(agent)
    agent.watchdog = Watchdog(agent)
    agent.own_ident(start_new_thread(serve, (agent,)))
    # compile before saying hello: a launch that cannot run fails before the session starts
    try:
        code = compile_program(agent, opts)
    except BaseException as e:
        text = ''.join(traceback.format_exception_only(type(e), e))
        ch.event('launchError', {'message': text.strip().splitlines()[-1], 'text': text})
        os._exit(1)
    ch.event('hello', hello(agent, opts))
    agent.started.wait()
    install_engine(agent, opts.get('stopOnEntry') == '1')
    children.follow(os.environ.get(children.ENV_SOCKET))

    # the main thread's uncaught exception is caught around run() below
    hook_uncaught(agent, main_thread=False)

    try:
        run(agent, opts, code)
    except SystemExit:
        raise
    except BaseException as e:
        try:
            agent.on_uncaught(e, e.__traceback__)
        except Exception:
            report_internal_error()
        tb = agent.trim_tb(e.__traceback__)
        sys.excepthook(type(e), e.with_traceback(tb), tb)
        sys.exit(1)
