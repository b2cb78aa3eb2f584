# pyscope debug agent: the script the adapter starts inside the debuggee (docs/DEBUGGER.md).
#
#   python agent.py --fd-in 3 --fd-out 4 (--program FILE | --module NAME) [--stopOnEntry 1] [-- ARGS...]
#
# The agent itself is the package pyscope_agent next to this file. Its folder is on sys.path only
# while the package is imported, so the program never sees a module of ours by its own name.
# Nothing here needs more than Python 2: an interpreter too old for the agent hears why.
import sys
import os


def _too_old(argv):
    import json
    fd_out = int(argv[argv.index('--fd-out') + 1])
    v = tuple(sys.version_info[:3])
    # one line, the launch's error; nothing on stderr, which would say it a second time
    msg = {'event': 'launchError', 'body': {
        'message': '%s is Python %d.%d.%d; the debugger needs 3.8 or newer' % ((sys.executable,) + v),
        'reason': 'interpreterTooOld'}}
    os.write(fd_out, (json.dumps(msg) + '\n').encode('utf-8'))
    os._exit(1)


def _load():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    try:
        from pyscope_agent import runner
    finally:
        sys.path.remove(here)
    return runner


if __name__ == '__main__':
    if sys.version_info < (3, 8):
        _too_old(sys.argv[1:])
    _load().main(sys.argv[1:], __file__)
