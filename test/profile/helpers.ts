// Shared pieces of the profiler tests: the fixture programs, temporary output paths, and readers
// of what `pyscope record` says and writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { REPO_ROOT } from '../support/pythons.js';

export const FIXTURES = join(REPO_ROOT, 'dist', 'test', 'fixtures', 'profile');
export const THREE_QUARTERS = join(FIXTURES, 'three_quarters.py');

let dir: string | undefined;
// Registered at import, so it is a hook of the whole file, not of the test that first asks.
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A path in a directory of this test file's own, removed at the end. */
export function tmpPath(name: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'pyscope-profile-test-'));
  return join(dir, name);
}

export interface Summary {
  ticks: number;
  samples: number;
  missed: number;
  errors: number;
  reason: string;
  output: string;
}

/** Reads the summary `pyscope record` always prints on stderr. */
export function parseSummary(stderr: string): Summary {
  const m = /recorded pid \d+ for [\d.]+ s \(([^)]+)\): (\d+) ticks .*?, (\d+) samples, (\d+) missed, (\d+) errors/.exec(stderr);
  const w = /wrote \w+ profile to (.+)\n/.exec(stderr);
  if (!m || !w) throw new Error(`no summary in stderr:\n${stderr}`);
  return { reason: m[1]!, ticks: Number(m[2]), samples: Number(m[3]), missed: Number(m[4]), errors: Number(m[5]), output: w[1]! };
}

/** Folded stacks back into (frames outermost first, count). */
export function parseCollapsed(text: string): { frames: string[]; count: number }[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(.*) (\d+)$/.exec(line);
      if (!m) throw new Error(`not a folded stack line: ${line}`);
      return { frames: m[1]!.split(';'), count: Number(m[2]) };
    });
}

/** Share of samples whose stack passes through `fn`, among those in any of `fns`. */
export function shares(stacks: { frames: string[]; count: number }[], fns: string[]): Map<string, number> {
  const counts = new Map<string, number>(fns.map((f) => [f, 0]));
  let total = 0;
  for (const s of stacks) {
    const hit = fns.find((f) => s.frames.some((fr) => fr.startsWith(`${f} (`)));
    if (!hit) continue;
    counts.set(hit, counts.get(hit)! + s.count);
    total += s.count;
  }
  return new Map([...counts].map(([f, n]) => [f, total > 0 ? n / total : 0]));
}
