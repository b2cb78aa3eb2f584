// `pyscope debug`: pdb's commands in a terminal (or a full-screen view with --tui), carried out
// by our DAP adapter, in this process, as an editor would drive it.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { FailureId } from '../debugger/userError.js';
import { unknownOption, usageError } from './options.js';

const HELP = `usage: pyscope debug [options] script.py [args...]
       pyscope debug [options] -m module [args...]
       pyscope debug [options] -p PID

Runs the program under the pyscope debugger and stops at its first line, like python -m pdb.
With -p, attaches to a Python process that is already running (3.8 or newer; pyscope ps lists
them) and stops it where it is, like pdb -p; quitting detaches and the program runs on. A process
that runs no Python code (its main thread blocked in a C call) cannot be stopped: after 3 s the
wait is explained in one line, and after 20 s pyscope detaches and exits with code 10.
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
      if (!v || !/^\d+$/.test(v) || Number(v) <= 0 || Number(v) > 2 ** 31) throw usageError('debug', `${a.split('=')[0]} needs a process id, got "${v ?? ''}"`);
      out.pid = Number(v);
    }
    else if (a === '--no-jmc') out.justMyCode = false;
    else if (a === '--python' || a.startsWith('--python=')) {
      const v = a === '--python' ? args[++i] : a.slice('--python='.length);
      if (!v) throw usageError('debug', '--python needs an interpreter');
      out.python = v;
    } else if (a === '--runtime' || a.startsWith('--runtime=')) {
      const v = a === '--runtime' ? args[++i] : a.slice('--runtime='.length);
      if (v !== 'native' && v !== 'pyodide') throw usageError('debug', `--runtime needs "native" or "pyodide", got "${v ?? ''}"`);
      out.runtime = v;
    } else if (a === '-m' || (a.startsWith('-m') && a.length > 2)) {
      const m = a === '-m' ? args[++i] : a.slice(2);
      if (!m) throw usageError('debug', '-m needs a module name');
      out.module = m;
      out.args = args.slice(i + 1);
      return out;
    } else if (a === '--') {
      out.program = args[i + 1];
      out.args = args.slice(i + 2);
      break;
    } else if (a.startsWith('-')) throw unknownOption('debug', a);
    else {
      out.program = a;
      out.args = args.slice(i + 1);
      return out;
    }
  }
  if (out.pid !== undefined) {
    if (out.program !== undefined || out.module !== undefined) throw usageError('debug', '-p attaches to a running process; give it without a script or -m module');
    if (out.runtime === 'pyodide') throw usageError('debug', '-p attaches to a native process; --runtime pyodide does not apply');
    return out;
  }
  if (out.program === undefined) throw usageError('debug', 'what to run? give a script or -m module, or -p PID: pyscope debug app.py');
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
    if (!existsSync(p) || !statSync(p).isFile()) throw usageError('debug', `${parsed.program}: no such file`);
  }
  const { DebugSessionModel, AttachGaveUpError } = await import('../debugclient/debugSessionModel.js');
  const options = {
    ...(parsed.program !== undefined ? { program: parsed.program } : {}),
    ...(parsed.module !== undefined ? { module: parsed.module } : {}),
    ...(parsed.python !== undefined ? { python: parsed.python } : {}),
    ...(parsed.runtime !== undefined ? { runtime: parsed.runtime } : {}),
    args: parsed.args,
    cwd,
    justMyCode: parsed.justMyCode,
    ...(parsed.pid !== undefined ? { processId: parsed.pid } : {}),
    // what a program that does not pause is doing: the process reader is loaded only then
    describeWait: async (pid: number) => (await import('../cpython/attach/blocked-in.js')).describeMainThreadWait(pid),
  };
  // the process-reading side is loaded only to attach
  const attach = parsed.pid !== undefined ? { attach: (await import('../cpython/attach/inject.js')).attachInjector } : {};
  const session = new DebugSessionModel(options, attach);
  if (parsed.tui) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) throw usageError('debug', '--tui needs a terminal (stdin and stdout)');
    const { runScreen } = await import('../tui/debugScreen.js');
    return runScreen(session).catch((e: unknown) => {
      if (e instanceof AttachGaveUpError) throw new PyscopeError(e.message, ExitCode.attachGaveUp);
      throw e instanceof PyscopeError ? e : new PyscopeError(e instanceof Error ? e.message : String(e));
    });
  }
  const { PdbFrontEnd } = await import('../debugclient/pdbFrontEnd.js');
  const { styleFor } = await import('../debugclient/style.js');
  // What the program says on stderr before it has started is held back: a launch that fails
  // prints its error there (a SyntaxError with its caret lines) and then as the start's error, and
  // its last line would otherwise be printed twice.
  // (an attach captures no output of the program: what comes is the attach's own progress)
  let held: string | undefined = parsed.pid !== undefined ? undefined : '';
  const release = (): void => {
    if (held) process.stderr.write(held);
    held = undefined;
  };
  // made before the start, so the first stop is announced
  const pdb = new PdbFrontEnd(
    session,
    {
      write: (text, channel) => {
        if (channel === 'stderr' && held !== undefined) held += text;
        else (channel === 'stderr' ? process.stderr : process.stdout).write(text);
      },
    },
    styleFor(process.stdout),
  );
  const { runConsole } = await import('../tui/debugConsole.js');
  // start() resolves at the first stop: what was held is the program's from then on
  const started = session.start().then(release, (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof AttachGaveUpError) throw new PyscopeError(message, ExitCode.attachGaveUp);
    const exitCode = launchExitCode(e);
    const lines = (held ?? '').trimEnd().split('\n');
    if (lines[lines.length - 1]?.trim() === message.trim()) lines.pop();
    // an interpreter that is no Python (or too old) said only its own complaint about our arguments
    held = exitCode === ExitCode.failure && lines.length > 0 && lines.join('').trim() !== '' ? `${lines.join('\n')}\n` : '';
    release();
    throw new PyscopeError(message, exitCode);
  });
  await Promise.race([started, pdb.waitForStop()]);
  await started;
  await runConsole(pdb);
  session.close();
  return ExitCode.ok;
}

/** The exit status of a launch that failed, from the kind of failure the adapter named (README "Exit codes"). */
function launchExitCode(e: unknown): ExitCode {
  // debugclient's DapRequestError, read by its field: the client is loaded only once a session starts
  const id = typeof e === 'object' && e !== null ? (e as { failureId?: unknown }).failureId : undefined;
  if (id === FailureId.interpreterTooOld) return ExitCode.unsupportedVersion;
  if (id === FailureId.notPython) return ExitCode.notPython;
  if (id === FailureId.noSuchProcess) return ExitCode.noSuchProcess;
  if (id === FailureId.interpreterNotFound) return ExitCode.usage;
  return ExitCode.failure;
}
