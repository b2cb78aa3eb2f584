// On every interpreter of the matrix: a program spending 3/4 of its wall time in one function and
// 1/4 in another (alternating about 30 ms / 10 ms of CPU, each cycle of random length) gets those shares from `pyscope record`,
// within 0.05. The program reports the wall time each function really took: on an idle machine
// that is 3/4 and 1/4; on a loaded one the scheduler can move it for a short run, and the profile
// must then agree with what really happened, so the comparison is with the program's own truth.
//
// What really happened has two measures on a loaded machine. The sampler misses its ticks when
// the machine is saturated, which is also when the program waits for a CPU; so the samples taken
// fall mostly where the program ran, and their split lies between the CPU-time split (3:1 by
// construction) and the wall-time split (which the waits move). The program reports both, and
// the profile's share must be within 0.05 of that range; on an idle machine the two agree and the
// range is one point, 3/4.
//
// The test asserts on the samples taken, not on the time it ran: 0.05 is four standard deviations
// of a share near 3/4 only from about 1200 samples on, so the program is recorded again (each run
// independent, their samples and truths added up) until that many samples fell in the two
// functions. On a loaded machine, where most ticks are missed, that takes longer runs; a failure
// lists every run's ticks, samples and missed ticks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pythons, skipIfMissing } from '../support/pythons.js';
import { describeFailure, runPyscope } from '../support/pyscope.js';
import { parseCollapsed, parseSummary, shares, THREE_QUARTERS, tmpPath, type Summary } from './helpers.js';
import { nameFromHere } from '../support/file-name.js';

/** Samples in busy_big and busy_small for 0.05 to be 4 sigma of a share near 3/4 (4 * 0.433 / 0.05)^2. */
const WANTED = 1200;
const RATE = 400;
/** One run's length bounds: long enough that one wait for a CPU moves little, short enough that a slow run is retried, not awaited. */
const FIRST_SECONDS = 4;
const MIN_RUN_SECONDS = 3;
const MAX_RUN_SECONDS = 20;
/** All runs together (of the program's own clock): a machine that cannot give that many samples in this long fails. */
const MAX_TOTAL_SECONDS = 90;

interface Run {
  seconds: number;
  sum: Summary;
  stacks: { frames: string[]; count: number }[];
  big: number;
  small: number;
  cpuBig: number;
  cpuSmall: number;
}

function inBusy(stacks: { frames: string[]; count: number }[]): number {
  return stacks.filter((s) => s.frames.some((f) => /^busy_(big|small) /.test(f))).reduce((n, s) => n + s.count, 0);
}

function report(runs: Run[]): string {
  return runs
    .map((r, i) => {
      const due = r.sum.ticks + r.sum.missed;
      const share = shares(r.stacks, ['busy_big', 'busy_small']).get('busy_big')!;
      return (
        `run ${i + 1} (${r.seconds} s at ${RATE} Hz): ${r.sum.ticks} ticks, ${r.sum.samples} samples (${inBusy(r.stacks)} in the two functions), ` +
        `${r.sum.missed} missed (${due ? Math.round((100 * r.sum.missed) / due) : 0}% of ${due} due), ${r.sum.errors} errors; ` +
        `busy_big: ${share.toFixed(3)} of the samples, ${(r.big / (r.big + r.small)).toFixed(3)} of the wall time, ${(r.cpuBig / (r.cpuBig + r.cpuSmall)).toFixed(3)} of the CPU time`
      );
    })
    .join('\n');
}

describe('pyscope record: 3/4 and 1/4 of the time', () => {
  for (const py of pythons()) {
    test(py.label, skipIfMissing(py), async (t) => {
      const runs: Run[] = [];
      let seconds = FIRST_SECONDS;
      let total = 0;
      for (;;) {
        const out = tmpPath(`shares-${py.label}-${runs.length + 1}.txt`);
        const r = await runPyscope(['record', '--rate', String(RATE), '--format', 'collapsed', '-o', out, '--', py.path, THREE_QUARTERS, String(seconds)]);
        assert.equal(r.code, 0, describeFailure(r));
        const sum = parseSummary(r.stderr);
        assert.equal(sum.reason, 'the program exited');
        const stacks = parseCollapsed(readFileSync(out, 'utf8'));
        assert.equal(stacks.reduce((n, s) => n + s.count, 0), sum.samples, 'collapsed counts add up to the samples taken');
        const truth = /truth busy_big=([\d.]+) busy_small=([\d.]+)/.exec(r.stdout);
        const cpu = /cpu busy_big=([\d.]+) busy_small=([\d.]+)/.exec(r.stdout);
        assert.ok(truth && cpu, `the program reports its truth: ${r.stdout}`);
        runs.push({ seconds, sum, stacks, big: Number(truth[1]), small: Number(truth[2]), cpuBig: Number(cpu[1]), cpuSmall: Number(cpu[2]) });
        total += seconds;
        const seen = runs.reduce((n, x) => n + inBusy(x.stacks), 0);
        if (seen >= WANTED) break;
        assert.ok(total < MAX_TOTAL_SECONDS, `only ${seen} of the ${WANTED} samples wanted in the two functions after ${total} s of runs\n${report(runs)}`);
        // The rate seen so far says how long the rest takes; a little more, so one more run does it.
        const perSecond = Math.max(seen / total, 10);
        seconds = Math.max(MIN_RUN_SECONDS, Math.min(MAX_RUN_SECONDS, MAX_TOTAL_SECONDS - total, Math.ceil((1.2 * (WANTED - seen)) / perSecond)));
      }
      const stacks = runs.flatMap((x) => x.stacks);
      const seen = inBusy(stacks);
      const sh = shares(stacks, ['busy_big', 'busy_small']);
      const trueBig = runs.reduce((n, x) => n + x.big, 0) / runs.reduce((n, x) => n + x.big + x.small, 0);
      const cpuBig = runs.reduce((n, x) => n + x.cpuBig, 0) / runs.reduce((n, x) => n + x.cpuBig + x.cpuSmall, 0);
      const [low, high] = [Math.min(trueBig, cpuBig), Math.max(trueBig, cpuBig)];
      const expected = low === high ? low.toFixed(3) : `${low.toFixed(3)} to ${high.toFixed(3)}`;
      const why = `of ${seen} samples in ${runs.length} run(s); the program spent ${trueBig.toFixed(3)} of its wall time and ${cpuBig.toFixed(3)} of its CPU time in busy_big\n${report(runs)}`;
      // On an idle machine the truth is 3/4; a loaded one can move it (the phases are CPU time,
      // and a long wait for a CPU lands in one of them), so it is only required to be a split.
      assert.ok(trueBig > 0.2 && trueBig < 0.98, `the program itself spent ${trueBig.toFixed(3)} in busy_big\n${report(runs)}`);
      const big = sh.get('busy_big')!;
      const small = sh.get('busy_small')!;
      t.diagnostic(`busy_big share ${big.toFixed(3)} ${why.replace(/\n/g, ' | ')}`);
      const off = (share: number, lo: number, hi: number): number => (share < lo ? lo - share : share > hi ? share - hi : 0);
      assert.ok(off(big, low, high) <= 0.05, `busy_big share ${big.toFixed(3)} (expected ${expected} ± 0.05) ${why}`);
      assert.ok(off(small, 1 - high, 1 - low) <= 0.05, `busy_small share ${small.toFixed(3)} (expected 1 - (${expected}) ± 0.05) ${why}`);
      // Frames are `function (file:line)` with the file named relative to the program's working
      // directory, this test's own (issue 15), outermost first.
      // (Interpreter start-up, before the script runs, has stacks of its own: site, importlib.)
      const busy = stacks.filter((s) => s.frames.some((f) => /^busy_(big|small) /.test(f)));
      const odd = busy.filter((s) => !s.frames[0]!.startsWith(`<module> (${nameFromHere(THREE_QUARTERS)}:`));
      assert.deepEqual(odd, [], 'the outermost frame of the busy stacks is the module');
    });
  }
});
