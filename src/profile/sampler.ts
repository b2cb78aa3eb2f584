// Takes samples of a live Python process without stopping it. One Sampler keeps its code-object
// cache across samples (code objects are immutable; the cache checks each entry's fingerprint
// before reuse), so a steady-state sample reads thread states and frames only.
import { openLiveProcess, taskIds, ThreadStatusReader, type LiveProcess } from '../cpython/process.js';
import { snapshot } from '../cpython/snapshot.js';
import type { Sample, ThreadSample } from './sample.js';

export interface SamplerOptions {
  /** Read Python thread names (one extra dict walk per sample). */
  names?: boolean;
  /** Walk only the frames of threads the kernel reports running (idle ones come back empty). */
  activeOnly?: boolean;
}

export class Sampler {
  readonly process: LiveProcess;
  private start = performance.now();
  private tids: number[] = [];
  private tidsAge = 0;
  private statuses: ThreadStatusReader;

  constructor(
    readonly pid: number,
    private readonly opts: SamplerOptions = {},
  ) {
    this.process = openLiveProcess(pid);
    this.statuses = new ThreadStatusReader(pid);
  }

  /** Memory reads issued so far (for reads-per-sample reporting). */
  get reads(): number {
    return this.process.memory.readCount;
  }

  sample(): Sample {
    // The task list changes rarely; re-listing it every sample would cost a directory read.
    if (this.tidsAge-- <= 0) {
      this.tids = taskIds(this.pid);
      this.statuses.retain(this.tids);
      this.tidsAge = 50;
    }
    const threads = snapshot(this.process, {
      names: this.opts.names ?? true,
      activeOnly: this.opts.activeOnly ?? false,
      tasks: { ids: this.tids, status: (tid) => this.statuses.status(tid) },
    });
    const out: ThreadSample[] = threads.map((t) => ({
      threadId: t.threadId,
      nativeThreadId: t.nativeThreadId,
      threadName: t.name,
      active: t.status !== 'idle',
      holdsGil: t.holdsGil,
      frames: t.frames.map((f) => ({ name: f.code.qualname || f.code.name, file: f.code.filename, line: f.line ?? f.code.firstLine, firstLine: f.code.firstLine })),
    }));
    return { time: performance.now() - this.start, threads: out };
  }

  close(): void {
    this.statuses.close();
    this.process.memory.close();
  }
}
