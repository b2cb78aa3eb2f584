# pyscope dap: a Python interpreter started by a followed program (subprocess, multiprocessing's
# spawn and forkserver, os.exec*) finds this file through PYTHONPATH, which the program's agent set
# (docs/DEBUGGER.md, "Child processes"). It starts the agent in this process before the program's
# own code runs, then runs the sitecustomize it shadows (a distribution's, a virtual
# environment's), and takes its folder off sys.path, so the program sees nothing of it.
# Any interpreter may inherit the environment: this file must parse and do no harm on Python 2.
import os
import sys


def _pyscope_here():
    return os.path.dirname(os.path.abspath(__file__))


def _pyscope_same(p, here):
    try:
        return os.path.abspath(p or os.curdir) == here
    except Exception:
        return False


def _pyscope_chain(here):
    try:
        import importlib.machinery
        import importlib.util
    except ImportError:
        return
    spec = importlib.machinery.PathFinder.find_spec('sitecustomize', [p for p in sys.path if not _pyscope_same(p, here)])
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules['sitecustomize'] = module
    spec.loader.exec_module(module)


def _pyscope_follow():
    here = _pyscope_here()
    sys.path[:] = [p for p in sys.path if not _pyscope_same(p, here)]
    try:
        _pyscope_chain(here)
    finally:
        path = os.environ.get('PYSCOPE_DAP_CHILDREN')
        # a socket that is gone (the session ended, or detached) costs no import of the agent
        if path and os.path.exists(path) and sys.version_info >= (3, 8) and os.name == 'posix' and sys.platform != 'emscripten':
            agent_dir = os.path.dirname(here)
            sys.path.insert(0, agent_dir)
            try:
                from pyscope_agent import children
            finally:
                sys.path.remove(agent_dir)
            children.start_child(path, 'spawn')


_pyscope_follow()
