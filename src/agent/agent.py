# pyscope debug agent: runs inside the debuggee (CPython 3.8-3.15, stdlib only).
#
# It knows nothing of DAP. It speaks the small line-delimited JSON protocol of
# docs/DEBUGGER.md with the pyscope adapter over two inherited file descriptors, so the
# program's own stdin/stdout/stderr stay untouched. Usage (the adapter does this):
#   python agent.py --fd-in 3 --fd-out 4 (--program FILE | --module NAME) [-- ARGS...]
#
# Engine: sys.monitoring on 3.12+ (LINE only where breakpoints are or while stepping, DISABLE
# elsewhere), sys.settrace before that (a local tracer only for frames that need one).
# Every hook runs inside try/except: an error of the agent must never surface in the program.

import sys
import os
import json
import threading
import linecache
import traceback

try:
    import builtins as _builtins
except ImportError:  # Python 2 gets as far as the version check in main(), which says it is too old
    import __builtin__ as _builtins
_EXEC = getattr(_builtins, 'exec', None)
_AGENT_FILE = os.path.normcase(os.path.abspath(__file__))
_MONITORING = sys.version_info >= (3, 12)
_PROXY_LOCALS = sys.version_info >= (3, 13)  # PEP 667: f_locals writes through
_get_ident = getattr(threading, "get_ident", None)  # absent on Python 2, refused in main()
_getframe = sys._getframe

if _MONITORING:
    _mon = sys.monitoring
    _E = _mon.events
    _DISABLE = _mon.DISABLE


# ---------------------------------------------------------------- channel

class Channel(object):
    """Line-delimited JSON over two file descriptors; writes are serialised by a lock."""

    def __init__(self, fd_in, fd_out):
        self._in = os.fdopen(fd_in, 'rb', 0)
        self._out = os.fdopen(fd_out, 'wb', 0)
        self._lock = threading.Lock()
        self.closed = False

    def send(self, msg):
        data = (json.dumps(msg, default=str) + '\n').encode('utf-8')
        with self._lock:
            if self.closed:
                return
            try:
                self._out.write(data)
            except OSError:
                self.closed = True

    def event(self, name, body=None):
        self.send({'event': name, 'body': body or {}})

    def read_lines(self):
        buf = b''
        while True:
            try:
                chunk = self._in.read(65536)
            except OSError:
                chunk = b''
            if not chunk:
                return
            buf += chunk
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                if line.strip():
                    yield line


# ---------------------------------------------------------------- timed worker

class _Timeout(Exception):
    pass


class Refusal(Exception):
    """A request the agent declines; its message goes to the user as is."""


class Worker(object):
    """Runs user-visible operations (repr, eval) on a helper thread with a time limit.

    A call that overruns is abandoned with its thread (a new one takes over), so a repr that
    loops forever costs a thread, never the debug session."""

    def __init__(self, agent):
        self._agent = agent
        self._start()

    def _start(self):
        import queue
        self._q = queue.Queue()
        t = threading.Thread(target=self._run, args=(self._q,), name='pyscope.worker', daemon=True)
        self._agent.own_thread(t)
        t.start()
        self._agent.own_ident(t.ident)

    def _run(self, q):
        sys.settrace(None)
        self._agent.own_ident(_get_ident())
        while True:
            fn, args, box, done = q.get()
            try:
                box.append((True, fn(*args)))
            except BaseException as e:  # noqa: the user's code may raise anything
                box.append((False, e))
            done.set()

    def call(self, timeout, fn, *args):
        box = []
        done = threading.Event()
        self._q.put((fn, args, box, done))
        if not done.wait(timeout):
            self._start()
            raise _Timeout('timed out after %gs' % timeout)
        ok, value = box[0]
        if ok:
            return value
        raise value


# ---------------------------------------------------------------- breakpoints

class LineBreakpoint(object):
    __slots__ = ('id', 'line', 'condition', 'cond_code', 'hit', 'hits', 'log', 'log_codes', 'cond_failed')

    def __init__(self, spec, path):
        self.id = spec.get('id')
        self.line = spec['line']
        self.condition = spec.get('condition') or None
        self.cond_code = None
        self.cond_failed = False
        if self.condition:
            self.cond_code = compile(self.condition, '<condition %s:%d>' % (path, self.line), 'eval')
        self.hit = spec.get('hit')  # {'op': '>='|'=='|'%', 'n': int} from the adapter
        self.hits = 0
        self.log = spec.get('log')  # list of ['text', s] / ['expr', s]
        self.log_codes = None
        if self.log is not None:
            self.log_codes = [(kind, compile(s, '<logpoint>', 'eval') if kind == 'expr' else s) for kind, s in self.log]


def _code_lines(code):
    """Lines that start an instruction in this code object only (not nested ones)."""
    if hasattr(code, 'co_lines'):
        return set(l for (_, _, l) in code.co_lines() if l is not None)
    import dis
    return set(l for (_, l) in dis.findlinestarts(code))


def _walk_codes(code):
    stack = [code]
    while stack:
        c = stack.pop()
        yield c
        for k in c.co_consts:
            if hasattr(k, 'co_code'):
                stack.append(k)


class FileInfo(object):
    """What the compiled file says: every line with code, and which code object holds it."""

    def __init__(self, path):
        self.path = path
        self.lines = set()
        self.by_line = {}  # line -> set of co_firstlineno of the code objects that hold it
        with open(path, 'rb') as f:
            source = f.read()
        top = compile(source, path, 'exec', dont_inherit=True)
        for c in _walk_codes(top):
            own = _code_lines(c)
            if c is not top and c.co_firstlineno in own and sys.version_info >= (3, 11):
                # the RESUME of a function sits on its def line, which never reports a LINE event
                own.discard(c.co_firstlineno)
            for l in own:
                self.lines.add(l)
                self.by_line.setdefault(l, set()).add(c.co_firstlineno)

    def resolve(self, line):
        if line in self.lines:
            return line
        after = [l for l in self.lines if l > line]
        if after:
            return min(after)
        before = [l for l in self.lines if l < line]
        return max(before) if before else None


class FileBreakpoints(object):
    __slots__ = ('path', 'by_line', 'first_lines')

    def __init__(self, path):
        self.path = path
        self.by_line = {}
        self.first_lines = {}  # co_firstlineno -> True for code objects holding a breakpoint


# ---------------------------------------------------------------- thread state

class Step(object):
    __slots__ = ('kind', 'frame')

    def __init__(self, kind, frame):
        self.kind = kind  # 'in' | 'over' | 'out' | 'entry'
        self.frame = frame


class Parked(object):
    __slots__ = ('frame', 'frames', 'resume', 'cond', 'exc', 'reason')

    def __init__(self, frame, frames, exc, reason):
        self.frame = frame
        self.frames = frames  # explicit frame list (uncaught exception: from the traceback)
        self.resume = None
        self.cond = threading.Condition()
        self.exc = exc
        self.reason = reason


def _on_stack(frame, target):
    while frame is not None:
        if frame is target:
            return True
        frame = frame.f_back
    return False


def _safe_hook(fn):
    """Hooks must never raise into the debuggee; an internal error is reported once."""
    def wrapper(*a):
        try:
            return fn(*a)
        except Exception:
            _report_internal_error()
            return None
    wrapper.__name__ = fn.__name__
    return wrapper


def _describe_exc(exc):
    # runs on the program's thread: a broken __str__ must not turn into an error of the program
    try:
        return '%s: %s' % (type(exc).__name__, exc)
    except Exception:
        return '%s: <str() failed>' % type(exc).__name__


_internal_error_reported = [False]
_agent = None


def _report_internal_error():
    if _internal_error_reported[0] or _agent is None:
        return
    _internal_error_reported[0] = True
    _agent.ch.event('output', {'category': 'console', 'text': 'pyscope agent internal error:\n' + traceback.format_exc()})


# ---------------------------------------------------------------- the agent

class Agent(object):
    def __init__(self, ch):
        self.ch = ch
        self.lock = threading.RLock()
        self.agent_idents = set()
        self.agent_threads = []
        self.files = {}  # canonical path -> FileBreakpoints
        self.raw_files = {}  # co_filename -> FileBreakpoints | None (cache)
        self.canon_cache = {}
        self.func_bps = {}  # name -> LineBreakpoint-like (line ignored)
        self.exc_filters = set()
        self.library_roots = ()
        self.just_my_code = True
        self.user_cache = {}
        self.library_cache = {}
        self.steps = {}  # ident -> Step
        self.parked = {}  # ident -> Parked
        self.stop_all = False  # every thread parks at its next line
        self.stopped = False  # a stopped event is out and not yet resumed
        self.thread_nums = {}  # ident -> small number for the adapter
        self.next_thread_num = 1
        self.frames = {}  # frame id -> frame (valid while stopped)
        self.frame_ids = {}
        self.handles = {}  # variable handle -> ('scope', frame, kind) | ('obj', value)
        self.next_handle = 1
        self.sources = {}  # source key -> content
        self.detached = False
        self.started = threading.Event()
        self.worker = None
        self.last_exc = None
        self.repr_timeout = 1.0
        self.tool = None
        self.after_reply = None
        self.slow = False  # settrace: take the slow global path (stepping, pausing, exception filters)
        nothing = lambda *a: None
        self._engine_update = self._breakpoints_changed = self._hook_running_frames = nothing
        self._prepare_step = self._engine_remove = nothing

    # -- bookkeeping

    def own_thread(self, t):
        self.agent_threads.append(t)

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

    def canon(self, filename):
        c = self.canon_cache.get(filename)
        if c is None:
            if filename.startswith('<'):
                c = filename
            else:
                c = os.path.normcase(os.path.realpath(filename))
            self.canon_cache[filename] = c
        return c

    def is_library(self, filename):
        """Library code by the adapter's roots, whatever justMyCode says (frames show it dimmed)."""
        u = self.library_cache.get(filename)
        if u is None:
            c = self.canon(filename)
            if c == _AGENT_FILE or filename.startswith('<frozen') or c.endswith(os.sep + 'runpy.py'):
                u = True
            elif filename.startswith('<'):
                u = False
            else:
                u = any(c.startswith(r) for r in self.library_roots)
            self.library_cache[filename] = u
        return u

    def is_user(self, filename):
        """Where stepping and exception filters may stop."""
        u = self.user_cache.get(filename)
        if u is None:
            c = self.canon(filename)
            if c == _AGENT_FILE or filename.startswith('<frozen') or c.endswith(os.sep + 'runpy.py'):
                u = False
            elif not self.just_my_code:
                u = True
            else:
                u = not self.is_library(filename)
            self.user_cache[filename] = u
        return u

    def file_bps(self, filename):
        try:
            return self.raw_files[filename]
        except KeyError:
            fb = self.files.get(self.canon(filename))
            self.raw_files[filename] = fb
            return fb

    def code_has_bp(self, code):
        fb = self.file_bps(code.co_filename)
        return fb is not None and code.co_firstlineno in fb.first_lines

    # -- protocol

    def serve(self):
        for line in self.ch.read_lines():
            try:
                msg = json.loads(line.decode('utf-8'))
            except ValueError:
                continue
            rid = msg.get('id')
            cmd = msg.get('cmd', '')
            handler = getattr(self, 'cmd_' + cmd, None)
            try:
                if handler is None:
                    raise Refusal('unknown agent command %r' % cmd)
                body = handler(msg.get('args') or {})
                self.ch.send({'id': rid, 'ok': True, 'body': body or {}})
                then, self.after_reply = self.after_reply, None
                if then is not None:
                    # resuming after the reply: a program that then exits must not lose it
                    then()
            except Refusal as e:
                self.ch.send({'id': rid, 'ok': False, 'error': str(e)})
            except Exception as e:
                self.ch.send({'id': rid, 'ok': False, 'error': '%s: %s' % (type(e).__name__, e)})
        # the adapter went away: let the program run on, untraced
        self.detach()
        self.started.set()

    def cmd_configure(self, a):
        self.library_roots = tuple(os.path.normcase(r) for r in a.get('libraryRoots', ()))
        self.just_my_code = bool(a.get('justMyCode', True))
        self.repr_timeout = float(a.get('reprTimeout', 1.0))
        self.user_cache.clear()
        self.library_cache.clear()
        return {}

    def cmd_setBreakpoints(self, a):
        path = self.canon(a['path'])
        specs = a.get('breakpoints', [])
        out = []
        try:
            info = FileInfo(path)
        except (OSError, SyntaxError, ValueError) as e:
            self.files.pop(path, None)
            self._breakpoints_changed()
            return {'breakpoints': [{'verified': False, 'message': 'cannot compile %s: %s' % (path, e)} for _ in specs]}
        fb = FileBreakpoints(path)
        for spec in specs:
            line = info.resolve(spec['line'])
            if line is None:
                out.append({'verified': False, 'message': 'no code in this file'})
                continue
            spec = dict(spec, line=line)
            try:
                bp = LineBreakpoint(spec, path)
            except SyntaxError as e:
                out.append({'verified': False, 'line': line, 'message': 'invalid expression: %s' % e})
                continue
            fb.by_line.setdefault(line, []).append(bp)
            for first in info.by_line.get(line, ()):
                fb.first_lines[first] = True
            out.append({'verified': True, 'line': line})
        if fb.by_line:
            self.files[path] = fb
        else:
            self.files.pop(path, None)
        # emptied in place: the settrace engine holds this dict, and a file looked up before it had
        # breakpoints is cached as having none
        self.raw_files.clear()
        self._breakpoints_changed()
        return {'breakpoints': out}

    def cmd_breakpointLocations(self, a):
        info = FileInfo(self.canon(a['path']))
        lo = a['line']
        hi = a.get('endLine') or lo
        return {'lines': sorted(l for l in info.lines if lo <= l <= hi)}

    def cmd_setFunctionBreakpoints(self, a):
        bps = {}
        out = []
        for spec in a.get('breakpoints', []):
            try:
                bp = LineBreakpoint(dict(spec, line=0), '<function %s>' % spec['name'])
            except SyntaxError as e:
                out.append({'verified': False, 'message': 'invalid expression: %s' % e})
                continue
            bps[spec['name']] = bp
            out.append({'verified': True})
        self.func_bps = bps
        self._breakpoints_changed()
        return {'breakpoints': out}

    def cmd_setExceptionBreakpoints(self, a):
        self.exc_filters = set(a.get('filters', []))
        self._breakpoints_changed()
        return {}

    def cmd_start(self, a):
        self.after_reply = self.started.set
        return {}

    def cmd_threads(self, a):
        out = []
        names = dict((t.ident, t.name) for t in threading.enumerate())
        live = [i for i in sys._current_frames() if i not in self.agent_idents]
        for ident in sorted(live, key=lambda i: self.thread_num(i)):
            out.append({'id': self.thread_num(ident), 'name': names.get(ident, 'Thread-%d' % ident)})
        return {'threads': out}

    def _frames_of(self, ident):
        p = self.parked.get(ident)
        if p is not None and p.frames is not None:
            return p.frames
        f = p.frame if p is not None else sys._current_frames().get(ident)
        out = []
        while f is not None:
            if self.canon(f.f_code.co_filename) == _AGENT_FILE:
                if out:
                    break  # below the program: the agent's runner
            else:
                out.append(f)
            f = f.f_back
        return out

    def _frame_id(self, frame):
        fid = self.frame_ids.get(id(frame))
        if fid is None or self.frames.get(fid) is not frame:
            fid = len(self.frames) + 1
            self.frames[fid] = frame
            self.frame_ids[id(frame)] = fid
        return fid

    def cmd_stackTrace(self, a):
        ident = self.ident_of(a['threadId'])
        if ident is None:
            raise Refusal('no thread %s' % a['threadId'])
        frames = []
        for f in self._frames_of(ident):
            code = f.f_code
            fn = code.co_filename
            item = {
                'id': self._frame_id(f),
                'name': getattr(code, 'co_qualname', code.co_name),
                'line': f.f_lineno or code.co_firstlineno,
                'user': not self.is_library(fn),
            }
            if os.path.isfile(fn):
                item['path'] = os.path.abspath(fn)
            else:
                key = 'code:%s' % fn
                self.sources.setdefault(key, (fn, code, f.f_globals))
                item['sourceKey'] = key
                item['sourceName'] = fn
            frames.append(item)
        return {'frames': frames}

    def _frame(self, fid):
        f = self.frames.get(fid)
        if f is None:
            raise Refusal('frame %s is not valid (the program is running, or the id is stale)' % fid)
        return f

    def _handle(self, entry):
        h = self.next_handle
        self.next_handle += 1
        self.handles[h] = entry
        return h

    def cmd_scopes(self, a):
        f = self._frame(a['frameId'])
        return {'scopes': [
            {'name': 'Locals', 'handle': self._handle(('scope', f, 'locals')), 'named': len(f.f_locals)},
            {'name': 'Globals', 'handle': self._handle(('scope', f, 'globals')), 'named': len(f.f_globals)},
        ]}

    # -- values

    def _timed(self, fn, *args):
        return self.worker.call(self.repr_timeout, fn, *args)

    def describe(self, name, value, evaluate_name=None):
        try:
            r = self._timed(repr, value)
            if len(r) > 4096:
                r = r[:4096] + '...'
        except _Timeout as e:
            r = '<repr %s>' % e
        except BaseException as e:
            r = '<repr raised %s: %s>' % (type(e).__name__, e)
        t = type(value)
        item = {'name': name, 'value': r, 'type': t.__name__, 'handle': 0}
        if evaluate_name is not None:
            item['evaluateName'] = evaluate_name
        if self._expandable(value):
            item['handle'] = self._handle(('obj', value, evaluate_name))
            n = self._indexed_count(value)
            if n is not None:
                item['indexed'] = n
        return item

    _SCALARS = (int, float, complex, str, bytes, bool, type(None), type(Ellipsis))

    def _expandable(self, value):
        if isinstance(value, self._SCALARS):
            return False
        return True

    def _indexed_count(self, value):
        if isinstance(value, (list, tuple, range, bytearray)) or type(value).__name__ == 'deque':
            try:
                return len(value)
            except Exception:
                return None
        return None

    def _children(self, value, evaluate_name):
        """(name, value, evaluateName) for each child, the way an editor shows them."""
        def sub(suffix):
            return None if evaluate_name is None else evaluate_name + suffix
        if isinstance(value, dict):
            return [('[%s]' % self._timed(repr, k), v, sub('[%s]' % self._timed(repr, k))) for k, v in list(value.items())]
        if self._indexed_count(value) is not None:
            return [(str(i), v, sub('[%d]' % i)) for i, v in enumerate(value)]
        if isinstance(value, (set, frozenset)):
            return [(str(i), v, None) for i, v in enumerate(sorted(value, key=repr))]
        out = []
        d = getattr(value, '__dict__', None)
        names = []
        if isinstance(d, dict):
            names = [n for n in d if isinstance(n, str)]
        for cls in type(value).__mro__:
            for s in getattr(cls, '__slots__', ()) or ():
                if isinstance(s, str) and s not in names and not s.startswith('__'):
                    names.append(s)
        if not names:
            names = [n for n in dir(value) if not n.startswith('__')]
        for n in sorted(names):
            try:
                v = self._timed(getattr, value, n)
            except BaseException:
                continue
            if callable(v) and not isinstance(d, dict):
                continue
            out.append((n, v, sub('.' + n)))
        return out

    def cmd_variables(self, a):
        entry = self.handles.get(a['handle'])
        if entry is None:
            raise Refusal('variables reference %s is not valid' % a['handle'])
        if entry[0] == 'scope':
            f, kind = entry[1], entry[2]
            ns = f.f_locals if kind == 'locals' else f.f_globals
            hide = kind == 'globals' or f.f_locals is f.f_globals
            items = [(k, v, k) for k, v in list(ns.items()) if not (hide and k.startswith('__') and k.endswith('__'))]
        else:
            items = self._children(entry[1], entry[2])
        start = a.get('start') or 0
        count = a.get('count') or 0
        flt = a.get('filter')
        if flt == 'indexed':
            items = [i for i in items if i[0].isdigit()]
        elif flt == 'named':
            items = [i for i in items if not i[0].isdigit()]
        if count:
            items = items[start:start + count]
        elif start:
            items = items[start:]
        return {'variables': [self.describe(n, v, e) for n, v, e in items]}

    def _locals_to_fast(self, frame):
        if _PROXY_LOCALS:
            return
        import ctypes
        ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(frame), ctypes.c_int(0))

    def _eval(self, frame, expression, allow_exec):
        if frame is None:
            import __main__
            g = l = __main__.__dict__
        else:
            g, l = frame.f_globals, frame.f_locals
        try:
            code = compile(expression, '<evaluate>', 'eval')
        except SyntaxError:
            if not allow_exec:
                raise
            code = compile(expression, '<evaluate>', 'exec')
            self._timed(_EXEC, code, g, l)
            if frame is not None:
                self._locals_to_fast(frame)
            return None, False
        return self._timed(eval, code, g, l), True

    def cmd_evaluate(self, a):
        fid = a.get('frameId')
        frame = self._frame(fid) if fid else None
        context = a.get('context', 'repl')
        expr = a['expression']
        try:
            value, is_expr = self._eval(frame, expr, context == 'repl')
        except _Timeout as e:
            raise Refusal('evaluation %s' % e)
        except BaseException as e:
            raise Refusal(''.join(traceback.format_exception_only(type(e), e)).strip())
        if not is_expr:
            return {'value': '', 'handle': 0}
        if context == 'clipboard':
            try:
                return {'value': self._timed(repr, value), 'handle': 0, 'type': type(value).__name__}
            except BaseException as e:
                raise Refusal('repr failed: %s' % e)
        d = self.describe(expr, value, expr)
        return {'value': d['value'], 'type': d['type'], 'handle': d['handle'], 'indexed': d.get('indexed')}

    def cmd_setVariable(self, a):
        entry = self.handles.get(a['handle'])
        if entry is None:
            raise Refusal('variables reference %s is not valid' % a['handle'])
        name = a['name']
        frame = self.frames.get(a.get('frameId') or 0)
        if entry[0] == 'scope':
            frame = entry[1]
        value, _ = self._eval(frame, a['value'], False)
        if entry[0] == 'scope':
            if entry[2] == 'locals':
                frame.f_locals[name] = value
                self._locals_to_fast(frame)
            else:
                frame.f_globals[name] = value
        else:
            target = entry[1]
            if isinstance(target, dict):
                key = None
                for k in list(target):
                    if '[%s]' % repr(k) == name:
                        key = k
                        break
                if key is None:
                    raise Refusal('no key %s' % name)
                target[key] = value
            elif name.isdigit() and hasattr(target, '__setitem__'):
                target[int(name)] = value
            else:
                setattr(target, name, value)
        return self.describe(name, value)

    def cmd_setExpression(self, a):
        frame = self._frame(a['frameId'])
        value, _ = self._eval(frame, a['value'], False)
        tmp = '__pyscope_value__'
        g, l = frame.f_globals, frame.f_locals
        l[tmp] = value
        try:
            self._timed(_EXEC, compile('%s = %s' % (a['expression'], tmp), '<setExpression>', 'exec'), g, l)
        finally:
            try:
                del l[tmp]
            except Exception:
                pass
        self._locals_to_fast(frame)
        return self.describe(a['expression'], value)

    def cmd_completions(self, a):
        import rlcompleter
        fid = a.get('frameId')
        frame = self._frame(fid) if fid else None
        ns = {}
        if frame is not None:
            ns.update(frame.f_globals)
            ns.update(frame.f_locals)
        text = a['text'][:max(0, a.get('column', len(a['text']) + 1) - 1)]
        import re
        m = re.search(r'[A-Za-z_][\w.]*$', text)
        word = m.group(0) if m else ''
        comp = rlcompleter.Completer(ns)
        out = []
        for i in range(500):
            c = self._timed(comp.complete, word, i)
            if c is None:
                break
            c = c[:-2] if c.endswith('()') else c.rstrip('(')
            if c not in out:
                out.append(c)
        base = word.rsplit('.', 1)[0] + '.' if '.' in word else ''
        return {'targets': [{'label': c[len(base):], 'text': c[len(base):], 'start': len(text) - len(word) + len(base), 'length': len(word) - len(base)} for c in out]}

    def cmd_source(self, a):
        entry = self.sources.get(a['key'])
        if entry is None:
            raise Refusal('no source for %s' % a['key'])
        fn, code, g = entry
        lines = linecache.getlines(fn, g)
        if lines:
            return {'content': ''.join(lines), 'mimeType': 'text/x-python'}
        import dis
        import io
        buf = io.StringIO()
        buf.write('# source of %s is not available; disassembly of %s:\n' % (fn, code.co_name))
        dis.dis(code, file=buf)
        return {'content': buf.getvalue(), 'mimeType': 'text/plain'}

    def cmd_exceptionInfo(self, a):
        ident = self.ident_of(a['threadId'])
        p = self.parked.get(ident)
        if p is None or p.exc is None:
            raise Refusal('thread %s is not stopped on an exception' % a['threadId'])
        exc, mode = p.exc
        t = type(exc)
        name = t.__name__ if t.__module__ in ('builtins', '__main__') else '%s.%s' % (t.__module__, t.__qualname__)
        try:
            msg = self._timed(str, exc)
        except BaseException:
            msg = '<str() failed>'
        tb = ''.join(['Traceback (most recent call last):\n'] + traceback.format_list(traceback.extract_tb(self._trim_tb(exc.__traceback__)))
                     + traceback.format_exception_only(t, exc))
        return {'exceptionId': name, 'description': msg, 'breakMode': mode,
                'details': {'typeName': name, 'message': msg, 'stackTrace': tb}}

    def _trim_tb(self, tb):
        while tb is not None and self.canon(tb.tb_frame.f_code.co_filename) == _AGENT_FILE:
            tb = tb.tb_next
        return tb

    # -- execution control

    def _clear_stop_state(self):
        self.frames = {}
        self.frame_ids = {}
        self.handles = {}
        self.sources = {}

    def _resume_all(self):
        with self.lock:
            self.stop_all = False
            self.stopped = False
            self._clear_stop_state()
            parked = list(self.parked.values())
            self.parked = {}
        self._engine_update()
        for p in parked:
            with p.cond:
                p.resume = 'go'
                p.cond.notify_all()

    def cmd_continue(self, a):
        self.steps.clear()
        self.after_reply = self._resume_all
        return {'allThreadsContinued': True}

    def cmd_step(self, a):
        ident = self.ident_of(a['threadId'])
        p = self.parked.get(ident)
        if p is None:
            raise Refusal('thread %s is not stopped' % a['threadId'])
        self.steps.clear()
        frame = p.frames[0] if p.frames else p.frame
        self.steps[ident] = Step(a.get('kind', 'over'), frame)
        self._prepare_step(frame)
        self.after_reply = self._resume_all
        return {}

    def cmd_pause(self, a):
        with self.lock:
            if self.stopped:
                return {}
            self.stop_all = True
        self._engine_update()
        self._hook_running_frames()
        return {}

    def cmd_detach(self, a):
        self.detach()
        return {}

    def detach(self):
        self.detached = True
        self.files = {}
        self.raw_files = {}
        self.func_bps = {}
        self.exc_filters = set()
        self.steps.clear()
        self._resume_all()
        self._engine_remove()

    # -- stopping

    def park(self, frame, reason, exc=None, frames=None, description=None, bp_ids=None):
        """Called on the debuggee's thread: report (unless others already did) and wait."""
        ident = _get_ident()
        if self.detached:
            return
        p = Parked(frame, frames, exc, reason)
        self.steps.pop(ident, None)
        with self.lock:
            announce = not self.stopped
            self.stopped = True
            self.stop_all = True
            self.parked[ident] = p
        if announce:
            self._engine_update()
            self._hook_running_frames()
            body = {'reason': reason, 'threadId': self.thread_num(ident), 'allThreadsStopped': True}
            if description:
                body['description'] = description
            if bp_ids:
                body['hitBreakpointIds'] = bp_ids
            if exc is not None:
                body['text'] = type(exc[0]).__name__
            self.ch.event('stopped', body)
        with p.cond:
            while p.resume is None:
                p.cond.wait()

    def should_stop_line(self, frame, code, line, ident):
        """Decide for a LINE event; returns (reason, bp_ids, description) or None."""
        fb = self.file_bps(code.co_filename)
        if fb is not None:
            bps = fb.by_line.get(line)
            if bps:
                hit = []
                for bp in bps:
                    if self._bp_fires(bp, frame):
                        hit.append(bp.id)
                if hit:
                    return ('breakpoint', hit, None)
        st = self.steps.get(ident)
        if st is not None and self.is_user(code.co_filename):
            if st.kind == 'in' or st.kind == 'entry':
                return ('entry' if st.kind == 'entry' else 'step', None, None)
            if st.kind == 'over' and (frame is st.frame or not _on_stack(frame, st.frame)):
                return ('step', None, None)
            if st.kind == 'out' and not _on_stack(frame, st.frame):
                return ('step', None, None)
        if self.stop_all and self.is_user(code.co_filename):
            return ('pause', None, None)
        return None

    def _bp_fires(self, bp, frame):
        if bp.cond_code is not None:
            try:
                if not eval(bp.cond_code, frame.f_globals, frame.f_locals):
                    return False
            except Exception as e:
                if not bp.cond_failed:
                    bp.cond_failed = True
                    self.ch.event('output', {'category': 'stderr', 'text': 'pyscope: the condition %r of the breakpoint at %s:%d raised %s: %s; it is treated as false\n' % (bp.condition, frame.f_code.co_filename, bp.line, type(e).__name__, e)})
                return False
        bp.hits += 1
        h = bp.hit
        if h is not None:
            n = h['n']
            op = h['op']
            if op == '==' and bp.hits != n:
                return False
            if op == '>=' and bp.hits < n:
                return False
            if op == '>' and bp.hits <= n:
                return False
            if op == '<' and bp.hits >= n:
                return False
            if op == '<=' and bp.hits > n:
                return False
            if op == '%' and (n == 0 or bp.hits % n != 0):
                return False
        if bp.log_codes is not None:
            parts = []
            for kind, c in bp.log_codes:
                if kind == 'text':
                    parts.append(c)
                    continue
                try:
                    parts.append(str(eval(c, frame.f_globals, frame.f_locals)))
                except Exception as e:
                    parts.append('<%s: %s>' % (type(e).__name__, e))
            self.ch.event('output', {'category': 'console', 'text': ''.join(parts) + '\n',
                                     'path': frame.f_code.co_filename, 'line': frame.f_lineno})
            return False
        return True

    def on_line(self, frame, code, line):
        ident = _get_ident()
        r = self.should_stop_line(frame, code, line, ident)
        if r is not None:
            reason, ids, desc = r
            self.park(frame, reason, description=desc, bp_ids=ids)
            return True
        return False

    def on_call_func_bp(self, frame, code):
        bp = self.func_bps.get(code.co_name) or self.func_bps.get(getattr(code, 'co_qualname', None))
        if bp is not None and self._bp_fires(bp, frame):
            self.park(frame, 'function breakpoint')

    def on_raise(self, frame, exc, mode):
        """An exception seen in user code: stop once per exception object."""
        if exc is self.last_exc or not self.is_user(frame.f_code.co_filename):
            return
        self.last_exc = exc
        self.park(frame, 'exception', exc=(exc, mode), description=_describe_exc(exc))

    def on_uncaught(self, exc, tb):
        if 'uncaught' not in self.exc_filters or self.detached:
            return
        frames = []
        t = tb
        while t is not None:
            if self.canon(t.tb_frame.f_code.co_filename) != _AGENT_FILE:
                frames.append(t.tb_frame)
            t = t.tb_next
        frames.reverse()
        if not frames:
            return
        self.park(frames[0], 'exception', exc=(exc, 'unhandled'), frames=frames,
                  description=_describe_exc(exc))

    # -- engine (chosen at import: monitoring or settrace)

    def _needs_slow(self):
        return bool(self.steps or self.stop_all or self.func_bps or self.exc_filters & {'raised', 'userUnhandled'})


# The settrace hot path: called for every Python call in every thread while tracing (3.8-3.11),
# where the interpreter's own tracing machinery already costs 2-4x. Module globals and one set
# look-up by first line; only a hit (a code object starting on the first line of one holding a
# breakpoint, in any file) goes on to check the file.
_trace_slow = False
_trace_first_lines = {}
_trace_engine = None


def _global_trace(frame, event, arg):
    if _trace_slow:
        return _trace_engine.global_slow(frame, event, arg)
    if frame.f_code.co_firstlineno in _trace_first_lines:
        return _trace_engine.hit(frame)
    return None


class _FirstLines(dict):
    """co_filename -> the co_firstlineno values of code objects holding breakpoints, or None."""

    def __init__(self, agent):
        dict.__init__(self)
        self.agent = agent

    def __missing__(self, filename):
        fb = self.agent.file_bps(filename)
        v = self[filename] = fb.first_lines if fb is not None else None
        return v


class MonitoringEngine(object):
    """3.12+: sys.monitoring; LINE only for code objects holding breakpoints or while stepping."""

    def install(self, agent):
        self.agent = agent
        tool = None
        for t in (_mon.DEBUGGER_ID, 1, 3, 4):
            if _mon.get_tool(t) is None:
                tool = t
                break
        if tool is None:
            raise RuntimeError('no free sys.monitoring tool id')
        _mon.use_tool_id(tool, 'pyscope')
        self.tool = tool
        _mon.register_callback(tool, _E.PY_START, self.py_start)
        _mon.register_callback(tool, _E.LINE, self.line)
        _mon.register_callback(tool, _E.RAISE, self.raise_)
        _mon.register_callback(tool, _E.PY_UNWIND, self.unwind)
        self.local_codes = set()
        self.update()

    def update(self):
        a = self.agent
        if a.detached:
            return
        ev = _E.PY_START
        if a.steps or a.stop_all:
            ev |= _E.LINE
        if 'raised' in a.exc_filters:
            ev |= _E.RAISE
        if 'userUnhandled' in a.exc_filters:
            ev |= _E.PY_UNWIND
        _mon.set_events(self.tool, ev)
        _mon.restart_events()

    def hook_code(self, code):
        if code not in self.local_codes:
            self.local_codes.add(code)
            _mon.set_local_events(self.tool, code, _E.LINE)

    def breakpoints_changed(self):
        for c in self.local_codes:
            _mon.set_local_events(self.tool, c, 0)
        self.local_codes = set()
        for f in sys._current_frames().values():
            while f is not None:
                if self.agent.code_has_bp(f.f_code):
                    self.hook_code(f.f_code)
                f = f.f_back
        self.update()

    def hook_running_frames(self):
        pass  # global LINE events (update) reach running frames already

    def prepare_step(self, frame):
        pass

    def remove(self):
        try:
            _mon.set_events(self.tool, 0)
            for c in self.local_codes:
                _mon.set_local_events(self.tool, c, 0)
            for e in (_E.PY_START, _E.LINE, _E.RAISE, _E.PY_UNWIND):
                _mon.register_callback(self.tool, e, None)
            _mon.free_tool_id(self.tool)
        except Exception:
            pass

    # callbacks: return DISABLE wherever nothing can ever happen at that location

    def py_start(self, code, offset):
        a = self.agent
        try:
            if _get_ident() in a.agent_idents:
                return None
            interesting = False
            if a.code_has_bp(code):
                self.hook_code(code)
                interesting = True
            if a.func_bps and (code.co_name in a.func_bps or getattr(code, 'co_qualname', None) in a.func_bps):
                interesting = True
                if a.is_user(code.co_filename):
                    a.on_call_func_bp(_getframe(1), code)
            if a.steps or a.stop_all:
                return None
            return None if interesting else _DISABLE
        except Exception:
            _report_internal_error()
            return None

    def line(self, code, line):
        a = self.agent
        try:
            if not (a.steps or a.stop_all):
                # breakpoints only: the common case, and the cost of a condition on a hot line
                fb = a.file_bps(code.co_filename)
                bps = fb.by_line.get(line) if fb is not None else None
                if not bps:
                    return _DISABLE
                if _get_ident() in a.agent_idents:
                    return None
                frame = _getframe(1)
                hit = [bp.id for bp in bps if a._bp_fires(bp, frame)]
                if hit:
                    a.park(frame, 'breakpoint', bp_ids=hit)
                return None
            if _get_ident() in a.agent_idents:
                return None
            if a.on_line(_getframe(1), code, line):
                return None
            fb = a.file_bps(code.co_filename)
            if fb is not None and line in fb.by_line:
                return None
            if a.is_user(code.co_filename):
                return None
            return _DISABLE
        except Exception:
            _report_internal_error()
            return None

    def raise_(self, code, offset, exc):
        a = self.agent
        try:
            if _get_ident() in a.agent_idents or 'raised' not in a.exc_filters:
                return None
            a.on_raise(_getframe(1), exc, 'always')
        except Exception:
            _report_internal_error()
        return None

    def unwind(self, code, offset, exc):
        a = self.agent
        try:
            if _get_ident() in a.agent_idents or 'userUnhandled' not in a.exc_filters:
                return None
            f = _getframe(1)
            back = f.f_back
            if a.is_user(code.co_filename) and back is not None and not a.is_user(back.f_code.co_filename) \
                    and a.canon(back.f_code.co_filename) != _AGENT_FILE:
                a.on_raise(f, exc, 'userUnhandled')
        except Exception:
            _report_internal_error()
        return None


class TraceEngine(object):
    """Before 3.12: sys.settrace; a local tracer only for frames that need one."""

    def install(self, agent):
        self.agent = agent
        # exceptions passing through traced frames, to tell an unwinding 'return' from a normal one
        self.in_flight = {}
        a = agent
        local = self.local
        slow_path = self.global_slow
        first_lines = self.first_lines = _FirstLines(a)
        global _trace_engine
        _trace_engine = self

        def hit(frame):
            code = frame.f_code
            lines = first_lines[code.co_filename]
            if lines is not None and code.co_firstlineno in lines:
                return local
            return None

        self.hit = hit
        global_trace = _global_trace
        self.global_trace = global_trace
        threading.settrace(global_trace)
        sys.settrace(global_trace)
        self.update()

    def global_slow(self, frame, event, arg):
        a = self.agent
        try:
            if a.detached:
                sys.settrace(None)
                return None
            code = frame.f_code
            if a.func_bps and event == 'call' and a.is_user(code.co_filename):
                if code.co_name in a.func_bps or getattr(code, 'co_qualname', None) in a.func_bps:
                    a.on_call_func_bp(frame, code)
            if a.code_has_bp(code):
                return self.local
            if (a.steps or a.stop_all or a.exc_filters) and a.is_user(code.co_filename):
                return self.local
        except Exception:
            _report_internal_error()
        return None

    def local(self, frame, event, arg):
        a = self.agent
        try:
            if event == 'line' and not a.slow:
                # breakpoints only: the common case, and the cost of a condition on a hot line
                fb = a.file_bps(frame.f_code.co_filename)
                bps = fb.by_line.get(frame.f_lineno) if fb is not None else None
                if bps:
                    hit = [bp.id for bp in bps if a._bp_fires(bp, frame)]
                    if hit:
                        a.park(frame, 'breakpoint', bp_ids=hit)
                return self.local
            if a.detached:
                sys.settrace(None)
                return None
            if event == 'line':
                a.on_line(frame, frame.f_code, frame.f_lineno)
            elif event == 'exception':
                if 'userUnhandled' in a.exc_filters:
                    self.in_flight[frame] = arg[1]
                if 'raised' in a.exc_filters:
                    a.on_raise(frame, arg[1], 'always')
            elif event == 'return' and self.in_flight:
                exc = self.in_flight.pop(frame, None)
                if exc is not None and 'userUnhandled' in a.exc_filters:
                    self._maybe_unhandled(frame, exc)
        except Exception:
            _report_internal_error()
        return self.local

    def _maybe_unhandled(self, frame, exc):
        a = self.agent
        back = frame.f_back
        if back is None or a.is_user(back.f_code.co_filename) or a.canon(back.f_code.co_filename) == _AGENT_FILE:
            return
        if not a.is_user(frame.f_code.co_filename):
            return
        import dis
        code = frame.f_code.co_code
        i = frame.f_lasti
        op = dis.opname[code[i]] if 0 <= i < len(code) else ''
        if op in ('RETURN_VALUE', 'YIELD_VALUE', 'RETURN_CONST', 'RETURN_GENERATOR'):
            return
        a.on_raise(frame, exc, 'userUnhandled')

    def update(self):
        global _trace_slow
        self.agent.slow = _trace_slow = self.agent._needs_slow()

    def breakpoints_changed(self):
        self.first_lines.clear()
        _trace_first_lines.clear()
        for fb in self.agent.files.values():
            _trace_first_lines.update(fb.first_lines)
        self.update()
        a = self.agent
        for ident, f in sys._current_frames().items():
            if ident in a.agent_idents:
                continue
            while f is not None:
                if a.code_has_bp(f.f_code) and f.f_trace is None:
                    f.f_trace = self.local
                f = f.f_back

    def hook_running_frames(self):
        a = self.agent
        for ident, f in sys._current_frames().items():
            if ident in a.agent_idents:
                continue
            while f is not None:
                if a.is_user(f.f_code.co_filename) and f.f_trace is None:
                    f.f_trace = self.local
                f = f.f_back

    def prepare_step(self, frame):
        f = frame
        while f is not None:
            if f.f_trace is None and self.agent.is_user(f.f_code.co_filename):
                f.f_trace = self.local
            f = f.f_back

    def remove(self):
        # other threads drop their global tracer the next time it runs (it checks `detached`)
        global _trace_slow
        self.agent.slow = _trace_slow = True
        threading.settrace(None)
        sys.settrace(None)
        for ident, f in sys._current_frames().items():
            while f is not None:
                if f.f_trace is not None:
                    f.f_trace = None
                f = f.f_back


def _bind_engine(agent, engine):
    agent.engine = engine
    agent._engine_update = engine.update
    agent._breakpoints_changed = engine.breakpoints_changed
    agent._hook_running_frames = engine.hook_running_frames
    agent._prepare_step = engine.prepare_step
    agent._engine_remove = engine.remove


# ---------------------------------------------------------------- running the program

def _parse_argv(argv):
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


def _hello(agent, opts):
    import site
    roots = []
    for p in (os.path.dirname(os.__file__),):
        roots.append(p)
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
    return {
        'pid': os.getpid(),
        'version': list(sys.version_info[:3]),
        'implementation': sys.implementation.name,
        'executable': sys.executable,
        'prefix': sys.prefix,
        'basePrefix': getattr(sys, 'base_prefix', sys.prefix),
        'libraryPaths': [os.path.realpath(p) for p in roots if p],
        'agentFile': _AGENT_FILE,
        'engine': 'monitoring' if _MONITORING else 'settrace',
    }


def _compile_program(opts):
    """Compile the program before anything runs: a syntax error fails the launch cleanly."""
    if 'module' in opts:
        import importlib.util
        sys.path[0] = os.getcwd()
        spec = importlib.util.find_spec(opts['module'])
        if spec is None:
            raise ImportError('No module named %s' % opts['module'])
        return None
    path = os.path.abspath(opts['program'])
    with open(path, 'rb') as f:
        source = f.read()
    return compile(source, path, 'exec', dont_inherit=True)


def _run(agent, opts, code):
    import types
    if 'module' in opts:
        import runpy
        sys.argv = [opts['module']] + opts['args']
        sys.path[0] = os.getcwd()
        runpy.run_module(opts['module'], run_name='__main__', alter_sys=True)
        return
    path = os.path.abspath(opts['program'])
    sys.argv = [opts['program']] + opts['args']
    sys.path[0] = os.path.dirname(path)
    main = types.ModuleType('__main__')
    main.__file__ = path
    main.__builtins__ = __builtins__
    main.__spec__ = None
    sys.modules['__main__'] = main
    exec(code, main.__dict__)


def main():
    global _agent
    opts = _parse_argv(sys.argv[1:])
    ch = Channel(int(opts['fd-in']), int(opts['fd-out']))
    if sys.version_info < (3, 8):
        ch.event('launchError', {'message': 'python %d.%d.%d is too old: pyscope dap needs 3.8 or newer' % tuple(sys.version_info[:3]),
                                 'text': 'pyscope: %s is python %d.%d; the debugger needs 3.8 or newer\n' % ((sys.executable,) + tuple(sys.version_info[:2]))})
        os._exit(1)
    agent = _agent = Agent(ch)
    agent.thread_num(_get_ident())  # the main thread is thread 1
    reader = threading.Thread(target=agent.serve, name='pyscope.agent', daemon=True)
    agent.own_thread(reader)
    # the agent's threads start before any trace hook exists, and are excluded by identity
    reader.start()
    agent.own_ident(reader.ident)
    agent.worker = Worker(agent)
    # compile before saying hello: a launch that cannot run fails before the session starts
    try:
        code = _compile_program(opts)
    except BaseException as e:
        text = ''.join(traceback.format_exception_only(type(e), e))
        ch.event('launchError', {'message': text.strip().splitlines()[-1], 'text': text})
        os._exit(1)
    ch.event('hello', _hello(agent, opts))
    agent.started.wait()
    engine = MonitoringEngine() if _MONITORING else TraceEngine()
    _bind_engine(agent, engine)
    engine.install(agent)
    engine.breakpoints_changed()
    if opts.get('stopOnEntry') == '1':
        agent.steps[_get_ident()] = Step('entry', None)
        engine.update()

    def thread_hook(args):
        if args.exc_type is not SystemExit:
            try:
                agent.on_uncaught(args.exc_value, args.exc_traceback)
            except Exception:
                _report_internal_error()
        return prev_thread_hook(args)
    prev_thread_hook = threading.excepthook
    threading.excepthook = thread_hook

    try:
        _run(agent, opts, code)
    except SystemExit:
        raise
    except BaseException as e:
        try:
            agent.on_uncaught(e, e.__traceback__)
        except Exception:
            _report_internal_error()
        tb = agent._trim_tb(e.__traceback__)
        sys.excepthook(type(e), e.with_traceback(tb), tb)
        sys.exit(1)


if __name__ == '__main__':
    main()
