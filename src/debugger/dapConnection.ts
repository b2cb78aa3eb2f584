// DAP's wire format (Content-Length headers, JSON bodies) over any pair of byte streams, so the
// adapter runs over stdio, a TCP socket, or in-process streams alike.
import type { Readable, Writable } from 'node:stream';
import type { DebugProtocol } from '@vscode/debugprotocol';

export interface DapConnection {
  onMessage(listener: (message: unknown) => void): void;
  /** A frame that is not valid JSON; the session answers it with an error and stays up. */
  onMalformed(listener: (text: string) => void): void;
  onClose(listener: () => void): void;
  send(message: DebugProtocol.ProtocolMessage): void;
  close(): void;
}

const SEPARATOR = Buffer.from('\r\n\r\n');

export class StreamDapConnection implements DapConnection {
  private buffer = Buffer.alloc(0);
  private messageListeners: ((m: unknown) => void)[] = [];
  private malformedListeners: ((t: string) => void)[] = [];
  private closeListeners: (() => void)[] = [];
  private closed = false;

  constructor(
    input: Readable,
    private readonly output: Writable,
  ) {
    input.on('data', (chunk: Buffer) => this.receive(chunk));
    input.on('end', () => this.finish());
    input.on('error', () => this.finish());
    output.on('error', () => this.finish());
  }

  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener);
  }

  onMalformed(listener: (text: string) => void): void {
    this.malformedListeners.push(listener);
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  send(message: DebugProtocol.ProtocolMessage): void {
    if (this.closed) return;
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.output.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  close(): void {
    this.finish();
    if (this.output !== process.stdout) this.output.end();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf(SEPARATOR);
      if (end < 0) return;
      const header = this.buffer.subarray(0, end).toString('ascii');
      const m = /Content-Length:\s*(\d+)/i.exec(header);
      if (!m) {
        // not a DAP header: drop it, report, and resynchronise on the next separator
        this.buffer = this.buffer.subarray(end + SEPARATOR.length);
        for (const l of this.malformedListeners) l(header);
        continue;
      }
      const length = Number(m[1]);
      const start = end + SEPARATOR.length;
      if (this.buffer.length < start + length) return;
      const text = this.buffer.subarray(start, start + length).toString('utf8');
      this.buffer = this.buffer.subarray(start + length);
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        for (const l of this.malformedListeners) l(text);
        continue;
      }
      for (const l of this.messageListeners) l(message);
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l();
  }
}
