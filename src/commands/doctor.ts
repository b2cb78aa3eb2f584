// `pyscope doctor`: what pyscope found in a process and how, so that a failing dump can be
// understood: which file holds the interpreter, how it was found, the version and its source, and
// where the struct layout came from.
import { basename } from 'node:path';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { ET_EXEC } from '../elf/index.js';
import { formatVersion } from '../cpython/discover/detect-version.js';
import { findInterpreter } from '../cpython/discover/find-interpreter.js';
import { describeAbi, targetAbi } from '../cpython/discover/target-abi.js';
import { detectVersion } from '../cpython/discover/detect-version.js';
import { openLiveProcess, type OpenedPython } from '../cpython/process.js';
import { formatVerifyReport, verifyLayout } from '../cpython/verify-layout.js';
import { CoreFile } from '../elf/core-file.js';
import { openInterpreter } from './dump-core.js';
import { snapshot } from '../cpython/snapshot.js';
import { commandLine, executableLink, readMaps, taskIds, threadStatus } from '../memory/proc.js';
import { parsePid } from './pid-arg.js';
import { parseOptions } from './options.js';

const HELP = `usage: pyscope doctor PID
       pyscope doctor --verify-layout PID
       pyscope doctor --verify-layout --core FILE

Explains how pyscope finds the Python interpreter in a process and what it found.

  --verify-layout    hold pyscope's struct layouts for the target's version against the
                     target's own debug information (DWARF of its interpreter file or of its
                     separate debug file, such as Debian's python3.X-dbg gives) and, on 3.13+,
                     against the _Py_DebugOffsets table it publishes; prints each mismatch or
                     "layout verified: N fields"; exit 1 on a mismatch
  --core FILE        (with --verify-layout) check the interpreter of a core file
  --exe PATH         (with --core) the executable the process ran, if not where the core says
  --lib-search-path DIR  (with --core, repeatable) folder holding the core's libraries
  --debug-dir DIR    (repeatable) folder of separate debug files (its .build-id/ tree), searched
                     before /usr/lib/debug
`;

export async function doctorCommand(args: string[]): Promise<number> {
  const parsed = parseOptions('doctor', {
    args,
    allowPositionals: true,
    options: {
      pid: { type: 'string', short: 'p' },
      help: { type: 'boolean', short: 'h', default: false },
      'verify-layout': { type: 'boolean', default: false },
      core: { type: 'string' },
      exe: { type: 'string' },
      'lib-search-path': { type: 'string', multiple: true },
      'debug-dir': { type: 'string', multiple: true },
    },
  });
  if (parsed.values.help) {
    process.stdout.write(HELP);
    return ExitCode.ok;
  }
  const o = parsed.values;
  if (!o['verify-layout'] && (o.core !== undefined || o['debug-dir'] !== undefined)) {
    throw new PyscopeError('doctor: --core and --debug-dir go with --verify-layout', ExitCode.usage);
  }
  if (o['verify-layout']) {
    const debugDirs = o['debug-dir'] ?? [];
    if (o.core !== undefined) {
      if (parsed.positionals.length > 0 || o.pid !== undefined) throw new PyscopeError('doctor: give either --core FILE or a PID, not both', ExitCode.usage);
      return verifyCoreLayout(o.core, { exe: o.exe, libSearchPath: o['lib-search-path'] ?? [], debugDirs });
    }
    return verifyLiveLayout(parsePid(parsed.positionals, o.pid, 'doctor'), debugDirs);
  }
  const pid = parsePid(parsed.positionals, parsed.values.pid, 'doctor');
  const rows: [string, string][] = [];
  const out = () => {
    const w = Math.max(...rows.map(([k]) => k.length)) + 1;
    process.stdout.write(`Process ${pid}: ${safe(() => commandLine(pid))}\n` + rows.map(([k, v]) => `  ${(k + ':').padEnd(w)} ${v}`).join('\n') + '\n');
  };
  rows.push(['/proc/PID/exe', `${executableLink(pid) ?? '?'} (not trusted: the mappings decide)`]);
  const maps = readMaps(pid);
  rows.push(['mapped files', String(new Set(maps.filter((m) => m.path.startsWith('/')).map((m) => m.path)).size)]);
  let image;
  try {
    image = findInterpreter(pid, maps);
  } catch (e) {
    rows.push(['interpreter', `not found: ${(e as Error).message}`]);
    out();
    return e instanceof PyscopeError ? e.exitCode : ExitCode.failure;
  }
  const elf = image.elf;
  rows.push(['interpreter image', `${image.path} (${image.linkage === 'static' ? 'static: linked into the executable' : 'shared: libpython'})`]);
  rows.push(['found by', image.how]);
  rows.push([
    'ELF',
    `${elf.type === ET_EXEC ? 'executable, not PIE' : 'position-independent'}, load bias 0x${image.bias.toString(16)}, ` +
      `build-id ${elf.buildId() ?? 'none'}, ${elf.section('.symtab') ? 'has .symtab' : 'stripped (no .symtab)'}, ${elf.section('.debug_info') ? 'has DWARF' : 'no DWARF'}`,
  ]);
  rows.push(['ABI', safe(() => `${describeAbi(targetAbi(elf))}, ${elf.wordSize}-byte pointers`)]);
  if (image.symbols.runtime !== undefined) rows.push(['_PyRuntime', `0x${image.symbols.runtime.toString(16)}`]);
  if (image.symbols.interpHead !== undefined) rows.push(['interp_head', `0x${image.symbols.interpHead.toString(16)}`]);
  let proc;
  try {
    const v = detectVersion(image, undefined);
    elf.close();
    rows.push(['version (from file)', `${formatVersion(v)} (${v.source})`]);
    proc = openLiveProcess(pid);
  } catch (e) {
    rows.push(['version', `failed: ${(e as Error).message}`]);
    out();
    return e instanceof PyscopeError ? e.exitCode : ExitCode.failure;
  }
  try {
    rows.push(['version', `${formatVersion(proc.version)} (from ${proc.version.source})`]);
    rows.push(['int digits', `${proc.bindings.ints.digitBits}-bit`]);
    rows.push(['struct layout', proc.bindingsSource.describe + (proc.bindingsSource.debugOffsets ? '' : '; held against DWARF by the test suite') + `; pyscope doctor --verify-layout ${pid} checks it against this interpreter`]);
    const threads = snapshot(proc, { tasks: { ids: taskIds(pid), status: (t) => threadStatus(pid, t) } });
    const frames = threads.reduce((n, t) => n + t.frames.length, 0);
    const problems = threads.filter((t) => t.truncated).map((t) => t.truncated);
    rows.push(['threads', `${threads.length} (${threads.filter((t) => t.name !== undefined).length} named), ${frames} frames, ${proc.memory.readCount} reads`]);
    rows.push(['GIL holder', threads.some((t) => t.holdsGil) ? String(threads.find((t) => t.holdsGil)?.nativeThreadId ?? '?') : threads.some((t) => t.holdsGil === false) ? 'none' : 'unknown for this version']);
    const collecting = threads.find((t) => t.gcCollecting !== undefined)?.gcCollecting;
    rows.push(['garbage collection', collecting === undefined ? 'unknown for this build' : collecting ? 'running' : 'not running']);
    rows.push(['result', problems.length ? `partial: ${problems.join('; ')}` : `ok: pyscope dump ${pid} will work (${basename(proc.image.path)})`]);
  } catch (e) {
    rows.push(['result', `failed: ${(e as Error).message}`]);
    out();
    return e instanceof PyscopeError ? e.exitCode : ExitCode.failure;
  } finally {
    proc.memory.close();
  }
  out();
  return ExitCode.ok;
}

function printVerify(py: OpenedPython, debugDirs: string[]): number {
  const report = verifyLayout(py, { debugDirs });
  process.stdout.write(formatVerifyReport(py, report));
  return report.mismatches.length > 0 ? ExitCode.failure : ExitCode.ok;
}

function verifyLiveLayout(pid: number, debugDirs: string[]): number {
  const py = openLiveProcess(pid);
  try {
    return printVerify(py, debugDirs);
  } finally {
    py.memory.close();
  }
}

function verifyCoreLayout(path: string, o: { exe?: string; libSearchPath: string[]; debugDirs: string[] }): number {
  const core = CoreFile.open(path, { exe: o.exe, libSearchPath: o.libSearchPath });
  try {
    return printVerify(openInterpreter(core), o.debugDirs);
  } finally {
    core.close();
  }
}

function safe(f: () => string): string {
  try {
    return f();
  } catch {
    return '?';
  }
}
