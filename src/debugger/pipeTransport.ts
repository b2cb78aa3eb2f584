// Line-delimited JSON over a pair of byte streams (the child's extra file descriptors).
import type { Readable, Writable } from 'node:stream';
import type { AgentMessage, AgentRequest } from '../agent/protocol.js';
import type { AgentTransport } from '../agent/transport.js';

export class PipeTransport implements AgentTransport {
  private buffer = '';
  private listeners: ((m: AgentMessage) => void)[] = [];
  private closeListeners: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
  ) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => this.receive(chunk));
    input.on('end', () => this.finish());
    input.on('error', () => this.finish());
    output.on('error', () => this.finish());
  }

  send(message: AgentRequest): void {
    if (this.closed) return;
    this.output.write(`${JSON.stringify(message)}\n`);
  }

  onMessage(listener: (message: AgentMessage) => void): void {
    this.listeners.push(listener);
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  close(): void {
    this.output.end();
    this.input.destroy();
    this.finish();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (!line.trim()) continue;
      let message: AgentMessage;
      try {
        message = JSON.parse(line) as AgentMessage;
      } catch {
        continue;
      }
      for (const l of this.listeners) l(message);
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l();
  }
}
