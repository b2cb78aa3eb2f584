// Every output format of `pyscope record`, parsed back: speedscope against its JSON schema, pprof
// by decoding the protobuf, collapsed by summing counts, gecko by checking its tables' integrity.
// Each checks that the counts add up to the samples the summary reports and that the functions
// carry their names, files and first lines. A recording is long enough when it holds enough
// samples, not after so many seconds: on a loaded machine, where most ticks are missed, the
// program runs again for longer until it does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { pythons, requirePython, type Python } from '../support/pythons.js';
import { decodePprof } from './pprof-decode.js';
import { FIXTURES, parseCollapsed, recordEnough, shares, THREE_QUARTERS, tmpPath, type Summary } from './helpers.js';
import { literal, nameFromHere } from '../support/file-name.js';

const TWO_THREADS = join(FIXTURES, 'two_threads.py');
// A 64-bit one, as before the 32-bit interpreter joined the matrix (dump.test.ts and the core suites cover that one).
const py: Python | undefined = [...pythons()].reverse().find((p) => !p.missing && p.version[0] === 3 && p.version[1] <= 12 && p.pointerBits === 64) ?? pythons().find((p) => !p.missing);
const { skip } = requirePython(py !== undefined, 'no interpreter of the matrix is present');

/**
 * Samples a recording must hold for the comparisons below (shares 3:1, a thread's samples against
 * a tenth or a half of another's) to mean something: with 200, a tenth is 20 samples.
 */
const MIN_SAMPLES = 200;
/** The program's length in seconds, doubled on each retry while the samples are too few. */
const RUN_SECONDS = [1.5, 3, 6, 12];

function defLine(file: string, fn: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.findIndex((l) => l.startsWith(`def ${fn}(`)) + 1;
}

/** Records the program until a recording holds MIN_SAMPLES samples (longer runs on a loaded machine). */
async function record(format: string, extra: string[] = [], program = THREE_QUARTERS): Promise<{ sum: Summary; data: Buffer }> {
  const out = tmpPath(`out-${format}-${extra.join('')}.${format}`);
  const { sum } = await recordEnough((seconds) => ['record', '--rate', '250', '--format', format, '-o', out, ...extra, '--', py!.path, program, String(seconds)], MIN_SAMPLES, RUN_SECONDS);
  assert.equal(sum.output, out);
  return { sum, data: readFileSync(out) };
}

describe(`pyscope record: every format parsed back (${py?.label ?? 'no python'})`, { skip }, () => {
  test('collapsed: folded stacks whose counts add up to the samples', async () => {
    const { sum, data } = await record('collapsed');
    const stacks = parseCollapsed(data.toString('utf8'));
    assert.equal(stacks.reduce((n, s) => n + s.count, 0), sum.samples);
    const sh = shares(stacks, ['busy_big', 'busy_small']);
    assert.ok(sh.get('busy_big')! > sh.get('busy_small')!, 'the bigger function has the bigger share');
    // the program runs in this test's working directory: its file is named relative to it (issue 15)
    assert.ok(stacks.some((s) => s.frames.some((f) => new RegExp(`^busy_big \\(${literal(nameFromHere(THREE_QUARTERS))}:\\d+\\)$`).test(f))));
  });

  test('speedscope: valid against the file format schema, one sampled profile per thread', async () => {
    const { sum, data } = await record('speedscope');
    const schema = JSON.parse(readFileSync(join(FIXTURES, 'speedscope-schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const file = JSON.parse(data.toString('utf8')) as {
      shared: { frames: { name: string; file?: string; line?: number }[] };
      profiles: { type: string; samples: number[][]; weights: number[]; startValue: number; endValue: number }[];
    };
    assert.ok(validate(file), JSON.stringify(validate.errors, null, 2));
    let n = 0;
    for (const p of file.profiles) {
      assert.equal(p.type, 'sampled');
      assert.equal(p.samples.length, p.weights.length);
      for (const s of p.samples) for (const f of s) assert.ok(Number.isInteger(f) && f >= 0 && f < file.shared.frames.length, `frame index ${f}`);
      assert.ok(Math.abs(p.endValue - p.startValue - p.weights.reduce((a, b) => a + b, 0)) < 1e-6);
      n += p.samples.length;
    }
    assert.equal(n, sum.samples);
    const big = file.shared.frames.find((f) => f.name === 'busy_big');
    assert.ok(big, 'busy_big is a frame');
    assert.ok(big.file?.endsWith('three_quarters.py'));
    assert.equal(big.line, defLine(THREE_QUARTERS, 'busy_big'));
  });

  test('pprof: gzipped profile.proto that decodes, ids resolve, values add up', async () => {
    const { sum, data } = await record('pprof');
    assert.deepEqual([...data.subarray(0, 2)], [0x1f, 0x8b], 'gzip magic');
    const p = decodePprof(data);
    assert.equal(p.strings[0], '', 'string_table[0] is the empty string');
    assert.deepEqual(p.sampleTypes[0], { type: 'samples', unit: 'count' });
    assert.deepEqual(p.periodType, { type: 'wall', unit: 'nanoseconds' });
    assert.equal(p.period, 4_000_000);
    let total = 0;
    for (const s of p.samples) {
      assert.equal(s.values.length, p.sampleTypes.length);
      total += s.values[0]!;
      assert.equal(s.values[1], s.values[0]! * p.period);
      for (const id of s.locations) {
        const lines = p.locations.get(id);
        assert.ok(lines && lines.length > 0, `location ${id} exists`);
        for (const l of lines) assert.ok(p.functions.has(l.functionId), `function ${l.functionId} exists`);
      }
    }
    assert.equal(total, sum.samples);
    const big = [...p.functions.values()].find((f) => f.name === 'busy_big');
    assert.ok(big, 'busy_big is a function');
    assert.ok(big.filename.endsWith('three_quarters.py'));
    assert.equal(big.startLine, defLine(THREE_QUARTERS, 'busy_big'));
    // The leaf comes first: the first location of a busy_big sample is in busy_big.
    const leafIsBig = p.samples.some((s) => p.functions.get(p.locations.get(s.locations[0]!)![0]!.functionId)!.name === 'busy_big');
    assert.ok(leafIsBig, 'sample locations are leaf first');
    assert.ok(p.durationNanos > 0);
  });

  test('gecko: Firefox Profiler processed format with consistent tables', async () => {
    const { sum, data } = await record('gecko');
    type Table = Record<string, unknown[] | number> & { length: number };
    const g = JSON.parse(data.toString('utf8')) as {
      meta: { version: number; preprocessedProfileVersion: number; interval: number; categories: unknown[] };
      threads: { name: string; tid: number; pid: string; samples: Table; stackTable: Table; frameTable: Table; funcTable: Table; resourceTable: Table }[];
      shared: { stringArray: string[] };
    };
    assert.equal(g.meta.preprocessedProfileVersion, 57);
    assert.equal(g.meta.interval, 4);
    const strings = g.shared.stringArray;
    let n = 0;
    const names = new Set<string>();
    for (const t of g.threads) {
      for (const table of [t.samples, t.stackTable, t.frameTable, t.funcTable, t.resourceTable]) {
        for (const [k, v] of Object.entries(table)) if (Array.isArray(v)) assert.equal(v.length, table.length, `column ${k} has the table's length`);
      }
      const stacks = t.stackTable;
      (stacks.prefix as (number | null)[]).forEach((p, i) => assert.ok(p === null || (p >= 0 && p < i), `stack ${i} prefix ${p}`));
      for (const f of stacks.frame as number[]) assert.ok(f >= 0 && f < t.frameTable.length);
      for (const f of t.frameTable.func as number[]) assert.ok(f >= 0 && f < t.funcTable.length);
      for (const s of t.funcTable.name as number[]) {
        assert.ok(s >= 0 && s < strings.length);
        names.add(strings[s]!);
      }
      for (const s of t.samples.stack as number[]) assert.ok(s >= 0 && s < stacks.length);
      const times = t.samples.time as number[];
      for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!, 'samples in time order');
      n += t.samples.length;
    }
    assert.equal(n, sum.samples);
    assert.ok(names.has('busy_big') && names.has('busy_small') && names.has('main'));
  });

  test('--idle and --threads: idle threads are dropped unless asked for; a root frame per thread', async () => {
    // The sleeper is running now and then (waking up, taking the GIL back): the kernel's word
    // decides, so a few of its samples may remain; most are dropped.
    const count = (stacks: { frames: string[]; count: number }[], fn: string): number =>
      stacks.filter((s) => s.frames.some((f) => f.startsWith(`${fn} (`))).reduce((n, s) => n + s.count, 0);
    const plain = parseCollapsed((await record('collapsed', [], TWO_THREADS)).data.toString('utf8'));
    const spinning = count(plain, 'spin');
    assert.ok(count(plain, 'sleepy') < 0.1 * spinning, `the sleeping thread is idle and dropped (${count(plain, 'sleepy')} vs ${spinning})`);
    const withIdle = parseCollapsed((await record('collapsed', ['--idle', '--threads'], TWO_THREADS)).data.toString('utf8'));
    const sleeper = withIdle.filter((s) => s.frames.some((f) => f.startsWith('sleepy ')));
    assert.ok(count(withIdle, 'sleepy') > 0.5 * count(withIdle, 'spin'), 'with --idle the sleeping thread is sampled as often as the busy one');
    // a thread sampled before threading registers it has no name yet; names are read again soon
    assert.ok(sleeper.every((s) => /^thread \d+( \(sleeper\))?$/.test(s.frames[0]!)), `its root is its thread: ${sleeper.map((s) => s.frames[0]).join(', ')}`);
    const named = sleeper.filter((s) => s.frames[0]!.endsWith('(sleeper)')).reduce((n, s) => n + s.count, 0);
    assert.ok(named > 0.9 * count(withIdle, 'sleepy'), 'its samples carry its name');
    assert.ok(withIdle.every((s) => s.frames[0]!.startsWith('thread ')), 'every stack starts with its thread');
  });

  test('--gil: only the thread holding the GIL', async () => {
    const gil = parseCollapsed((await record('collapsed', ['--gil', '--idle'], TWO_THREADS)).data.toString('utf8'));
    const sleepy = gil.filter((s) => s.frames.some((f) => f.startsWith('sleepy '))).reduce((n, s) => n + s.count, 0);
    const spin = gil.filter((s) => s.frames.some((f) => f.startsWith('spin '))).reduce((n, s) => n + s.count, 0);
    assert.ok(sleepy < 0.1 * spin, `the sleeping thread holds the GIL only in passing (${sleepy} vs ${spin})`);
    assert.ok(gil.some((s) => s.frames.some((f) => f.startsWith('spin '))));
  });
});
