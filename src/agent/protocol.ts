// Types of the agent <-> adapter protocol (docs/DEBUGGER.md): one JSON object per line.
// Data only: the agent (src/agent) and the session (src/debugger/sessionBase.ts) both follow it.
//
// The protocol is DAP-shaped on purpose where DAP already says what a debugger needs (command
// names, `stopped` and `output` bodies, the exceptionInfo body, completion targets): the adapter
// then forwards those as they come and the agent needs no dictionary of its own. It departs from
// DAP where the adapter owns the decision: the agent gets paths it can open, pre-parsed hit
// conditions and log messages, its own handles instead of variablesReference (the adapter maps
// them, forgetting all at a resume), every frame (the adapter filters Just-My-Code and pages).

/** Arguments of a command that takes none. */
export type NoArguments = Record<string, never>;

/** A hit condition as the agent applies it (debugpy semantics, parsed by the adapter). */
export interface HitCondition {
  op: '==' | '>=' | '>' | '<' | '<=' | '%';
  n: number;
}

/** A log message split by the adapter into literal text and expressions. */
export type LogPart = ['text' | 'expr', string];

export interface AgentLineBreakpoint {
  id: number;
  line: number;
  condition?: string;
  hit?: HitCondition;
  log?: LogPart[];
}

export interface AgentFunctionBreakpoint {
  id: number;
  /** A function's name or qualified name. */
  name: string;
  condition?: string;
  hit?: HitCondition;
}

export interface AgentBreakpointResult {
  verified: boolean;
  line?: number;
  message?: string;
}

export interface AgentFrame {
  id: number;
  name: string;
  line: number;
  /** Not library code (Just-My-Code). */
  user: boolean;
  /** A file the client can open, or else sourceKey for the `source` command. */
  path?: string;
  sourceKey?: string;
  sourceName?: string;
}

export interface AgentScope {
  name: 'Locals' | 'Globals';
  handle: number;
  /** How many names it holds. */
  named: number;
}

export interface AgentVariable {
  name: string;
  value: string;
  type: string;
  /** Agent handle of an expandable value; 0 when it has no children. */
  handle: number;
  /** Its number of indexed children (lists, tuples, ...). */
  indexed?: number;
  evaluateName?: string;
}

/** An evaluation's value; a statement (repl) has no type and handle 0. */
export interface AgentValue {
  value: string;
  type?: string;
  handle: number;
  indexed?: number | null;
}

/** DAP's CompletionItem, as the client gets it. */
export interface AgentCompletion {
  label: string;
  text: string;
  start: number;
  length: number;
}

/** DAP's ExceptionInfoResponse body, as the client gets it. */
export interface AgentExceptionInfo {
  exceptionId: string;
  description: string;
  breakMode: 'always' | 'unhandled' | 'userUnhandled';
  details: { typeName: string; message: string; stackTrace: string };
}

export interface AgentThread {
  id: number;
  name: string;
}

/** When a `variables` request asks for no count, the agent answers at most this many children. */
export const UNPAGED_LIMIT = 1000;

/** Every command the agent answers: its arguments and the body of its reply. */
export interface AgentCommands {
  configure: { args: { libraryRoots: string[]; justMyCode: boolean; reprTimeout: number; showAsyncTasks?: boolean }; result: NoArguments };
  setBreakpoints: { args: { path: string; breakpoints: AgentLineBreakpoint[] }; result: { breakpoints: AgentBreakpointResult[] } };
  breakpointLocations: { args: { path: string; line: number; endLine: number }; result: { lines: number[] } };
  setFunctionBreakpoints: { args: { breakpoints: AgentFunctionBreakpoint[] }; result: { breakpoints: AgentBreakpointResult[] } };
  setExceptionBreakpoints: { args: { filters: string[] }; result: NoArguments };
  /** The program starts after the reply. */
  start: { args: NoArguments; result: NoArguments };
  threads: { args: NoArguments; result: { threads: AgentThread[] } };
  stackTrace: { args: { threadId: number }; result: { frames: AgentFrame[] } };
  scopes: { args: { frameId: number }; result: { scopes: AgentScope[] } };
  /**
   * count 0: from start on, but at most UNPAGED_LIMIT children; `total` says how many there are
   * (after the filter), so the adapter can tell the client that more exist.
   */
  variables: { args: { handle: number; start: number; count: number; filter?: 'indexed' | 'named' }; result: { variables: AgentVariable[]; total?: number } };
  evaluate: { args: { expression: string; frameId?: number; context: string }; result: AgentValue };
  setVariable: { args: { handle: number; name: string; value: string; frameId?: number }; result: AgentVariable };
  setExpression: { args: { frameId: number; expression: string; value: string }; result: AgentVariable };
  completions: { args: { frameId?: number; text: string; column: number }; result: { targets: AgentCompletion[] } };
  source: { args: { key: string }; result: { content: string; mimeType: string } };
  exceptionInfo: { args: { threadId: number }; result: AgentExceptionInfo };
  /** continue, step: the program resumes after the reply. */
  continue: { args: NoArguments; result: { allThreadsContinued: boolean } };
  step: { args: { threadId: number; kind: 'over' | 'in' | 'out' }; result: NoArguments };
  pause: { args: NoArguments; result: NoArguments };
  /** Removes every hook; the program runs on untraced. */
  detach: { args: NoArguments; result: NoArguments };
}

export type AgentCommand = keyof AgentCommands;
export type AgentArgs<K extends AgentCommand> = AgentCommands[K]['args'];
export type AgentResult<K extends AgentCommand> = AgentCommands[K]['result'];

/** The same names at run time, for the test that the agent's own table has exactly these. */
export const AGENT_COMMANDS = [
  'configure',
  'setBreakpoints',
  'breakpointLocations',
  'setFunctionBreakpoints',
  'setExceptionBreakpoints',
  'start',
  'threads',
  'stackTrace',
  'scopes',
  'variables',
  'evaluate',
  'setVariable',
  'setExpression',
  'completions',
  'source',
  'exceptionInfo',
  'continue',
  'step',
  'pause',
  'detach',
] as const satisfies readonly AgentCommand[];

// every command of the map is in the list (the `satisfies` above checks the other way)
type Missing = Exclude<AgentCommand, (typeof AGENT_COMMANDS)[number]>;
const allListed: Missing extends never ? true : Missing = true;
void allListed;

export interface Hello {
  pid: number;
  /** The program's working directory at start (null when it was removed): frames' source names are relative to it. */
  cwd?: string | null;
  version: [number, number, number];
  implementation: string;
  executable: string;
  prefix: string;
  basePrefix: string;
  libraryPaths: string[];
  agentFile: string;
  engine: 'monitoring' | 'settrace';
}

/** DAP's StoppedEvent body, forwarded as is. */
export interface AgentStopped {
  reason: 'breakpoint' | 'step' | 'entry' | 'pause' | 'exception' | 'function breakpoint';
  threadId: number;
  allThreadsStopped: boolean;
  description?: string;
  hitBreakpointIds?: number[];
  text?: string;
}

export interface AgentOutput {
  category: string;
  text: string;
  /** Where a log point or a failing condition is. */
  path?: string;
  line?: number;
}

/** Agent -> adapter, unsolicited. */
export type AgentEvent =
  | { event: 'hello'; body: Hello }
  /** The program cannot run (not found, a syntax error, too old a Python); the agent exits. */
  /** `message`: the launch's one-line error; `text`: what else to show first (a SyntaxError's caret lines); `reason`: what kind of failure. */
  | { event: 'launchError'; body: { message: string; text?: string; reason?: 'interpreterTooOld' } }
  | { event: 'stopped'; body: AgentStopped }
  | { event: 'output'; body: AgentOutput };

/** Adapter -> agent. */
export interface AgentRequest<K extends AgentCommand = AgentCommand> {
  id: number;
  cmd: K;
  args: AgentArgs<K>;
}

/** Agent -> adapter, answering the request with the same id. */
export type AgentResponse = { id: number; ok: true; body?: Record<string, unknown> } | { id: number; ok: false; error?: string };

export type AgentMessage = AgentResponse | AgentEvent;
