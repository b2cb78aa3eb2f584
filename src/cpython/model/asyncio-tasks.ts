// asyncio tasks as the model sees them, and how they are found before 3.14: asyncio.tasks' registries
// (_all_tasks, or _scheduled_tasks and _eager_tasks: a WeakSet and a set, whichever the version has)
// hold every task, whether the C Task (read with the declared TaskObj) or the pure-Python one (read
// by attribute). Who awaits a task is read from its done-callbacks: a task's wakeup (the task
// awaits it directly), a gather's or shield's closure over the outer future, wait_for's partial over
// its waiter future, a TaskGroup's bound method (its parent task). Every walk is bounded.
import type { AsyncioBindings } from '../bindings.js';
import { sequenceItems, setItems } from '../objects/containers.js';
import { dictEntries, valueOfName } from '../objects/dict.js';
import { readInt } from '../objects/numbers.js';
import { readName } from '../objects/strings.js';
import { type Target, targetExited } from '../target.js';
import type { CodeCache } from './code.js';
import { coroutineStack } from './coroutines.js';
import type { Frame } from './frames.js';
import { instanceDictEntries } from './instance-dict.js';

export type TaskState = 'running' | 'pending' | 'done' | 'cancelled';

export interface AsyncTask {
  address: number;
  name: string;
  state: TaskState;
  /** The tasks awaiting this one (directly, or through gather, a TaskGroup, wait_for or shield). */
  awaitedBy: number[];
  /** The task's coroutine stack, innermost first. */
  frames: Frame[];
  truncated?: string;
}

export interface EventLoopTasks {
  /** The loop object, where it is known (before 3.14). */
  loop?: number;
  /** threading.get_ident() of the thread running the loop, or owning the task list (3.14+). */
  threadId?: number;
  /** Why the loop's tasks are not shown (a loop that is not asyncio's: uvloop). */
  unsupported?: string;
  tasks: AsyncTask[];
  /** How many tasks the loop has; more than `tasks.length` when some were left out. */
  total: number;
}

/** Most tasks read per process (100,000 tasks are counted, not all shown). */
export const MAX_TASKS = 4096;
/** Most done-callbacks followed per future, and how deep through outer futures. */
const MAX_CALLBACKS = 256;
const MAX_HOPS = 6;
const MAX_MODULES = 20_000;
const MAX_BASES = 16;

type Registries = Extract<AsyncioBindings, { via: 'registries' }>;

/** The name of a task's name object: a str, or (3.12+ C tasks named lazily) the number of "Task-N". */
export function taskName(t: Target, obj: number): string {
  if (obj === 0) return '?';
  const tn = t.typeName(obj);
  if (tn === 'int') return `Task-${readInt(t, obj).value}`;
  return readName(t, obj, 256);
}

/** The tp_name of a type and of its bases, nearest first. */
function typeChain(t: Target, a: Registries, obj: number): string[] {
  const names: string[] = [];
  for (let type = t.typeOf(obj), i = 0; type !== 0 && i < MAX_BASES; type = t.ptr(type + a.typeBase), i++) {
    names.push(t.cstring(t.ptr(type + t.b.type.name), 256));
  }
  return names;
}

const C_TASK = '_asyncio.Task';
const C_FUTURE = '_asyncio.Future';
const PY_TASKS = new Set(['Task', '_PyTask']);
const PY_FUTURES = new Set(['Future', '_PyFuture']);

interface Kind {
  task: boolean;
  future: boolean;
  /** Laid out as the C TaskObj/FutureObj (else the pure-Python class, read by attribute). */
  c: boolean;
}

class RegistryReader {
  private kinds = new Map<number, Kind>();

  constructor(
    private t: Target,
    private a: Registries,
  ) {}

  kind(obj: number): Kind {
    const cached = this.kinds.get(obj);
    if (cached) return cached;
    const chain = typeChain(this.t, this.a, obj);
    const cTask = chain.includes(C_TASK);
    const cFuture = cTask || chain.includes(C_FUTURE);
    const k: Kind = {
      task: cTask || chain.some((n) => PY_TASKS.has(n)),
      future: cFuture || chain.some((n) => PY_TASKS.has(n) || PY_FUTURES.has(n)),
      c: cFuture,
    };
    this.kinds.set(obj, k);
    return k;
  }

  attr(obj: number, name: string): number | undefined {
    return valueOfName(this.t, instanceDictEntries(this.t, obj), name);
  }

  /** A future's done-callbacks (C: callback0 then the list of (callback, context); Python: _callbacks). */
  callbacks(obj: number): number[] {
    const t = this.t;
    const out: number[] = [];
    let list: number | undefined;
    if (this.kind(obj).c) {
      const first = t.ptr(obj + this.a.task.callback0);
      if (first) out.push(first);
      list = t.ptr(obj + this.a.task.callbacks);
    } else list = this.attr(obj, '_callbacks');
    if (list && t.typeName(list) === 'list') {
      for (const item of sequenceItems(t, list, 'list', MAX_CALLBACKS).items) {
        if (t.typeName(item) === 'tuple') {
          const cb = sequenceItems(t, item, 'tuple', 1).items[0];
          if (cb) out.push(cb);
        } else out.push(item);
      }
    }
    return out;
  }

  /** The tasks that wait for `future` to finish, through its done-callbacks. */
  awaiters(future: number, hops = 0, seen = new Set<number>()): number[] {
    if (hops > MAX_HOPS || seen.has(future)) return [];
    seen.add(future);
    const out: number[] = [];
    for (const cb of this.callbacks(future)) {
      for (const task of this.callbackTasks(cb, hops, seen)) if (!out.includes(task)) out.push(task);
    }
    return out;
  }

  private callbackTasks(cb: number, hops: number, seen: Set<number>): number[] {
    const t = this.t;
    const a = this.a;
    const type = t.typeName(cb);
    const viaFuture = (obj: number): number[] => (obj !== 0 && this.kind(obj).future ? this.awaiters(obj, hops + 1, seen) : []);
    if (type === 'TaskWakeupMethWrapper' && a.wakeupTask !== undefined) return [t.ptr(cb + a.wakeupTask)];
    if (type === 'builtin_function_or_method') {
      const self = t.ptr(cb + a.cfunctionSelf);
      return self !== 0 && this.kind(self).task ? [self] : [];
    }
    if (type === 'method') {
      const self = t.ptr(cb + a.methodSelf);
      if (self === 0) return [];
      if (this.kind(self).task) return [self];
      // A TaskGroup's _on_task_done: the group's parent task waits for its tasks.
      const parent = this.attr(self, '_parent_task');
      return parent !== undefined && this.kind(parent).task ? [parent] : [];
    }
    if (type === 'functools.partial') {
      const args = t.ptr(cb + a.partialArgs);
      return args ? sequenceItems(t, args, 'tuple', 8).items.flatMap(viaFuture) : [];
    }
    if (type === 'function') {
      const closure = t.ptr(cb + a.functionClosure);
      if (!closure) return [];
      return sequenceItems(t, closure, 'tuple', 32).items.flatMap((cell) => viaFuture(t.typeName(cell) === 'cell' ? t.ptr(cell + t.b.cell.ref) : 0));
    }
    return [];
  }

  readTask(codes: CodeCache, obj: number, running: boolean): { task: AsyncTask; loop: number } {
    const t = this.t;
    const a = this.a;
    let coro: number;
    let nameObj: number;
    let loop: number;
    let state: TaskState;
    if (this.kind(obj).c) {
      const raw = t.read(obj, a.task.size);
      const at = (o: number) => t.pointerAt(raw, o);
      coro = at(a.task.coro);
      nameObj = at(a.task.name);
      loop = at(a.task.loop);
      // Modules/_asynciomodule.c fut_state: STATE_PENDING, STATE_CANCELLED, STATE_FINISHED.
      state = (['pending', 'cancelled', 'done'] as const)[raw.readInt32LE(a.task.state)] ?? 'pending';
    } else {
      coro = this.attr(obj, '_coro') ?? 0;
      nameObj = this.attr(obj, '_name') ?? 0;
      loop = this.attr(obj, '_loop') ?? 0;
      const s = this.attr(obj, '_state');
      const text = s ? readName(t, s, 16) : 'PENDING';
      state = text === 'FINISHED' ? 'done' : text === 'CANCELLED' ? 'cancelled' : 'pending';
    }
    if (running && state === 'pending') state = 'running';
    const stack = state === 'pending' || state === 'running' ? coroutineStack(t, codes, a.coroutine, coro) : { frames: [] };
    return {
      task: { address: obj, name: taskName(t, nameObj), state, awaitedBy: [], frames: stack.frames, ...(stack.truncated ? { truncated: stack.truncated } : {}) },
      loop,
    };
  }
}

/** sys.modules[name].__dict__ of an interpreter, or undefined. */
function moduleDict(t: Target, interp: number, name: string): number | undefined {
  const off = t.b.interp.modules;
  if (off === undefined) return undefined;
  const modules = t.ptr(interp + off);
  if (!modules) return undefined;
  const mod = valueOfName(t, dictEntries(t, modules, MAX_MODULES).entries, name);
  return mod ? t.ptr(mod + t.b.module.dict) : undefined;
}

/** Every event loop with tasks in an interpreter, from asyncio.tasks' registries (before 3.14). */
export function registryLoops(t: Target, codes: CodeCache, a: Registries, interp: number): EventLoopTasks[] {
  const dict = moduleDict(t, interp, 'asyncio.tasks');
  if (dict === undefined) return [];
  const globals = dictEntries(t, dict, 10_000).entries;
  const r = new RegistryReader(t, a);
  const found: number[] = [];
  let total = 0;
  for (const name of ['_all_tasks', '_scheduled_tasks', '_eager_tasks']) {
    const reg = valueOfName(t, globals, name);
    if (reg === undefined) continue;
    let set = reg;
    if (t.typeName(reg) !== 'set') {
      // A weakref.WeakSet: its `data` is a set of weak references to the tasks.
      const data = r.attr(reg, 'data');
      if (data === undefined) continue;
      set = data;
    }
    const items = setItems(t, set, MAX_TASKS - found.length);
    total += items.total;
    for (const item of items.items) {
      const task = t.typeName(item) === 'set' ? 0 : t.typeName(item).includes('weakref') || t.typeName(item) === 'KeyedRef' ? t.ptr(item + a.weakrefObject) : item;
      if (task !== 0 && t.typeName(task) !== 'NoneType' && !found.includes(task)) found.push(task);
    }
  }
  const current = new Map<number, number>();
  const currentDict = valueOfName(t, globals, '_current_tasks');
  if (currentDict !== undefined && t.typeName(currentDict) === 'dict') for (const [loop, task] of dictEntries(t, currentDict, 4096).entries) current.set(loop, task);
  const running = new Set(current.values());

  const loops = new Map<number, EventLoopTasks>();
  for (const obj of found) {
    let read: { task: AsyncTask; loop: number };
    try {
      if (!r.kind(obj).task) continue;
      read = r.readTask(codes, obj, running.has(obj));
    } catch (e) {
      if (targetExited(e)) throw e;
      continue;
    }
    let entry = loops.get(read.loop);
    if (!entry) {
      entry = { loop: read.loop, tasks: [], total: 0, ...loopThread(t, r, read.loop) };
      loops.set(read.loop, entry);
    }
    entry.tasks.push(read.task);
    entry.total++;
  }
  // Tasks past the bound were counted by the registries but not read: they are the first loop's to say.
  const shown = [...loops.values()].reduce((n, l) => n + l.tasks.length, 0);
  const first = [...loops.values()][0];
  if (first && total > shown) first.total += total - shown;
  for (const entry of loops.values()) {
    const byAddress = new Set(entry.tasks.map((x) => x.address));
    for (const task of entry.tasks) {
      try {
        task.awaitedBy = r.awaiters(task.address).filter((x) => byAddress.has(x) && x !== task.address);
      } catch (e) {
        if (targetExited(e)) throw e;
      }
    }
  }
  return [...loops.values()].map(awaitersFirst);
}

/**
 * The loop's tasks in a stable order: the tasks nobody awaits by name, each followed by the tasks it
 * awaits (depth first, by name); tasks only reached through a cycle last.
 */
export function awaitersFirst(loop: EventLoopTasks): EventLoopTasks {
  const byName = (x: AsyncTask, y: AsyncTask) => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.address - y.address);
  const present = new Set(loop.tasks.map((x) => x.address));
  const awaited = new Map<number, AsyncTask[]>();
  for (const task of loop.tasks) for (const a of task.awaitedBy) awaited.set(a, [...(awaited.get(a) ?? []), task]);
  const out: AsyncTask[] = [];
  const placed = new Set<number>();
  const visit = (task: AsyncTask) => {
    if (placed.has(task.address)) return;
    placed.add(task.address);
    out.push(task);
    for (const k of (awaited.get(task.address) ?? []).sort(byName)) visit(k);
  };
  const named = new Map(loop.tasks.map((x) => [x.address, x]));
  // Awaiters by name too: a set of them (3.14+) has no order of its own.
  for (const task of loop.tasks) task.awaitedBy.sort((x, y) => byName(named.get(x) ?? task, named.get(y) ?? task) || x - y);
  const sorted = [...loop.tasks].sort(byName);
  for (const task of sorted) if (task.awaitedBy.every((a) => !present.has(a))) visit(task);
  for (const task of sorted) visit(task);
  return { ...loop, tasks: out };
}

/** The thread running a loop (BaseEventLoop._thread_id), or why the loop cannot be read. */
function loopThread(t: Target, r: RegistryReader, loop: number): Pick<EventLoopTasks, 'threadId' | 'unsupported'> {
  if (loop === 0) return {};
  const type = t.typeName(loop);
  const id = r.attr(loop, '_thread_id');
  if (id === undefined) return { unsupported: `its loop is a ${type}, not an asyncio event loop (uvloop and other loops are not supported)` };
  return t.typeName(id) === 'int' ? { threadId: Number(readInt(t, id).value) } : {};
}
