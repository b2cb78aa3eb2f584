// Runs `pyscope debug` as a user would from a shell in the fixtures folder, feeding its prompt
// from a pipe, optionally reacting to what it prints (for Ctrl-C while the program runs).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/pythons.js';
import { PYSCOPE_MAIN } from '../support/pyscope.js';

export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'debug');

export interface Session {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Live {
  child: ChildProcessWithoutNullStreams;
  /** Resolves once stdout contains the text (or the process ended, so the caller's check fails clearly). */
  waitFor(text: string): Promise<void>;
  /** What it printed so far. */
  output(): string;
  done: Promise<Session>;
}

export function startDebug(args: string[], env: NodeJS.ProcessEnv = {}): Live {
  const child = spawn(process.execPath, [PYSCOPE_MAIN, 'debug', ...args], {
    cwd: FIXTURES,
    env: { ...process.env, NO_COLOR: undefined, ...env },
  });
  let stdout = '';
  let stderr = '';
  const watchers: { text: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (s: string) => {
    stdout += s;
    for (const w of watchers.filter((x) => stdout.includes(x.text))) {
      watchers.splice(watchers.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr.on('data', (s: string) => (stderr += s));
  // a hung session must not hang the suite; this bounds it, it asserts nothing about speed
  const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const done = new Promise<Session>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(guard);
      for (const w of watchers) w.resolve();
      resolve({ code, stdout, stderr });
    }),
  );
  return {
    child,
    done,
    output: () => stdout,
    waitFor: (text) =>
      stdout.includes(text) || child.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => watchers.push({ text, resolve })),
  };
}

/** A whole scripted session: the commands go in at once, as `printf ... | pyscope debug` would. */
export function debugSession(args: string[], commands: string[]): Promise<Session> {
  const live = startDebug(args);
  live.child.stdin.end(commands.map((c) => `${c}\n`).join(''));
  return live.done;
}

/** The output that follows the prompt line `(pyscope) command`, up to the next prompt. */
export function answerTo(stdout: string, command: string, nth = 0): string {
  const marker = `(pyscope) ${command}\n`;
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = stdout.indexOf(marker, at + 1);
    if (at < 0) return `<no prompt line "${command}">`;
  }
  const start = at + marker.length;
  const end = stdout.indexOf('(pyscope) ', start);
  return stdout.slice(start, end < 0 ? undefined : end);
}
