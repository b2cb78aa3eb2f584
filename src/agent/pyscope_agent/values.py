# Values as an editor shows them: a bounded repr, the type, whether it expands, and its children,
# produced lazily for the requested slice. Whatever runs the program's code (repr, __len__,
# __getattr__, dir, isinstance through a __class__ property) runs on the timed worker.
from .runtime import itertools, monotonic
from .errors import Timeout, EvalTimeout

REPR_LIMIT = 4096  # characters of a repr shown; the rest becomes '...'
UNPAGED_LIMIT = 1000  # children answered to a request that asks for no count
_BOUNDED_FROM = 64  # containers with more items than this are repr'd only as far as shown

SCALARS = (int, float, complex, str, bytes, bool, type(None), type(Ellipsis))
_BRACKETS = {list: ('[', ']', '[...]'), tuple: ('(', ')', '(...)'), dict: ('{', '}', '{...}'),
             set: ('{', '}', 'set(...)'), frozenset: ('frozenset({', '})', 'frozenset(...)')}
NOT_EVALUATED = '<not evaluated: time budget spent>'
REQUEST_BUDGET_REPRS = 4  # one answer evaluates for at most this many reprTimeouts,
REQUEST_BUDGET_MIN = 3.0  # and no less than this many seconds
# Listing one page of a container is one timed call that mostly runs no program code; with a
# short reprTimeout (0.25 s) a loaded machine could cut it before the worker thread even got the
# GIL (seen on a debug build at load average 20), so it has this floor.
LISTING_TIMEOUT_MIN = 2.0
_UNREAD = object()  # an attribute not read: its type is not known either


def _part(x, limit, active):
    if type(x) in _BRACKETS and len(x) > _BOUNDED_FROM:
        return _container_repr(x, limit, active)
    return repr(x)


def _container_repr(value, limit, active):
    """repr() of a list, tuple, dict, set or frozenset, cut once it is longer than limit: equal to
    repr(value) when that is shorter, else a prefix of it longer than limit. A huge container is
    never repr'd whole just to show its first 4096 characters."""
    opening, closing, recursive = _BRACKETS[type(value)]
    if id(value) in active:
        return recursive
    active.add(id(value))
    try:
        parts = []
        size = len(opening)
        items = value.items() if type(value) is dict else value
        for item in items:
            if parts:
                size += 2
            if type(value) is dict:
                p = _part(item[0], limit, active) + ': ' + _part(item[1], limit, active)
            else:
                p = _part(item, limit, active)
            parts.append(p)
            size += len(p)
            if size > limit:
                return opening + ', '.join(parts)  # a prefix: the rest is cut anyway
        return opening + ', '.join(parts) + closing
    finally:
        active.discard(id(value))


def bounded_repr(value, limit=REPR_LIMIT):
    if type(value) in _BRACKETS and len(value) > _BOUNDED_FROM:
        r = _container_repr(value, limit, set())
    else:
        r = repr(value)
    if len(r) > limit:
        r = r[:limit] + '...'
    return r


def indexed_count(value):
    if isinstance(value, (list, tuple, range, bytearray)) or type(value).__name__ == 'deque':
        try:
            return len(value)
        except Exception:
            return None
    return None


def _safe_text(e):
    try:
        return '%s: %s' % (type(e).__name__, e)
    except (Timeout, EvalTimeout):
        raise
    except BaseException:
        return '%s: <str() failed>' % type(e).__name__


def facts(value, key=None, want_key=False):
    """On the worker: (repr of the key, repr, type name, expandable, indexed count)."""
    k = None
    if want_key:
        try:
            k = repr(key)
        except (Timeout, EvalTimeout):
            raise
        except BaseException as e:
            k = '<repr raised %s>' % _safe_text(e)
    try:
        r = bounded_repr(value)
    except (Timeout, EvalTimeout):
        raise
    except BaseException as e:
        r = '<repr raised %s>' % _safe_text(e)
    return k, r, type(value).__name__, not isinstance(value, SCALARS), indexed_count(value)


def attribute_names(value):
    """On the worker: the attributes shown for an object, and whether it has a __dict__."""
    d = getattr(value, '__dict__', None)
    names = []
    has_dict = isinstance(d, dict)
    if has_dict:
        names = [n for n in d if isinstance(n, str)]
    for cls in type(value).__mro__:
        for s in getattr(cls, '__slots__', ()) or ():
            if isinstance(s, str) and s not in names and not s.startswith('__'):
                names.append(s)
    if not names:
        names = [n for n in dir(value) if not n.startswith('__')]
    return sorted(names), has_dict


def list_children(value, start, stop, flt):
    """On the worker: the raw children of value[start:stop], and their number when it is cheap
    to know. -> (kind, entries, total): no child is repr'd, no attribute read."""
    if isinstance(value, dict):
        if flt == 'indexed':
            return 'dict', [], None
        return 'dict', list(itertools.islice(value.items(), start, stop)), len(value)
    n = indexed_count(value)
    if n is not None:
        if flt == 'named':
            return 'seq', [], None
        if isinstance(value, (list, tuple, range, bytearray)):
            page = value[start:stop]
        else:
            page = itertools.islice(value, start, stop)
        return 'seq', list(enumerate(page, start)), n
    if isinstance(value, (set, frozenset)):
        if flt == 'named':
            return 'set', [], None
        # sorted by repr, as far as that is cheap; a huge set pages in its own order
        ordered = sorted(value, key=repr) if len(value) <= UNPAGED_LIMIT else itertools.islice(value, start, stop)
        page = ordered[start:stop] if isinstance(ordered, list) else list(ordered)
        return 'set', list(enumerate(page, start)), len(value)
    names, has_dict = attribute_names(value)
    if flt == 'indexed':
        names = [n for n in names if n.isdigit()]
    elif flt == 'named':
        names = [n for n in names if not n.isdigit()]
    return ('attrs', has_dict), names, None


def list_scope(frame, kind):
    """On the worker: a frame's locals or globals, the dunders of module namespaces left out."""
    ns = frame.f_locals if kind == 'locals' else frame.f_globals
    hide = kind == 'globals' or frame.f_locals is frame.f_globals
    return [(k, v) for k, v in list(ns.items()) if not (hide and isinstance(k, str) and k.startswith('__') and k.endswith('__'))]


def _sub(evaluate_name, suffix):
    return None if evaluate_name is None else evaluate_name + suffix


class ValuesMixin(object):
    """Mixed into Agent."""

    def timed(self, fn, *args):
        return self.worker.call(self.repr_timeout, fn, *args)

    def timed_listing(self, fn, *args):
        return self.worker.call(max(self.repr_timeout, LISTING_TIMEOUT_MIN), fn, *args)

    def return_values(self, frame):
        """[(`(return) NAME`, value)] of a frame a step out (or off the end) of NAME stopped in."""
        return [(p.ret[1], p.ret[2]) for p in list(self.parked.values()) if p.ret is not None and p.ret[0] is frame]

    def new_handle(self, entry):
        h = self.next_handle
        self.next_handle += 1
        self.handles[h] = entry
        return h

    def budget(self):
        """monotonic() after which one request starts no more evaluations: a few reprs may
        time out in one answer and the rest still show, but a page of slow ones is bounded."""
        return monotonic() + max(REQUEST_BUDGET_REPRS * self.repr_timeout, REQUEST_BUDGET_MIN)

    def describe(self, name, value, evaluate_name=None, key=None, want_key=False):
        """A variable as the protocol has it; `key` of a dict item becomes its name."""
        try:
            k, r, t, expandable, n = self.timed(facts, value, key, want_key)
        except Timeout as e:
            # type() and an exact-type test run none of the program's code
            k, r, t, n = '<repr %s>' % e, '<repr %s>' % e, type(value).__name__, None
            expandable = type(value) not in SCALARS
        if want_key:
            name = '[%s]' % k
            if evaluate_name is not None:
                evaluate_name += name
        item = {'name': name, 'value': r, 'type': t, 'handle': 0}
        if evaluate_name is not None:
            item['evaluateName'] = evaluate_name
        if expandable:
            item['handle'] = self.new_handle(('obj', value, evaluate_name))
            if n is not None:
                item['indexed'] = n
        return item

    def not_evaluated(self, name, value, evaluate_name):
        item = {'name': name, 'value': NOT_EVALUATED, 'type': '' if value is _UNREAD else type(value).__name__, 'handle': 0}
        if evaluate_name is not None:
            item['evaluateName'] = evaluate_name
        return item

    def children(self, entry, start, count, flt):
        """The described children of a handle's value for one page, and their total if known."""
        limit = count if count else UNPAGED_LIMIT
        deadline = self.budget()
        if entry[0] == 'scope':
            items = self.timed_listing(list_scope, entry[1], entry[2])
            if entry[2] == 'locals':
                items = self.return_values(entry[1]) + items
            if flt == 'indexed':
                items = [i for i in items if isinstance(i[0], str) and i[0].isdigit()]
            elif flt == 'named':
                items = [i for i in items if not (isinstance(i[0], str) and i[0].isdigit())]
            self.held.append(items)
            out = []
            for k, v in items[start:start + limit]:
                en = None if isinstance(k, str) and k.startswith('(return) ') else k
                out.append(self.describe(k, v, en) if monotonic() < deadline else self.not_evaluated(k, v, en))
            return out, len(items)
        value, evaluate_name = entry[1], entry[2]
        kind, entries, total = self.timed_listing(list_children, value, start, start + limit, flt)
        self.held.append(entries)
        out = []
        if kind == 'dict':
            for k, v in entries:
                if monotonic() < deadline:
                    out.append(self.describe(None, v, evaluate_name, key=k, want_key=True))
                else:
                    out.append(self.not_evaluated('[...]', v, None))
        elif kind in ('seq', 'set'):
            for i, v in entries:
                en = _sub(evaluate_name, '[%d]' % i) if kind == 'seq' else None
                out.append(self.describe(str(i), v, en) if monotonic() < deadline else self.not_evaluated(str(i), v, en))
        else:
            has_dict = kind[1]
            # attributes are read one by one (a property may be slow or raise, and is then left out),
            # so the page is counted in the attributes kept
            kept = 0
            for n in entries:
                if kept >= start + limit:
                    break
                if monotonic() >= deadline:
                    if kept >= start:
                        out.append(self.not_evaluated(n, _UNREAD, _sub(evaluate_name, '.' + n)))
                    kept += 1
                    continue
                try:
                    v = self.timed(getattr, value, n)
                except BaseException:
                    continue
                if callable(v) and not has_dict:
                    continue
                if kept >= start:
                    self.held.append(v)
                    out.append(self.describe(n, v, _sub(evaluate_name, '.' + n)))
                kept += 1
        return out, total
