// `pyscope ps`: every Python process on this machine pyscope can see, with its version, its
// command line and whether `pyscope dap`'s attach (and `pyscope debug -p`) can attach to it: the
// process picker of an "attach to process" configuration. Reads only.
import { readdirSync, readFileSync } from 'node:fs';
import { attachability } from '../cpython/attach/inject.js';
import { formatVersion } from '../cpython/discover/detect-version.js';
import { openLiveProcess } from '../cpython/process.js';
import { debuggerRunsOn } from '../cpython/version-traits.js';
import { ExitCode, PyscopeError } from '../common/errors.js';

const HELP = `usage: pyscope ps [--json]

Lists the Python processes this user can read: pid, Python version, whether pyscope can attach a
debugger to it (pyscope debug -p PID, or an "attach" request with processId), and the command
line. Processes of other users are seen only as root.

options:
  --json   one JSON array: [{"pid", "version", "attach": {"ok", "how"}, "commandLine"}]
`;

export interface PythonProcess {
  pid: number;
  version: string;
  attach: { ok: boolean; how: string };
  commandLine: string;
}

/** Every readable process that runs CPython, in pid order; the rest is skipped silently. */
export function listPythonProcesses(): PythonProcess[] {
  const out: PythonProcess[] = [];
  const pids = readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => pid !== process.pid)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    if (!mapsPython(pid)) continue;
    let p;
    try {
      p = openLiveProcess(pid);
    } catch {
      continue; // not Python, not ours to read, or gone
    }
    try {
      const version = formatVersion(p.version);
      const attach = !debuggerRunsOn(p.version) ? { ok: false, how: `Python ${version}: the debugger needs 3.8 or newer` } : attachability(p);
      out.push({ pid, version, attach, commandLine: p.commandLine });
    } catch {
      // it ended while being read
    } finally {
      p.memory.close();
    }
  }
  return out;
}

/**
 * A quick look before the full one: a file whose name says python (the interpreter or libpython)
 * is mapped. Opening every process's binaries (a browser's, node's) to look for _PyRuntime would
 * take seconds each; an interpreter embedded under another name is found by pyscope dump PID.
 */
function mapsPython(pid: number): boolean {
  try {
    return /\/[^/\n]*python[^/\n]*$/im.test(readFileSync(`/proc/${pid}/maps`, 'latin1'));
  } catch {
    return false;
  }
}

export async function psCommand(args: string[]): Promise<number> {
  let json = false;
  for (const a of args) {
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP);
      return ExitCode.ok;
    }
    if (a === '--json') json = true;
    else throw new PyscopeError(`unknown option "${a}" for ps (try: pyscope ps --help)`, ExitCode.usage);
  }
  const list = listPythonProcesses();
  if (json) {
    process.stdout.write(`${JSON.stringify(list, null, 1)}\n`);
    return ExitCode.ok;
  }
  const rows = [['PID', 'PYTHON', 'ATTACH', 'COMMAND'], ...list.map((p) => [String(p.pid), p.version, p.attach.ok ? `yes (${p.attach.how})` : `no: ${p.attach.how}`, p.commandLine])];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) process.stdout.write(`${r.slice(0, 3).map((c, i) => c.padEnd(widths[i]!)).join('  ')}  ${r[3]}\n`);
  return ExitCode.ok;
}
