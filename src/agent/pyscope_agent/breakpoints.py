# Line and function breakpoints: where they bind, and whether one fires (condition, hit count,
# log message). Conditions and log expressions run on the program's thread, in its hot path.
from .runtime import sys, dis, describe_exc
from .errors import Refusal, BadArgument, Timeout, EvalTimeout
from .safefile import read_source
from .timed import fired, settle
from . import args as A

HIT_OPS = ('==', '>=', '>', '<', '<=', '%')
COMPILE_TIMEOUT = 10.0  # seconds to read and compile a file a breakpoint names

# set by the Pyodide bootstrap: begin()/end() around each evaluation (its deadline), else None
condition_guard = None


def set_condition_guard(guard):
    global condition_guard
    condition_guard = guard


def _guarded_eval(code, frame, convert):
    """convert(value) of a condition's or a log point's expression in the frame, under the time
    limit (the conversion too: a __bool__ or __str__ may loop): the guard (Pyodide's deadline)
    around it, and no timeout left pending after it."""
    guard = condition_guard
    try:
        if guard is not None:
            guard.begin()
        return convert(eval(code, frame.f_globals, frame.f_locals))
    finally:
        if guard is not None:
            guard.end()
        if fired:
            settle()


def _parse_spec(spec, where):
    """Checks a breakpoint's arguments (the adapter's, but the agent is the last line)."""
    A.integer(spec, 'id', None, where)
    A.string(spec, 'condition', None, where)
    hit = A.obj(spec, 'hit', None, where)
    if hit is not None:
        A.choice(hit, 'op', HIT_OPS, where=where + 'hit.')
        A.integer(hit, 'n', where=where + 'hit.')
    log = A.array(spec, 'log', None, where)
    if log is not None:
        for i, part in enumerate(log):
            if not (isinstance(part, list) and len(part) == 2 and part[0] in ('text', 'expr') and isinstance(part[1], str)):
                raise BadArgument('%slog[%d] must be ["text" or "expr", string]' % (where, i))


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
        self.hit = spec.get('hit')  # {'op': '>='|'=='|'%'|..., 'n': int} from the adapter
        self.hits = 0
        self.log = spec.get('log')  # list of ['text', s] / ['expr', s]
        self.log_codes = None
        if self.log is not None:
            self.log_codes = [(kind, compile(s, '<logpoint>', 'eval') if kind == 'expr' else s) for kind, s in self.log]

    def timed_codes(self):
        out = []
        if self.cond_code is not None:
            out.append(self.cond_code)
        for kind, c in self.log_codes or ():
            if kind == 'expr':
                out.append(c)
        return out


def _code_lines(code):
    """Lines that start an instruction in this code object only (not nested ones)."""
    if hasattr(code, 'co_lines'):
        return set(l for (_, _, l) in code.co_lines() if l is not None)
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
    """What the compiled file says: every line with code, and which code object holds it.

    Built on the timed worker: compiling may warn, and warnings call into the program's hooks."""

    def __init__(self, path):
        self.path = path
        self.lines = set()
        self.by_line = {}  # line -> set of co_firstlineno of the code objects that hold it
        source = read_source(path)
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


class BreakpointsMixin(object):
    """Mixed into Agent."""

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

    def file_info(self, path):
        """FileInfo of a client-named file, or Refusal saying why there is none."""
        try:
            return self.worker.call(max(COMPILE_TIMEOUT, self.repr_timeout), FileInfo, path)
        except Refusal:
            raise
        except Timeout:
            raise Refusal('cannot compile %s: it took longer than %gs' % (path, max(COMPILE_TIMEOUT, self.repr_timeout)))
        except (OSError, SyntaxError, ValueError) as e:
            raise Refusal('cannot compile %s: %s' % (path, e))

    def compile_bp(self, spec, path):
        """A LineBreakpoint, its expressions compiled on the worker (compiling may warn)."""
        try:
            return self.worker.call(COMPILE_TIMEOUT, LineBreakpoint, spec, path)
        except Timeout:
            raise SyntaxError('compiling took longer than %gs' % COMPILE_TIMEOUT)

    def timed_codes_changed(self):
        if self.watchdog is None:
            return
        codes = []
        for fb in self.files.values():
            for bps in fb.by_line.values():
                for bp in bps:
                    codes.extend(bp.timed_codes())
        for bp in self.func_bps.values():
            codes.extend(bp.timed_codes())
        self.watchdog.set_codes(codes)

    def _expression_failed(self, bp, frame, what):
        if not bp.cond_failed:
            bp.cond_failed = True
            self.ch.event('output', {'category': 'stderr', 'text': 'pyscope: the condition %r of the breakpoint at %s:%d %s; it is treated as false\n' % (bp.condition, frame.f_code.co_filename, bp.line, what)})

    def bp_fires(self, bp, frame):
        code = bp.cond_code
        if code is not None:
            try:
                if not _guarded_eval(code, frame, bool):
                    return False
            except EvalTimeout:
                self._expression_failed(bp, frame, 'timed out after %gs' % self.repr_timeout)
                return False
            except Exception as e:
                self._expression_failed(bp, frame, 'raised %s' % describe_exc(e))
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
                else:
                    parts.append(self._log_value(c, frame))
            self.ch.event('output', {'category': 'console', 'text': ''.join(parts) + '\n',
                                     'path': frame.f_code.co_filename, 'line': frame.f_lineno})
            return False
        return True

    def _log_value(self, code, frame):
        try:
            return _guarded_eval(code, frame, str)
        except EvalTimeout:
            return '<timed out>'
        except Exception as e:
            return '<%s: %s>' % (type(e).__name__, e)


# -- commands

def set_breakpoints(agent, a):
    path = agent.canon(A.string(a, 'path'))
    specs = A.objects(a, 'breakpoints')
    for i, spec in enumerate(specs):
        A.integer(spec, 'line', where='breakpoints[%d].' % i)
        _parse_spec(spec, 'breakpoints[%d].' % i)
    out = []
    try:
        info = agent.file_info(path)
    except Refusal as e:
        agent.files.pop(path, None)
        agent.raw_files.clear()
        agent.breakpoints_changed()
        return {'breakpoints': [{'verified': False, 'message': str(e)} for _ in specs]}
    fb = FileBreakpoints(path)
    for spec in specs:
        line = info.resolve(spec['line'])
        if line is None:
            out.append({'verified': False, 'message': 'no code in this file'})
            continue
        spec = dict(spec, line=line)
        try:
            bp = agent.compile_bp(spec, path)
        except (SyntaxError, ValueError) as e:
            out.append({'verified': False, 'line': line, 'message': 'invalid expression: %s' % e})
            continue
        fb.by_line.setdefault(line, []).append(bp)
        for first in info.by_line.get(line, ()):
            fb.first_lines[first] = True
        out.append({'verified': True, 'line': line})
    if fb.by_line:
        agent.files[path] = fb
    else:
        agent.files.pop(path, None)
    # emptied in place: the settrace engine holds this dict, and a file looked up before it had
    # breakpoints is cached as having none
    agent.raw_files.clear()
    agent.breakpoints_changed()
    return {'breakpoints': out}


def breakpoint_locations(agent, a):
    path = A.string(a, 'path')
    lo = A.integer(a, 'line')
    hi = A.integer(a, 'endLine', None) or lo
    info = agent.file_info(agent.canon(path))
    return {'lines': sorted(l for l in info.lines if lo <= l <= hi)}


def set_function_breakpoints(agent, a):
    specs = A.objects(a, 'breakpoints')
    for i, spec in enumerate(specs):
        A.string(spec, 'name', where='breakpoints[%d].' % i)
        _parse_spec(spec, 'breakpoints[%d].' % i)
    bps = {}
    out = []
    for spec in specs:
        try:
            bp = agent.compile_bp(dict(spec, line=0), '<function %s>' % spec['name'])
        except (SyntaxError, ValueError) as e:
            out.append({'verified': False, 'message': 'invalid expression: %s' % e})
            continue
        bps[spec['name']] = bp
        out.append({'verified': True})
    agent.func_bps = bps
    agent.breakpoints_changed()
    return {'breakpoints': out}


def set_exception_breakpoints(agent, a):
    agent.exc_filters = set(A.strings(a, 'filters'))
    agent.breakpoints_changed()
    return {}
