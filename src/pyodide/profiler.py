# pyscope sampling profiler for Pyodide: the adapter sets Pyodide's interrupt buffer at the
# sampling rate, and this SIGINT handler records the Python stack it interrupted. Stacks are
# interned here; the adapter gets the table and the (time, stack) timeline once, at the end.
# SIGTERM through the same buffer asks the program to stop: it ends as if interrupted, and the
# profile of what ran so far is still delivered (as py-spy writes its file on Ctrl-C).
# Pyodide looks at the interrupt buffer only every 50th time the interpreter checks for pending
# work, so a tick is taken while Python bytecode runs: ticks that come during a long C call are
# counted as missed, and no sample stands for them (it would land on code that ran later).
import sys
import os
import json
import signal
import time
import traceback

import pyscope_js  # registered by the worker: options (JSON), started(), post(text)

_HERE = os.path.normcase(os.path.abspath(__file__))


class Sampler(object):
    def __init__(self):
        self.t0 = time.perf_counter()
        self.stacks = {}  # tuple of frames (innermost first) -> index
        self.table = []
        self.timeline = []

    def on_tick(self, signum, frame):
        frames = []
        f = frame
        while f is not None:
            code = f.f_code
            if os.path.normcase(code.co_filename) == _HERE:
                break  # below the program: the runner
            frames.append((getattr(code, 'co_qualname', code.co_name), code.co_filename, f.f_lineno or code.co_firstlineno, code.co_firstlineno))
            f = f.f_back
        if not frames:
            return
        key = tuple(frames)
        i = self.stacks.get(key)
        if i is None:
            i = self.stacks[key] = len(self.table)
            self.table.append(frames)
        self.timeline.append(((time.perf_counter() - self.t0) * 1000.0, i))


class Stopped(BaseException):
    """Raised into the program when the user stops the recording (not an error of the program)."""


def _stop(signum, frame):
    raise Stopped()


def _ignore(signum, frame):
    pass  # a tick that comes before or after the program


def main():
    signal.signal(signal.SIGINT, _ignore)
    signal.signal(signal.SIGTERM, _ignore)
    opts = json.loads(pyscope_js.options)
    path = os.path.abspath(opts['program'])
    sys.argv = [opts['program']] + list(opts.get('args', []))
    sys.path[0] = os.path.dirname(path)
    try:
        with open(path, 'rb') as f:
            code = compile(f.read(), path, 'exec', dont_inherit=True)
    except BaseException as e:
        sys.stderr.write(''.join(traceback.format_exception_only(type(e), e)))
        return 1
    import types
    main_mod = types.ModuleType('__main__')
    main_mod.__file__ = path
    main_mod.__builtins__ = __builtins__
    sys.modules['__main__'] = main_mod
    sampler = Sampler()
    signal.signal(signal.SIGINT, sampler.on_tick)
    signal.signal(signal.SIGTERM, _stop)
    pyscope_js.started()  # the ticks begin
    status = 0
    try:
        exec(code, main_mod.__dict__)
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except Stopped:
        sys.stderr.write('[stopped by the user]\n')
        status = 130
    except BaseException as e:
        tb = e.__traceback__
        while tb is not None and os.path.normcase(tb.tb_frame.f_code.co_filename) == _HERE:
            tb = tb.tb_next
        traceback.print_exception(type(e), e, tb)
        status = 1
    finally:
        signal.signal(signal.SIGINT, _ignore)
        signal.signal(signal.SIGTERM, _ignore)
        for s in (sys.stdout, sys.stderr):
            try:
                s.flush()
            except Exception:
                pass
    pyscope_js.post(json.dumps({'stacks': sampler.table, 'timeline': sampler.timeline,
                                'elapsed': (time.perf_counter() - sampler.t0) * 1000.0,
                                'version': '%d.%d.%d' % sys.version_info[:3]}))
    return status
