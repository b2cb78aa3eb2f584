// AgentTransport over a worker running Pyodide: agent messages arrive as worker messages, and
// requests go through the shared-memory mailbox (a stopped program cannot read postMessage).
import type { AgentMessage, AgentRequest } from '../agent/protocol.js';
import type { AgentTransport } from '../debugger/transport.js';
import { MailboxWriter, type MailboxBuffers } from './mailbox.js';

export class MailboxTransport implements AgentTransport {
  private readonly writer: MailboxWriter;
  private readonly listeners: ((m: AgentMessage) => void)[] = [];
  private readonly closeListeners: (() => void)[] = [];
  private closed = false;

  constructor(buffers: MailboxBuffers) {
    this.writer = new MailboxWriter(buffers);
  }

  send(message: AgentRequest): void {
    if (!this.closed) this.writer.send(JSON.stringify(message));
  }

  onMessage(listener: (message: AgentMessage) => void): void {
    this.listeners.push(listener);
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  /** A message line the agent posted. */
  receive(text: string): void {
    let m: AgentMessage;
    try {
      m = JSON.parse(text) as AgentMessage;
    } catch {
      return;
    }
    for (const l of this.listeners) l(m);
  }

  /** The agent took a message from the mailbox: the next may go in. */
  taken(): void {
    if (!this.closed) this.writer.flush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l();
  }
}
