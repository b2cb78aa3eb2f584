// `pyscope kernel install`: the Jupyter kernelspec `pyscope-python3`, ipykernel's kernel with
// pyscope's agent as its debugger (docs/DEBUGGER.md, "Jupyter"). The kernel's files (its launcher,
// the pyscope_kernel and pyscope_agent packages) are copied into the kernelspec's folder, so the
// kernel runs without this package; jupyter_client of the chosen interpreter installs the folder.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { parseOptions, usageError } from './options.js';

const HELP = `usage: pyscope kernel install [--user | --sys-prefix] [--python PY]

Installs the Jupyter kernel "Python 3 (pyscope)" (kernelspec pyscope-python3): ipykernel's
IPython kernel whose debugger (JupyterLab's debugger panel) is pyscope's agent, in the kernel's own
process, instead of debugpy. PY (default python3) must have ipykernel installed; the kernel runs
with it.

options:
  --user        into the user's Jupyter data folder (the default)
  --sys-prefix  into PY's environment (sys.prefix), e.g. the virtualenv JupyterLab runs from
  --python PY   the interpreter the kernel runs with (default: python3)
`;

/** The folder holding launch.py and pyscope_kernel: next to the built code, or the sources. */
function kernelSources(): { kernel: string; agent: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const root of [join(here, '..'), join(here, '..', '..', '..', 'src')]) {
    const kernel = join(root, 'kernel');
    if (existsSync(join(kernel, 'launch.py'))) return { kernel, agent: join(root, 'agent') };
  }
  throw new PyscopeError('kernel install: the kernel files are missing from this installation of pyscope', ExitCode.failure);
}

function copyPython(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) if (name.endsWith('.py')) cpSync(join(from, name), join(to, name));
}

export async function kernelCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '-h' || sub === '--help') {
    process.stdout.write(HELP);
    return sub === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (sub !== 'install') throw usageError('kernel', `unknown subcommand "${sub}" (pyscope kernel install)`);
  const { values } = parseOptions('kernel install', {
    args: rest,
    options: { user: { type: 'boolean' }, 'sys-prefix': { type: 'boolean' }, python: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return ExitCode.ok;
  }
  if (values.user && values['sys-prefix']) throw usageError('kernel install', '--user and --sys-prefix exclude each other');
  const python = values.python ?? 'python3';
  const src = kernelSources();
  const staging = mkdtempSync(join(tmpdir(), 'pyscope-kernelspec-'));
  try {
    cpSync(join(src.kernel, 'launch.py'), join(staging, 'launch.py'));
    copyPython(join(src.kernel, 'pyscope_kernel'), join(staging, 'pyscope_kernel'));
    copyPython(join(src.agent, 'pyscope_agent'), join(staging, 'pyscope_agent'));
    const r = spawnSync(python, [join(src.kernel, 'install_spec.py'), staging, values['sys-prefix'] ? 'sys-prefix' : 'user'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.error) {
      const why = (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such interpreter' : r.error.message;
      throw new PyscopeError(`kernel install: cannot run ${python}: ${why}`, ExitCode.failure);
    }
    if (r.status !== 0) {
      const line = r.stderr.trim().split('\n').pop() ?? `exit code ${String(r.status)}`;
      throw new PyscopeError(`kernel install: ${line}`, ExitCode.failure);
    }
    process.stdout.write(`pyscope kernel install: installed pyscope-python3 ("Python 3 (pyscope)") in ${r.stdout.trim()}\n`);
    return ExitCode.ok;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
