// The Jupyter debug protocol (JEP 47) for a notebook kernel running in Pyodide, for a
// JupyterLite-style kernel to answer `debug_request` with pyscope's agent: the content of each
// debug_request goes to handle(), whose promise is the debug_reply's content, and the debug_event
// contents come through the callback (the kernel puts them on IOPub). Besides the DAP requests
// (passed to the Pyodide session), the Jupyter ones: debugInfo, dumpCell, inspectVariables,
// richInspectVariables and copyToGlobals. The kernel itself (the worker, its cells) is a
// PyodideNotebook, which also executes the execute_requests. Browser-safe: no node: imports.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CELL_FILE_PREFIX, CELL_FILE_SUFFIX, CELL_HASH_SEED, isKernelFile, type PyodideNotebook } from './notebookSession.js';

/** A debug_request's content: a DAP request. */
export interface DebugRequestContent {
  type: 'request';
  seq: number;
  command: string;
  arguments?: Record<string, unknown>;
}

/** A debug_reply's content: a DAP response. */
export type DebugReplyContent = DebugProtocol.Response;
/** A debug_event's content: a DAP event. */
export type DebugEventContent = DebugProtocol.Event;

/** Events a debugger panel hears; the program's output goes to the cells as stream output instead. */
const FORWARDED_EVENTS = new Set(['stopped', 'continued', 'thread', 'breakpoint', 'module', 'loadedSource', 'process']);
/** What the session already did when the kernel started; a client's own are answered here. */
const STARTED_ALREADY = new Set(['launch', 'configurationDone']);
const RESUMING = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

class RequestError extends Error {}

function identifier(value: unknown, what: string): string {
  if (typeof value !== 'string' || !NAME.test(value) || KEYWORDS.has(value)) throw new RequestError(`${what} must be a Python identifier, not ${JSON.stringify(value)?.slice(0, 80)}`);
  return value;
}

/** The call stack as the user's code makes it: the kernel's frames that run the cells are left out, as ipykernel's are. */
function withoutKernelFrames(body: DebugProtocol.StackTraceResponse['body']): DebugProtocol.StackTraceResponse['body'] {
  const stackFrames = body.stackFrames.filter((f) => !isKernelFile(f.source?.path));
  return { ...body, stackFrames, totalFrames: stackFrames.length };
}

export class JupyterDebugAdapter {
  private started = false;
  private seq = 1;
  /** source path -> the breakpoints the client set there (debugInfo gives them back after a reload). */
  private readonly breakpoints = new Map<string, DebugProtocol.SourceBreakpoint[]>();
  private readonly stopped = new Set<number>();

  constructor(
    private readonly kernel: PyodideNotebook,
    private readonly onEvent: (content: DebugEventContent) => void,
  ) {
    kernel.onEvent((e) => this.heard(e));
  }

  /** A debug_request's content; the promise is the debug_reply's content. Never rejects: a bad request gets an error reply. */
  async handle(content: unknown): Promise<DebugReplyContent> {
    const request = content as Partial<DebugRequestContent> | null;
    const command = typeof request?.command === 'string' ? request.command.slice(0, 80) : '';
    const requestSeq = typeof request?.seq === 'number' ? request.seq : 0;
    const reply = (success: boolean, body?: unknown, message?: string): DebugReplyContent => ({
      type: 'response',
      seq: this.seq++,
      request_seq: requestSeq,
      command,
      success,
      ...(message !== undefined ? { message } : {}),
      body: body ?? {},
    });
    if (!request || typeof request !== 'object' || request.type !== 'request' || !command) {
      return reply(false, undefined, 'not a debug request: it needs "type": "request", "seq" and "command"');
    }
    const args = request.arguments && typeof request.arguments === 'object' ? request.arguments : {};
    try {
      const local = await this.answerHere(command, args);
      if (local !== undefined) return reply(true, local);
      const r = await this.kernel.request(command, args);
      if (r.success && command === 'setBreakpoints') this.remember(args);
      // an adapter sends no "continued" for a resume the client asked for
      if (r.success && RESUMING.has(command)) this.stopped.clear();
      if (r.success && command === 'stackTrace') return reply(true, withoutKernelFrames(r.body as DebugProtocol.StackTraceResponse['body']));
      return reply(r.success, r.body, r.success ? undefined : r.message);
    } catch (e) {
      return reply(false, undefined, e instanceof Error ? e.message : String(e));
    }
  }

  /** The body of a request answered here rather than by the session; undefined for the session's. */
  private async answerHere(command: string, args: Record<string, unknown>): Promise<unknown> {
    switch (command) {
      case 'debugInfo':
        return {
          isStarted: this.started,
          hashMethod: 'Murmur2',
          hashSeed: CELL_HASH_SEED,
          tmpFilePrefix: CELL_FILE_PREFIX,
          tmpFileSuffix: CELL_FILE_SUFFIX,
          breakpoints: [...this.breakpoints].map(([source, breakpoints]) => ({ source, breakpoints })),
          stoppedThreads: [...this.stopped],
          richRendering: true,
          // as ipykernel says them: JupyterLab files the exception filters under this name
          exceptionPaths: ['Python Exceptions'],
          copyToGlobals: true,
        };
      case 'initialize':
        return this.kernel.capabilities;
      case 'attach':
        this.started = true;
        queueMicrotask(() => this.onEvent({ type: 'event', seq: this.seq++, event: 'initialized' }));
        return {};
      case 'disconnect':
        await this.detach();
        return {};
      case 'dumpCell': {
        if (typeof args.code !== 'string') throw new RequestError('dumpCell needs "code", a string');
        return { sourcePath: await this.kernel.dumpCell(args.code) };
      }
      case 'inspectVariables':
        return {
          variables: (await this.kernel.inspectVariables()).map((v) => ({ ...v, evaluateName: v.name, variablesReference: 0 })),
        };
      case 'richInspectVariables':
        return this.richInspect(args);
      case 'copyToGlobals':
        return this.copyToGlobals(args);
    }
    if (STARTED_ALREADY.has(command)) return {};
    return undefined;
  }

  private async richInspect(args: Record<string, unknown>): Promise<unknown> {
    const name = identifier(args.variableName, 'richInspectVariables: variableName');
    if (typeof args.frameId === 'number' && this.stopped.size) {
      // a name, checked above, looked up in the stopped frame: not an expression of the client's
      const r = await this.kernel.request('evaluate', { expression: name, frameId: args.frameId, context: 'hover' });
      if (!r.success) throw new RequestError(r.message);
      return { data: { 'text/plain': (r.body as DebugProtocol.EvaluateResponse['body']).result }, metadata: {} };
    }
    return this.kernel.richInspect(name);
  }

  private async copyToGlobals(args: Record<string, unknown>): Promise<unknown> {
    const src = identifier(args.srcVariableName, 'copyToGlobals: srcVariableName');
    const dst = identifier(args.dstVariableName, 'copyToGlobals: dstVariableName');
    if (typeof args.srcFrameId !== 'number') throw new RequestError('copyToGlobals needs "srcFrameId", a frame of the stopped program');
    const r = await this.kernel.request('evaluate', { expression: `globals().__setitem__('${dst}', ${src})`, frameId: args.srcFrameId, context: 'repl' });
    if (!r.success) throw new RequestError(r.message);
    return {};
  }

  /** The client leaves; the kernel stays: its breakpoints go, and a stopped cell runs on. */
  private async detach(): Promise<void> {
    for (const source of this.breakpoints.keys()) await this.kernel.request('setBreakpoints', { source: { path: source }, breakpoints: [] });
    this.breakpoints.clear();
    await this.kernel.request('setExceptionBreakpoints', { filters: [] });
    if (this.stopped.size) await this.kernel.request('continue', { threadId: [...this.stopped][0] });
    this.started = false;
  }

  private remember(args: Record<string, unknown>): void {
    const source = args.source as DebugProtocol.Source | undefined;
    if (!source?.path) return;
    const bps = (args.breakpoints as DebugProtocol.SourceBreakpoint[] | undefined) ?? [];
    if (bps.length) this.breakpoints.set(source.path, bps);
    else this.breakpoints.delete(source.path);
  }

  private heard(e: DebugProtocol.Event): void {
    if (e.event === 'stopped') {
      const b = (e as DebugProtocol.StoppedEvent).body;
      if (b.threadId !== undefined) this.stopped.add(b.threadId);
    } else if (e.event === 'continued' || e.event === 'terminated') {
      this.stopped.clear();
    }
    if (!this.started || !FORWARDED_EVENTS.has(e.event)) return;
    this.onEvent({ ...e, seq: this.seq++ });
  }
}
