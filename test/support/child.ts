// A child process a test waits on (a target's "ready" line, a server's port, its exit): every
// wait bounded, and a failed one names the step, how the child ended if it did, and the tails of
// its stdout and stderr.
import type { ChildProcess } from 'node:child_process';
import { Tail } from './tail.js';
import { WAIT } from './timeouts.js';
import { withTimeout, type WaitOptions } from './wait.js';

export interface ChildWaitOptions extends WaitOptions {
  /** Which stream to watch; stdout by default. */
  stream?: 'stdout' | 'stderr';
}

export class WatchedChild {
  /** Everything it printed so far (stdout and stderr, when they are pipes). */
  stdout = '';
  stderr = '';
  private ended?: string;
  private closed?: { code: number | null };
  private readonly changed = new Set<() => void>();

  constructor(
    readonly child: ChildProcess,
    readonly label: string,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      this.stdout += s;
      this.notify();
    });
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.stderr += s;
      this.notify();
    });
    child.on('exit', (code, signal) => {
      this.ended = signal ? `killed by ${signal}` : `exited with code ${code}`;
      this.notify();
    });
    child.on('close', (code) => (this.closed = { code }));
    child.on('error', (e) => {
      this.ended = `could not run: ${e.message}`;
      this.notify();
    });
  }

  private notify(): void {
    for (const f of [...this.changed]) f();
  }

  /** How it ended, or undefined while it runs. */
  get exit(): string | undefined {
    return this.ended;
  }

  diagnosis(): string {
    const out = new Tail();
    out.push(this.stdout);
    const err = new Tail();
    err.push(this.stderr);
    const streams = `${this.child.stdout ? `stdout (tail):\n${out.show()}` : 'stdout: not captured'}\n${this.child.stderr ? `stderr (tail):\n${err.show()}` : 'stderr: not captured'}`;
    return `${this.label} (pid ${this.child.pid ?? '?'}, ${this.ended ?? 'still running'})\n${streams}`;
  }

  /**
   * Resolves with the first match of `pattern` in the stream's whole text once it appears; fails
   * when the child ends first or after the limit (60 s), with the diagnosis.
   */
  waitFor(pattern: string | RegExp, options: ChildWaitOptions = {}): Promise<RegExpExecArray> {
    const stream = options.stream ?? 'stdout';
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    const step = options.step ?? `${this.label} to print ${String(pattern)} on ${stream}`;
    let check: (() => void) | undefined;
    const found = new Promise<RegExpExecArray>((resolve, reject) => {
      check = (): void => {
        const m = re.exec(this[stream]);
        if (m) {
          this.changed.delete(check!);
          resolve(m);
        } else if (this.ended !== undefined) {
          this.changed.delete(check!);
          reject(new Error(`${step}: it ended first\n${this.diagnosis()}`));
        }
      };
      this.changed.add(check);
      check();
    });
    return withTimeout(found, options.timeoutMs ?? WAIT.output, step, () => {
      this.changed.delete(check!);
      return this.diagnosis();
    });
  }

  /**
   * Its exit code (null when killed by a signal) once it ended and its output was read to the
   * end, within the limit (30 s by default).
   */
  exited(options: WaitOptions = {}): Promise<number | null> {
    const step = options.step ?? `${this.label} to exit`;
    const done = new Promise<number | null>((resolve) => {
      if (this.closed) resolve(this.closed.code);
      else this.child.once('close', (code: number | null) => resolve(code));
    });
    return withTimeout(done, options.timeoutMs ?? WAIT.exit, step, () => this.diagnosis());
  }
}

export function watch(child: ChildProcess, label: string): WatchedChild {
  return new WatchedChild(child, label);
}
