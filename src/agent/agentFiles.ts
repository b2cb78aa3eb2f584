// The agent's Python package, file by file (paths relative to src/agent, where agent.py, the
// script the native launch runs, sits next to it). A Pyodide worker has no such folder to run
// from: these are the files it writes into Pyodide's filesystem. Browser-safe; the test in
// test/agent checks this list against the folder.
export const AGENT_PACKAGE_FILES: readonly string[] = [
  'pyscope_agent/__init__.py',
  'pyscope_agent/agent.py',
  'pyscope_agent/args.py',
  'pyscope_agent/asynctasks.py',
  'pyscope_agent/attach.py',
  'pyscope_agent/breakpoints.py',
  'pyscope_agent/channel.py',
  'pyscope_agent/children.py',
  'pyscope_agent/dispatch.py',
  'pyscope_agent/errors.py',
  'pyscope_agent/inspection.py',
  'pyscope_agent/monitoring.py',
  'pyscope_agent/policy.py',
  'pyscope_agent/runner.py',
  'pyscope_agent/runtime.py',
  'pyscope_agent/safefile.py',
  'pyscope_agent/settrace.py',
  'pyscope_agent/stops.py',
  'pyscope_agent/threadtrace.py',
  'pyscope_agent/timed.py',
  'pyscope_agent/uncaught.py',
  'pyscope_agent/values.py',
];
