// Adapter -> agent messages through shared memory. A stopped Python program blocks its worker in
// Atomics.wait, where postMessage can never reach it; the agent reads this mailbox instead. While
// the program runs, the writer also sets Pyodide's interrupt buffer so the agent's SIGINT handler
// comes to read. Browser-safe: no node: imports.

/** The shared buffers, created by the adapter side and handed to the worker once. */
export interface MailboxBuffers {
  /** Int32 slots: 0 messages written, 1 messages read, 2 byte length of the current message. */
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
  /** Pyodide's interrupt buffer (one byte; 2 = SIGINT). */
  interrupt: SharedArrayBuffer;
}

const WRITTEN = 0;
const READ = 1;
const LENGTH = 2;
const SIGINT = 2;

export function createMailbox(dataBytes = 1 << 22): MailboxBuffers {
  return { control: new SharedArrayBuffer(16), data: new SharedArrayBuffer(dataBytes), interrupt: new SharedArrayBuffer(1) };
}

/** Adapter side: queues messages and puts the next one in the slot once the agent took the last. */
export class MailboxWriter {
  private readonly queue: string[] = [];
  private readonly control: Int32Array;
  private readonly data: Uint8Array;
  private readonly interrupt: Uint8Array;
  private readonly encoder = new TextEncoder();

  constructor(buffers: MailboxBuffers) {
    this.control = new Int32Array(buffers.control);
    this.data = new Uint8Array(buffers.data);
    this.interrupt = new Uint8Array(buffers.interrupt);
  }

  send(text: string): void {
    this.queue.push(text);
    this.flush();
  }

  /** Call when the agent reports it took a message (its worker posts an acknowledgement). */
  flush(): void {
    if (this.queue.length === 0) return;
    if (Atomics.load(this.control, WRITTEN) !== Atomics.load(this.control, READ)) return;
    const bytes = this.encoder.encode(this.queue.shift());
    if (bytes.length > this.data.length) throw new Error(`a debugger message of ${bytes.length} bytes does not fit the ${this.data.length}-byte mailbox`);
    this.data.set(bytes);
    Atomics.store(this.control, LENGTH, bytes.length);
    Atomics.add(this.control, WRITTEN, 1);
    Atomics.notify(this.control, WRITTEN);
    // a running program only looks at the mailbox from its SIGINT handler
    this.raiseInterrupt();
  }

  /** SIGINT for the program, which its agent's handler takes when Python next checks signals. */
  raiseInterrupt(): void {
    Atomics.store(this.interrupt, 0, SIGINT);
  }
}

/** Agent side (inside the worker running Pyodide). */
export class MailboxReader {
  private readonly control: Int32Array;
  private readonly data: Uint8Array;
  private readonly decoder = new TextDecoder();

  constructor(
    buffers: MailboxBuffers,
    private readonly onTaken: () => void,
  ) {
    this.control = new Int32Array(buffers.control);
    this.data = new Uint8Array(buffers.data);
  }

  /** Whether a message waits in the slot. */
  pending(): boolean {
    return Atomics.load(this.control, WRITTEN) !== Atomics.load(this.control, READ);
  }

  /** The next message; waits up to timeoutMs (negative: for ever, 0: not at all); null if none came. */
  take(timeoutMs: number): string | null {
    const read = Atomics.load(this.control, READ);
    if (Atomics.load(this.control, WRITTEN) === read) {
      if (timeoutMs === 0) return null;
      Atomics.wait(this.control, WRITTEN, read, timeoutMs < 0 ? undefined : timeoutMs);
      if (Atomics.load(this.control, WRITTEN) === read) return null;
    }
    const length = Atomics.load(this.control, LENGTH);
    // a copy: TextDecoder refuses views of shared memory
    const text = this.decoder.decode(this.data.slice(0, length));
    Atomics.store(this.control, READ, read + 1);
    this.onTaken();
    return text;
  }
}
