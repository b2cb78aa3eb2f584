// Request/response matching and event dispatch over an AgentTransport.
import type { AgentEvent, AgentMessage } from '../agent/protocol.js';
import type { AgentTransport } from '../agent/transport.js';
import { RequestTracker } from '../common/requests.js';

export class AgentError extends Error {}

export class AgentClient {
  private readonly requests = new RequestTracker<Record<string, unknown>>();

  constructor(
    readonly transport: AgentTransport,
    onEvent: (e: AgentEvent) => void,
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

  request<T = Record<string, unknown>>(cmd: string, args: object = {}): Promise<T> {
    const { seq, answer } = this.requests.start(cmd);
    if (!this.requests.closed) this.transport.send({ id: seq, cmd, args: args as Record<string, unknown> });
    return answer as Promise<T>;
  }
}
