// `pyscope dump --core FILE`: the Python stacks of a process that crashed or was snapshotted with
// gcore, read from its core file with the same CPython model as a live dump, plus what made the core.
import { basename } from 'node:path';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { formatVersion } from '../cpython/discover/detect-version.js';
import { DEFAULT_LIMITS } from '../cpython/objects/render.js';
import { openPython, type OpenedPython } from '../cpython/process.js';
import { coreNativeStacks, mergeThreads, requireNativeSupport } from '../cpython/native-stacks.js';
import { snapshot, type ThreadSnapshot } from '../cpython/snapshot.js';
import { CoreFile } from '../elf/core-file.js';
import { describeFileProblem, type MappedFile } from '../elf/core-mapped-files.js';
import { signalName } from '../elf/core-notes.js';
import { asyncSnapshot } from '../cpython/asyncio-snapshot.js';
import { asyncJson, formatAsyncText, formatAsyncTree } from './dump-async-format.js';
import { formatText, toJson, type DumpHeader, type NativeOutput } from './dump-format.js';

export interface DumpCoreOptions {
  exe?: string;
  libSearchPath: string[];
  locals: boolean;
  json: boolean;
  fullFilenames: boolean;
  native: boolean;
  nativeAll: boolean;
  /** --async (--tree): the asyncio tasks of each event loop after the threads. */
  tasks?: { tree: boolean };
}

export async function dumpCore(path: string, o: DumpCoreOptions): Promise<number> {
  const core = CoreFile.open(path, { exe: o.exe, libSearchPath: o.libSearchPath });
  try {
    const name = basename(path);
    if (core.files.length === 0) {
      if (core.missingBytes > 0) throw truncated(core);
      throw new PyscopeError(`${name} has no NT_FILE note, so the files the process mapped are unknown: is it a Linux process core?`, ExitCode.badFile);
    }
    const py = openInterpreter(core);
    if (o.native) requireNativeSupport(py);
    const lost = core.lostStacks();
    let threads: ThreadSnapshot[];
    try {
      threads = snapshot(py, {
        locals: o.locals ? DEFAULT_LIMITS : undefined,
        // The kernel's thread ids let the model match pthreads to tids on versions that lack native ids.
        tasks: { ids: core.threads.map((t) => t.tid), status: () => 'unknown' },
        evalMarks: o.native,
      });
    } catch (e) {
      // With the interpreter state itself cut off, the truncation is the error worth naming.
      if (core.missingBytes > 0 && e instanceof PyscopeError) throw truncated(core);
      throw e;
    }
    const nativeOut: NativeOutput | undefined = o.native ? { views: mergeThreads(py, threads, coreNativeStacks(core)), all: o.nativeAll } : undefined;
    const header: DumpHeader = {
      pid: core.process?.pid ?? core.threads[0]?.tid ?? 0,
      command: core.commandLine(),
      version: formatVersion(py.version),
      binary: py.image.path,
      crash: crashOf(core),
    };
    const tasksRead = o.tasks ? asyncSnapshot(py) : undefined;
    if (o.json) {
      const json = toJson(header, threads, o.locals, nativeOut) as Record<string, unknown>;
      if (tasksRead) json.async = asyncJson(tasksRead, threads);
      json.core = {
        file: path,
        execfn: core.execFn ?? null,
        signal_number: core.crashedThread?.signal ?? null,
        si_code: core.crashedThread && core.signal ? core.signal.code : null,
        missing_bytes: core.missingBytes,
        unusable_files: [...core.neededProblems].map((f) => f.corePath),
        lost_stacks: lost,
      };
      process.stdout.write(JSON.stringify(json, null, 2) + '\n');
    } else {
      // A core does not record its process's working directory: the folder pyscope reads it
      // from stands for it, so a file named relative to it is one the reader can open from there.
      const naming = { full: o.fullFilenames, cwd: process.cwd() };
      process.stdout.write(formatText(header, threads, { fullFilenames: naming.full, cwd: naming.cwd, locals: o.locals, native: nativeOut }));
      if (tasksRead) process.stdout.write((o.tasks!.tree ? formatAsyncTree : formatAsyncText)(tasksRead, threads, naming));
    }
    if (process.env.PYSCOPE_STATS) process.stderr.write(`reads=${core.readCount}\n`);
    if (core.missingBytes > 0) throw truncated(core, true);
    if (lost.length > 0) {
      process.stderr.write(
        `pyscope: warning: the core holds only zeros where the stack${lost.length > 1 ? 's' : ''} of thread${lost.length > 1 ? 's' : ''} ${lost.join(', ')} should be, ` +
          `so ${lost.length > 1 ? 'their Python stacks' : 'its Python stack'} may be cut short (gcore writes zeros for stacks with guard regions; a kernel-written core has them)\n`,
      );
    }
    const needed = [...core.neededProblems][0];
    if (needed) process.stderr.write(`pyscope: warning: some memory could not be read: ${describeFileProblem(needed)}\n`);
    return ExitCode.ok;
  } finally {
    core.close();
  }
}

/** The interpreter inside a core, or a one-line error naming what keeps it from being read. */
export function openInterpreter(core: CoreFile): OpenedPython {
  const executable = core.executable;
  const exeLocal = executable === undefined ? undefined : core.mappedFiles.get(executable)?.localPath;
  try {
    return openPython(core, core.mappings(), core.process?.pid, exeLocal);
  } catch (e) {
    if (!(e instanceof PyscopeError)) throw e;
    if (core.missingBytes > 0) throw truncated(core);
    const problem = mostRelevant(core.fileProblems());
    if (problem && e.exitCode === ExitCode.notPython) {
      const more = core.fileProblems().length - 1;
      throw new PyscopeError(`cannot find the interpreter: ${describeFileProblem(problem)}${more > 0 ? ` (${more} more mapped files are unusable)` : ''}`, ExitCode.badFile);
    }
    if (e.exitCode === ExitCode.notPython) {
      const what = core.process?.fname ? ` (${core.process.fname}${executable ? `, ${executable}` : ''})` : '';
      throw new PyscopeError(`${basename(core.path)} is the core of a process that was not running Python${what}: no mapped file defines _PyRuntime or interp_head`, ExitCode.notPython);
    }
    throw e;
  }
}

/** The unusable file most likely to hold the interpreter: a python-named one first. */
function mostRelevant(problems: MappedFile[]): MappedFile | undefined {
  return problems.find((f) => /python/i.test(basename(f.corePath))) ?? problems[0];
}

function crashOf(core: CoreFile): DumpHeader['crash'] {
  const t = core.crashedThread;
  if (!t) return undefined;
  const info = core.signal?.signal === t.signal ? core.signal : undefined;
  return {
    signal: signalName(t.signal),
    address: info?.address !== undefined ? `0x${info.address.toString(16)}` : undefined,
    thread: t.tid,
  };
}

function truncated(core: CoreFile, shown = false): PyscopeError {
  return new PyscopeError(
    `${basename(core.path)} is truncated: ${core.missingBytes} bytes are missing (the file has ${core.fileSize} of the ${core.expectedSize} bytes its headers describe)` +
      `${shown ? '; what could be read is shown above' : ''}: a complete core needs ulimit -c unlimited and enough disk space`,
    ExitCode.badFile,
  );
}
