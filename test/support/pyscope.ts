// Runs the built `pyscope` CLI as a user would, capturing everything it says.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './pythons.js';

export const PYSCOPE_MAIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runPyscope(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return runCommand(process.execPath, [PYSCOPE_MAIN, ...args], env);
}

export function runCommand(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The one-line error contract: nothing on stdout, one `pyscope: error:` line on stderr. */
export function describeFailure(r: RunResult): string {
  return `exit ${r.code}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(0, 2000)}`;
}
