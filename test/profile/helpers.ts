// Shared pieces of the profiler tests: the fixture programs, temporary output paths, and readers
// of what `pyscope record` says and writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT } from '../support/pythons.js';
import { describeFailure, runPyscope, type RunResult } from '../support/pyscope.js';

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

/** One line per recording for a failure message: how many ticks were taken and missed. */
export function ticksReport(sum: Summary, label = ''): string {
  const due = sum.ticks + sum.missed;
  return `${label}${sum.ticks} ticks, ${sum.samples} samples, ${sum.missed} missed (${due ? Math.round((100 * sum.missed) / due) : 0}% of ${due} due), ${sum.errors} errors`;
}

/**
 * Runs `pyscope record` (its arguments for a program of `seconds`) until one recording holds at
 * least `minSamples` samples, each retry with the next, longer, length: a test asserts on the
 * samples taken, and a loaded machine, which misses most ticks, needs longer runs for them. Fails
 * listing every run's ticks, samples and missed ticks when even the longest is short.
 */
export async function recordEnough(argsFor: (seconds: number) => string[], minSamples: number, lengths: number[] = [1.5, 3, 6, 12]): Promise<{ r: RunResult; sum: Summary }> {
  const tried: string[] = [];
  for (const seconds of lengths) {
    const r = await runPyscope(argsFor(seconds));
    assert.equal(r.code, 0, describeFailure(r));
    const sum = parseSummary(r.stderr);
    tried.push(ticksReport(sum, `${seconds} s: `));
    if (sum.samples >= minSamples) return { r, sum };
  }
  assert.fail(`fewer than ${minSamples} samples in every recording:\n${tried.join('\n')}`);
}
