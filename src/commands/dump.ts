// `pyscope dump`: the Python stack of every thread of a live process.
import { ExitCode, PyscopeError } from '../common/errors.js';
import { formatVersion } from '../cpython/discover/detect-version.js';
import { DEFAULT_LIMITS } from '../cpython/objects/render.js';
import { exitedOr, openLiveProcess, type LiveProcess } from '../cpython/process.js';
import { liveNativeStacks, mergeThreads, type NativeView } from '../cpython/native-stacks.js';
import { snapshot, type ThreadSnapshot } from '../cpython/snapshot.js';
import { commandLine, taskIds, threadStatus, workingDirectory } from '../memory/proc.js';
import { asyncSnapshot } from '../cpython/asyncio-snapshot.js';
import { asyncJson, formatAsyncText, formatAsyncTree } from './dump-async-format.js';
import { formatText, toJson, type NativeOutput } from './dump-format.js';
import { parsePid } from './pid-arg.js';
import { parseOptions, usageError } from './options.js';
import { pythonLookingPids } from './python-processes.js';

const HELP = `usage: pyscope dump [options] PID
       pyscope dump [options] --pid PID [--pid PID ...]
       pyscope dump [options] --all

Prints the Python stack of every thread of a running process, innermost frame first. Several
processes are read one after another, each under its own header (Process PID: command line); one
that cannot be read gets one line saying why (Process PID (command): not read: ...) and the
others are still read.

options:
  -p, --pid PID          the process (or give PID as the argument); repeat for several
  -a, --all              every Python process this user may read (those pyscope ps lists)
  -l, --locals           show arguments and local variables of each frame
  -j, --json             print JSON (schema: docs/dump-json.md)
      --full-filenames   show full paths instead of file names
      --native           show native (C) frames too, each call of the interpreter's evaluation
                         loop replaced by the Python frames it runs. A live process is not
                         stopped as a whole: each thread is stopped (ptrace) only while its
                         registers and stack are copied, then let go before the next one
      --native-all       --native, also showing the interpreter's own call machinery
      --async            after the threads, the asyncio tasks of each event loop: name, state,
                         who awaits each, and its coroutine stack (CPython 3.8+)
      --tree             (implies --async) draw the tasks as an awaited-by tree, like
                         python -m asyncio pstree
      --core FILE        read a core file instead of a live process
      --exe PATH         (with --core) the executable the process ran, if not where the core says
      --lib-search-path DIR  (with --core, repeatable) folder holding the core's libraries
  -h, --help             show this help

With several processes, --json prints one array: each process's object, or {"pid", "error",
"exitCode"} for one not read. Exit status: 0 when every process was read (with --all, also when
one ended before its turn, or none was found); else that of the first process not read, as
pyscope dump PID would exit for it alone (3 no such process, 4 permission, 5 not Python, ...).
`;

/** Snapshots are read again while a thread is torn (it changed under the reader), at most this often. */
const ATTEMPTS = 3;

export async function dumpCommand(args: string[]): Promise<number> {
  const parsed = parseOptions('dump', {
    args,
    allowPositionals: true,
    options: {
      pid: { type: 'string', short: 'p', multiple: true },
      all: { type: 'boolean', short: 'a', default: false },
      locals: { type: 'boolean', short: 'l', default: false },
      json: { type: 'boolean', short: 'j', default: false },
      'full-filenames': { type: 'boolean', default: false },
      native: { type: 'boolean', default: false },
      'native-all': { type: 'boolean', default: false },
      async: { type: 'boolean', default: false },
      tree: { type: 'boolean', default: false },
      core: { type: 'string' },
      exe: { type: 'string' },
      'lib-search-path': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const o = parsed.values;
  if (o.help) {
    process.stdout.write(HELP);
    return ExitCode.ok;
  }
  const native = o.native || o['native-all'];
  const pidOptions = o.pid ?? [];
  // Options that cannot both hold are refused rather than one silently winning.
  if (o.core !== undefined && (pidOptions.length > 0 || parsed.positionals.length > 0 || o.all)) {
    throw usageError('dump', `give either a process (${o.all ? '--all' : pidOptions.length > 0 ? `--pid ${pidOptions[0]}` : parsed.positionals[0]}) or --core FILE, not both`);
  }
  if (o.core === undefined && o.exe !== undefined) {
    throw usageError('dump', '--exe is for --core: a live process is read through the executable it runs (/proc/PID/exe and its mappings)');
  }
  if (o.core === undefined && o['lib-search-path'] !== undefined) {
    throw usageError('dump', '--lib-search-path is for --core: a live process is read through the libraries it has mapped');
  }
  const tasks = o.async || o.tree ? { tree: o.tree } : undefined;
  if (o.core !== undefined) {
    const { dumpCore } = await import('./dump-core.js');
    return dumpCore(o.core, { exe: o.exe, libSearchPath: o['lib-search-path'] ?? [], locals: o.locals, json: o.json, fullFilenames: o['full-filenames'], native, nativeAll: o['native-all'], tasks });
  }
  const opts: DumpOptions = { locals: o.locals, json: o.json, fullFilenames: o['full-filenames'], native, nativeAll: o['native-all'], tasks };
  if (o.all) {
    if (pidOptions.length > 0 || parsed.positionals.length > 0) throw usageError('dump', `--all reads every Python process: give it no pid (got ${pidOptions[0] ?? parsed.positionals[0]})`);
    return dumpMany(pythonLookingPids(), opts, true);
  }
  if (pidOptions.length > 1) {
    if (parsed.positionals.length > 0) throw usageError('dump', `unexpected argument "${parsed.positionals[0]}" (the processes are given with --pid)`);
    return dumpMany(pidOptions.map((p) => parsePid([], p, 'dump')), opts, false);
  }
  const pid = parsePid(parsed.positionals, pidOptions[0], 'dump');
  process.stdout.write(dumpProcess(pid, opts).text);
  return ExitCode.ok;
}

interface DumpOptions {
  locals: boolean;
  json: boolean;
  fullFilenames: boolean;
  native: boolean;
  nativeAll: boolean;
  tasks: { tree: boolean } | undefined;
}

/**
 * Several processes in turn, in this one Node process (what a tool started once per process
 * pays for each, start-up and the interpreter's layouts, is paid once). A process that cannot be
 * read is one line, and the next is read. Under --all a process that ended before its turn, or
 * turned out not to be Python (a file named python* mapped by something else), is no failure:
 * it was only a candidate.
 */
function dumpMany(pids: number[], opts: DumpOptions, all: boolean): number {
  let status: number = ExitCode.ok;
  const json: unknown[] = [];
  let first = true;
  for (const pid of pids) {
    let text: string;
    try {
      const read = dumpProcess(pid, opts);
      text = read.text;
      if (opts.json) json.push(read.json);
    } catch (e) {
      const code = e instanceof PyscopeError ? e.exitCode : ExitCode.failure;
      const message = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
      const excused = all && (code === ExitCode.processExited || code === ExitCode.noSuchProcess || code === ExitCode.notPython);
      if (!excused && status === ExitCode.ok) status = code;
      if (opts.json) json.push({ pid, error: message, exitCode: code });
      text = `Process ${pid}${described(pid)}: not read: ${message}\n`;
    }
    if (!opts.json) {
      process.stdout.write(first ? text : `\n${text}`);
      first = false;
    }
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else if (pids.length === 0) process.stderr.write('pyscope: no Python process found that this user may read\n');
  return status;
}

/** " (its command line)" for the line of a process not read, when it can still be told. */
function described(pid: number): string {
  try {
    const line = commandLine(pid);
    return line ? ` (${line.length > 100 ? `${line.slice(0, 97)}...` : line})` : '';
  } catch {
    return '';
  }
}

/** One live process's dump, as text (or JSON text) and, for --json, as the object. */
function dumpProcess(pid: number, o: DumpOptions): { text: string; json?: unknown } {
  const proc = openLiveProcess(pid);
  try {
    let threads: ThreadSnapshot[];
    let nativeOut: NativeOutput | undefined;
    if (o.native) {
      const read = readNative(proc, o.locals);
      threads = read.threads;
      nativeOut = { views: read.views, all: o.nativeAll };
    } else threads = readThreads(proc, o.locals, false);
    const header = { pid, command: proc.commandLine, version: formatVersion(proc.version), binary: proc.image.path };
    // The tasks are read after the threads, from the same fresh pages: a parked loop has not moved.
    const tasksRead = o.tasks ? asyncSnapshot(proc) : undefined;
    // The user's own files are named relative to the target's working directory.
    const naming = { full: o.fullFilenames, cwd: workingDirectory(pid) };
    if (process.env.PYSCOPE_STATS) process.stderr.write(`reads=${proc.memory.readCount}\n`);
    if (o.json) {
      const json = { ...(toJson(header, threads, o.locals, nativeOut) as Record<string, unknown>), ...(tasksRead ? { async: asyncJson(tasksRead, threads) } : {}) };
      return { text: JSON.stringify(json, null, 2) + '\n', json };
    }
    return {
      text:
        formatText(header, threads, { fullFilenames: naming.full, cwd: naming.cwd, locals: o.locals, native: nativeOut }) +
        (tasksRead ? (o.tasks!.tree ? formatAsyncTree : formatAsyncText)(tasksRead, threads, naming) : ''),
    };
  } catch (e) {
    throw exitedOr(pid, e);
  } finally {
    proc.memory.close();
  }
}

/**
 * --native: the native stacks first, each copied while its thread is held for a moment, then the
 * Python frames, read from the running process (a thread blocked in C has not moved meanwhile).
 * A thread that ran on in between may not merge: the whole read is taken again, up to ATTEMPTS
 * times, and the one with the fewest unmerged threads is shown.
 */
function readNative(proc: LiveProcess, locals: boolean): { threads: ThreadSnapshot[]; views: Map<ThreadSnapshot, NativeView> } {
  let best: { threads: ThreadSnapshot[]; views: Map<ThreadSnapshot, NativeView>; unmerged: number } | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const stacks = liveNativeStacks(proc, taskIds(proc.pid));
    const threads = readThreads(proc, locals, true);
    const views = mergeThreads(proc, threads, stacks);
    const unmerged = [...views.values()].filter((v) => !v.stack.merged).length;
    if (!best || unmerged < best.unmerged) best = { threads, views, unmerged };
    if (unmerged === 0) break;
  }
  return best!;
}

/** The snapshot with the fewest torn threads of up to ATTEMPTS. */
function readThreads(proc: LiveProcess, locals: boolean, evalMarks: boolean): ThreadSnapshot[] {
  let best: { threads: ThreadSnapshot[]; torn: number } | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const threads = snapshot(proc, {
      locals: locals ? DEFAULT_LIMITS : undefined,
      tasks: { ids: taskIds(proc.pid), status: (tid) => threadStatus(proc.pid, tid) },
      evalMarks,
    });
    const torn = threads.filter((t) => t.torn).length;
    if (!best || torn < best.torn) best = { threads, torn };
    if (torn === 0) break;
  }
  return best?.threads ?? [];
}
