// The profile model and its writers on hand-made samples (data, not a process): what is one
// function, what is one frame, how filters and synthetic roots apply, and what each writer makes
// of lines within a function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addSample, type AggregateOptions } from '../../src/profile/aggregate.js';
import { shortFile } from '../../src/profile/labels.js';
import { Profile } from '../../src/profile/model.js';
import { collapsed } from '../../src/profile/output/collapsed.js';
import { flamegraph } from '../../src/profile/output/flamegraph.js';
import { gecko } from '../../src/profile/output/gecko.js';
import { pprof } from '../../src/profile/output/pprof.js';
import { speedscope, type SpeedscopeFile } from '../../src/profile/output/speedscope.js';
import type { Sample, SampleFrame, ThreadSample } from '../../src/profile/sample.js';
import { decodePprof } from './pprof-decode.js';

const PLAIN: AggregateOptions = { idle: false, gil: false, threads: false, subprocesses: false };
const proc = { pid: 42, command: 'python app.py' };

const f = (name: string, line: number, firstLine: number, file = '/srv/app/app.py'): SampleFrame => ({ name, file, line, firstLine });
const thread = (frames: SampleFrame[], extra: Partial<ThreadSample> = {}): ThreadSample => ({ threadId: 1, nativeThreadId: 100, threadName: 'MainThread', active: true, holdsGil: true, frames, ...extra });
const sample = (time: number, ...threads: ThreadSample[]): Sample => ({ time, threads });

function build(samples: Sample[], opts = PLAIN, timeline = false): Profile {
  const p = new Profile({ timeline });
  for (const s of samples) addSample(p, proc, s, opts, s.time);
  p.meta = { ...p.meta, pid: 42, command: 'python app.py', pythonVersion: '3.12.1', rate: 100, ticks: samples.length };
  return p;
}

// Innermost first, as the sampler gives them: work() at two different lines, called from main().
const atLine10 = [f('work', 10, 8), f('main', 20, 18), f('<module>', 30, 1)];
const atLine11 = [f('work', 11, 8), f('main', 20, 18), f('<module>', 30, 1)];

test('a function is (name, file, first line); a frame is (function, line)', () => {
  const p = build([sample(0, thread(atLine10)), sample(10, thread(atLine11)), sample(20, thread(atLine11))]);
  assert.equal(p.functions.length, 3);
  assert.equal(p.frames.length, 4);
  assert.equal(p.total, 3);
  // Same name in another file, or at another first line, is another function.
  const q = build([sample(0, thread([f('work', 5, 3, '/other/app.py')])), sample(1, thread([f('work', 5, 4, '/other/app.py')]))]);
  assert.equal(q.functions.length, 2);
});

test('collapsed: outermost first, the current line in each label, counts per stack', () => {
  const p = build([sample(0, thread(atLine10)), sample(10, thread(atLine11)), sample(20, thread(atLine11))]);
  assert.equal(collapsed(p), '<module> (app.py:30);main (app.py:20);work (app.py:10) 1\n<module> (app.py:30);main (app.py:20);work (app.py:11) 2\n');
});

test('speedscope: lines fold into their function; frames carry file and first line', () => {
  const p = build([sample(0, thread(atLine10)), sample(10, thread(atLine11))], PLAIN, true);
  const s = JSON.parse(speedscope(p, 'test')) as SpeedscopeFile;
  assert.deepEqual(s.shared.frames.map((x) => [x.name, x.line]), [['<module>', 1], ['main', 18], ['work', 8]]);
  assert.equal(s.profiles.length, 1);
  assert.deepEqual(s.profiles[0]!.samples, [[0, 1, 2], [0, 1, 2]]);
  assert.deepEqual(s.profiles[0]!.weights, [0.01, 0.01]);
});

test('pprof: one function, one location per line, leaf first', () => {
  const p = build([sample(0, thread(atLine10)), sample(10, thread(atLine11))]);
  const d = decodePprof(pprof(p));
  const work = [...d.functions].find(([, fn]) => fn.name === 'work')!;
  assert.deepEqual(work[1], { name: 'work', filename: '/srv/app/app.py', startLine: 8 });
  const workLines = [...d.locations.values()].flat().filter((l) => l.functionId === work[0]).map((l) => l.line).sort();
  assert.deepEqual(workLines, [10, 11]);
  for (const s of d.samples) assert.equal(d.locations.get(s.locations[0]!)![0]!.functionId, work[0]);
  assert.equal(d.period, 10_000_000);
});

test('idle threads are dropped, --idle keeps them, --gil keeps only the holder', () => {
  const busy = thread(atLine10);
  const idle = thread([f('wait', 5, 4)], { threadId: 2, nativeThreadId: 101, threadName: 'worker', active: false, holdsGil: false });
  const s = [sample(0, busy, idle)];
  assert.equal(build(s).total, 1);
  assert.equal(build(s, { ...PLAIN, idle: true }).total, 2);
  assert.equal(build(s, { ...PLAIN, idle: true, gil: true }).total, 1);
  // A thread with no Python frames (not started, or in C only) is not a sample.
  assert.equal(build([sample(0, thread([]))], { ...PLAIN, idle: true }).total, 0);
});

test('--threads and --subprocesses put synthetic roots above the Python frames', () => {
  const p = build([sample(0, thread(atLine10))], { ...PLAIN, threads: true, subprocesses: true });
  assert.equal(collapsed(p), 'process 42: python app.py;thread 100 (MainThread);<module> (app.py:30);main (app.py:20);work (app.py:10) 1\n');
  const g = JSON.parse(gecko(p)) as { threads: { funcTable: { isJS: boolean[] } }[] };
  assert.deepEqual(g.threads[0]!.funcTable.isJS, [false, false, true, true, true]);
});

test('short file names: below the import root (on purpose since issue 15: json/decoder.py, not decoder.py), else the last component, with its package for __init__ and __main__', () => {
  assert.equal(shortFile('/usr/lib/python3.12/json/decoder.py'), 'json/decoder.py');
  assert.equal(shortFile('/srv/app/pkg/__init__.py'), 'pkg/__init__.py');
  assert.equal(shortFile('/srv/app/pkg/__main__.py'), 'pkg/__main__.py');
  assert.equal(shortFile('<frozen importlib._bootstrap>'), '<frozen importlib._bootstrap>');
  assert.equal(shortFile('app.py'), 'app.py');
});

test('names that would break a format are made safe', () => {
  const odd = [f('a;b</script><b>x', 3, 1), f('<module>', 9, 1)];
  const p = build([sample(0, thread(odd))]);
  assert.equal(collapsed(p), '<module> (app.py:9);a_b</script><b>x (app.py:3) 1\n');
  const html = flamegraph(p, 'title </script>');
  assert.equal(html.match(/<\/script>/g)?.length, 2, 'only the two script elements close');
  assert.ok(html.includes('a;b\\u003c/script>'));
});

test('an empty recording still writes valid files', () => {
  const p = build([]);
  assert.equal(collapsed(p), '');
  const s = JSON.parse(speedscope(p, 'test')) as SpeedscopeFile;
  assert.equal(s.profiles.length, 1);
  assert.equal(decodePprof(pprof(p)).samples.length, 0);
  assert.ok(flamegraph(p, 't').includes('profile-data'));
  assert.equal((JSON.parse(gecko(p)) as { threads: unknown[] }).threads.length, 1);
});
