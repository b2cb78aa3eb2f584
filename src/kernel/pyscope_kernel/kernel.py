# The kernel: ipykernel's IPythonKernel whose debug_request goes to pyscope's agent instead of
# debugpy. Everything else (execution, completion, comms, subshells) is ipykernel's own.
import sys
import threading

from ipykernel.ipkernel import IPythonKernel

from .debugger import KernelDebugger


class PyscopeKernel(IPythonKernel):
    implementation = 'pyscope-ipython'

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.debugger = None  # ipykernel's, for debugpy: unused
        self.pyscope_debugger = KernelDebugger(self)
        self.shell.events.register('pre_execute', self.pyscope_debugger.before_cell)

    async def poll_stopped_queue(self):
        # IPythonKernel.start() polls debugpy's queue of stops when debugpy is installed: the
        # agent's stops are published as they happen
        return

    def start(self):
        super().start()
        # every thread but the main one is the kernel's (control, IOPub, heartbeat, shell
        # channel, history): the agent neither traces nor lists them
        main = threading.main_thread().ident
        self.pyscope_debugger.kernel_threads.update(i for i in sys._current_frames() if i != main)

    @property
    def kernel_info(self):
        info = dict(super().kernel_info)
        features = list(info.get('supported_features') or [])
        if 'debugger' not in features:
            features.append('debugger')
        info['supported_features'] = features
        info['debugger'] = True  # what JupyterLab before 4.3 read
        return info

    async def do_debug_request(self, msg):
        return self.pyscope_debugger.process_request(msg)

    async def do_shutdown(self, restart):
        # a cell stopped at a breakpoint must run on, or the kernel would wait for it until its
        # manager kills it
        self.pyscope_debugger.reset('the kernel is shutting down')
        return super().do_shutdown(restart)
