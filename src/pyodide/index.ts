// `pyscope/pyodide`: debug Python running in Pyodide in a Web Worker, for web pages and apps.
// Browser-safe (no node: imports). In the worker: load Pyodide, then serveDebuggee(pyodide, self).
// On the page: new PyodideDapSession({ createWorker, agentSource, bootstrapSource }), send it DAP
// requests with handle(), and hear responses and events with onMessage(). The page must be
// cross-origin isolated (COOP/COEP headers) for SharedArrayBuffer; isolationProblem() says why not.
export { PyodideDapSession, isolationProblem, type BrowserLaunchArguments, type BrowserSessionOptions, type WorkerHandle } from './browserSession.js';
export { serveDebuggee, runDebuggee, type PyodideLike, type DebuggeeOptions, type DebuggeeMessage, type StartMessage, type MessagePortLike } from './debuggee.js';
export { createMailbox, MailboxReader, MailboxWriter, type MailboxBuffers } from './mailbox.js';
