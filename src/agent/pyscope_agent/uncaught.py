# The hooks that let an exception nobody handles stop the program (DAP's "uncaught" filter) before
# it ends a thread, or the program: one installer for a launch, a followed child and an attach.
from .runtime import sys, threading, report_internal_error


def hook_uncaught(agent, main_thread=True):
    """Chains the agent in front of threading.excepthook and (with `main_thread`) sys.excepthook;
    the program's own hooks run after. A launch passes main_thread=False: it catches the main
    thread's exception around the program itself. Returns the undo, which puts back only hooks
    that are still ours (the program may have set its own since)."""
    prev_thread, prev_sys = threading.excepthook, sys.excepthook

    def tell(value, tb):
        # a detached agent stops nothing (on_uncaught checks too; this spares the call)
        if agent.detached:
            return
        try:
            agent.on_uncaught(value, tb)
        except Exception:
            report_internal_error()

    def thread_hook(args):
        if args.exc_type is not SystemExit:
            tell(args.exc_value, args.exc_traceback)
        return prev_thread(args)

    def sys_hook(tp, value, tb):
        if tp is not SystemExit:
            tell(value, tb)
        return prev_sys(tp, value, tb)

    threading.excepthook = thread_hook
    if main_thread:
        sys.excepthook = sys_hook

    def undo():
        if threading.excepthook is thread_hook:
            threading.excepthook = prev_thread
        if main_thread and sys.excepthook is sys_hook:
            sys.excepthook = prev_sys
    return undo
