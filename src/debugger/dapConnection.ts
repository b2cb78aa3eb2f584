// DAP's wire format (a header block with Content-Length, a JSON body) over any pair of byte
// streams, so the adapter runs over stdio, a TCP socket, or in-process streams alike. Bad framing
// is never met with silence: a header block without a usable Content-Length or a body that is not
// JSON is reported (onMalformed) and skipped; input that cannot be DAP at all (a body over the
// size limit, a header block that never ends, an HTTP request on a TCP port) is reported and the
// connection closed. Header lines may end in CRLF, as the protocol says, or in LF alone.
import type { Readable, Writable } from 'node:stream';
import type { DebugProtocol } from '@vscode/debugprotocol';

export interface DapConnection {
  onMessage(listener: (message: unknown) => void): void;
  /** Input that was not a DAP message, as a sentence for the client; the session answers with it. */
  onMalformed(listener: (problem: string) => void): void;
  onClose(listener: () => void): void;
  send(message: DebugProtocol.ProtocolMessage): void;
  close(): void;
}

export interface StreamDapConnectionOptions {
  /**
   * The first bytes must be DAP's `Content-Length:` header; anything else (an HTTP request, which
   * any web page can make a browser send to a loopback port) gets an HTTP 400 and the connection
   * is closed before a single message is read. For TCP.
   */
  dapOnly?: boolean;
  /** The largest body accepted (default 64 MiB); a larger one closes the connection. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 64 << 20;
/** A header block is a line or two; this much without its end is not DAP. */
const MAX_HEADER_BYTES = 64 << 10;
const CONTENT_LENGTH = 'content-length:';
const NOT_HTTP = 'this port speaks the Debug Adapter Protocol, not HTTP (pyscope dap)\n';
const HTTP_400 = `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${NOT_HTTP.length}\r\n\r\n${NOT_HTTP}`;

export class StreamDapConnection implements DapConnection {
  /** Bytes of the header block being read. */
  private head: Buffer = Buffer.alloc(0);
  /** Chunks of the body being read, and how many bytes it needs. */
  private body: Buffer[] = [];
  private bodyBytes = 0;
  private need: number | undefined;
  private started = false;
  private messageListeners: ((m: unknown) => void)[] = [];
  private malformedListeners: ((problem: string) => void)[] = [];
  private closeListeners: (() => void)[] = [];
  private closed = false;
  private readonly maxBody: number;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly options: StreamDapConnectionOptions = {},
  ) {
    this.maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    input.on('data', (chunk: Buffer) => this.receive(chunk));
    input.on('end', () => this.finish());
    input.on('error', () => this.finish());
    output.on('error', () => this.finish());
  }

  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener);
  }

  onMalformed(listener: (problem: string) => void): void {
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

  private malformed(problem: string): void {
    for (const l of this.malformedListeners) l(`malformed DAP message: ${problem}`);
  }

  /** Says why, then closes: what follows cannot be read as DAP. */
  private fatal(problem: string): void {
    this.malformed(`${problem}; closing the connection`);
    this.input.pause();
    this.close();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    if (!this.started && this.options.dapOnly && !this.looksLikeDap(chunk)) return;
    let rest: Buffer | undefined = chunk;
    while (rest && rest.length && !this.closed) rest = this.need === undefined ? this.readHeader(rest) : this.readBody(rest);
  }

  /** On a TCP port, the first bytes decide: DAP's header, or a 400 and the end of the connection. */
  private looksLikeDap(chunk: Buffer): boolean {
    const seen = Buffer.concat([this.head, chunk]);
    const n = Math.min(seen.length, CONTENT_LENGTH.length);
    if (seen.subarray(0, n).toString('latin1').toLowerCase() === CONTENT_LENGTH.slice(0, n)) {
      if (n === CONTENT_LENGTH.length) this.started = true;
      return true;
    }
    this.input.pause();
    // the 400 first, then the socket goes; destroying it at once would drop the reply
    this.output.end(HTTP_400, () => this.input.destroy());
    this.finish();
    return false;
  }

  /** Takes header lines from data; returns what follows the header block, if it ended. */
  private readHeader(data: Buffer): Buffer | undefined {
    const from = Math.max(0, this.head.length - 2);
    this.head = this.head.length ? Buffer.concat([this.head, data]) : data;
    // the block ends at an empty line: "\n\n" or "\n\r\n" (CRLF or LF-only line ends)
    let end = -1;
    let after = -1;
    for (let i = this.head.indexOf(10, from); i >= 0; i = this.head.indexOf(10, i + 1)) {
      if (this.head[i + 1] === 10) {
        end = i;
        after = i + 2;
        break;
      }
      if (this.head[i + 1] === 13 && this.head[i + 2] === 10) {
        end = i;
        after = i + 3;
        break;
      }
    }
    if (end < 0) {
      if (this.head.length > MAX_HEADER_BYTES) this.fatal(`no end of a header block within ${MAX_HEADER_BYTES} bytes`);
      return undefined;
    }
    const block = this.head.subarray(0, end).toString('latin1').replace(/\r$/, '');
    const rest = this.head.subarray(after);
    this.head = Buffer.alloc(0);
    const lines = block.split('\n').map((l) => l.replace(/\r$/, ''));
    const field = lines.find((l) => /^\s*content-length\s*:/i.test(l));
    if (field === undefined) {
      // blank lines between messages are not worth a complaint
      if (block.trim()) this.malformed(`a header without Content-Length: ${JSON.stringify(block.slice(0, 80))}`);
      return rest;
    }
    const value = field.slice(field.indexOf(':') + 1).trim();
    if (!/^\d+$/.test(value)) {
      this.malformed(`Content-Length must be a number of bytes, got ${JSON.stringify(value.slice(0, 40))}`);
      return rest;
    }
    const length = Number(value);
    if (length > this.maxBody) {
      this.fatal(`Content-Length ${value.length > 20 ? `${value.slice(0, 20)}...` : value} is over the limit of ${this.maxBody} bytes`);
      return undefined;
    }
    if (length === 0) {
      this.malformed('the body is empty (Content-Length: 0)');
      return rest;
    }
    this.need = length;
    return rest;
  }

  /** Takes body bytes from data; returns what follows the body, if it is complete. */
  private readBody(data: Buffer): Buffer | undefined {
    const need = this.need!;
    const missing = need - this.bodyBytes;
    if (data.length < missing) {
      this.body.push(data);
      this.bodyBytes += data.length;
      return undefined;
    }
    this.body.push(data.subarray(0, missing));
    const text = Buffer.concat(this.body, need).toString('utf8');
    this.body = [];
    this.bodyBytes = 0;
    this.need = undefined;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.malformed(`the body is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
      return data.subarray(missing);
    }
    for (const l of this.messageListeners) l(message);
    return data.subarray(missing);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l();
  }
}
