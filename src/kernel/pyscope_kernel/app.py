# Start-up: ipykernel's kernel application with our kernel class.
import sys


def main():
    try:
        from ipykernel.kernelapp import IPKernelApp
    except ImportError:
        sys.stderr.write('pyscope kernel: %s has no ipykernel (pip install ipykernel)\n' % sys.executable)
        sys.exit(1)
    from .kernel import PyscopeKernel
    IPKernelApp.launch_instance(kernel_class=PyscopeKernel)
