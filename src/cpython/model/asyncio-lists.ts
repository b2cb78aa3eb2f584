// asyncio tasks from 3.14 on: each thread state heads a linked list of the tasks created in it (the
// interpreter one of tasks whose thread has gone), and the _asyncio module publishes where a task
// keeps its name, coroutine and awaiters (_Py_AsyncioModuleDebugOffsets, read by the caller from its
// .AsyncioDebug section). A task's awaited_by is one awaiter or a set of them. Bounded throughout.
import type { AsyncioBindings } from '../bindings.js';
import { setItems } from '../objects/containers.js';
import { Target, targetExited } from '../target.js';
import type { AsyncTask, EventLoopTasks } from './asyncio-tasks.js';
import { awaitersFirst, MAX_TASKS, taskName } from './asyncio-tasks.js';
import type { CodeCache } from './code.js';
import { coroutineStack } from './coroutines.js';
import type { ThreadState } from './threads.js';

type Section = Extract<AsyncioBindings, { via: 'debug-section' }>;

/** A list longer than this is counted no further (100,000 tasks are counted). */
const MAX_COUNTED = 1_000_000;
const MAX_AWAITERS = 1024;

/** The values of the _asyncio module's debug offsets, read from the target. */
export type AsyncioOffsets = (field: string) => number;

export function parseAsyncioSection(a: Section, raw: Buffer): AsyncioOffsets {
  return (field) => {
    const at = a.section[field];
    if (at === undefined) throw new Error(`no field ${field} in _Py_AsyncioModuleDebugOffsets`);
    return Number(raw.readBigUInt64LE(at));
  };
}

/** Checks that the offsets read look like offsets (a section of another layout fails here). */
export function plausibleSection(off: AsyncioOffsets): boolean {
  const size = off('asyncio_task_object.size');
  if (!(size > 0 && size < 4096)) return false;
  return ['task_name', 'task_awaited_by', 'task_is_task', 'task_awaited_by_is_set', 'task_coro', 'task_node'].every((f) => off(`asyncio_task_object.${f}`) < size);
}

/** The addresses of the tasks in the list headed at `head` (at most `max`), and how many it holds. */
function listTasks(t: Target, a: Section, off: AsyncioOffsets, head: number, max: number): { tasks: number[]; total: number; torn?: string } {
  const node = off('asyncio_task_object.task_node');
  const tasks: number[] = [];
  let total = 0;
  const seen = new Set<number>();
  for (let n = t.ptr(head + a.llistNext); n !== head; n = t.ptr(n + a.llistNext)) {
    if (n === 0) return { tasks, total, torn: 'the task list has a null link' };
    if (total >= MAX_COUNTED) return { tasks, total, torn: `the task list is longer than ${MAX_COUNTED}` };
    if (tasks.length < max) {
      if (seen.has(n)) return { tasks, total, torn: 'the task list has a cycle' };
      seen.add(n);
      tasks.push(n - node);
    }
    total++;
  }
  return { tasks, total };
}

function readTask(t: Target, codes: CodeCache, a: Section, off: AsyncioOffsets, task: number, runningTask: number): AsyncTask {
  const size = off('asyncio_task_object.size');
  const raw = t.read(task, size);
  const noTag = (v: number) => v - (v % 4);
  const name = taskName(t, noTag(t.pointerAt(raw, off('asyncio_task_object.task_name'))));
  const coro = noTag(t.pointerAt(raw, off('asyncio_task_object.task_coro')));
  const stack = coro ? coroutineStack(t, codes, a.coroutine, coro) : { frames: [] };
  const by = noTag(t.pointerAt(raw, off('asyncio_task_object.task_awaited_by')));
  const isSet = raw[off('asyncio_task_object.task_awaited_by_is_set')] !== 0;
  const awaiters = by === 0 ? [] : isSet ? setItems(t, by, MAX_AWAITERS).items : [by];
  const isTask = (obj: number) => t.read(obj + off('asyncio_task_object.task_is_task'), 1)[0] !== 0;
  return {
    address: task,
    name,
    state: task === runningTask ? 'running' : 'pending',
    awaitedBy: awaiters.filter((x) => x !== task && isTask(x)),
    frames: stack.frames,
    ...(stack.truncated ? { truncated: stack.truncated } : {}),
  };
}

/** The tasks of every thread of an interpreter (3.14+), one entry per thread with tasks. */
export function listedLoops(t: Target, codes: CodeCache, a: Section, off: AsyncioOffsets, interp: number, states: readonly ThreadState[]): EventLoopTasks[] {
  const out: EventLoopTasks[] = [];
  let budget = MAX_TASKS;
  const lists: { threadId?: number; head: number; running: number }[] = states.map((s) => ({
    threadId: s.threadId,
    head: s.address + off('asyncio_thread_state.asyncio_tasks_head'),
    running: t.ptr(s.address + off('asyncio_thread_state.asyncio_running_task')),
  }));
  lists.push({ head: interp + off('asyncio_interpreter_state.asyncio_tasks_head'), running: 0 });
  for (const l of lists) {
    const listed = listTasks(t, a, off, l.head, budget);
    if (listed.total === 0) continue;
    budget -= listed.tasks.length;
    const tasks: AsyncTask[] = [];
    for (const task of listed.tasks) {
      try {
        tasks.push(readTask(t, codes, a, off, task, l.running));
      } catch (e) {
        if (targetExited(e)) throw e;
      }
    }
    const shown = new Set(tasks.map((x) => x.address));
    for (const task of tasks) task.awaitedBy = task.awaitedBy.filter((x) => shown.has(x));
    out.push(awaitersFirst({ ...(l.threadId !== undefined ? { threadId: l.threadId } : {}), tasks, total: listed.total }));
  }
  return out;
}
