// Starting the program to profile, and attaching to it once its interpreter is in memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { commandLine, processGone } from '../memory/proc.js';
import { Sampler, type SamplerOptions } from './sampler.js';

export function launch(argv: string[]): ChildProcess {
  const [file, ...args] = argv;
  if (!file) throw new PyscopeError('record: nothing to run after "--"', ExitCode.usage);
  const child = spawn(file, args, { stdio: 'inherit' });
  return child;
}

/** Waits until the child has spawned (or failed to). */
export function spawned(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', (e: NodeJS.ErrnoException) => {
      // in our words, not Node's (`spawn x ENOENT`)
      const why = e.code === 'ENOENT' ? 'no such file or command' : e.code === 'EACCES' ? 'permission denied' : e.message;
      // a command that does not exist is a bad command line, as a missing script is
      reject(new PyscopeError(`record: cannot run ${child.spawnfile}: ${why}`, e.code === 'ENOENT' ? ExitCode.usage : ExitCode.failure));
    });
  });
}

/** What to add to a failure when the program is not Python: how to profile what it starts. */
export const FOLLOW_HINT = 'to profile the Python programs it starts, add --subprocesses';

/**
 * Opens a sampler on a process that is still starting: until exec and the dynamic loader are
 * done, the process is not (yet) Python, so failures are retried for a while.
 */
export async function attachWhenReady(pid: number, timeoutMs: number, opts: SamplerOptions = {}): Promise<Sampler> {
  const deadline = performance.now() + timeoutMs;
  let delay = 2;
  // `sleep 5` or a shell script is never Python: said so, rather than only that it exited.
  const seen = { notPython: false, other: false };
  let command = '';
  for (;;) {
    try {
      return new Sampler(pid, opts);
    } catch (e) {
      const notPython = e instanceof PyscopeError && e.exitCode === ExitCode.notPython;
      // a read cut short by the exit says nothing of what the process was
      if (notPython) seen.notPython = true;
      else if (!(e instanceof PyscopeError && e.exitCode === ExitCode.processExited)) seen.other = true;
      command = commandOf(pid) ?? command;
      if (processGone(pid)) {
        const never = seen.notPython && !seen.other ? `: no Python interpreter was seen in it (${FOLLOW_HINT})` : '';
        throw new PyscopeError(`record: process ${pid}${command ? ` (${command})` : ''} exited before it could be profiled${never}`, ExitCode.processExited);
      }
      if (performance.now() >= deadline) throw notPython ? new PyscopeError(`${e.message}; ${FOLLOW_HINT}`, ExitCode.notPython) : e;
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
}

function commandOf(pid: number): string | undefined {
  try {
    const line = commandLine(pid);
    return line.length > 60 ? `${line.slice(0, 57)}...` : line || undefined;
  } catch {
    return undefined;
  }
}
