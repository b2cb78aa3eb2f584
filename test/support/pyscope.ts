// Runs the built `pyscope` CLI as a user would, capturing everything it says.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './pythons.js';
import { scaled } from './timeouts.js';

export const PYSCOPE_MAIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when the command did not end within its limit and was killed (code is then -1). */
  timedOut?: string;
}

/** How long one command may run: it bounds a hang, it asserts nothing about speed. */
const COMMAND_LIMIT_MS = scaled(120_000);

export function runPyscope(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return runCommand(process.execPath, [PYSCOPE_MAIN, ...args], env);
}

export function runCommand(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: COMMAND_LIMIT_MS },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        const r: RunResult = { code, stdout, stderr };
        if (error?.killed) r.timedOut = `${[file, ...args].join(' ')} did not end within ${COMMAND_LIMIT_MS / 1000} s and was killed`;
        resolve(r);
      },
    );
  });
}

/** The one-line error contract: nothing on stdout, one `pyscope: error:` line on stderr. */
export function describeFailure(r: RunResult): string {
  return `${r.timedOut ? `${r.timedOut}\n` : ''}exit ${r.code}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(-2000)}`;
}
