# Everything the agent uses, imported once, at start-up.
#
# While the program is stopped the agent must not import: a stop inside an import in progress
# holds that module's import lock, and an import on the agent's thread that needs the same lock
# waits for ever. So the modules the agent needs, and the ones the standard library code it calls
# (linecache, traceback, the compiler's warnings) imports lazily on some versions, are all
# imported here, before the program runs. Nothing else in the package has an import statement
# below its top.
import sys
import os
import io
import json
import signal
import stat
import time
import threading
import _thread
import itertools
import keyword
import linecache
import traceback
import weakref
import gc
import dis
import re
import site
import types
import builtins
import runpy
import importlib.util
import importlib.machinery

# (what traceback.format_exception_only and format_list, linecache and compile's warnings were
# seen to import on first use, 3.8-3.15)
for _name, _since in (('ast', (3, 8)), ('tokenize', (3, 8)), ('unicodedata', (3, 8)), ('codeop', (3, 8)),
                      ('warnings', (3, 8)), ('_suggestions', (3, 12)), ('difflib', (3, 14)), ('_colorize', (3, 13)),
                      ('inspect', (3, 15))):
    if sys.version_info >= _since:
        try:
            __import__(_name)
        except ImportError:
            pass

# ctypes natively only: it raises a timeout in the program's thread (conditions) and writes
# locals back before 3.13; Pyodide has neither threads nor that need
ctypes = None
socket = None  # natively only: a followed child process reaches the adapter over a unix socket
if sys.platform != 'emscripten':
    import socket
    try:
        import ctypes
    except ImportError:
        ctypes = None

MONITORING = sys.version_info >= (3, 12)
PROXY_LOCALS = sys.version_info >= (3, 13)  # PEP 667: f_locals writes through
get_ident = _thread.get_ident
getframe = sys._getframe
allocate_lock = _thread.allocate_lock
RLock = _thread.RLock
start_new_thread = _thread.start_new_thread
monotonic = time.monotonic
EXEC = exec

if MONITORING:
    mon = sys.monitoring
    E = mon.events
    DISABLE = mon.DISABLE
else:
    mon = E = DISABLE = None

# the agent's own files: frames in them are never the program's
PACKAGE_DIR = os.path.normcase(os.path.dirname(os.path.abspath(__file__)))


def socket_shutdown(sock):
    """Ends an attached agent's socket (attach.py): a shutdown wakes a read blocked on it."""
    import socket
    for op in (lambda: sock.shutdown(socket.SHUT_RDWR), sock.close):
        try:
            op()
        except OSError:
            pass


class Holder(object):
    """The running agent, for the few places that have no reference to it (internal errors)."""
    agent = None
    internal_error_reported = False


def report_internal_error():
    a = Holder.agent
    if Holder.internal_error_reported or a is None:
        return
    Holder.internal_error_reported = True
    a.ch.event('output', {'category': 'console', 'text': 'pyscope agent internal error:\n' + traceback.format_exc()})


def describe_exc(exc):
    # runs on the program's thread: a broken __str__ must not turn into an error of the program
    try:
        return '%s: %s' % (type(exc).__name__, exc)
    except Exception:
        return '%s: <str() failed>' % type(exc).__name__
