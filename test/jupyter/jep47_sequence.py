# Drives one Jupyter kernel through the debug sequence JupyterLab sends (JEP 47), with
# jupyter_client, and prints what matters of each answer as one JSON object: the node test
# (jep47.test.ts) runs it against ipykernel's own kernel (debugpy) and against pyscope-python3
# and compares the two.
#
#   python jep47_sequence.py KERNEL_NAME [--bad-input | --reattach]
#
# Every wait is bounded; a step that fails raises with what was seen instead.
import json
import os
import sys
import time
import queue

from jupyter_client.manager import KernelManager

WAIT = float(os.environ.get('JEP47_WAIT', '60'))

CELL_DEF = 'base = 100\n\n\ndef f(x):\n    y = x * 2\n    z = y + 1\n    return z\n'
CELL_CALL = 'r = f(20)\n'


class Driver(object):
    def __init__(self, name):
        self.km = KernelManager(kernel_name=name)
        self.km.start_kernel()
        self.connect()
        self.seq = 0
        self.events = []

    def connect(self):
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=WAIT)

    def close(self):
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=True)

    def request(self, command, arguments=None):
        self.seq += 1
        content = {'seq': self.seq, 'type': 'request', 'command': command, 'arguments': arguments or {}}
        msg = self.kc.session.msg('debug_request', content)
        self.kc.control_channel.send(msg)
        deadline = time.monotonic() + WAIT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError('no debug_reply to %s within %gs' % (command, WAIT))
            reply = self.kc.control_channel.get_msg(timeout=left)
            if reply['parent_header'].get('msg_id') == msg['header']['msg_id']:
                return reply['content']

    def ok(self, command, arguments=None):
        r = self.request(command, arguments)
        if not r.get('success', True) or r.get('success') is None and command not in ('modules',):
            if r.get('success') is not True:
                raise RuntimeError('%s failed: %s' % (command, json.dumps(r)[:500]))
        return r.get('body', {})

    def event(self, name, timeout=WAIT):
        """The next debug_event `name` on IOPub (events seen on the way are kept)."""
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e['event'] == name:
                    del self.events[i]
                    return e
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError('no %s event within %gs (saw %s)' % (name, timeout, [e['event'] for e in self.events]))
            try:
                m = self.kc.get_iopub_msg(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if m['msg_type'] == 'debug_event':
                self.events.append(m['content'])
            elif m['msg_type'] == 'stream':
                self.stream.append(m['content']['text'])

    def execute(self, code):
        return self.kc.execute(code)

    def execute_reply(self, msg_id, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError('no execute_reply within %gs' % timeout)
            r = self.kc.get_shell_msg(timeout=left)
            if r['parent_header'].get('msg_id') == msg_id:
                return r['content']

    def run(self, code):
        """Executes and returns (status, stdout). A request that comes just after a cell failed
        may be aborted by ipykernel (stop_on_error): it is sent again then."""
        for _ in range(3):
            status, out = self.run_once(code)
            if status != 'aborted':
                break
            time.sleep(0.5)
        return status, out

    def run_once(self, code):
        self.stream = []
        msg_id = self.execute(code)
        reply = self.execute_reply(msg_id)
        # the output comes on IOPub, possibly after the reply: until the kernel is idle again
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                m = self.kc.get_iopub_msg(timeout=1.0)
            except queue.Empty:
                continue
            if m['msg_type'] == 'stream':
                self.stream.append(m['content']['text'])
            elif m['msg_type'] == 'debug_event':
                self.events.append(m['content'])
            elif m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle' and m['parent_header'].get('msg_id') == msg_id:
                break
        return reply['status'], ''.join(self.stream)


def info_shape(body):
    return {
        'isStarted': body['isStarted'],
        'hashMethod': body['hashMethod'],
        'hashSeed': body['hashSeed'],
        'tmpFileSuffix': body['tmpFileSuffix'],
        'tmpFilePrefixEndsWithSep': body['tmpFilePrefix'].endswith(os.sep),
        'breakpoints': [{'source': os.path.basename(b['source']), 'lines': [x['line'] for x in b['breakpoints']]} for b in body['breakpoints']],
        'stoppedThreads': len(body['stoppedThreads']) > 0,
        'richRendering': body['richRendering'],
        'exceptionPaths': body['exceptionPaths'],
        'copyToGlobals': body.get('copyToGlobals'),
    }


def frames_shape(body, cells):
    out = []
    for f in body['stackFrames']:
        path = f['source']['path']
        out.append({'name': f['name'], 'line': f['line'], 'cell': cells.get(path, os.path.basename(path))})
    return out


def variables_of(d, ref):
    return {v['name']: (v['value'], v.get('type')) for v in d.ok('variables', {'variablesReference': ref})['variables']}


def stopped_at(d, tid, cells):
    st = d.ok('stackTrace', {'threadId': tid})
    return st, frames_shape(st, cells)


def sequence(name, reattach):
    d = Driver(name)
    out = {}
    try:
        out['debuggerFeature'] = 'debugger' in d.kc.kernel_info(reply=True, timeout=WAIT)['content'].get('supported_features', [])
        out['debugInfo0'] = info_shape(d.ok('debugInfo'))
        caps = d.ok('initialize', {'clientID': 'jupyterlab', 'clientName': 'JupyterLab', 'adapterID': 'python', 'pathFormat': 'path',
                                    'linesStartAt1': True, 'columnsStartAt1': True, 'supportsVariableType': True,
                                    'supportsVariablePaging': True, 'supportsRunInTerminalRequest': True, 'locale': 'en-us'})
        out['exceptionFilters'] = sorted(f['filter'] for f in caps.get('exceptionBreakpointFilters', []) if f['filter'] in ('raised', 'uncaught'))
        d.ok('attach', {})
        out['debugInfo1'] = info_shape(d.ok('debugInfo'))
        def_path = d.ok('dumpCell', {'code': CELL_DEF})['sourcePath']
        call_path = d.ok('dumpCell', {'code': CELL_CALL})['sourcePath']
        out['cellFile'] = os.path.basename(def_path)
        out['cellFileExists'] = os.path.isfile(def_path)
        cells = {def_path: 'def', call_path: 'call'}
        bps = d.ok('setBreakpoints', {'source': {'path': def_path}, 'breakpoints': [{'line': 5}], 'lines': [5], 'sourceModified': False})
        out['breakpoints'] = [(b['verified'], b['line']) for b in bps['breakpoints']]
        d.ok('setExceptionBreakpoints', {'filters': []})
        d.ok('configurationDone')
        out['debugInfo2'] = info_shape(d.ok('debugInfo'))
        out['defineCell'] = d.run(CELL_DEF)[0]
        call_id = d.execute(CELL_CALL)
        stopped = d.event('stopped')['body']
        out['stopped'] = {'reason': stopped['reason'], 'allThreadsStopped': stopped.get('allThreadsStopped')}
        tid = stopped['threadId']
        out['debugInfoStopped'] = info_shape(d.ok('debugInfo'))
        st, out['stack'] = stopped_at(d, tid, cells)
        top = st['stackFrames'][0]['id']
        scopes = d.ok('scopes', {'frameId': top})['scopes']
        out['scopes'] = [s['name'] for s in scopes]
        out['locals'] = variables_of(d, scopes[0]['variablesReference'])
        g = variables_of(d, scopes[1]['variablesReference'])
        out['globalBase'] = g.get('base')
        ev = d.ok('evaluate', {'expression': 'x * 3', 'frameId': top, 'context': 'watch'})
        out['evaluate'] = (ev['result'], ev.get('type'))
        iv = d.ok('inspectVariables')
        out['inspectVariables'] = sorted(v['name'] for v in iv['variables'] if v['name'] in ('base', 'f', 'x', 'r'))
        rich = d.ok('richInspectVariables', {'variableName': 'x', 'frameId': top})
        out['rich'] = rich['data'].get('text/plain')
        d.ok('copyToGlobals', {'srcVariableName': 'x', 'dstVariableName': 'x_copy', 'srcFrameId': top})
        mods = d.ok('modules', {})
        out['modulesHaveOs'] = any(m['name'] == 'asyncio' for m in mods['modules'])
        d.ok('next', {'threadId': tid})
        stopped = d.event('stopped')['body']
        out['stepped'] = stopped['reason']
        st, out['stackAfterNext'] = stopped_at(d, tid, cells)
        scopes = d.ok('scopes', {'frameId': st['stackFrames'][0]['id']})['scopes']
        out['localsAfterNext'] = variables_of(d, scopes[0]['variablesReference'])
        d.ok('continue', {'threadId': tid})
        out['callCell'] = d.execute_reply(call_id)['status']
        out['afterwards'] = d.run('print(r, x_copy)')
        d.ok('disconnect', {'restart': False, 'terminateDebuggee': True})
        out['debugInfoDetached'] = info_shape(d.ok('debugInfo'))
        # no client debugs: the breakpoint's cell runs through
        out['undebugged'] = d.run('print(f(1))')
        if not reattach:
            return out
        # a second session (ipykernel 7.4 with debugpy 1.8 does not answer a second initialize:
        # the reference runs without this part)
        d.ok('initialize', {'clientID': 'jupyterlab', 'adapterID': 'python', 'pathFormat': 'path', 'linesStartAt1': True, 'columnsStartAt1': True})
        d.ok('attach', {})
        d.ok('setBreakpoints', {'source': {'path': def_path}, 'breakpoints': [{'line': 6}], 'sourceModified': False})
        d.ok('configurationDone')
        call_id = d.execute('print(f(5))')
        stopped = d.event('stopped')['body']
        st, out['secondStack'] = stopped_at(d, stopped['threadId'], cells)
        d.ok('continue', {'threadId': stopped['threadId']})
        out['secondCall'] = d.execute_reply(call_id)['status']
        d.ok('disconnect', {'restart': False, 'terminateDebuggee': True})
        out['alive'] = d.run('print(6 * 7)')
    finally:
        d.close()
    return out


def bad_input(name):
    """pyscope-python3 only: what no reference defines, but must leave the kernel alive."""
    d = Driver(name)
    out = {}
    try:
        r = d.request('noSuchCommand', {})
        out['unknown'] = (r.get('success'), r.get('message'))
        out['beforeInitialize'] = d.request('stackTrace', {'threadId': 1}).get('success')
        d.ok('initialize', {'adapterID': 'python'})
        d.ok('attach', {})
        r = d.request('variables', {'variablesReference': 'nope'})
        out['badArgument'] = (r.get('success'), r.get('message'))
        gone = d.ok('dumpCell', {'code': CELL_DEF})['sourcePath']
        os.remove(gone)
        r = d.request('setBreakpoints', {'source': {'path': gone}, 'breakpoints': [{'line': 5}]})
        out['vanishedCell'] = (r.get('success'), [(b['verified'], bool(b.get('message'))) for b in r.get('body', {}).get('breakpoints', [])])
        out['aliveAfterBadInput'] = d.run('print(6 * 7)')
        # exception breakpoints: "uncaught" stops where the exception leaves the cell
        d.ok('setExceptionBreakpoints', {'filters': ['uncaught']})
        d.ok('configurationDone')
        call_id = d.execute('def g():\n    return 1 / 0\n\ng()\n')
        stopped = d.event('stopped')['body']
        info = d.ok('exceptionInfo', {'threadId': stopped['threadId']})
        st = d.ok('stackTrace', {'threadId': stopped['threadId']})
        out['exception'] = {'reason': stopped['reason'], 'exceptionId': info['exceptionId'],
                            'top': [st['stackFrames'][0]['name'], st['stackFrames'][0]['line']]}
        d.ok('continue', {'threadId': stopped['threadId']})
        out['exceptionCell'] = d.execute_reply(call_id)['status']
        d.ok('setExceptionBreakpoints', {'filters': []})
        # pause a cell that runs until told to stop, tell it through setExpression, go on
        # (the flag is set by a cell of its own: a pause that comes before the loop starts, on a
        # loaded machine, must not stop before the line that would set it again)
        d.run('import time\nspinning = True\n')
        call_id = d.execute('while spinning:\n    time.sleep(0.01)\n')
        time.sleep(1.0)
        d.ok('pause', {'threadId': 1})
        stopped = d.event('stopped')['body']
        st = d.ok('stackTrace', {'threadId': stopped['threadId']})
        top = st['stackFrames'][0]
        d.ok('setExpression', {'expression': 'spinning', 'value': 'False', 'frameId': top['id']})
        out['paused'] = {'reason': stopped['reason'], 'top': [top['name'], top['line'] in (1, 2)]}
        d.ok('continue', {'threadId': stopped['threadId']})
        out['pausedCell'] = d.execute_reply(call_id)['status']
        # the kernel's interrupt while a cell is stopped: the cell ends with KeyboardInterrupt
        d.ok('setBreakpoints', {'source': {'path': d.ok('dumpCell', {'code': CELL_DEF})['sourcePath']}, 'breakpoints': [{'line': 5}]})
        d.run(CELL_DEF)
        # what a failure of this step is told by: the events kept from before it, the stop
        # interrupted, and what came after
        out['interruptEventsBefore'] = [(e['event'], e.get('body', {}).get('reason')) for e in d.events]
        call_id = d.execute('f(2)')
        out['interruptStop'] = d.event('stopped')['body']
        d.km.interrupt_kernel()
        reply = d.execute_reply(call_id)
        out['interrupted'] = (reply['status'], reply.get('ename'))
        out['interruptEventsAfter'] = [(e['event'], e.get('body', {}).get('reason')) for e in d.events]
        out['continuedOnInterrupt'] = d.event('continued')['event']
        out['aliveAfterInterrupt'] = d.run('print(6 * 7)')
        d.ok('setBreakpoints', {'source': {'path': d.ok('dumpCell', {'code': CELL_DEF})['sourcePath']}, 'breakpoints': []})
        # a restart while stopped at a breakpoint
        path = d.ok('dumpCell', {'code': CELL_DEF})['sourcePath']
        d.ok('setBreakpoints', {'source': {'path': path}, 'breakpoints': [{'line': 5}]})
        d.ok('configurationDone')
        d.run(CELL_DEF)
        d.execute('f(1)')
        out['stoppedBeforeRestart'] = d.event('stopped')['body']['reason']
        d.kc.stop_channels()
        d.km.restart_kernel(now=False)
        d.connect()
        out['debugInfoAfterRestart'] = d.ok('debugInfo')['isStarted']
        out['aliveAfterRestart'] = d.run('print(6 * 7)')
    finally:
        d.close()
    return out


if __name__ == '__main__':
    name = sys.argv[1]
    result = bad_input(name) if '--bad-input' in sys.argv[2:] else sequence(name, '--reattach' in sys.argv[2:])
    print(json.dumps(result, indent=1, sort_keys=True))
