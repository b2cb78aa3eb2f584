// What profiler.py delivers at the end of a Pyodide recording, and its conversion into the one
// profile model every output format is written from. Browser-safe.
import { addSample } from './aggregate.js';
import { Profile } from './model.js';
import type { SampleFrame } from './sample.js';

/** profiler.py's JSON: interned stacks (innermost frame first) and a (ms, stack index) timeline. */
export interface ProfileDump {
  stacks: [name: string, file: string, line: number, firstLine: number][][];
  timeline: [number, number][];
  /** Milliseconds the program ran under the sampler. */
  elapsed: number;
  /** Python's version inside Pyodide, e.g. 3.14.2. */
  version: string;
}

export interface RecordingFacts {
  command: string;
  rate: number;
  /** Wall clock when the recording started (ms since the epoch). */
  startedAt: number;
  ticks: number;
  missed: number;
  /** Keep the samples in time order (speedscope, gecko). */
  timeline: boolean;
  /** A root frame for the thread (record --threads). */
  threads?: boolean;
  /** The program's working directory: its own files are named relative to it. */
  cwd?: string;
}

export function profileFromDump(dump: ProfileDump, facts: RecordingFacts): Profile {
  const profile = new Profile({ timeline: facts.timeline });
  const proc = { pid: 0, command: facts.command };
  const agg = { idle: true, gil: false, threads: facts.threads ?? false, subprocesses: false };
  for (const [time, index] of dump.timeline) {
    const frames: SampleFrame[] = (dump.stacks[index] ?? []).map(([name, file, line, firstLine]) => ({ name, file, line, firstLine }));
    addSample(profile, proc, { time, threads: [{ threadId: 1, threadName: 'MainThread', active: true, frames }] }, agg, time);
  }
  profile.meta = {
    pid: 0,
    command: facts.command,
    pythonVersion: `${dump.version} (Pyodide)`,
    rate: facts.rate,
    startedAt: facts.startedAt,
    duration: dump.elapsed,
    ticks: facts.ticks,
    missed: facts.missed,
    errors: 0,
    cwd: facts.cwd,
  };
  return profile;
}
