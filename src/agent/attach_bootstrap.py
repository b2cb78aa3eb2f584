# pyscope attach bootstrap: what a running program executes once when a debugger attaches to it
# (docs/DEBUGGER.md, "attach"). The adapter makes the target run, on one of its threads holding the
# GIL (PEP 768's safe point, or a pending call),
#
#   exec(compile(open(THIS_FILE).read(), THIS_FILE, 'exec'), {'__file__': THIS_FILE, 'SOCKET': PATH, ...})
#
# so nothing is added to the program's own namespaces. It connects to the adapter's unix socket
# (0600, in a 0700 folder, its name carrying a random token) and starts the agent package next to
# this file. Nothing is printed into the program: a bootstrap that cannot connect (a request left
# over from an attach that gave up) does nothing, and one that fails after connecting says why
# over the socket.


def _pyscope_attach(path, here):
    import sys
    if sys.version_info < (3, 8) or 'pyscope_agent' in sys.modules:
        return  # too old for the agent (the adapter refuses those first), or attached already
    # When the main thread is slow to take the request, the adapter puts it to every thread, and
    # two threads may then run this at once: connect() lets the other one in before the agent is
    # imported. One atomic setdefault decides which goes on; the agent's detach and the failure
    # below remove the claim with the rest of pyscope_agent.
    claim = type(sys)('pyscope_agent.claim')
    if sys.modules.setdefault('pyscope_agent.claim', claim) is not claim:
        return
    import os
    import socket
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(10.0)
        s.connect(path)
        s.settimeout(None)
    except OSError:
        s.close()
        if sys.modules.get('pyscope_agent.claim') is claim:
            del sys.modules['pyscope_agent.claim']
        return
    try:
        sys.path.insert(0, here)
        try:
            from pyscope_agent import attach
        finally:
            sys.path.remove(here)
        attach.main(s, os.path.join(here, 'attach_bootstrap.py'))
    except BaseException as e:  # noqa: whatever it is, the program must not see it
        import json
        text = 'pyscope: the agent could not start in this process: %s: %s\n' % (type(e).__name__, e)
        msg = {'event': 'launchError', 'body': {'message': text.strip(), 'text': text}}
        try:
            s.sendall((json.dumps(msg) + '\n').encode('utf-8'))
        except OSError:
            pass
        s.close()
        for name in [n for n in sys.modules if n == 'pyscope_agent' or n.startswith('pyscope_agent.')]:
            sys.modules.pop(name, None)


_pyscope_attach(SOCKET, __import__('os').path.dirname(__file__))  # noqa: F821 (given by the adapter)
