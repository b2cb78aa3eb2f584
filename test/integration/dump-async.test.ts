// `pyscope dump --async` against live asyncio programs of every interpreter 3.8+ of the matrix: the
// program (test/fixtures/dump/asyncio_tasks.py) parks named tasks of every shape in two event loops
// of two threads and writes what it sees of them from inside (names, states, coroutine stacks down
// cr_await / ag_await, who awaits whom); the dump must say exactly that. On 3.14+ the interpreter's
// own `python -m asyncio pstree` must name the same tasks.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readableFile } from '../../src/common/file-names.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { pythons, skipIfMissing, REPO_ROOT, type Python } from '../support/pythons.js';
import { runCommand, runPyscope, describeFailure } from '../support/pyscope.js';
import { scaled } from '../support/timeouts.js';
import { gcore, needsGcore } from '../core/cores.js';

const PROGRAM = join(REPO_ROOT, 'test', 'fixtures', 'dump', 'asyncio_tasks.py');
const MANY = join(REPO_ROOT, 'test', 'fixtures', 'dump', 'asyncio_many.py');
const CYCLE = join(REPO_ROOT, 'test', 'fixtures', 'dump', 'asyncio_cycle.py');
const STARTUP_LIMIT_MS = scaled(120_000);

interface TruthTask {
  name: string;
  state: string;
  awaited_by: string[];
  frames: [qualname: string, file: string, line: number][];
}
interface Truth {
  loops: { thread_id: number; thread: string; tasks: TruthTask[] }[];
}
interface JsonTask {
  id: string;
  name: string;
  state: string;
  awaited_by: string[];
  frames: { function: string; qualname: string | null; file: string; line: number | null }[];
}
interface JsonLoop {
  thread_id: number | null;
  native_thread_id: number | null;
  thread_name: string | null;
  total: number;
  left_out: number;
  tasks: JsonTask[];
}

interface Program {
  pid: number;
  truth: Truth;
  stop(): void;
}

const started: Program[] = [];
after(() => started.forEach((p) => p.stop()));

async function startProgram(py: Python, threads: boolean, script = PROGRAM): Promise<Program & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pyscope-async-'));
  const truthPath = join(dir, 'truth.json');
  let stderr = '';
  let exited: string | undefined;
  const child: ChildProcess = spawn(py.path, [script, truthPath, '900', ...(threads ? ['threads'] : [])], {
    cwd: dir,
    // One malloc arena keeps a gcore core small (glibc gives each thread its own otherwise).
    env: { ...process.env, LC_ALL: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', PYTHONWARNINGS: 'ignore', MALLOC_ARENA_MAX: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.on('exit', (code, signal) => (exited = `exited (code ${code}, signal ${signal})`));
  const stop = (): void => {
    if (exited === undefined) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  try {
    while (!existsSync(truthPath)) {
      if (exited !== undefined) throw new Error(`${py.label}: program ${exited}: ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`${py.label}: program did not park within ${STARTUP_LIMIT_MS} ms: ${stderr.trim()}`);
      await sleep(50);
    }
    const text = readFileSync(truthPath, 'utf8');
    const program = { pid: child.pid!, truth: (text === 'ready' ? { loops: [] } : JSON.parse(text)) as Truth, stop, dir };
    started.push(program);
    return program;
  } catch (e) {
    stop();
    throw e;
  }
}

/** What the dump says of a task, in the program's terms: names for ids, [qualname, file, line] frames. */
function asTruth(task: JsonTask, names: Map<string, string>): TruthTask {
  return {
    name: task.name,
    state: task.state,
    awaited_by: task.awaited_by.map((id) => names.get(id) ?? id).sort(),
    frames: task.frames.map((f) => [f.qualname ?? f.function, f.file, f.line ?? -1]),
  };
}

for (const py of pythons().filter((p) => p.version[0] === 3 && p.version[1] >= 8)) {
  describe(`pyscope dump --async on ${py.label}`, skipIfMissing(py), () => {
    let program: Promise<Program & { dir: string }> | undefined;
    const programOf = () => (program ??= startProgram(py, true));

    const checkJson = (p: Program, stdout: string) => {
      const dump = JSON.parse(stdout) as { async: { loops: JsonLoop[] } };
      assert.equal(dump.async.loops.length, 2, 'one block per event loop');
      for (const truthLoop of p.truth.loops) {
        const loop = dump.async.loops.find((l) => l.thread_id === truthLoop.thread_id);
        assert.ok(loop, `the loop of thread "${truthLoop.thread}"`);
        assert.equal(loop.thread_name, truthLoop.thread);
        assert.equal(loop.left_out, 0);
        const names = new Map(loop.tasks.map((x) => [x.id, x.name]));
        const ours = loop.tasks.map((x) => asTruth(x, names)).sort((a, b) => (a.name < b.name ? -1 : 1));
        const theirs = [...truthLoop.tasks].sort((a, b) => (a.name < b.name ? -1 : 1));
        assert.deepEqual(ours, theirs);
      }
    };

    test('--json: every task of both loops, with its state, awaiters and coroutine stack, as the program sees them', async () => {
      const p = await programOf();
      const r = await runPyscope(['dump', '--async', '--json', String(p.pid)]);
      assert.equal(r.code, 0, describeFailure(r));
      checkJson(p, r.stdout);
    });

    test('--core --async: a gcore core of the program shows the same tasks', needsGcore(), async () => {
      const p = await programOf();
      const core = await gcore(p.pid, p.dir);
      try {
        const r = await runPyscope(['dump', '--core', core, '--async', '--json']);
        assert.equal(r.code, 0, describeFailure(r));
        checkJson(p, r.stdout);
      } finally {
        rmSync(core, { force: true });
      }
    });

    test('two tasks awaiting each other: each awaited by the other, the tree marks the cycle', async () => {
      const p = await startProgram(py, false, CYCLE);
      try {
        const text = await runPyscope(['dump', '--async', String(p.pid)]);
        assert.equal(text.code, 0, describeFailure(text));
        assert.match(text.stdout, /^  Task "A" \(pending, awaited by "B"\)\n {6}wait_for_other \(asyncio_cycle\.py:\d+\)$/m);
        assert.match(text.stdout, /^  Task "B" \(pending, awaited by "A"\)\n {6}wait_for_other \(asyncio_cycle\.py:\d+\)$/m);
        const tree = await runPyscope(['dump', '--tree', String(p.pid)]);
        assert.equal(tree.code, 0, describeFailure(tree));
        assert.match(tree.stdout, /\(T\) (A|B) \(cycle\)$/m);
      } finally {
        p.stop();
      }
    });

    test('100,000 tasks: at most 4096 read, the rest counted and said to be left out', async () => {
      const p = await startProgram(py, false, MANY);
      try {
        const r = await runPyscope(['dump', '--async', '--json', String(p.pid)]);
        assert.equal(r.code, 0, describeFailure(r));
        const loops = (JSON.parse(r.stdout) as { async: { loops: JsonLoop[] } }).async.loops;
        assert.equal(loops.length, 1);
        const loop = loops[0]!;
        assert.equal(loop.thread_name, 'MainThread');
        assert.equal(loop.tasks.length, 4096);
        // The 100,000 parked tasks and main (and on 3.8-3.11 the sleep's... none: sleep is no task).
        assert.equal(loop.total, 100_001);
        assert.equal(loop.left_out, loop.total - 4096);
        const text = await runPyscope(['dump', '--async', String(p.pid)]);
        assert.match(text.stdout, new RegExp(`^  \\.\\.\\. \\(${loop.total - 4096} more tasks not shown\\)$`, 'm'));
      } finally {
        p.stop();
      }
    });

    test('text: a block per loop, each task with its state and awaiters, innermost frame first', async () => {
      const p = await programOf();
      const r = await runPyscope(['dump', '--async', String(p.pid)]);
      assert.equal(r.code, 0, describeFailure(r));
      const main = p.truth.loops.find((l) => l.thread === 'MainThread')!;
      assert.match(r.stdout, /^Tasks of the event loop in thread \d+ "MainThread":$/m);
      assert.match(r.stdout, /^Tasks of the event loop in thread \d+ "second-loop":$/m);
      const fetch = main.tasks.find((x) => x.name === 'fetch-1')!;
      const block = [`  Task "fetch-1" (pending, awaited by "main")`, ...fetch.frames.map(([q, f, l]) => `      ${q} (${readableFile(f)}:${l})`)].join('\n');
      assert.ok(r.stdout.includes(block), `expected\n${block}\nin\n${r.stdout}`);
      assert.ok(r.stdout.includes(`  Task "shared" (pending, awaited by "waiter-a", "waiter-b")`), r.stdout);
      assert.ok(r.stdout.includes(`  Task "задача-λ" (pending)`), r.stdout);
    });

    test('--tree: each awaited task under its awaiters, a task awaited twice drawn twice', async () => {
      const p = await programOf();
      const r = await runPyscope(['dump', '--tree', String(p.pid)]);
      assert.equal(r.code, 0, describeFailure(r));
      assert.equal(r.stdout.match(/\(T\) (second-)?shared$/gm)?.length, 4, 'shared is awaited by two tasks in each of two loops');
      assert.match(r.stdout, /^[└├]── \(T\) main$/m);
      assert.match(r.stdout, /^([│ ]) {3}└── main \(asyncio_tasks\.py:\d+\)\n\1 {7}├── \(T\) fetch-1$/m);
    });

    if (py.version[1] >= 14) {
      // One loop: pstree of 3.14.x misreads the task names of a second thread's loop.
      test('python -m asyncio pstree of the same interpreter names the same tasks', async () => {
        const p = await startProgram(py, false);
        const theirs = await runCommand(py.path, ['-m', 'asyncio', 'pstree', String(p.pid)]);
        assert.equal(theirs.code, 0, describeFailure(theirs));
        const ours = await runPyscope(['dump', '--tree', String(p.pid)]);
        // pstree of 3.14.10 prints a name that is not ASCII as NUL bytes: those are compared by count.
        const lines = (text: string) => [...text.matchAll(/\(T\) (.+?)(?: \(cycle\))?$/gm)].map((m) => m[1]!);
        const names = (list: string[]) => [...new Set(list)].sort();
        const ascii = (n: string) => /^[\x20-\x7e]*$/.test(n);
        const ourLines = lines(ours.stdout);
        const theirLines = lines(theirs.stdout);
        const garbled = theirLines.filter((n) => n.includes('\0'));
        const readable = garbled.length > 0 ? ourLines.filter(ascii) : ourLines;
        assert.deepEqual(names(readable), names(theirLines.filter((n) => !n.includes('\0'))));
        assert.equal(garbled.length, ourLines.length - readable.length, 'the tasks pstree could not name are those with non-ASCII names');
        // pstree draws a task once under each task awaiting it: the same number of task lines.
        assert.equal(ourLines.length, theirLines.length);
      });
    }
  });
}
