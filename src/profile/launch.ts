// Starting the program to profile, and attaching to it once its interpreter is in memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { processGone } from '../memory/proc.js';
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
      reject(new PyscopeError(`record: cannot run ${child.spawnfile}: ${why}`, ExitCode.failure));
    });
  });
}

/**
 * Opens a sampler on a process that is still starting: until exec and the dynamic loader are
 * done, the process is not (yet) Python, so failures are retried for a while.
 */
export async function attachWhenReady(pid: number, timeoutMs: number, opts: SamplerOptions = {}): Promise<Sampler> {
  const deadline = performance.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    try {
      return new Sampler(pid, opts);
    } catch (e) {
      if (processGone(pid)) throw new PyscopeError(`record: process ${pid} exited before it could be profiled`, ExitCode.processExited);
      if (performance.now() >= deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
}
