# The agent protocol's commands (docs/DEBUGGER.md, src/agent/protocol.ts): one table from command
# name to handler, and handle_line(), which both the native reader thread and the Pyodide
# bootstrap use to answer one request.
from .runtime import json, re, report_internal_error
from .errors import Refusal, BadArgument
from . import agent, breakpoints, stops, inspection

# name -> handler(agent, args) -> body; the only way a request reaches the agent
COMMANDS = {
    'configure': agent.configure,
    'setBreakpoints': breakpoints.set_breakpoints,
    'breakpointLocations': breakpoints.breakpoint_locations,
    'setFunctionBreakpoints': breakpoints.set_function_breakpoints,
    'setExceptionBreakpoints': breakpoints.set_exception_breakpoints,
    'start': stops.start,
    'threads': inspection.threads,
    'stackTrace': inspection.stack_trace,
    'scopes': inspection.scopes,
    'variables': inspection.variables,
    'evaluate': inspection.evaluate,
    'setVariable': inspection.set_variable,
    'setExpression': inspection.set_expression,
    'completions': inspection.completions,
    'source': inspection.source,
    'exceptionInfo': inspection.exception_info,
    'continue': stops.continue_,
    'step': stops.step,
    'pause': stops.pause,
    'detach': stops.detach,
}


def handle_line(agent, line):
    """Parses one request, answers it, then runs what must follow the answer (a resume)."""
    try:
        msg = json.loads(line)
    except Exception as e:  # noqa: not only ValueError: deep nesting is a RecursionError
        _answer_unreadable(agent, line, e)
        return
    if not isinstance(msg, dict):
        _answer_unreadable(agent, line, None)
        return
    rid = msg.get('id')
    cmd = msg.get('cmd')
    agent.after_reply = None
    try:
        handler = COMMANDS.get(cmd) if isinstance(cmd, str) else None
        if handler is None:
            raise Refusal('unknown agent command %r' % (cmd,))
        args = msg.get('args')
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise BadArgument('args must be an object')
        body = handler(agent, args)
    except BadArgument as e:
        agent.after_reply = None
        agent.ch.send({'id': rid, 'ok': False, 'error': '%s: %s' % (cmd, e)})
        return
    except Refusal as e:
        agent.after_reply = None
        agent.ch.send({'id': rid, 'ok': False, 'error': str(e)})
        return
    except BaseException as e:  # noqa: an error of the agent's, or a timeout meant for an evaluation
        agent.after_reply = None
        agent.ch.send({'id': rid, 'ok': False, 'error': '%s: %s' % (type(e).__name__, e)})
        return
    agent.ch.send({'id': rid, 'ok': True, 'body': body or {}})
    then, agent.after_reply = agent.after_reply, None
    if then is not None:
        # resuming after the reply: a program that then exits must not lose it
        try:
            then()
        except Exception:
            report_internal_error()


_LEADING_ID = re.compile(rb'\s*\{\s*"id"\s*:\s*(\d{1,15})\s*,')


def _answer_unreadable(agent, line, error):
    """A line that is not a request still gets an answer when its id can be found, so the adapter
    does not wait for one; the adapter writes `{"id": N, ...}` with the id first."""
    raw = line if isinstance(line, bytes) else line.encode('utf-8', 'replace')
    m = _LEADING_ID.match(raw)
    if m is None:
        return
    why = 'not a JSON object' if error is None else type(error).__name__
    agent.ch.send({'id': int(m.group(1)), 'ok': False, 'error': 'malformed agent request (%s)' % why})
