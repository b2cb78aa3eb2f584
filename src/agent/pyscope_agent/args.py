# Checks of a request's arguments. The adapter validates what it sends; the agent is the last line,
# and a bad argument must come back as an error naming it, never as a Python traceback.
from .errors import BadArgument

_MISSING = object()


def _what(v):
    if v is None:
        return 'null'
    if isinstance(v, bool):
        return 'a boolean'
    if isinstance(v, (int, float)):
        return 'a number'
    if isinstance(v, str):
        return 'a string'
    if isinstance(v, list):
        return 'an array'
    if isinstance(v, dict):
        return 'an object'
    return type(v).__name__


def _get(a, name, ok, what, default, where):
    v = a.get(name, _MISSING)
    if v is _MISSING or (v is None and default is not _MISSING):
        if default is _MISSING:
            raise BadArgument('%s%s is missing (it must be %s)' % (where, name, what))
        return default
    if not ok(v):
        raise BadArgument('%s%s must be %s, not %s' % (where, name, what, _what(v)))
    return v


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def integer(a, name, default=_MISSING, where='', minimum=None):
    v = _get(a, name, _is_int, 'an integer', default, where)
    if minimum is not None and v is not None and v < minimum:
        raise BadArgument('%s%s must be %d or more, not %d' % (where, name, minimum, v))
    return v


def number(a, name, default=_MISSING, where=''):
    return _get(a, name, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), 'a number', default, where)


def string(a, name, default=_MISSING, where=''):
    return _get(a, name, lambda v: isinstance(v, str), 'a string', default, where)


def boolean(a, name, default=_MISSING, where=''):
    return _get(a, name, lambda v: isinstance(v, bool), 'a boolean', default, where)


def array(a, name, default=_MISSING, where=''):
    return _get(a, name, lambda v: isinstance(v, list), 'an array', default, where)


def obj(a, name, default=_MISSING, where=''):
    return _get(a, name, lambda v: isinstance(v, dict), 'an object', default, where)


def objects(a, name, where=''):
    """An optional array of objects, each checked to be one."""
    items = array(a, name, [], where)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadArgument('%s%s[%d] must be an object, not %s' % (where, name, i, _what(item)))
    return items


def strings(a, name, where=''):
    items = array(a, name, [], where)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise BadArgument('%s%s[%d] must be a string, not %s' % (where, name, i, _what(item)))
    return items


def choice(a, name, choices, default=_MISSING, where=''):
    v = string(a, name, default, where)
    if v is not None and v not in choices:
        raise BadArgument('%s%s must be one of %s, not %r' % (where, name, ', '.join(repr(c) for c in choices), v))
    return v
