// `pyscope dump`: the Python stack of every thread of a live process.
import { ExitCode } from '../common/errors.js';
import { formatVersion } from '../cpython/discover/detect-version.js';
import { DEFAULT_LIMITS } from '../cpython/objects/render.js';
import { exitedOr, openLiveProcess, type LiveProcess } from '../cpython/process.js';
import { liveNativeStacks, mergeThreads, type NativeView } from '../cpython/native-stacks.js';
import { snapshot, type ThreadSnapshot } from '../cpython/snapshot.js';
import { taskIds, threadStatus, workingDirectory } from '../memory/proc.js';
import { asyncSnapshot } from '../cpython/asyncio-snapshot.js';
import { asyncJson, formatAsyncText, formatAsyncTree } from './dump-async-format.js';
import { formatText, toJson, type NativeOutput } from './dump-format.js';
import { parsePid } from './pid-arg.js';
import { parseOptions, usageError } from './options.js';

const HELP = `usage: pyscope dump [options] PID

Prints the Python stack of every thread of a running process, innermost frame first.

options:
  -p, --pid PID          the process (or give PID as the argument)
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
`;

/** Snapshots are read again while a thread is torn (it changed under the reader), at most this often. */
const ATTEMPTS = 3;

export async function dumpCommand(args: string[]): Promise<number> {
  const parsed = parseOptions('dump', {
    args,
    allowPositionals: true,
    options: {
      pid: { type: 'string', short: 'p' },
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
  // Options that cannot both hold are refused rather than one silently winning.
  if (o.core !== undefined && (o.pid !== undefined || parsed.positionals.length > 0)) {
    throw usageError('dump', `give either a process (${o.pid !== undefined ? `--pid ${o.pid}` : parsed.positionals[0]}) or --core FILE, not both`);
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
  const pid = parsePid(parsed.positionals, o.pid, 'dump');
  const proc = openLiveProcess(pid);
  try {
    let threads: ThreadSnapshot[];
    let nativeOut: NativeOutput | undefined;
    if (native) {
      const read = readNative(proc, o.locals);
      threads = read.threads;
      nativeOut = { views: read.views, all: o['native-all'] };
    } else threads = readThreads(proc, o.locals, false);
    const header = { pid, command: proc.commandLine, version: formatVersion(proc.version), binary: proc.image.path };
    // The tasks are read after the threads, from the same fresh pages: a parked loop has not moved.
    const tasksRead = tasks ? asyncSnapshot(proc) : undefined;
    // The user's own files are named relative to the target's working directory.
    const naming = { full: o['full-filenames'], cwd: workingDirectory(pid) };
    const out = o.json
      ? JSON.stringify({ ...(toJson(header, threads, o.locals, nativeOut) as Record<string, unknown>), ...(tasksRead ? { async: asyncJson(tasksRead, threads) } : {}) }, null, 2) + '\n'
      : formatText(header, threads, { fullFilenames: naming.full, cwd: naming.cwd, locals: o.locals, native: nativeOut }) +
        (tasksRead ? (tasks!.tree ? formatAsyncTree : formatAsyncText)(tasksRead, threads, naming) : '');
    process.stdout.write(out);
    if (process.env.PYSCOPE_STATS) process.stderr.write(`reads=${proc.memory.readCount}\n`);
    return ExitCode.ok;
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
