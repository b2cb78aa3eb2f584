// The last part of a stream a test watches (an adapter's stderr, a child's output): bounded, so a
// chatty process cannot grow the test's memory, and kept for the message of a failed wait.

export class Tail {
  private text = '';
  private dropped = 0;

  constructor(private readonly limit = 16_384) {}

  push(chunk: string | Buffer): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.text.length > this.limit * 2) {
      const cut = this.text.length - this.limit;
      this.dropped += cut;
      this.text = this.text.slice(cut);
    }
  }

  /** The last `lines` lines (at most `limit` characters), each indented for a failure message. */
  show(lines = 40, indent = '  '): string {
    const body = this.text.length > this.limit ? this.text.slice(-this.limit) : this.text;
    if (body === '') return `${indent}(nothing)`;
    const all = body.replace(/\n$/, '').split('\n');
    const shown = all.slice(-lines);
    const skipped = all.length - shown.length + (this.dropped > 0 || body !== this.text ? 1 : 0);
    return `${skipped > 0 ? `${indent}...\n` : ''}${shown.map((l) => `${indent}${l}`).join('\n')}`;
  }

  get isEmpty(): boolean {
    return this.text === '';
  }

  /** Characters received so far, kept or not (tells whether anything came since a look). */
  get length(): number {
    return this.dropped + this.text.length;
  }
}
