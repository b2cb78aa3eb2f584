# A notebook kernel for Pyodide, run as the debugged program: it executes cells one at a time in
# one namespace, each compiled under its own file name (the page names it as JupyterLab does,
# from a hash of its code), so breakpoints set in a cell's file stop in that cell.
#
# Its messages share the agent's mailbox (bootstrap.py hands them to on_message): while idle the
# kernel waits there and serves the agent's commands too; while a cell runs or is stopped, the
# agent's own serving calls on_message. Writing a file and inspecting the namespace are answered
# at once, whatever the state; a cell to execute waits its turn. Answers go out through
# pyscope_js.notebook (JSON), each with the id of the message it answers.
import ast
import builtins
import collections
import json
import os
import sys
import traceback
import types

import pyscope_boot
import pyscope_js
from pyscope_agent import runtime as R

_KERNEL_FILE = os.path.normcase(os.path.abspath(__file__))
_queue = collections.deque()
_user = types.ModuleType('__main__')
_user.__dict__['__builtins__'] = builtins
# how long a repr of a user's value may take when the namespace is inspected
_REPR_SECONDS = 1.0
_REPR_CHARS = 1000


def _reply(message):
    pyscope_js.notebook(json.dumps(message, default=str))


def _write(path, text):
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def _timed(fn, *args):
    agent = R.Holder.agent
    worker = getattr(agent, 'worker', None)
    if worker is None:
        return fn(*args)
    return worker.call(_REPR_SECONDS, fn, *args)


def _short_repr(value):
    try:
        text = _timed(repr, value)
    except BaseException as e:
        text = '<repr failed: %s>' % type(e).__name__
    return text if len(text) <= _REPR_CHARS else text[:_REPR_CHARS] + '...'


def _shown(name, value):
    """The names a variable explorer lists: what the user defined, not modules or dunders."""
    return not name.startswith('_') and not isinstance(value, types.ModuleType)


def _inspect():
    out = []
    for name, value in list(_user.__dict__.items()):
        if _shown(name, value):
            out.append({'name': name, 'value': _short_repr(value), 'type': type(value).__name__})
    return out


def _rich(name):
    """A value's mime bundle by name, looked up (never evaluated) in the namespace."""
    if name not in _user.__dict__:
        return {'error': 'no variable named %r' % name}
    value = _user.__dict__[name]
    data = {'text/plain': _short_repr(value)}
    for mime, method in (('text/html', '_repr_html_'), ('text/markdown', '_repr_markdown_'), ('image/svg+xml', '_repr_svg_')):
        fn = getattr(type(value), method, None)
        if fn is None:
            continue
        try:
            shown = _timed(fn, value)
        except BaseException:
            continue
        if isinstance(shown, str):
            data[mime] = shown
    return {'data': data, 'metadata': {}}


def on_message(m):
    kind = m.get('kind')
    mid = m.get('id')
    try:
        if kind == 'execute':
            _queue.append(m)
        elif kind == 'write':
            _write(m['path'], m['code'])
            _reply({'id': mid, 'ok': True})
        elif kind == 'inspect':
            _reply({'id': mid, 'variables': _inspect()})
        elif kind == 'rich':
            _reply(dict(_rich(m['name']), id=mid))
        else:
            _reply({'id': mid, 'error': 'unknown notebook message %r' % kind})
    except Exception as e:
        _reply({'id': mid, 'error': '%s: %s' % (type(e).__name__, e)})


def _user_traceback(e):
    """The traceback from the cell down: the kernel's own frames are not the user's."""
    tb = e.__traceback__
    while tb is not None and os.path.normcase(os.path.abspath(tb.tb_frame.f_code.co_filename)) == _KERNEL_FILE:
        tb = tb.tb_next
    return traceback.format_exception(type(e), e, tb)


def _run(m):
    path, code = m['path'], m['code']
    # the agent reads a file's lines (breakpoints, stack frames) from disk
    _write(path, code)
    answer = {'id': m['id'], 'status': 'ok'}
    try:
        tree = ast.parse(code, path)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, path, 'exec'), _user.__dict__)
        if last is not None:
            value = eval(compile(last, path, 'eval'), _user.__dict__)
            if value is not None:
                # the cell's own code, as its __repr__ may be: not timed, and it may stop at a breakpoint
                text = repr(value)
                answer['result'] = text if len(text) <= _REPR_CHARS else text[:_REPR_CHARS] + '...'
    except SystemExit as e:
        answer = {'id': m['id'], 'status': 'error', 'ename': 'SystemExit', 'evalue': str(e.code), 'traceback': []}
    except BaseException as e:
        answer = {'id': m['id'], 'status': 'error', 'ename': type(e).__name__, 'evalue': str(e), 'traceback': _user_traceback(e)}
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except Exception:
            pass
    _reply(answer)


def main():
    sys.modules['__main__'] = _user
    # the runner put the program's folder first, which holds pyscope's own modules: the user's is the working directory
    sys.path[0] = os.getcwd()
    pyscope_boot.notebook_handler = on_message
    agent = R.Holder.agent
    _reply({'id': None, 'ready': True})
    while True:
        while not _queue:
            agent.serve_one(-1)
        _run(_queue.popleft())


main()
