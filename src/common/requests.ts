// Matching answers to questions by number, for every request/response protocol pyscope speaks:
// DAP between a client and the adapter, the agent protocol between the adapter and a debuggee.
// One place numbers requests, settles each when its answer comes, bounds the wait when asked to,
// and fails every open request, once, when the other side goes away. Browser-safe.

interface Open<T> {
  label: string;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
  timer?: ReturnType<typeof setTimeout>;
}

export interface OpenOptions {
  /** Fail the request when no answer came within this many milliseconds. */
  timeoutMs?: number;
  /** The error of a request that timed out; by default "<label>: no answer after N ms". */
  onTimeout?: (label: string, ms: number) => Error;
}

export class RequestTracker<T> {
  private next = 1;
  private readonly open = new Map<number, Open<T>>();
  private closedWith?: Error;

  /**
   * Numbers a new request and returns that number with the promise of its answer. The caller
   * sends the request itself, after this returns, so that an answer can never come first.
   */
  start(label: string, options: OpenOptions = {}): { seq: number; answer: Promise<T> } {
    const seq = this.next++;
    if (this.closedWith) return { seq, answer: Promise.reject(this.closedWith) };
    const answer = new Promise<T>((resolve, reject) => {
      const entry: Open<T> = { label, resolve, reject };
      const ms = options.timeoutMs;
      if (ms !== undefined && Number.isFinite(ms)) {
        entry.timer = setTimeout(() => {
          if (!this.open.delete(seq)) return;
          reject(options.onTimeout ? options.onTimeout(label, ms) : new Error(`${label}: no answer after ${ms} ms`));
        }, ms);
      }
      this.open.set(seq, entry);
    });
    return { seq, answer };
  }

  /** The answer to request `seq`; false when no such request is open (late, or never asked). */
  resolve(seq: number, value: T): boolean {
    const entry = this.take(seq);
    entry?.resolve(value);
    return entry !== undefined;
  }

  /** Fails request `seq`; false when no such request is open. */
  reject(seq: number, error: Error): boolean {
    const entry = this.take(seq);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** The other side went away: every open request and every later one fails with `error`. */
  close(error: Error): void {
    if (this.closedWith) return;
    this.closedWith = error;
    const all = [...this.open.values()];
    this.open.clear();
    for (const e of all) {
      clearTimeout(e.timer);
      e.reject(error);
    }
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Labels of the requests still waiting, oldest first (for a diagnosis of a hang). */
  waiting(): string[] {
    return [...this.open.values()].map((e) => e.label);
  }

  private take(seq: number): Open<T> | undefined {
    const entry = this.open.get(seq);
    if (!entry) return undefined;
    this.open.delete(seq);
    clearTimeout(entry.timer);
    return entry;
  }
}
