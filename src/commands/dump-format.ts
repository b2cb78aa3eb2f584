// Text (py-spy style) and JSON renderings of a process snapshot. The JSON schema is documented in
// docs/dump-json.md; keep the two in step.
import { frameFile } from '../common/file-names.js';
import { basename } from 'node:path';
import type { Frame } from '../cpython/model/frames.js';
import { functionOf, type MergedFrame, type NativeFrameLike } from '../cpython/native-merge.js';
import type { NativeView } from '../cpython/native-stacks.js';
import type { ThreadSnapshot } from '../cpython/snapshot.js';

export interface DumpHeader {
  pid: number;
  command: string;
  version: string;
  binary: string;
  /** Set for core files: what killed the process. */
  crash?: { signal: string; address?: string; thread?: number };
}

export interface TextOptions {
  fullFilenames: boolean;
  /** The target's working directory, when known: the user's own files are named relative to it. */
  cwd?: string;
  locals: boolean;
  color?: boolean;
  /** --native: each thread's merged stack; frames of the call machinery are left out unless `nativeAll`. */
  native?: NativeOutput;
}

export interface NativeOutput {
  views: ReadonlyMap<ThreadSnapshot, NativeView>;
  all: boolean;
}

/** The frames of a thread's merged stack that are shown. */
function shownFrames(view: NativeView, all: boolean): MergedFrame[] {
  return view.stack.frames.filter((f) => all || f.kind === 'python' || !f.machinery);
}

/** `function (library.so)`, or `function (file.c:123)` where line information exists. */
export function nativeLine(n: NativeFrameLike, fullFilenames: boolean): string {
  const name = functionOf(n) ?? `0x${n.pc.toString(16)}`;
  if (n.file !== undefined && n.line !== undefined) return `${name} (${fullFilenames ? n.file : basename(n.file)}:${n.line})`;
  const where = n.module === undefined ? '?' : fullFilenames ? n.module : basename(n.module);
  return `${name} (${where})`;
}

function functionName(f: Frame): string {
  return f.code.qualname || f.code.name;
}

/** How the header words a thread's dealings with the GIL beyond holding it (pystack: "Waiting for the GIL", "Dropping the GIL"). */
const GIL_ACTIVITY: Record<NonNullable<ThreadSnapshot['gilState']>, string> = { waiting: 'waiting for gil', dropping: 'dropping gil' };

/**
 * `Thread 1234 (active+gil, gc): "MainThread"`: the kernel's status joined with holding the GIL as
 * before, then what else the thread is doing (waiting for or dropping the GIL, running the garbage
 * collector) and, when the process runs several interpreters, which one the thread belongs to.
 */
export function threadLabel(t: ThreadSnapshot, several?: { interpreters: boolean }): string {
  const id = t.nativeThreadId !== undefined ? String(t.nativeThreadId) : `0x${t.threadId.toString(16).toUpperCase()}`;
  const state = t.status === 'unknown' ? '' : t.status;
  const gil = t.holdsGil ? 'gil' : '';
  const first = [state, gil].filter(Boolean).join('+');
  const tags = [first, t.gilState ? GIL_ACTIVITY[t.gilState] : '', t.gc ? 'gc' : '', several?.interpreters ? `interpreter ${t.interpreterId}` : ''].filter(Boolean).join(', ');
  return `Thread ${id}${tags ? ` (${tags})` : ''}${t.name !== undefined ? `: "${t.name}"` : ''}`;
}

/** More than one interpreter among the threads (subinterpreters): the header then names each thread's. */
export function severalInterpreters(threads: readonly ThreadSnapshot[]): boolean {
  return new Set(threads.map((t) => t.interpreterId)).size > 1;
}

export function formatText(h: DumpHeader, threads: ThreadSnapshot[], o: TextOptions): string {
  const lines: string[] = [`Process ${h.pid}: ${h.command}`, `Python v${h.version} (${h.binary})`];
  if (h.crash) {
    lines.push(`Crashed: ${h.crash.signal}${h.crash.address ? ` at ${h.crash.address}` : ''}`);
  }
  lines.push('');
  const interpreters = severalInterpreters(threads);
  for (const t of threads) {
    const crashed = h.crash?.thread !== undefined && h.crash.thread === t.nativeThreadId ? ' [crashed]' : '';
    lines.push(threadLabel(t, { interpreters }) + crashed);
    const view = o.native?.views.get(t);
    const entries: MergedFrame[] = view ? shownFrames(view, o.native!.all) : t.frames.map((frame) => ({ kind: 'python', frame }));
    let pythonSeen = false;
    for (const entry of entries) {
      if (entry.kind === 'native') {
        lines.push(`    ${nativeLine(entry.frame, o.fullFilenames)}`);
        continue;
      }
      const f = entry.frame;
      if (view && !view.stack.merged && !pythonSeen) {
        if (view.unwindNote) lines.push(`    ... (native unwind stopped: ${view.unwindNote})`);
        lines.push(`    ... (${view.stack.note ?? 'not merged'}; the Python stack follows)`);
      }
      pythonSeen = true;
      const file = frameFile(f.code.filename, { full: o.fullFilenames, ...(o.cwd !== undefined ? { cwd: o.cwd } : {}) });
      lines.push(`    ${functionName(f)} (${file}:${f.line ?? '?'})`);
      if (o.locals && f.locals && f.locals.length) {
        const args = f.locals.filter((l) => l.kind === 'argument');
        const rest = f.locals.filter((l) => l.kind !== 'argument');
        if (args.length) {
          lines.push('        Arguments:');
          for (const l of args) lines.push(`            ${l.name}: ${l.value}`);
        }
        if (rest.length) {
          lines.push('        Locals:');
          for (const l of rest) lines.push(`            ${l.name}: ${l.value}`);
        }
      }
    }
    if (view && view.stack.merged && view.unwindNote) lines.push(`    ... (native unwind stopped: ${view.unwindNote})`);
    if (view && !view.stack.merged && !pythonSeen) lines.push(`    ... (${view.unwindNote ? `native unwind stopped: ${view.unwindNote}; ` : ''}${view.stack.note ?? 'not merged'})`);
    if (t.truncated) lines.push(`    ... (${t.truncated})`);
    lines.push('');
  }
  return lines.join('\n');
}

function pythonJson(f: Frame, locals: boolean): Record<string, unknown> {
  return {
    function: f.code.name,
    qualname: f.code.qualname ?? null,
    file: f.code.filename,
    line: f.line ?? null,
    first_line: f.code.firstLine,
    ...(locals ? { locals: (f.locals ?? []).map((l) => ({ name: l.name, kind: l.kind, value: l.value })) } : {}),
  };
}

function nativeJson(n: NativeFrameLike & { offset?: number }): Record<string, unknown> {
  return {
    kind: 'native',
    function: functionOf(n) ?? null,
    address: `0x${n.pc.toString(16)}`,
    library: n.module ?? null,
    ...(n.offset !== undefined && functionOf(n) !== undefined ? { offset: n.offset } : {}),
    ...(n.aliases !== undefined && functionOf(n) !== undefined ? { aliases: n.aliases } : {}),
    ...(n.file !== undefined ? { file: n.file, line: n.line ?? null } : {}),
  };
}

export function toJson(h: DumpHeader, threads: ThreadSnapshot[], locals: boolean, native?: NativeOutput): unknown {
  return {
    pid: h.pid,
    command: h.command,
    python: { version: h.version, binary: h.binary },
    ...(h.crash ? { crash: h.crash } : {}),
    threads: threads.map((t) => ({
      native_thread_id: t.nativeThreadId ?? null,
      thread_id: t.threadId,
      name: t.name ?? null,
      status: t.status,
      gil: t.holdsGil ?? null,
      gil_state: t.gilState ?? null,
      gil_locked: t.gilLocked ?? null,
      gil_last_holder: t.lastGilHolder ?? null,
      gc: t.gc ?? null,
      gc_collecting: t.gcCollecting ?? null,
      interpreter_id: t.interpreterId,
      ...(t.truncated ? { truncated: t.truncated } : {}),
      ...(t.torn ? { torn: true } : {}),
      ...nativeThreadJson(t, locals, native),
    })),
  };
}

function nativeThreadJson(t: ThreadSnapshot, locals: boolean, native: NativeOutput | undefined): Record<string, unknown> {
  const view = native?.views.get(t);
  if (!native || !view) return { frames: t.frames.map((f) => pythonJson(f, locals)) };
  return {
    native: {
      merged: view.stack.merged,
      ...(view.stack.note !== undefined ? { note: view.stack.note } : {}),
      ...(view.unwindNote !== undefined ? { unwind_note: view.unwindNote } : {}),
    },
    frames: shownFrames(view, native.all).map((f) => (f.kind === 'python' ? { kind: 'python', ...pythonJson(f.frame, locals) } : nativeJson(f.frame))),
  };
}
