# pyscope's Jupyter kernel: what the kernelspec `pyscope-python3` runs (docs/DEBUGGER.md, "Jupyter").
#
#   python launch.py -f CONNECTION_FILE
#
# `pyscope kernel install` copies this file with the packages pyscope_kernel and pyscope_agent
# into the kernelspec's folder. That folder is on sys.path only while they are imported, so the
# notebook's code never sees a module of ours by its own name.
import os
import sys


def _load():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    try:
        from pyscope_kernel import app
    finally:
        sys.path.remove(here)
    return app


if __name__ == '__main__':
    if sys.version_info < (3, 8):
        sys.stderr.write('pyscope kernel: python %d.%d is too old: the kernel needs 3.8 or newer\n' % sys.version_info[:2])
        sys.exit(1)
    _load().main()
