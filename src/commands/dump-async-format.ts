// dump --async: the tasks of each event loop as text (one block per loop), as an awaited-by tree
// (--tree, drawn as `python -m asyncio pstree` draws it) and as JSON (docs/dump-json.md, "async").
import { frameFile, type FileNaming } from '../common/file-names.js';
import type { AsyncSnapshot } from '../cpython/asyncio-snapshot.js';
import type { AsyncTask, EventLoopTasks } from '../cpython/model/asyncio-tasks.js';
import type { Frame } from '../cpython/model/frames.js';
import type { ThreadSnapshot } from '../cpython/snapshot.js';

function hex(a: number): string {
  return `0x${a.toString(16)}`;
}

function frameText(f: Frame, naming: FileNaming): string {
  return `${f.code.qualname || f.code.name} (${frameFile(f.code.filename, naming)}:${f.line ?? '?'})`;
}

/** `thread 4242 "MainThread"`, as the thread's header names it. */
function threadText(loop: EventLoopTasks, threads: readonly ThreadSnapshot[]): string | undefined {
  if (loop.threadId === undefined) return undefined;
  const th = threads.find((x) => x.threadId === loop.threadId);
  const id = th?.nativeThreadId !== undefined ? String(th.nativeThreadId) : `0x${loop.threadId.toString(16).toUpperCase()}`;
  return `thread ${id}${th?.name !== undefined ? ` "${th.name}"` : ''}`;
}

function heading(loop: EventLoopTasks, threads: readonly ThreadSnapshot[]): string {
  const where = threadText(loop, threads);
  return where ? `Tasks of the event loop in ${where}` : 'Tasks of an event loop that no thread is running';
}

function leftOut(loop: EventLoopTasks): number {
  return Math.max(0, loop.total - loop.tasks.length);
}

export function formatAsyncText(s: AsyncSnapshot, threads: readonly ThreadSnapshot[], naming: FileNaming): string {
  // A blank line after the last thread's stack, as between threads.
  const lines: string[] = [''];
  if (s.note) lines.push(`No asyncio tasks: ${s.note}`, '');
  else if (s.loops.length === 0) lines.push('No asyncio tasks.', '');
  for (const loop of s.loops) {
    if (loop.unsupported) {
      lines.push(`${heading(loop, threads)}: not supported: ${loop.unsupported}`, '');
      continue;
    }
    lines.push(`${heading(loop, threads)}:`);
    const names = new Map(loop.tasks.map((x) => [x.address, x.name]));
    for (const task of loop.tasks) {
      const by = task.awaitedBy.map((x) => `"${names.get(x) ?? hex(x)}"`);
      lines.push(`  Task "${task.name}" (${task.state}${by.length ? `, awaited by ${by.join(', ')}` : ''})`);
      for (const f of task.frames) lines.push(`      ${frameText(f, naming)}`);
      if (task.truncated) lines.push(`      ... (${task.truncated})`);
    }
    const n = leftOut(loop);
    if (n > 0) lines.push(`  ... (${n} more task${n === 1 ? '' : 's'} not shown)`);
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * The awaited-by tree: each task that nobody awaits is a root; under a task, its coroutine stack
 * from the outermost frame in, and under the innermost frame the tasks that it awaits. A task met
 * again on its own path is a cycle, marked and not followed; tasks only reached through a cycle
 * start trees of their own.
 */
export function formatAsyncTree(s: AsyncSnapshot, threads: readonly ThreadSnapshot[], naming: FileNaming): string {
  const lines: string[] = [''];
  if (s.note) lines.push(`No asyncio tasks: ${s.note}`, '');
  for (const loop of s.loops) {
    if (loop.unsupported) {
      lines.push(`${heading(loop, threads)}: not supported: ${loop.unsupported}`, '');
      continue;
    }
    lines.push(`${heading(loop, threads)}:`);
    const byAddress = new Map(loop.tasks.map((x) => [x.address, x]));
    const children = new Map<number, AsyncTask[]>();
    for (const task of loop.tasks) for (const a of task.awaitedBy) children.set(a, [...(children.get(a) ?? []), task]);
    const drawn = new Set<number>();
    const draw = (task: AsyncTask, prefix: string, last: boolean, path: Set<number>) => {
      const cycle = path.has(task.address);
      lines.push(`${prefix}${last ? '└── ' : '├── '}(T) ${task.name}${cycle ? ' (cycle)' : ''}`);
      if (cycle) return;
      drawn.add(task.address);
      let inner = prefix + (last ? '    ' : '│   ');
      const frames = [...task.frames].reverse();
      for (const f of frames) {
        lines.push(`${inner}└── ${frameText(f, naming)}`);
        inner += '    ';
      }
      const kids = children.get(task.address) ?? [];
      const next = new Set(path).add(task.address);
      kids.forEach((k, i) => draw(k, inner, i === kids.length - 1, next));
    };
    const roots = loop.tasks.filter((x) => x.awaitedBy.every((a) => !byAddress.has(a)));
    roots.forEach((r, i) => draw(r, '', i === roots.length - 1 && roots.length === loop.tasks.length, new Set()));
    for (const task of loop.tasks) if (!drawn.has(task.address)) draw(task, '', true, new Set());
    const n = leftOut(loop);
    if (n > 0) lines.push(`... (${n} more task${n === 1 ? '' : 's'} not shown)`);
    lines.push('');
  }
  return lines.join('\n');
}

function frameJson(f: Frame): Record<string, unknown> {
  return { function: f.code.name, qualname: f.code.qualname ?? null, file: f.code.filename, line: f.line ?? null, first_line: f.code.firstLine };
}

export function asyncJson(s: AsyncSnapshot, threads: readonly ThreadSnapshot[]): Record<string, unknown> {
  return {
    ...(s.note ? { note: s.note } : {}),
    loops: s.loops.map((loop) => {
      const th = loop.threadId === undefined ? undefined : threads.find((x) => x.threadId === loop.threadId);
      return {
        thread_id: loop.threadId ?? null,
        native_thread_id: th?.nativeThreadId ?? null,
        thread_name: th?.name ?? null,
        loop: loop.loop !== undefined ? hex(loop.loop) : null,
        ...(loop.unsupported ? { unsupported: loop.unsupported } : {}),
        total: loop.total,
        left_out: leftOut(loop),
        tasks: loop.unsupported
          ? []
          : loop.tasks.map((task) => ({
              id: hex(task.address),
              name: task.name,
              state: task.state,
              awaited_by: task.awaitedBy.map(hex),
              frames: task.frames.map(frameJson),
              ...(task.truncated ? { truncated: task.truncated } : {}),
            })),
      };
    }),
  };
}
