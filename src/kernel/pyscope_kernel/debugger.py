# The Jupyter debug protocol (JEP 47) of the kernel: each `debug_request` (a DAP request on the
# control channel) is answered here, on the control thread, by calling pyscope's agent in the
# same process; the agent's events become `debug_event`s on IOPub. What ipykernel does with
# debugpy, request by request, without debugpy and without a port: debugInfo, dumpCell (the
# cell's file as JupyterLab names it, Murmur2 of its code), breakpoints in cells, stepping,
# stackTrace with cells as sources, inspectVariables, richInspectVariables, copyToGlobals,
# modules, exception breakpoints, pause, disconnect and a new attach.
#
# A request that cannot be answered (unknown, malformed, about a frame or cell that is gone, sent
# before `initialize`) gets an error reply with one line of why; nothing here may end the kernel.
import asyncio
import linecache
import os
import traceback

from ipykernel.compiler import get_file_name, get_tmp_directory, get_tmp_hash_seed

from .session import AgentSession, CommandFailed
from .dapspecs import CAPABILITIES, parse_hit_condition, parse_log_message
from . import namespace

STEP_KINDS = {'next': 'over', 'stepIn': 'in', 'stepOut': 'out'}


class KernelDebugger(object):
    def __init__(self, kernel):
        self.kernel = kernel
        self.kernel_threads = set()
        self.session = None  # AgentSession: made by attach, or by a request that inspects values
        self.is_started = False  # between initialize and disconnect
        self.attached = False
        self.just_my_code = True
        self.breakpoint_list = {}  # cell path -> [{'line': n}] as debugInfo reports them
        self.stopped_threads = set()
        self.bp_ids = {}
        self.seq = 0
        self.removed_cleanup = {}
        self.handlers = {
            'debugInfo': (False, self.debug_info),
            'inspectVariables': (False, self.inspect_variables),
            'richInspectVariables': (False, self.rich_inspect_variables),
            'copyToGlobals': (False, self.copy_to_globals),
            'modules': (False, lambda a: namespace.modules(a)),
            'initialize': (False, self.initialize),
            'attach': (True, self.attach),
            'configurationDone': (True, lambda a: {}),
            'dumpCell': (True, self.dump_cell),
            'source': (True, self.source),
            'setBreakpoints': (True, self.set_breakpoints),
            'breakpointLocations': (True, self.breakpoint_locations),
            'setFunctionBreakpoints': (True, self.set_function_breakpoints),
            'setExceptionBreakpoints': (True, self.set_exception_breakpoints),
            'threads': (True, self.threads),
            'stackTrace': (True, self.stack_trace),
            'scopes': (True, self.scopes),
            'variables': (True, self.variables),
            'evaluate': (True, self.evaluate),
            'setVariable': (True, self.set_variable),
            'setExpression': (True, self.set_expression),
            'completions': (True, self.completions),
            'exceptionInfo': (True, lambda a: self.agent_call('exceptionInfo', {'threadId': a.get('threadId')})),
            'continue': (True, self.continue_),
            'next': (True, self.step),
            'stepIn': (True, self.step),
            'stepOut': (True, self.step),
            'pause': (True, lambda a: self.agent_call('pause', {})),
            'disconnect': (False, self.disconnect),
        }
        self.command = None
        self.then = None

    # -- the request loop

    def process_request(self, msg):
        if not isinstance(msg, dict):
            return self.reply({}, None, error='a debug_request must be a DAP request object')
        command = msg.get('command')
        args = msg.get('arguments')
        if args is None:
            args = {}
        entry = self.handlers.get(command) if isinstance(command, str) else None
        if entry is None:
            return self.reply(msg, None, error='unknown debug request command %r' % (command,))
        if not isinstance(args, dict):
            return self.reply(msg, None, error='%s: arguments must be an object' % command)
        needs_start, handler = entry
        if needs_start and not self.is_started:
            return self.reply(msg, None, error='%s: the debugger is not started (send initialize and attach first)' % command)
        self.command = command
        self.then = None
        try:
            body = handler(args)
        except CommandFailed as e:
            return self.reply(msg, None, error=str(e))
        except Exception as e:  # noqa: a bug of ours is an error reply, never a dead kernel
            text = ''.join(traceback.format_exception_only(type(e), e)).strip().splitlines()[-1]
            return self.reply(msg, None, error='%s failed: %s' % (command, text))
        then, self.then = self.then, None
        if then is not None:
            self.after_reply(then)
        return self.reply(msg, body)

    def reply(self, msg, body, error=None):
        self.seq += 1
        out = {'seq': self.seq, 'type': 'response', 'request_seq': msg.get('seq', 0) if isinstance(msg, dict) else 0,
               'command': msg.get('command') if isinstance(msg, dict) else None, 'success': error is None}
        if error is not None:
            out['message'] = error
            out['body'] = {'error': {'id': 1, 'format': error}}
        else:
            out['body'] = body if body is not None else {}
        return out

    def after_reply(self, then):
        """A resume runs once the reply is on its way, the `continued` event before it."""
        def go():
            self.stopped_threads = set()
            self.publish('continued', {'threadId': 1, 'allThreadsContinued': True})
            then()
        try:
            asyncio.get_running_loop().call_soon(go)
        except RuntimeError:
            go()

    def publish(self, event, body):
        self.seq += 1
        self.kernel._publish_debug_event({'seq': self.seq, 'type': 'event', 'event': event, 'body': body})

    def on_agent_event(self, name, body):
        """From the agent, on whichever thread it happens (a stop: the cell's thread)."""
        if name == 'stopped':
            self.stopped_threads.add(body.get('threadId'))
            self.publish('stopped', body)
        elif name == 'continued':
            self.stopped_threads = set()
            self.publish('continued', body)
        elif name == 'output':
            out = {'category': body.get('category', 'console'), 'output': body.get('text', '')}
            if body.get('path'):
                out['source'] = {'path': body['path']}
                out['line'] = body.get('line')
            self.publish('output', out)

    def before_cell(self):
        session = self.session
        if session is not None:
            session.before_cell()

    # -- the agent

    def agent_session(self):
        if self.session is None:
            self.session = AgentSession(self.on_agent_event, self.kernel_threads, self.just_my_code)
        return self.session

    def agent_call(self, cmd, args):
        body, then = self.agent_session().call(cmd, args)
        if then is not None:
            self.then = then
        return body

    def reset(self, why):
        """disconnect, a shutdown or a restart: threads stopped at a breakpoint run on, and the
        agent goes with its hooks and threads."""
        if self.session is not None:
            session, self.session = self.session, None
            session.close()
        self.attached = False
        self.is_started = False
        self.breakpoint_list = {}
        self.stopped_threads = set()
        self.restore_cleanup()

    # -- requests

    def initialize(self, a):
        if not self.is_started:
            tmp = get_tmp_directory()
            if not os.path.isdir(tmp):
                os.makedirs(tmp, mode=0o700)
            self.remove_cleanup()
            self.is_started = True
        return dict(CAPABILITIES)

    def remove_cleanup(self):
        """IPython drops a cell's leading empty lines before compiling it: its lines would no
        longer be those of the cell JupyterLab shows and dumps (ipykernel does the same)."""
        try:
            from IPython.core.inputtransformer2 import leading_empty_lines
            cleanup = self.kernel.shell.input_transformer_manager.cleanup_transforms
        except Exception:
            return
        if leading_empty_lines in cleanup:
            i = cleanup.index(leading_empty_lines)
            self.removed_cleanup[i] = cleanup.pop(i)

    def restore_cleanup(self):
        try:
            cleanup = self.kernel.shell.input_transformer_manager.cleanup_transforms
        except Exception:
            return
        for i in sorted(self.removed_cleanup):
            cleanup.insert(i, self.removed_cleanup.pop(i))

    def attach(self, a):
        jmc = a.get('justMyCode', True)
        self.just_my_code = jmc if isinstance(jmc, bool) else True
        if self.session is not None and not self.session.engine_on:
            # made for an inspection before the session: it takes this session's settings
            self.session.close()
            self.session = None
        self.agent_session().start_engine()
        self.attached = True
        self.publish('initialized', {})
        return {}

    def disconnect(self, a):
        self.reset('disconnect')
        return {}

    def debug_info(self, a):
        return {
            'isStarted': self.is_started,
            'hashMethod': 'Murmur2',
            'hashSeed': get_tmp_hash_seed(),
            'tmpFilePrefix': get_tmp_directory() + os.sep,
            'tmpFileSuffix': '.py',
            'breakpoints': [{'source': k, 'breakpoints': v} for k, v in self.breakpoint_list.items()],
            'stoppedThreads': sorted(t for t in self.stopped_threads if t is not None),
            'richRendering': True,
            'exceptionPaths': ['Python Exceptions'],
            'copyToGlobals': True,
        }

    def dump_cell(self, a):
        code = a.get('code')
        if not isinstance(code, str):
            raise CommandFailed('dumpCell: code must be a string')
        path = get_file_name(code)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(code)
        return {'sourcePath': path}

    def source(self, a):
        src = a.get('source')
        path = src.get('path') if isinstance(src, dict) else None
        if not isinstance(path, str):
            raise CommandFailed('source: source.path must be a string')
        if os.path.isfile(path):
            with open(path, encoding='utf-8') as f:
                return {'content': f.read()}
        # a cell run without being dumped: IPython keeps its code in linecache
        lines = linecache.getlines(path)
        if lines:
            return {'content': ''.join(lines)}
        raise CommandFailed('source unavailable')

    def source_path(self, a, command):
        src = a.get('source')
        path = src.get('path') if isinstance(src, dict) else None
        if not isinstance(path, str) or not path:
            raise CommandFailed('%s: source.path must be a string' % command)
        return path

    def set_breakpoints(self, a):
        path = self.source_path(a, 'setBreakpoints')
        requested = a.get('breakpoints', [])
        if not isinstance(requested, list):
            raise CommandFailed('setBreakpoints: breakpoints must be a list')
        specs = []
        rejected = {}
        for i, bp in enumerate(requested):
            if not isinstance(bp, dict) or not isinstance(bp.get('line'), int):
                raise CommandFailed('setBreakpoints: breakpoints[%d].line must be a number' % i)
            key = (path, bp['line'])
            if key not in self.bp_ids:
                self.bp_ids[key] = len(self.bp_ids) + 1
            spec = {'id': self.bp_ids[key], 'line': bp['line']}
            if bp.get('condition'):
                spec['condition'] = bp['condition']
            if bp.get('hitCondition'):
                try:
                    spec['hit'] = parse_hit_condition(bp['hitCondition'])
                except ValueError as e:
                    rejected[i] = str(e)
                    continue
            if isinstance(bp.get('logMessage'), str):
                spec['log'] = parse_log_message(bp['logMessage'])
            specs.append((i, spec))
        body = self.agent_call('setBreakpoints', {'path': path, 'breakpoints': [s for _, s in specs]})
        results = iter(body.get('breakpoints', []))
        out = []
        by_index = dict(specs)
        for i in range(len(requested)):
            if i in rejected:
                out.append({'verified': False, 'line': requested[i]['line'], 'message': rejected[i], 'source': {'path': path}})
                continue
            r = next(results, {'verified': False})
            item = {'id': by_index[i]['id'], 'verified': bool(r.get('verified')), 'source': {'path': path},
                    'line': r.get('line', requested[i]['line'])}
            if r.get('message'):
                item['message'] = r['message']
            out.append(item)
        verified = [{'line': b['line']} for b in out if b['verified']]
        if verified:
            self.breakpoint_list[path] = verified
        else:
            self.breakpoint_list.pop(path, None)
        return {'breakpoints': out}

    def breakpoint_locations(self, a):
        path = self.source_path(a, 'breakpointLocations')
        line = a.get('line')
        end = a.get('endLine', line)
        body = self.agent_call('breakpointLocations', {'path': path, 'line': line, 'endLine': end})
        return {'breakpoints': [{'line': l} for l in body.get('lines', [])]}

    def set_function_breakpoints(self, a):
        bps = a.get('breakpoints', [])
        if not isinstance(bps, list):
            raise CommandFailed('setFunctionBreakpoints: breakpoints must be a list')
        specs = []
        for i, bp in enumerate(bps):
            if not isinstance(bp, dict) or not isinstance(bp.get('name'), str):
                raise CommandFailed('setFunctionBreakpoints: breakpoints[%d].name must be a string' % i)
            spec = {'id': 10000 + i, 'name': bp['name']}
            if bp.get('condition'):
                spec['condition'] = bp['condition']
            specs.append(spec)
        body = self.agent_call('setFunctionBreakpoints', {'breakpoints': specs})
        return {'breakpoints': [{'verified': bool(r.get('verified')), 'message': r.get('message')} for r in body.get('breakpoints', [])]}

    def set_exception_breakpoints(self, a):
        filters = a.get('filters', [])
        if not isinstance(filters, list) or not all(isinstance(f, str) for f in filters):
            raise CommandFailed('setExceptionBreakpoints: filters must be a list of strings')
        agent_filters = set(f for f in filters if f in ('raised', 'uncaught', 'userUnhandled'))
        if 'uncaught' in agent_filters:
            # IPython catches what a cell raises: an exception is uncaught when it leaves the
            # notebook's code into IPython's, which the agent calls userUnhandled
            agent_filters.add('userUnhandled')
        self.agent_call('setExceptionBreakpoints', {'filters': sorted(agent_filters)})
        return {}

    def threads(self, a):
        return self.agent_call('threads', {})

    def stack_trace(self, a):
        body = self.agent_call('stackTrace', {'threadId': a.get('threadId')})
        # cells and the user's files; IPython's, ipykernel's and asyncio's frames are not the notebook
        frames = [f for f in body.get('frames', []) if f.get('user')]
        start = a.get('startFrame', 0) if isinstance(a.get('startFrame'), int) else 0
        levels = a.get('levels', 0) if isinstance(a.get('levels'), int) else 0
        page = frames[start:start + levels] if levels > 0 else frames[start:]
        out = []
        for f in page:
            path = f.get('path') or f.get('sourceName') or ''
            item = {'id': f['id'], 'name': f['name'], 'line': f['line'], 'column': 1,
                    'source': {'name': os.path.basename(path), 'path': path}}
            out.append(item)
        return {'stackFrames': out, 'totalFrames': len(frames)}

    def scopes(self, a):
        body = self.agent_call('scopes', {'frameId': a.get('frameId')})
        return {'scopes': [{'name': s['name'], 'variablesReference': s['handle'], 'expensive': False,
                            'namedVariables': s.get('named', 0)} for s in body.get('scopes', [])]}

    def variables(self, a):
        args = {'handle': a.get('variablesReference'), 'start': a.get('start', 0), 'count': a.get('count', 0)}
        if a.get('filter') in ('indexed', 'named'):
            args['filter'] = a['filter']
        body = self.agent_call('variables', args)
        return {'variables': [namespace.dap_variable(v) for v in body.get('variables', []) if namespace.shown(str(v['name']))]}

    def evaluate(self, a):
        args = {'expression': a.get('expression'), 'context': a.get('context') or 'repl'}
        if a.get('frameId'):
            args['frameId'] = a['frameId']
        body = self.agent_call('evaluate', args)
        out = {'result': body.get('value', ''), 'variablesReference': body.get('handle', 0)}
        if body.get('type'):
            out['type'] = body['type']
        if body.get('indexed'):
            out['indexedVariables'] = body['indexed']
        return out

    def set_variable(self, a):
        args = {'handle': a.get('variablesReference'), 'name': a.get('name'), 'value': a.get('value')}
        body = self.agent_call('setVariable', args)
        return {'value': body['value'], 'type': body.get('type'), 'variablesReference': body.get('handle', 0)}

    def set_expression(self, a):
        args = {'frameId': a.get('frameId'), 'expression': a.get('expression'), 'value': a.get('value')}
        body = self.agent_call('setExpression', args)
        return {'value': body['value'], 'type': body.get('type'), 'variablesReference': body.get('handle', 0)}

    def completions(self, a):
        args = {'text': a.get('text'), 'column': a.get('column')}
        if a.get('frameId'):
            args['frameId'] = a['frameId']
        return self.agent_call('completions', args)

    def continue_(self, a):
        self.agent_call('continue', {})
        return {'allThreadsContinued': True}

    def step(self, a):
        self.agent_call('step', {'threadId': a.get('threadId'), 'kind': STEP_KINDS[self.command]})
        return {}

    def frame_of(self, a, key):
        fid = a.get(key)
        if not fid or not self.stopped_threads:
            return None
        try:
            return self.agent_session().agent.frame(fid)
        except Exception as e:
            raise CommandFailed(str(e))

    def inspect_variables(self, a):
        agent = self.agent_session().agent
        if not agent.stopped:
            agent.clear_stop_state()
        return namespace.inspect_variables(agent, self.kernel.shell.user_ns)

    def rich_inspect_variables(self, a):
        agent = self.agent_session().agent
        return namespace.rich_inspect(agent, self.kernel.shell, a.get('variableName'), self.frame_of(a, 'frameId'))

    def copy_to_globals(self, a):
        agent = self.agent_session().agent
        return namespace.copy_to_globals(agent, self.kernel.shell, a.get('srcVariableName'), a.get('dstVariableName'),
                                         self.frame_of(a, 'srcFrameId'))
