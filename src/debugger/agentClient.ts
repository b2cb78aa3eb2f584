// Request/response matching and event dispatch over an AgentTransport.
import type { AgentEvent, AgentMessage } from '../agent/protocol.js';
import type { AgentTransport } from '../agent/transport.js';

export class AgentError extends Error {}

export class AgentClient {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (b: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(
    readonly transport: AgentTransport,
    onEvent: (e: AgentEvent) => void,
  ) {
    transport.onMessage((m: AgentMessage) => {
      if ('event' in m) {
        onEvent(m);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.body ?? {});
      else p.reject(new AgentError(m.error ?? 'agent error'));
    });
    transport.onClose(() => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new AgentError('the debuggee is no longer running'));
      this.pending.clear();
    });
  }

  request<T = Record<string, unknown>>(cmd: string, args: object = {}): Promise<T> {
    if (this.closed) return Promise.reject(new AgentError('the debuggee is no longer running'));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (b: Record<string, unknown>) => void, reject });
      this.transport.send({ id, cmd, args: args as Record<string, unknown> });
    });
  }
}
