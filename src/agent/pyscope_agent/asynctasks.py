# asyncio as the debugger sees it: the task running on this thread, who awaits a task, a task's
# coroutine stack, the tasks of a loop.
#
# The agent never imports asyncio (a program that does not use it must not get it): everything
# here goes through the module the program itself imported, and answers None or nothing without
# it. What runs on the program's thread inside an engine callback (current_task, awaiter_frame)
# reads only C-level attributes of the standard library's objects, never the program's code.
from .runtime import sys, types

CO_GENERATOR = 0x20
CO_COROUTINE = 0x80
CO_ITERABLE_COROUTINE = 0x100
CO_ASYNC_GENERATOR = 0x200
# code whose frame can suspend in an await and be resumed later, maybe after other tasks ran
ASYNC_FLAGS = CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR
SUSPENDING_FLAGS = ASYNC_FLAGS | CO_GENERATOR

# bounds of the walks below (callbacks of futures, closures, coroutine chains)
MAX_DEPTH = 6
MAX_SEEN = 200
MAX_CHAIN = 200


def is_async_code(code):
    return bool(code.co_flags & ASYNC_FLAGS)


def is_suspending_code(code):
    return bool(code.co_flags & SUSPENDING_FLAGS)


def is_async_gen_item(value):
    """What an async generator's `yield x` hands out (the interpreter wraps it), as opposed to
    what its awaits yield up to the event loop."""
    return type(value).__name__ == 'async_generator_wrapped_value'


def _asyncio():
    return sys.modules.get('asyncio')


def running_loop():
    aio = _asyncio()
    if aio is None:
        return None
    try:
        return aio._get_running_loop()
    except Exception:
        return None


def current_task():
    """The task running on this thread, or None."""
    aio = _asyncio()
    loop = running_loop()
    if loop is None:
        return None
    try:
        return aio.current_task(loop)
    except Exception:
        return None


def task_name(task):
    try:
        n = task.get_name()
    except Exception:
        return None
    return n if isinstance(n, str) else None


def _is_future(aio, obj):
    try:
        return isinstance(obj, aio.Future) or isinstance(obj, aio.futures._PyFuture)
    except Exception:
        return False


def _is_task(aio, obj):
    try:
        return isinstance(obj, aio.Task) or isinstance(obj, aio.tasks._PyTask)
    except Exception:
        return False


def _referents(cb):
    """What a done-callback holds on to: a bound method's self, a closure's cells, a partial's
    function and arguments (gather, shield, wait_for and TaskGroup all add one of these)."""
    out = []
    s = getattr(cb, '__self__', None)
    if s is not None and not isinstance(s, types.ModuleType):
        out.append(s)
    cells = getattr(cb, '__closure__', None)
    if cells:
        for c in cells:
            try:
                out.append(c.cell_contents)
            except ValueError:
                pass
    func = getattr(cb, 'func', None)
    if func is not None and getattr(cb, 'args', None) is not None:
        out.append(func)
        out.extend(cb.args)
    return out


def awaiting_tasks(fut):
    """The tasks that wait for `fut` to be done: directly (`await task`) or through a future
    made by gather, shield, wait_for or a TaskGroup; the nearest first."""
    aio = _asyncio()
    if aio is None:
        return []
    found = []
    seen = set()
    todo = [(fut, 0)]
    while todo and len(seen) < MAX_SEEN:
        obj, depth = todo.pop(0)
        if id(obj) in seen or depth > MAX_DEPTH:
            continue
        seen.add(id(obj))
        if obj is not fut and _is_task(aio, obj):
            found.append(obj)
            continue
        parent = getattr(obj, '_parent_task', None) if type(obj).__name__ == 'TaskGroup' else None
        if parent is not None:
            todo.append((parent, depth + 1))
            continue
        if _is_future(aio, obj):
            try:
                cbs = list(obj._callbacks or ())
            except Exception:
                cbs = []
            for cb in cbs:
                if isinstance(cb, tuple):
                    cb = cb[0]
                todo.append((cb, depth + 1))
        elif depth > 0 and callable(obj):
            for r in _referents(obj):
                todo.append((r, depth + 1))
    return found


def _frame_of(coro):
    for attr in ('cr_frame', 'gi_frame', 'ag_frame'):
        f = getattr(coro, attr, None)
        if f is not None:
            return f
    return None


def _awaited_by(coro):
    for attr in ('cr_await', 'gi_yieldfrom', 'ag_await'):
        a = getattr(coro, attr, None)
        if a is not None:
            return a
    return None


def coroutine_frames(task):
    """The frames of a task's coroutine chain, outermost (the task's coroutine) first."""
    try:
        coro = task.get_coro()
    except Exception:
        return []
    out = []
    while coro is not None and len(out) < MAX_CHAIN:
        f = _frame_of(coro)
        if f is None:
            break
        out.append(f)
        coro = _awaited_by(coro)
    return out


def all_tasks(loop):
    aio = _asyncio()
    if aio is None or loop is None:
        return []
    try:
        return list(aio.all_tasks(loop))
    except Exception:
        return []
