// What one sample of a process is: every thread's Python stack at one instant. The profile model
// and every output format are built from these. The native sampler produces them, and so does
// a Pyodide recording once its profiler.py dump is read (src/profile/pyodide-dump.ts).

export interface SampleFrame {
  /** co_qualname on 3.11+, else co_name. */
  name: string;
  file: string;
  line: number;
  /** Line where the function starts: with name and file, identifies the function. */
  firstLine: number;
  /** A native frame (record --native): `name` is its function (or address), `file` its library; lines are 0. */
  native?: boolean;
}

export interface ThreadSample {
  threadId: number;
  nativeThreadId?: number;
  threadName?: string;
  /** Running or runnable according to the kernel. */
  active: boolean;
  holdsGil?: boolean;
  /** Innermost first. */
  frames: SampleFrame[];
}

export interface Sample {
  /** Milliseconds since the recording started. */
  time: number;
  threads: ThreadSample[];
  /**
   * Threads left out because they changed while they were read (a torn stack would put its
   * innermost frames under the wrong root); the recorder counts such a sample as an error.
   */
  torn?: number;
}
