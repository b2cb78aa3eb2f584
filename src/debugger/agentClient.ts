// The typed client of the agent protocol: request('variables', {...}) checks its arguments against
// the command map of src/agent/protocol.ts and gives that command's result type. Matching answers,
// bounding waits and failing all on close is the RequestTracker's job. Browser-safe.
import type { AgentArgs, AgentCommand, AgentEvent, AgentMessage, AgentResult, NoArguments } from '../agent/protocol.js';
import type { AgentTransport } from '../agent/transport.js';
import { RequestTracker } from '../common/requests.js';

/** The agent refused or could not answer; its message is for the user as is. */
export class AgentError extends Error {}

/** Commands that take no arguments may be sent without any. */
type ArgsParam<K extends AgentCommand> = AgentArgs<K> extends NoArguments ? [args?: AgentArgs<K>] : [args: AgentArgs<K>];

export interface AgentClientOptions {
  /**
   * A backstop for an agent that never answers (a program stuck where the agent cannot run):
   * the request fails after this many ms, and its late answer is dropped.
   */
  timeoutMs?: number;
}

/** Larger requests are refused: the Pyodide mailbox holds 4 MiB, and no real request comes near. */
const MAX_REQUEST_BYTES = 1 << 20;

export class AgentClient {
  private readonly requests = new RequestTracker<unknown>();

  constructor(
    readonly transport: AgentTransport,
    onEvent: (e: AgentEvent) => void,
    private readonly options: AgentClientOptions = {},
  ) {
    transport.onMessage((m: AgentMessage) => {
      if ('event' in m) {
        onEvent(m);
        return;
      }
      if (m.ok) this.requests.resolve(m.id, m.body ?? {});
      else this.requests.reject(m.id, new AgentError(m.error ?? 'agent error'));
    });
    transport.onClose(() => this.requests.close(new AgentError('the debuggee is no longer running')));
  }

  request<K extends AgentCommand>(cmd: K, ...[args]: ArgsParam<K>): Promise<AgentResult<K>> {
    const payload = (args ?? {}) as AgentArgs<K>;
    const timeoutMs = this.options.timeoutMs;
    const { seq, answer } = this.requests.start(cmd, {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      onTimeout: (label, ms) => new AgentError(`${label}: the debuggee did not answer within ${Math.round(ms / 1000)} s (it may be inside a call the debugger cannot interrupt)`),
    });
    if (!this.requests.closed) {
      const size = JSON.stringify(payload).length;
      if (size > MAX_REQUEST_BYTES) {
        this.requests.reject(seq, new AgentError(`${cmd}: the request is too large (${size} bytes; at most ${MAX_REQUEST_BYTES})`));
      } else {
        try {
          this.transport.send({ id: seq, cmd, args: payload });
        } catch (e) {
          this.requests.reject(seq, new AgentError(`${cmd}: cannot reach the debuggee: ${e instanceof Error ? e.message : String(e)}`));
        }
      }
    }
    return answer as Promise<AgentResult<K>>;
  }
}
