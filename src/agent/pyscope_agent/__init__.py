# pyscope debug agent: runs inside the debuggee (CPython 3.8-3.15 natively, Pyodide 3.14), stdlib only.
#
# It knows nothing of DAP: it speaks the line-delimited JSON protocol of docs/DEBUGGER.md with the
# adapter. The modules, from the bottom up:
#   runtime      every module the agent uses, imported at start-up (never while the program is stopped)
#   errors       Refusal and the timeouts
#   args         checks of a request's arguments
#   channel      the two file descriptors
#   timed        the timed worker (reprs, evaluations) and the watchdog of conditions
#   safefile     reading a client-named file: regular files only, bounded, never blocking
#   asynctasks   asyncio seen from inside: the current task, who awaits a task, coroutine stacks
#   policy       which code is the user's (Just-My-Code, code made by the user's exec, the agent's own)
#   breakpoints  line and function breakpoints, conditions, hit conditions, log points
#   stops        parking a thread, the decision to stop, resuming
#   values       reprs, children of a value, pages of them
#   inspection   threads, stack, scopes, variables, evaluate, completions, source, exceptionInfo
#   monitoring   engine on sys.monitoring (3.12+)
#   settrace     engine on sys.settrace (3.8-3.11)
#   agent        the Agent: state shared by all of the above
#   dispatch     COMMANDS (command name -> handler) and handle_line()
#   runner       start-up: hello, compiling and running the program, the reader thread
#   children     following child processes: the at-fork hook, and a child's agent on the adapter's socket
#   attach       start-up inside a program already running (an attach), and leaving it again
#   threadtrace  the trace function on threads already running (attach, 3.8-3.11)
