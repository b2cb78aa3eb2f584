// How the session reaches an agent. Pipes to a native child now; a JavaScript-call transport for
// an in-process Pyodide agent implements the same interface.
import type { AgentMessage, AgentRequest } from './protocol.js';

export interface AgentTransport {
  send(message: AgentRequest): void;
  onMessage(listener: (message: AgentMessage) => void): void;
  /** Called once when the agent can no longer be reached (it exited or closed its channel). */
  onClose(listener: () => void): void;
  close(): void;
}
