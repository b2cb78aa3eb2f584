# The agent protocol's commands (docs/DEBUGGER.md, src/agent/protocol.ts): one table from command
# name to handler, and handle_line(), which both the native reader thread and the Pyodide
# bootstrap use to answer one request.
from .runtime import json, report_internal_error
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
    except ValueError:
        return
    if not isinstance(msg, dict):
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
