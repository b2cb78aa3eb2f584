// Types of the agent <-> adapter protocol (docs/DEBUGGER.md): one JSON object per line.
// Data only: the agent (agent.py) and the session (src/debugger/session.ts) both follow it.

/** Adapter -> agent. */
export interface AgentRequest {
  id: number;
  cmd: string;
  args: Record<string, unknown>;
}

/** Agent -> adapter, answering the request with the same id. */
export interface AgentResponse {
  id: number;
  ok: boolean;
  body?: Record<string, unknown>;
  error?: string;
}

/** Agent -> adapter, unsolicited. */
export interface AgentEvent {
  event: 'hello' | 'stopped' | 'output' | 'launchError' | 'ended';
  body: Record<string, unknown>;
}

export type AgentMessage = AgentResponse | AgentEvent;

export interface Hello {
  pid: number;
  version: [number, number, number];
  implementation: string;
  executable: string;
  prefix: string;
  basePrefix: string;
  libraryPaths: string[];
  agentFile: string;
  engine: 'monitoring' | 'settrace';
}

export interface AgentFrame {
  id: number;
  name: string;
  line: number;
  user: boolean;
  path?: string;
  sourceKey?: string;
  sourceName?: string;
}

export interface AgentVariable {
  name: string;
  value: string;
  type: string;
  /** Agent handle of an expandable value; 0 when it has no children. */
  handle: number;
  indexed?: number;
  evaluateName?: string;
}

export interface AgentBreakpointResult {
  verified: boolean;
  line?: number;
  message?: string;
}

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
