// The terminal as `top` uses it: alternate screen, hidden cursor, raw keys, and the promise that
// the terminal is given back as it was on every way out (quit, Ctrl-C, signals, a crash).
// Plain ANSI/VT100 sequences only, so it works over ssh, in tmux and in screen.

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
const LEAVE = '\x1b[?25h\x1b[?1049l';

export class Screen {
  private active = false;
  private readonly onExit = (): void => this.leave();
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.leave();
    process.kill(process.pid, signal);
  };
  private readonly onCrash = (e: unknown): void => {
    this.leave();
    throw e;
  };

  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly input: NodeJS.ReadStream = process.stdin,
  ) {}

  get columns(): number {
    return this.out.columns || 80;
  }

  get rows(): number {
    return this.out.rows || 24;
  }

  enter(onKey: (key: string) => void, onResize: () => void): void {
    if (this.active) return;
    this.active = true;
    this.out.write(ENTER);
    if (this.input.isTTY) this.input.setRawMode(true);
    this.input.setEncoding('utf8');
    this.input.on('data', onKey);
    this.input.resume();
    this.out.on('resize', onResize);
    process.once('exit', this.onExit);
    for (const s of ['SIGTERM', 'SIGHUP'] as const) process.once(s, this.onSignal);
    process.once('uncaughtException', this.onCrash);
  }

  /** Replaces the screen's content; each line is cut to the width so nothing wraps. */
  draw(lines: string[]): void {
    const width = this.columns;
    const rows = lines.slice(0, this.rows).map((l) => cut(l, width) + '\x1b[K');
    this.out.write('\x1b[H' + rows.join('\r\n') + '\x1b[J');
  }

  leave(): void {
    if (!this.active) return;
    this.active = false;
    if (this.input.isTTY) this.input.setRawMode(false);
    this.input.pause();
    this.input.removeAllListeners('data');
    this.out.write(LEAVE);
    process.off('exit', this.onExit);
    for (const s of ['SIGTERM', 'SIGHUP'] as const) process.off(s, this.onSignal);
    process.off('uncaughtException', this.onCrash);
  }
}

/** Cuts a line with SGR sequences in it to a visible width. */
function cut(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      if (end > 0) {
        out += line.slice(i, end + 1);
        i = end;
        continue;
      }
    }
    if (visible >= width) continue;
    out += line[i];
    visible++;
  }
  return out;
}
