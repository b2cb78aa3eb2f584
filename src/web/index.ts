// `pyscope/pyodide`: debug Python running in Pyodide in a Web Worker, for web pages and apps.
// Browser-safe (no node: imports). In the worker: load Pyodide, then serveDebuggee(pyodide, self).
// On the page: new PyodideDapSession({ createWorker, agentSources, bootstrapSource }) (the agent's files are
// AGENT_PACKAGE_FILES, relative to pyscope's src/agent), send it DAP
// requests with handle(), and hear responses and events with onMessage(). The page must be
// cross-origin isolated (COOP/COEP headers) for SharedArrayBuffer; isolationProblem() says why not.
export { AGENT_PACKAGE_FILES } from '../agent/agentFiles.js';
export { PyodideDapSession, isolationProblem, type BrowserLaunchArguments, type BrowserSessionOptions, type WorkerHandle } from './browserSession.js';
export { serveDebuggee, runDebuggee, type PyodideLike, type DebuggeeOptions, type DebuggeeMessage, type StartMessage, type MessagePortLike } from '../pyodide/debuggee.js';
export { createMailbox, MailboxReader, MailboxWriter, type MailboxBuffers } from '../pyodide/mailbox.js';
// Profiling: in the worker, serveProfilee(pyodide, self) beside serveDebuggee; on the page,
// new PyodideProfileRun({ createWorker, profilerSource, program, source }).done gives the profile
// model that record's writers (flame graph, speedscope, collapsed) turn into files.
export { PyodideProfileRun, type ProfileRunOptions, type ProfileRunResult } from './profileSession.js';
export { serveProfilee, runProfilee, type ProfileeOptions, type ProfileeMessage, type ProfileStartMessage } from '../pyodide/profilee.js';
export { profileFromDump, type ProfileDump } from '../profile/pyodide-dump.js';
// Notebooks: new PyodideNotebook({ ...session options, kernelSource }) runs cells in one Pyodide
// worker under the debugger (execute, dumpCell, the session's DAP requests); a Jupyter kernel
// answers debug_request with new JupyterDebugAdapter(notebook, sendDebugEvent).handle(content).
// The kernel's file is pyscope's src/pyodide/notebook_kernel.py. See docs/DEBUGGER.md.
export { PyodideNotebook, cellFileName, isKernelFile, CELL_HASH_SEED, CELL_FILE_PREFIX, CELL_FILE_SUFFIX, type NotebookOptions, type ExecuteResult, type NamespaceVariable } from './notebookSession.js';
export { JupyterDebugAdapter, type DebugRequestContent, type DebugReplyContent, type DebugEventContent } from './jupyterDebugger.js';
export { murmur2 } from './murmur2.js';
