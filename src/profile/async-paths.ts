// record --async-aware: a sample of a thread running an event loop is attributed to the logical
// path of its running task: the thread's frames down to the task's coroutine, then the task, then
// the tasks awaiting it (each with its own coroutine stack), so that a flame graph of an asyncio
// server shows its handlers under the tasks that wait for them rather than under run_forever. Each
// task that is not running becomes a sample of its own, idle, kept only under --idle.
import type { AsyncSnapshot } from '../cpython/asyncio-snapshot.js';
import type { AsyncTask, EventLoopTasks } from '../cpython/model/asyncio-tasks.js';
import type { Frame } from '../cpython/model/frames.js';
import type { ThreadSnapshot } from '../cpython/snapshot.js';
import type { SampleFrame, ThreadSample } from './sample.js';

/** The longest chain of awaiting tasks followed above a task. */
const MAX_AWAITERS = 256;

function pythonFrame(f: Frame): SampleFrame {
  return { name: f.code.qualname || f.code.name, file: f.code.filename, line: f.line ?? f.code.firstLine, firstLine: f.code.firstLine };
}

/** The frame that stands for a task in a logical path. */
function taskFrame(task: AsyncTask): SampleFrame {
  return { name: `Task "${task.name}"`, file: '<asyncio>', line: 0, firstLine: 0 };
}

/** The task and the tasks awaiting it, each one's frames innermost first: the path above a frame of `task`. */
function awaiterPath(loop: EventLoopTasks, task: AsyncTask): SampleFrame[] {
  const byAddress = new Map(loop.tasks.map((x) => [x.address, x]));
  const out: SampleFrame[] = [taskFrame(task)];
  const seen = new Set([task.address]);
  for (let at = byAddress.get(task.awaitedBy[0] ?? -1); at && !seen.has(at.address) && seen.size < MAX_AWAITERS; at = byAddress.get(at.awaitedBy[0] ?? -1)) {
    seen.add(at.address);
    out.push(...at.frames.map(pythonFrame), taskFrame(at));
  }
  return out;
}

/**
 * The samples of the threads that run event loops, rewritten: the running task's logical path in
 * place of the loop's frames below it, and one idle sample per task waiting. Threads without a
 * loop, and a loop whose running task's frames are not on its thread's stack (it moved on between
 * the two reads), keep their samples as they were.
 */
export function asyncAwareSamples(samples: ThreadSample[], threads: readonly ThreadSnapshot[], tasks: AsyncSnapshot): ThreadSample[] {
  const out = [...samples];
  for (const loop of tasks.loops) {
    if (loop.unsupported || loop.threadId === undefined) continue;
    const index = out.findIndex((s) => s.threadId === loop.threadId);
    const thread = threads.find((x) => x.threadId === loop.threadId);
    if (index < 0 || !thread) continue;
    const base = out[index]!;
    const running = loop.tasks.find((x) => x.state === 'running');
    const outermost = running?.frames[running.frames.length - 1];
    const cut = outermost ? thread.frames.findIndex((f) => f.address === outermost.address) : -1;
    if (running && cut >= 0) {
      out[index] = { ...base, frames: [...thread.frames.slice(0, cut + 1).map(pythonFrame), ...awaiterPath(loop, running)] };
    }
    for (const task of loop.tasks) {
      if (task.state !== 'pending') continue;
      out.push({ ...base, active: false, holdsGil: false, frames: [...task.frames.map(pythonFrame), ...awaiterPath(loop, task)] });
    }
  }
  return out;
}
