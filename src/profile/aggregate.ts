// Turns samples into the profile model, applying the recording's filters: idle threads are
// dropped unless asked for (the kernel's word, per thread), --gil keeps only the GIL holder, and
// --threads / --subprocesses put a synthetic root frame per thread / per process.
import type { Profile } from './model.js';
import type { Sample } from './sample.js';

export interface AggregateOptions {
  idle: boolean;
  gil: boolean;
  threads: boolean;
  subprocesses: boolean;
}

export interface ProcessInfo {
  pid: number;
  command: string;
}

export function addSample(profile: Profile, proc: ProcessInfo, sample: Sample, opts: AggregateOptions, time: number): number {
  let added = 0;
  for (const t of sample.threads) {
    if (t.frames.length === 0) continue;
    if (!opts.idle && !t.active) continue;
    if (opts.gil && t.holdsGil !== true) continue;
    let stack = -1;
    if (opts.subprocesses) {
      const f = profile.internFunction(`process ${proc.pid}: ${proc.command}`, '', 0, 'process');
      stack = profile.internStack(stack, profile.internFrame(f, 0));
    }
    if (opts.threads) {
      const name = `thread ${t.nativeThreadId ?? t.threadId}${t.threadName ? ` (${t.threadName})` : ''}`;
      const f = profile.internFunction(name, '', 0, 'thread');
      stack = profile.internStack(stack, profile.internFrame(f, 0));
    }
    for (let i = t.frames.length - 1; i >= 0; i--) {
      const fr = t.frames[i]!;
      stack = profile.internStack(stack, profile.internSampleFrame(fr));
    }
    const thread = profile.threadOf(proc.pid, t.threadId, t.nativeThreadId, t.threadName);
    profile.addSample(stack, thread, time);
    added++;
  }
  return added;
}
