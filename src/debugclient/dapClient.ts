// A DAP client of our own adapter, run in the same process: the adapter's session gets a
// connection object whose messages are delivered on the next tick, exactly as if they had crossed
// a pipe, so the client sees only DAP requests, responses and events.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { RequestTracker } from '../common/requests.js';
import type { DapConnection } from '../debugger/dapConnection.js';
import { DebugSession, type SessionOptions } from '../debugger/session.js';

export class DapRequestError extends Error {
  constructor(
    message: string,
    /** The error response's body.error.id (debugger/userError FailureId), when it gave one. */
    readonly failureId?: number,
  ) {
    super(message);
  }
}

type EventListener = (event: DebugProtocol.Event) => void;

class InProcessConnection implements DapConnection {
  private messageListeners: ((m: unknown) => void)[] = [];
  private closeListeners: (() => void)[] = [];
  private closed = false;

  constructor(private readonly deliver: (m: DebugProtocol.ProtocolMessage) => void) {}

  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener);
  }

  onMalformed(): void {
    // messages never leave the process, so none can be malformed
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  send(message: DebugProtocol.ProtocolMessage): void {
    if (this.closed) return;
    setImmediate(() => this.deliver(message));
  }

  /** The client's side: a request travelling to the adapter. */
  post(message: DebugProtocol.Request): void {
    setImmediate(() => {
      for (const l of this.messageListeners) l(message);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l();
  }
}

export class DapClient {
  private readonly requests = new RequestTracker<unknown>();
  private readonly listeners: EventListener[] = [];
  private readonly conn: InProcessConnection;
  capabilities: DebugProtocol.Capabilities = {};

  /** `options.attach` lets the session attach to running processes (`pyscope debug -p`). */
  constructor(options: SessionOptions = {}) {
    this.conn = new InProcessConnection((m) => this.receive(m));
    new DebugSession(this.conn, options);
  }

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  request<T = unknown>(command: string, args?: object): Promise<T> {
    const { seq, answer } = this.requests.start(command);
    if (!this.requests.closed) this.conn.post({ seq, type: 'request', command, arguments: args });
    return answer as Promise<T>;
  }

  close(): void {
    this.conn.close();
    this.requests.close(new DapRequestError('the debug session ended'));
  }

  private receive(m: DebugProtocol.ProtocolMessage): void {
    if (m.type === 'response') {
      const r = m as DebugProtocol.Response;
      if (r.success) this.requests.resolve(r.request_seq, r.body);
      else {
        const id = (r as DebugProtocol.ErrorResponse).body?.error?.id;
        this.requests.reject(r.request_seq, new DapRequestError(r.message ?? `${r.command} failed`, typeof id === 'number' ? id : undefined));
      }
      return;
    }
    if (m.type === 'event') for (const l of this.listeners) l(m as DebugProtocol.Event);
  }
}
