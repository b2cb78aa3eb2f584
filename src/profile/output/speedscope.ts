// speedscope's file format (https://www.speedscope.app/file-format-schema.json): one sampled
// profile per thread, samples in time order, frames per function (speedscope has no notion of a
// line inside a function, so lines fold into their function, which is what its views want).
import { functionLabel } from '../labels.js';
import type { Profile } from '../model.js';

interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
}

interface SampledProfile {
  type: 'sampled';
  name: string;
  unit: 'seconds';
  startValue: number;
  endValue: number;
  samples: number[][];
  weights: number[];
}

export interface SpeedscopeFile {
  $schema: 'https://www.speedscope.app/file-format-schema.json';
  shared: { frames: SpeedscopeFrame[] };
  profiles: SampledProfile[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

export function speedscope(p: Profile, exporter: string): string {
  const frames: SpeedscopeFrame[] = p.functions.map((f) =>
    f.kind === 'python' ? { name: f.name, file: f.file, line: f.firstLine } : { name: functionLabel(f) },
  );
  const period = p.meta.rate > 0 ? 1 / p.meta.rate : 0;
  const byThread = new Map<number, SampledProfile>();
  const stackCache = new Map<number, number[]>();
  const funcsOf = (stack: number): number[] => {
    let s = stackCache.get(stack);
    if (!s) stackCache.set(stack, (s = p.framesOf(stack).map((f) => p.frames[f]!.func)));
    return s;
  };
  const profileFor = (thread: number): SampledProfile => {
    let prof = byThread.get(thread);
    if (!prof) {
      const t = p.threads[thread]!;
      const name = `pid ${t.pid} thread ${t.nativeThreadId ?? t.threadId}${t.name ? ` (${t.name})` : ''}`;
      prof = { type: 'sampled', name, unit: 'seconds', startValue: 0, endValue: 0, samples: [], weights: [] };
      byThread.set(thread, prof);
    }
    return prof;
  };
  const tl = p.timeline;
  if (tl) {
    for (let i = 0; i < tl.length; i++) {
      const prof = profileFor(tl.thread[i]!);
      prof.samples.push(funcsOf(tl.stack[i]!));
      prof.weights.push(period);
      prof.endValue += period;
    }
  } else {
    const prof: SampledProfile = { type: 'sampled', name: 'all threads', unit: 'seconds', startValue: 0, endValue: 0, samples: [], weights: [] };
    for (const [stack, count] of p.counts) {
      prof.samples.push(funcsOf(stack));
      prof.weights.push(count * period);
      prof.endValue += count * period;
    }
    byThread.set(0, prof);
  }
  const profiles = [...byThread.values()];
  // An empty recording is still a file speedscope opens.
  if (profiles.length === 0) profiles.push({ type: 'sampled', name: 'no samples', unit: 'seconds', startValue: 0, endValue: 0, samples: [], weights: [] });
  const file: SpeedscopeFile = {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames },
    profiles,
    name: `pid ${p.meta.pid}: ${p.meta.command}`,
    activeProfileIndex: 0,
    exporter,
  };
  return JSON.stringify(file);
}
