// AgentTransport over a worker running Pyodide: agent messages arrive as worker messages, and
// requests go through the shared-memory mailbox (a stopped program cannot read postMessage).
// It also times the agent's reprs and evaluations, which the busy worker cannot do itself.
import type { AgentMessage, AgentRequest } from '../agent/protocol.js';
import type { AgentTransport } from '../agent/transport.js';
import { MailboxWriter, type MailboxBuffers } from './mailbox.js';

export class MailboxTransport implements AgentTransport {
  private readonly writer: MailboxWriter;
  private readonly listeners: ((m: AgentMessage) => void)[] = [];
  private readonly closeListeners: (() => void)[] = [];
  private closed = false;
  private deadlineTimer?: ReturnType<typeof setTimeout>;
  private interruptTimer?: ReturnType<typeof setInterval>;

  constructor(buffers: MailboxBuffers) {
    this.writer = new MailboxWriter(buffers);
  }

  send(message: AgentRequest): void {
    if (!this.closed) this.writer.send(JSON.stringify(message));
  }

  /** A notebook kernel's message, through the agent's mailbox (the bootstrap hands it to the kernel). */
  sendNotebook(message: unknown): void {
    if (!this.closed) this.writer.send(JSON.stringify({ notebook: message }));
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

  /**
   * The agent runs a repr or an evaluation that must end within ms (null: it ended). Once that
   * has passed, the program gets SIGINT, which the agent turns into a timeout; again every 50 ms
   * until the call ends, so code that swallows one exception is still stopped.
   */
  deadline(ms: number | null): void {
    this.clearDeadline();
    if (ms === null || this.closed) return;
    this.deadlineTimer = setTimeout(() => {
      this.writer.raiseInterrupt();
      this.interruptTimer = setInterval(() => this.writer.raiseInterrupt(), 50);
    }, ms);
  }

  private clearDeadline(): void {
    clearTimeout(this.deadlineTimer);
    clearInterval(this.interruptTimer);
    this.deadlineTimer = undefined;
    this.interruptTimer = undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearDeadline();
    for (const l of this.closeListeners) l();
  }
}
