// `pyscope ps`: every Python process on this machine pyscope can see, with its version, its
// command line and whether `pyscope dap`'s attach (and `pyscope debug -p`) can attach to it: the
// process picker of an "attach to process" configuration. Reads only.
import { attachability } from '../cpython/attach/inject.js';
import { formatVersion } from '../cpython/discover/detect-version.js';
import { openLiveProcess } from '../cpython/process.js';
import { debuggerRunsOn } from '../cpython/version-traits.js';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { pythonLookingPids } from './python-processes.js';

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
  for (const pid of pythonLookingPids()) {
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
