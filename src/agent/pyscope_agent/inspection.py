# What the adapter asks while the program is stopped: threads, stack, scopes, variables,
# evaluate, setVariable, setExpression, completions, source and exceptionInfo.
#
# These run on the agent's reader thread while the program's threads are parked, possibly inside
# an import or holding any lock of the program. So nothing here imports, takes a lock of the
# program (threading.enumerate() would), or calls the program's code on the reader thread:
# whatever may (repr, eval, linecache through a module's loader, traceback formatting, dir) runs
# on the timed worker, and one that overruns is declined with a message.
from .runtime import sys, os, io, dis, re, keyword, builtins, linecache, traceback, threading, weakref, ctypes, PROXY_LOCALS, EXEC
from .errors import Refusal, Timeout, EvalTimeout
from . import args as A
from .safefile import check_regular
from . import asynctasks


def locals_to_fast(frame):
    if PROXY_LOCALS or ctypes is None:
        return
    ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(frame), ctypes.c_int(0))


def _error_text(e):
    return ''.join(traceback.format_exception_only(type(e), e)).strip()


def _namespaces(frame):
    if frame is None:
        main = sys.modules.get('__main__')
        g = main.__dict__ if main is not None else {}
        return g, g
    return frame.f_globals, frame.f_locals


def _evaluate(frame, expression, allow_exec):
    """On the worker: ('value', v), ('exec', None) for a statement, or ('error', message)."""
    g, l = _namespaces(frame)
    try:
        try:
            code = compile(expression, '<evaluate>', 'eval')
        except SyntaxError:
            if not allow_exec:
                raise
            code = compile(expression, '<evaluate>', 'exec')
            EXEC(code, g, l)
            if frame is not None:
                locals_to_fast(frame)
            return 'exec', None
        return 'value', eval(code, g, l)
    except (Timeout, EvalTimeout):
        raise
    except BaseException as e:
        return 'error', _error_text(e)


def _assign(entry, frame, name, value):
    """On the worker: setVariable's assignment; an error message, or None."""
    try:
        if entry[0] == 'scope':
            if entry[2] == 'locals':
                frame.f_locals[name] = value
                locals_to_fast(frame)
            else:
                frame.f_globals[name] = value
            return None
        target = entry[1]
        if isinstance(target, dict):
            for k in list(target):
                if '[%s]' % repr(k) == name:
                    target[k] = value
                    return None
            return 'no key %s' % name
        if name.isdigit() and hasattr(target, '__setitem__'):
            target[int(name)] = value
        else:
            setattr(target, name, value)
        return None
    except (Timeout, EvalTimeout):
        raise
    except BaseException as e:
        return '%s: %s' % (type(e).__name__, e)


def _assign_expression(frame, expression, value):
    tmp = '__pyscope_value__'
    g, l = frame.f_globals, frame.f_locals
    try:
        l[tmp] = value
        try:
            EXEC(compile('%s = %s' % (expression, tmp), '<setExpression>', 'exec'), g, l)
        finally:
            try:
                del l[tmp]
            except Exception:
                pass
        locals_to_fast(frame)
        return None
    except (Timeout, EvalTimeout):
        raise
    except BaseException as e:
        return _error_text(e)


def _class_members(cls, depth=0):
    out = list(dir(cls))
    if depth < 50:
        for base in getattr(cls, '__bases__', ()):
            out.extend(_class_members(base, depth + 1))
    return out


MAX_COMPLETIONS = 500
COMPLETIONS_TIMEOUT = 2.0  # seconds at least: a dir() may be large


def _complete(frame, word):
    """On the worker: completions of a name or a dotted attribute, at most MAX_COMPLETIONS."""
    ns = {}
    if frame is not None:
        ns.update(frame.f_globals)
        ns.update(frame.f_locals)
    out = []
    seen = set()
    if '.' in word:
        expr, attr = word.rsplit('.', 1)
        try:
            obj = eval(expr, ns)
        except (Timeout, EvalTimeout):
            raise
        except BaseException:
            return []
        words = dir(obj)
        if hasattr(obj, '__class__'):
            words = words + ['__class__'] + _class_members(obj.__class__)
        hidden = '_' if attr == '' else '__' if attr == '_' else None
        # filtered before sorted: an object may have a huge dir()
        found = set(w for w in words if isinstance(w, str) and w.startswith(attr) and not (hidden and w.startswith(hidden)))
        found.discard('__builtins__')
        return [expr + '.' + w for w in sorted(found)[:MAX_COMPLETIONS]]
    for source in (keyword.kwlist, ns, builtins.__dict__):
        for w in source:
            if isinstance(w, str) and w.startswith(word) and w not in seen and w != '__builtins__':
                seen.add(w)
                out.append(w)
                if len(out) >= MAX_COMPLETIONS:
                    return out
    return out


def _source_text(fn, code, g):
    # code may have been compiled under the name of a FIFO or a device (compile(s, '/dev/zero',
    # 'exec')): linecache would read that file for ever, so a name that exists must be a regular
    # file of a bounded size before linecache may open it
    why = None
    try:
        check_regular(fn, os.stat(fn))
    except Refusal as e:
        why = str(e)
    except (OSError, ValueError):
        pass  # no such file: linecache asks the module's loader
    lines = []
    if why is None:
        try:
            lines = linecache.getlines(fn, g)
        except (Timeout, EvalTimeout):
            raise
        except Exception:
            lines = []
    if lines:
        return ''.join(lines), 'text/x-python'
    buf = io.StringIO()
    buf.write('# source of %s is not available%s; disassembly of %s:\n' % (fn, ' (%s)' % why if why else '', code.co_name))
    dis.dis(code, file=buf)
    return buf.getvalue(), 'text/plain'


def _format_tb(t, exc, tb):
    return ''.join(['Traceback (most recent call last):\n'] + traceback.format_list(traceback.extract_tb(tb))
                   + traceback.format_exception_only(t, exc))


def _scope_sizes(frame):
    return len(frame.f_locals), len(frame.f_globals)


class InspectionMixin(object):
    """Mixed into Agent."""

    def thread_list(self):
        # threading._active read without its lock: threading.enumerate() takes a lock that a
        # stopped thread of the program may hold
        try:
            active = dict(getattr(threading, '_active', {}))
        except Exception:
            active = {}
        names = {}
        for ident, t in active.items():
            name = getattr(t, '_name', None)
            if isinstance(name, str):
                names[ident] = name
        live = [i for i in sys._current_frames() if i not in self.agent_idents]
        out = []
        for i in sorted(live, key=self.thread_num):
            name = names.get(i, 'Thread-%d' % i)
            p = self.parked.get(i)
            tname = asynctasks.task_name(p.task) if p is not None and p.task is not None else None
            if tname is not None:
                # the task it stopped in: of an asyncio program's one thread, what says where it is
                name = '%s (task "%s")' % (name, tname)
            out.append({'id': self.thread_num(i), 'name': name})
        if self.show_async_tasks:
            out.extend(self.task_threads())
        return out

    def task_threads(self):
        """showAsyncTasks: the tasks of each stopped thread's event loop, as pseudo-threads."""
        out = []
        loops = []
        for p in list(self.parked.values()):
            if p.loop is not None and all(p.loop is not l for l in loops):
                loops.append(p.loop)
        for loop in loops:
            for t in asynctasks.all_tasks(loop):
                out.append({'id': self.task_num(t), 'name': asynctasks.task_name(t) or 'Task'})
        return out

    def task_frames(self, task):
        """A task's pseudo-thread stack, innermost first: its coroutine chain; for the task a
        stopped thread runs, that thread's frames down to the task's coroutine (a running
        coroutine does not say what it awaits)."""
        chain = asynctasks.coroutine_frames(task)
        for ident, p in list(self.parked.items()):
            if p.task is task and chain:
                out = []
                for f in self.frames_of(ident):
                    out.append(f)
                    if f is chain[0]:
                        return out
        return [f for f in reversed(chain) if not self.is_agent_file(f.f_code.co_filename)]

    def task_num(self, task):
        n = self.task_nums.get(id(task))
        if n is not None and n[1]() is task:
            return n[0]
        num = self.next_thread_num
        self.next_thread_num += 1
        self.task_nums[id(task)] = (num, weakref.ref(task))
        return num

    def task_of(self, num):
        for n, ref in list(self.task_nums.values()):
            if n == num:
                return ref()
        return None

    def frames_of(self, ident):
        p = self.parked.get(ident)
        if p is not None and p.frames is not None:
            return p.frames
        f = p.frame if p is not None else sys._current_frames().get(ident)
        out = []
        while f is not None:
            if self.is_agent_file(f.f_code.co_filename):
                if out:
                    break  # below the program: the agent's runner
            else:
                out.append(f)
            f = f.f_back
        return out

    def frame_id(self, frame):
        fid = self.frame_ids.get(id(frame))
        if fid is None or self.frames.get(fid) is not frame:
            fid = len(self.frames) + 1
            self.frames[fid] = frame
            self.frame_ids[id(frame)] = fid
        return fid

    def frame(self, fid):
        f = self.frames.get(fid)
        if f is None:
            raise Refusal('frame %s is not valid (the program is running, or the id is stale)' % fid)
        return f

    def trim_tb(self, tb):
        while tb is not None and self.is_agent_file(tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        return tb

    def evaluate_in(self, frame, expression, allow_exec):
        """(kind, value) of _evaluate; Refusal for an error or a timeout."""
        try:
            kind, value = self.timed(_evaluate, frame, expression, allow_exec)
        except Timeout as e:
            raise Refusal('evaluation %s' % e)
        if kind == 'error':
            raise Refusal(value)
        self.held.append(value)
        return kind, value


# -- commands

def threads(agent, a):
    return {'threads': agent.thread_list()}


def stack_trace(agent, a):
    tid = A.integer(a, 'threadId')
    ident = agent.ident_of(tid)
    if ident is not None:
        stack = agent.frames_of(ident)
    else:
        task = agent.task_of(tid)
        if task is None:
            raise Refusal('no thread %s' % tid)
        stack = agent.task_frames(task)
    frames = []
    for f in stack:
        code = f.f_code
        fn = code.co_filename
        item = {
            'id': agent.frame_id(f),
            'name': getattr(code, 'co_qualname', code.co_name),
            'line': f.f_lineno or code.co_firstlineno,
            'user': not agent.code_is_library(code),
        }
        if os.path.isfile(fn):
            item['path'] = os.path.abspath(fn)
        else:
            key = 'code:%s' % fn
            agent.sources.setdefault(key, (fn, code, f.f_globals))
            item['sourceKey'] = key
            item['sourceName'] = fn
        frames.append(item)
    return {'frames': frames}


def scopes(agent, a):
    f = agent.frame(A.integer(a, 'frameId'))
    try:
        nl, ng = agent.timed(_scope_sizes, f)
    except Exception:
        nl = ng = 0
    nl += len(agent.return_values(f))
    return {'scopes': [
        {'name': 'Locals', 'handle': agent.new_handle(('scope', f, 'locals')), 'named': nl},
        {'name': 'Globals', 'handle': agent.new_handle(('scope', f, 'globals')), 'named': ng},
    ]}


def variables(agent, a):
    handle = A.integer(a, 'handle')
    start = A.integer(a, 'start', 0, minimum=0)
    count = A.integer(a, 'count', 0, minimum=0)
    flt = A.choice(a, 'filter', ('indexed', 'named'), None)
    entry = agent.handles.get(handle)
    if entry is None:
        raise Refusal('variables reference %s is not valid' % handle)
    try:
        out, total = agent.children(entry, start, count, flt)
    except Timeout as e:
        raise Refusal('listing the children %s' % e)
    body = {'variables': out}
    if total is not None:
        body['total'] = total
    return body


def _clipboard(value):
    try:
        return repr(value)
    except (Timeout, EvalTimeout):
        raise
    except BaseException as e:
        return Refusal('repr failed: %s' % e)


def evaluate(agent, a):
    expr = A.string(a, 'expression')
    fid = A.integer(a, 'frameId', None)
    context = A.string(a, 'context', 'repl')
    frame = agent.frame(fid) if fid else None
    kind, value = agent.evaluate_in(frame, expr, context == 'repl')
    if kind == 'exec':
        return {'value': '', 'handle': 0}
    if context == 'clipboard':
        try:
            r = agent.timed(_clipboard, value)
        except Timeout as e:
            raise Refusal('repr failed: %s' % e)
        if isinstance(r, Refusal):
            raise r
        return {'value': r, 'handle': 0, 'type': type(value).__name__}
    d = agent.describe(expr, value, expr)
    return {'value': d['value'], 'type': d['type'], 'handle': d['handle'], 'indexed': d.get('indexed')}


def set_variable(agent, a):
    handle = A.integer(a, 'handle')
    name = A.string(a, 'name')
    text = A.string(a, 'value')
    fid = A.integer(a, 'frameId', None)
    entry = agent.handles.get(handle)
    if entry is None:
        raise Refusal('variables reference %s is not valid' % handle)
    if entry[0] == 'scope' and name.startswith('(return) '):
        raise Refusal('%s is the value a function returned, not a variable: it cannot be set' % name)
    frame = agent.frames.get(fid or 0)
    if entry[0] == 'scope':
        frame = entry[1]
    _, value = agent.evaluate_in(frame, text, False)
    try:
        problem = agent.timed(_assign, entry, frame, name, value)
    except Timeout as e:
        raise Refusal('assignment %s' % e)
    if problem:
        raise Refusal(problem)
    return agent.describe(name, value)


def set_expression(agent, a):
    frame = agent.frame(A.integer(a, 'frameId'))
    expression = A.string(a, 'expression')
    _, value = agent.evaluate_in(frame, A.string(a, 'value'), False)
    try:
        problem = agent.timed(_assign_expression, frame, expression, value)
    except Timeout as e:
        raise Refusal('assignment %s' % e)
    if problem:
        raise Refusal(problem)
    return agent.describe(expression, value)


def completions(agent, a):
    fid = A.integer(a, 'frameId', None)
    frame = agent.frame(fid) if fid else None
    text = A.string(a, 'text')
    column = A.integer(a, 'column', None)
    if column is None:
        column = len(text) + 1
    text = text[:max(0, column - 1)]
    m = re.search(r'[A-Za-z_][\w.]*$', text)
    word = m.group(0) if m else ''
    try:
        found = agent.worker.call(max(agent.repr_timeout, COMPLETIONS_TIMEOUT), _complete, frame, word)
    except Timeout:
        found = []
    base = word.rsplit('.', 1)[0] + '.' if '.' in word else ''
    return {'targets': [{'label': c[len(base):], 'text': c[len(base):], 'start': len(text) - len(word) + len(base), 'length': len(word) - len(base)} for c in found]}


def source(agent, a):
    key = A.string(a, 'key')
    entry = agent.sources.get(key)
    if entry is None:
        raise Refusal('no source for %s' % key)
    fn, code, g = entry
    try:
        content, mime = agent.timed(_source_text, fn, code, g)
    except Timeout as e:
        raise Refusal('the source of %s could not be read: %s' % (fn, e))
    return {'content': content, 'mimeType': mime}


def exception_info(agent, a):
    tid = A.integer(a, 'threadId')
    ident = agent.ident_of(tid)
    p = agent.parked.get(ident)
    if p is None or p.exc is None:
        raise Refusal('thread %s is not stopped on an exception' % tid)
    exc, mode = p.exc
    t = type(exc)
    name = t.__name__ if t.__module__ in ('builtins', '__main__') else '%s.%s' % (t.__module__, t.__qualname__)
    try:
        msg = agent.timed(str, exc)
    except BaseException:
        msg = '<str() failed>'
    try:
        tb = agent.timed(_format_tb, t, exc, agent.trim_tb(exc.__traceback__))
    except BaseException:
        tb = '%s: %s\n(the traceback could not be formatted in time)\n' % (name, msg)
    return {'exceptionId': name, 'description': msg, 'breakMode': mode,
            'details': {'typeName': name, 'message': msg, 'stackTrace': tb}}
