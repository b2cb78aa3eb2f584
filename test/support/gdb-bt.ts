// gdb as the truth about native stacks: attaches to a pid (or opens a core) in batch mode and
// returns each thread's frames as `thread apply all bt` lists them, innermost first. The frames
// are read through gdb's Python API (the same frame unwinder `bt` prints from), so that inlined
// frames are marked as such and each frame comes with its pc and library instead of being scraped
// from text whose shape changes with the arguments gdb prints; the text of `thread apply all bt`
// is kept for failure messages.
import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { onPath, requireTool, type SkipOption } from './requirements.js';
import { scaled } from './timeouts.js';

export interface GdbFrame {
  /** gdb's function name, or undefined where gdb prints `??`. */
  name?: string;
  pc: number;
  /** A frame gdb synthesizes for a function inlined into the next physical frame (same pc). */
  inline: boolean;
  /**
   * A frame gdb synthesizes from DWARF call-site information for a function that tail-called the
   * one below it (a `jmp`): it has no frame of its own on the stack, so no unwinder can see it.
   */
  tailcall: boolean;
  /** The library (or executable) holding pc, as a full path, when gdb knows it. */
  library?: string;
  /** Source file and line, where debug information says. */
  file?: string;
  line?: number;
}

export interface GdbThread {
  lwp: number;
  frames: GdbFrame[];
  /** Why gdb's unwind ended before the outermost frame (gdb's "Backtrace stopped: ..."), if it did. */
  stopped?: string;
}

export interface GdbBacktrace {
  threads: Map<number, GdbThread>;
  /** `thread apply all bt` as gdb printed it. */
  text: string;
}

/** Frames gdb may list per thread before we stop reading (a corrupt stack can loop). */
const MAX_FRAMES = 512;
const GDB_LIMIT_MS = scaled(120_000);
const MARK = 'PYSCOPE-GDB ';

// Walks every thread in gdb's own Python: one JSON line per thread.
const SCRIPT = `
import json
def _lib(pc):
    name = gdb.solib_name(pc)
    if name:
        return name
    try:
        o = gdb.current_progspace().objfile_for_address(pc)
        return o.filename if o else None
    except Exception:
        return gdb.current_progspace().filename
for t in sorted(gdb.selected_inferior().threads(), key=lambda t: t.ptid[1]):
    t.switch()
    out = []
    try:
        f = gdb.newest_frame()
    except gdb.error:
        f = None
    stopped = None
    while f is not None and len(out) < ${MAX_FRAMES}:
        sal = f.find_sal()
        out.append({'name': f.name(), 'pc': f.pc(), 'inline': f.type() == gdb.INLINE_FRAME, 'tailcall': f.type() == gdb.TAILCALL_FRAME, 'library': _lib(f.pc()),
                    'file': sal.symtab.filename if sal and sal.symtab else None, 'line': sal.line if sal and sal.symtab else None})
        try:
            older = f.older()
        except gdb.error as e:
            stopped = str(e)
            break
        if older is None and f.unwind_stop_reason() not in (gdb.FRAME_UNWIND_NO_REASON, gdb.FRAME_UNWIND_OUTERMOST):
            stopped = gdb.frame_stop_reason_string(f.unwind_stop_reason())
        f = older
    print('${MARK}' + json.dumps({'lwp': t.ptid[1], 'frames': out, 'stopped': stopped}))
`;

export function gdbAvailable(): boolean {
  return onPath('gdb');
}

/** node:test options of a test that asks gdb. */
export function needsGdb(): SkipOption {
  return requireTool('gdb', gdbAvailable(), '.ci/run installs gdb');
}

/**
 * The executable gdb must load for a process: /proc/PID/exe, unless that is a dynamic loader that
 * runs the program (Debian sid's interpreters here start as `ld-linux... python3.X`), in which
 * case the first mapped file that is not the loader is the program.
 */
export function programOf(pid: number): string {
  const exe = readlinkSync(`/proc/${pid}/exe`);
  if (!/^ld-linux/.test(basename(exe))) return exe;
  for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    const path = line.split(/\s+/).slice(5).join(' ');
    if (path.startsWith('/') && path !== exe) return path;
  }
  return exe;
}

/** gdb's backtrace of every thread of a live process (attached briefly, then detached). */
export function gdbLive(pid: number): Promise<GdbBacktrace> {
  return runGdb(['-ex', `file ${programOf(pid)}`, '-ex', `attach ${pid}`]);
}

/** gdb's backtrace of every thread of a core; `program` is the executable that ran. */
export function gdbCore(core: string, program: string): Promise<GdbBacktrace> {
  return runGdb(['-ex', `file ${program}`, '-ex', `core-file ${core}`]);
}

function runGdb(open: string[]): Promise<GdbBacktrace> {
  const args = [
    '-nx',
    '-batch',
    '-iex',
    'set pagination off',
    '-iex',
    'set exec-file-mismatch off',
    '-iex',
    'set auto-load safe-path /',
    // gdb stops at main by default: the unwinder under test goes on to libc's start frames.
    '-iex',
    'set backtrace past-main on',
    ...open,
    '-ex',
    'thread apply all bt',
    '-ex',
    `python\n${SCRIPT}\nend`,
  ];
  return new Promise((resolve, reject) => {
    execFile('gdb', args, { encoding: 'utf8', timeout: GDB_LIMIT_MS, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const threads = parseGdbThreads(stdout);
      if (threads.size === 0) {
        reject(new Error(`gdb gave no backtrace${error ? ` (${error.message})` : ''}: ${stderr.slice(-1000)}`));
        return;
      }
      const text = stdout
        .split('\n')
        .filter((l) => !l.startsWith(MARK))
        .join('\n');
      resolve({ threads, text });
    });
  });
}

interface RawFrame {
  name: string | null;
  pc: number;
  inline: boolean;
  tailcall: boolean;
  library: string | null;
  file: string | null;
  line: number | null;
}

/** The JSON lines the script prints, one per thread; anything else gdb says is left alone. */
export function parseGdbThreads(stdout: string): Map<number, GdbThread> {
  const out = new Map<number, GdbThread>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(MARK)) continue;
    const raw = JSON.parse(line.slice(MARK.length)) as { lwp: number; frames: RawFrame[]; stopped: string | null };
    out.set(raw.lwp, {
      lwp: raw.lwp,
      ...(raw.stopped ? { stopped: raw.stopped } : {}),
      frames: raw.frames.map((f) => ({
        name: f.name ?? undefined,
        pc: f.pc,
        inline: f.inline,
        tailcall: f.tailcall,
        library: f.library ?? undefined,
        file: f.file ?? undefined,
        line: f.line ?? undefined,
      })),
    });
  }
  return out;
}

/** The frames that are real calls on the stack (what an unwinder sees): inlined and tail-called ones left out. */
export function physicalFrames(t: GdbThread): GdbFrame[] {
  return t.frames.filter((f) => !f.inline && !f.tailcall);
}

/**
 * A function name with glibc's internal aliases and the compiler's suffixes taken off (`__GI___libc_read` and `read` are the
 * same code, named by the debug information or by the symbol table), for comparing names that
 * two tools found by different routes.
 */
export function baseName(name: string): string {
  // The symbol table names a compiler's copies and parts (`f.constprop.0`, `f.part.0`, `f.cold`); DWARF names the function.
  const dot = name.indexOf('.');
  return (dot > 0 ? name.slice(0, dot) : name)
    .replace(/^__GI_/, '')
    .replace(/^_+/, '')
    .replace(/^libc_/, '')
    .replace(/^_+/, '');
}
