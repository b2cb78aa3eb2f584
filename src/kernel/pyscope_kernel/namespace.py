# The Jupyter-only requests about the notebook's namespace: inspectVariables, richInspectVariables,
# copyToGlobals and modules. A variable is found by looking its name up (frame locals, then
# globals, then builtins), never by evaluating the name as code; reprs and display formatters, the
# program's code, run on the agent's timed worker.
import builtins
import re
import sys

from pyscope_agent.errors import Timeout
from .session import CommandFailed

# what ipykernel hides from the variables of the notebook's namespace (IPython's own names)
HIDDEN = frozenset([
    '__name__', '__doc__', '__package__', '__loader__', '__spec__', '__annotations__',
    '__builtins__', '__builtin__', '__display__', 'get_ipython', 'debugpy', 'exit', 'quit',
    'In', 'Out', '_oh', '_dh', '_', '__', '___',
])
_HISTORY = re.compile(r'^_\d|^_i')


def shown(name):
    return not (name in HIDDEN or _HISTORY.match(name))


def dap_variable(item):
    """The agent's variable as DAP has it; handles are the variablesReference as they are."""
    out = {'name': item['name'], 'value': item['value'], 'type': item['type'], 'variablesReference': item['handle']}
    if item.get('evaluateName') is not None:
        out['evaluateName'] = item['evaluateName']
    if item.get('indexed'):
        out['indexedVariables'] = item['indexed']
    return out


def inspect_variables(agent, user_ns):
    items = [(k, v) for k, v in list(user_ns.items()) if isinstance(k, str) and shown(k)]
    return {'variables': [dap_variable(agent.describe(k, v, k)) for k, v in items]}


_MISSING = object()


def look_up(name, frame, user_ns):
    """The value a name has in the frame (or, with no frame, in the notebook): no evaluation."""
    spaces = (frame.f_locals, frame.f_globals) if frame is not None else (user_ns,)
    for ns in spaces:
        try:
            return ns[name]
        except KeyError:
            continue
    return getattr(builtins, name, _MISSING)


def _format(shell, value):
    data, metadata = shell.display_formatter.format(value)
    return dict(data), dict(metadata)


def rich_inspect(agent, shell, name, frame):
    if not isinstance(name, str) or not name.isidentifier():
        # JupyterLab asks for its group rows ("special variables") too: nothing to show
        return {'data': {}, 'metadata': {}}
    value = look_up(name, frame, shell.user_ns)
    if value is _MISSING:
        return {'data': {}, 'metadata': {}}
    try:
        data, metadata = agent.timed(_format, shell, value)
    except Timeout as e:
        raise CommandFailed('the rich display of %s %s' % (name, e))
    except Exception as e:
        raise CommandFailed('the rich display of %s failed: %s: %s' % (name, type(e).__name__, e))
    agent.held.append(value)
    return {'data': data, 'metadata': {k: v for k, v in metadata.items() if k in data}}


def copy_to_globals(agent, shell, src, dst, frame):
    if not (isinstance(src, str) and isinstance(dst, str) and src.isidentifier() and dst.isidentifier()):
        raise CommandFailed('dstVariableName and srcVariableName must be valid identifiers')
    value = look_up(src, frame, shell.user_ns)
    if value is _MISSING:
        raise CommandFailed('no variable %s in that frame' % src)
    shell.user_ns[dst] = value
    d = agent.describe(dst, value, dst)
    return {'value': d['value'], 'type': d['type'], 'variablesReference': d['handle']}


def modules(args):
    mods = list(sys.modules.copy().values())
    start = args.get('startModule', 0)
    count = args.get('moduleCount', 0)
    if not isinstance(start, int) or start < 0:
        start = 0
    stop = len(mods) if not isinstance(count, int) or count <= 0 else min(len(mods), start + count)
    out = []
    for i in range(start, stop):
        m = mods[i]
        origin = getattr(getattr(m, '__spec__', None), 'origin', None)
        if isinstance(origin, str) and origin.endswith('.py'):
            out.append({'id': i, 'name': getattr(m, '__name__', '?'), 'path': origin})
    return {'modules': out, 'totalModules': len(mods)}
