// `pyscope debug`: pdb's commands in a terminal (or a full-screen view with --tui), carried out
// by our DAP adapter, in this process, as an editor would drive it.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode, PyscopeError } from '../common/errors.js';

const HELP = `usage: pyscope debug [options] script.py [args...]
       pyscope debug [options] -m module [args...]
       pyscope debug [options] -p PID

Runs the program under the pyscope debugger and stops at its first line, like python -m pdb.
With -p, attaches to a Python process that is already running (3.8 or newer; pyscope ps lists
them) and stops it where it is, like pdb -p; quitting detaches and the program runs on.
Type pdb's commands (b, c, n, s, r, w, l, p, ...; "h" lists them). Lines that are not commands
run as Python in the current frame.

options:
  --python PY     the interpreter to run the program with (default: python3)
  --runtime R     native (default) or pyodide: CPython 3.14 in WebAssembly, in a worker thread
  -p, --pid PID   attach to a running process instead of starting a program
  --tui           full-screen view: source, stack, locals, breakpoints and a console
  --no-jmc        show and step into library code too (just-my-code is on by default)
  -h, --help      show this help
`;

interface DebugArgs {
  program?: string;
  module?: string;
  args: string[];
  python?: string;
  runtime?: 'native' | 'pyodide';
  tui: boolean;
  justMyCode: boolean;
  pid?: number;
}

/** Options end at the script or -m module: everything after belongs to the program. */
export function parseDebugArgs(args: string[]): DebugArgs | 'help' {
  const out: DebugArgs = { args: [], tui: false, justMyCode: true };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--tui') out.tui = true;
    else if (a === '-p' || a === '--pid' || a.startsWith('--pid=')) {
      const v = a.startsWith('--pid=') ? a.slice('--pid='.length) : args[++i];
      if (!v || !/^\d+$/.test(v) || Number(v) <= 0 || Number(v) > 2 ** 31) throw new PyscopeError(`${a.split('=')[0]} needs a process id, got "${v ?? ''}"`, ExitCode.usage);
      out.pid = Number(v);
    }
    else if (a === '--no-jmc') out.justMyCode = false;
    else if (a === '--python' || a.startsWith('--python=')) {
      const v = a === '--python' ? args[++i] : a.slice('--python='.length);
      if (!v) throw new PyscopeError('--python needs an interpreter', ExitCode.usage);
      out.python = v;
    } else if (a === '--runtime' || a.startsWith('--runtime=')) {
      const v = a === '--runtime' ? args[++i] : a.slice('--runtime='.length);
      if (v !== 'native' && v !== 'pyodide') throw new PyscopeError(`--runtime needs "native" or "pyodide", got "${v ?? ''}"`, ExitCode.usage);
      out.runtime = v;
    } else if (a === '-m' || (a.startsWith('-m') && a.length > 2)) {
      const m = a === '-m' ? args[++i] : a.slice(2);
      if (!m) throw new PyscopeError('-m needs a module name', ExitCode.usage);
      out.module = m;
      out.args = args.slice(i + 1);
      return out;
    } else if (a === '--') {
      out.program = args[i + 1];
      out.args = args.slice(i + 2);
      break;
    } else if (a.startsWith('-')) throw new PyscopeError(`unknown option "${a}" for debug (try: pyscope debug --help)`, ExitCode.usage);
    else {
      out.program = a;
      out.args = args.slice(i + 1);
      return out;
    }
  }
  if (out.pid !== undefined) {
    if (out.program !== undefined || out.module !== undefined) throw new PyscopeError('debug: -p attaches to a running process; give it without a script or -m module', ExitCode.usage);
    if (out.runtime === 'pyodide') throw new PyscopeError('debug: -p attaches to a native process; --runtime pyodide does not apply', ExitCode.usage);
    return out;
  }
  if (out.program === undefined) throw new PyscopeError('debug needs a script or -m module, or -p PID (try: pyscope debug --help)', ExitCode.usage);
  return out;
}

export async function debugCommand(args: string[]): Promise<number> {
  const parsed = parseDebugArgs(args);
  if (parsed === 'help') {
    process.stdout.write(HELP);
    return ExitCode.ok;
  }
  const cwd = process.cwd();
  if (parsed.program !== undefined) {
    const p = resolve(cwd, parsed.program);
    if (!existsSync(p) || !statSync(p).isFile()) throw new PyscopeError(`${parsed.program}: no such file`, ExitCode.usage);
  }
  const { DebugSessionModel } = await import('../debugclient/debugSessionModel.js');
  const options = {
    ...(parsed.program !== undefined ? { program: parsed.program } : {}),
    ...(parsed.module !== undefined ? { module: parsed.module } : {}),
    ...(parsed.python !== undefined ? { python: parsed.python } : {}),
    ...(parsed.runtime !== undefined ? { runtime: parsed.runtime } : {}),
    args: parsed.args,
    cwd,
    justMyCode: parsed.justMyCode,
    ...(parsed.pid !== undefined ? { processId: parsed.pid } : {}),
  };
  // the process-reading side is loaded only to attach
  const attach = parsed.pid !== undefined ? { attach: (await import('../cpython/attach/inject.js')).attachInjector } : {};
  const session = new DebugSessionModel(options, attach);
  if (parsed.tui) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) throw new PyscopeError('--tui needs a terminal (stdin and stdout)', ExitCode.usage);
    const { runScreen } = await import('../tui/debugScreen.js');
    return runScreen(session).catch((e: unknown) => {
      throw e instanceof PyscopeError ? e : new PyscopeError(e instanceof Error ? e.message : String(e));
    });
  }
  const { PdbFrontEnd } = await import('../debugclient/pdbFrontEnd.js');
  const { styleFor } = await import('../debugclient/style.js');
  // made before the start, so the first stop is announced
  const pdb = new PdbFrontEnd(
    session,
    {
      write: (text, channel) => (channel === 'stderr' ? process.stderr : process.stdout).write(text),
    },
    styleFor(process.stdout),
  );
  const { runConsole } = await import('../tui/debugConsole.js');
  const started = session.start().catch((e: unknown) => {
    throw new PyscopeError(e instanceof Error ? e.message : String(e));
  });
  await Promise.race([started, pdb.waitForStop()]);
  await started;
  await runConsole(pdb);
  session.close();
  return ExitCode.ok;
}
