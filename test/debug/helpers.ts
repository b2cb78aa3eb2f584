// Runs `pyscope debug` as a user would from a shell in the fixtures folder, feeding its prompt
// from a pipe, optionally reacting to what it prints (for Ctrl-C while the program runs). Every
// wait is bounded and fails naming the step and the tails of what the session printed.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/pythons.js';
import { PYSCOPE_MAIN } from '../support/pyscope.js';
import { Tail } from '../support/tail.js';
import { scaled, WAIT } from '../support/timeouts.js';
import { withTimeout, type WaitOptions } from '../support/wait.js';

export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'debug');

/** A whole session is ended (killed) after this: it bounds a hang, it asserts nothing about speed. */
const SESSION_LIMIT_MS = scaled(120_000);

export interface Session {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Live {
  child: ChildProcessWithoutNullStreams;
  /**
   * Resolves once stdout contains the text; resolves too when the process ended first (so the
   * caller's check fails clearly); fails after the limit (60 s) naming the step and the tails.
   */
  waitFor(text: string, options?: WaitOptions | string): Promise<void>;
  /** What it printed so far. */
  output(): string;
  /** What it printed on stderr so far. */
  errors(): string;
  /** The session's end; fails, with the tails, when it had to be killed after the session limit. */
  done: Promise<Session>;
}

/**
 * Every session of this test file: each runs in a process group of its own, and the groups still
 * alive when the file ends (a failed or cancelled test, a program pyscope debug left behind) are
 * ended with it.
 */
const running = new Set<ChildProcessWithoutNullStreams>();
process.on('exit', () => {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export function startDebug(args: string[], env: NodeJS.ProcessEnv = {}): Live {
  const child = spawn(process.execPath, [PYSCOPE_MAIN, 'debug', ...args], {
    cwd: FIXTURES,
    env: { ...process.env, NO_COLOR: undefined, ...env },
    detached: true,
  });
  running.add(child);
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
  child.stdin.on('error', () => undefined);
  const tails = (): string => {
    const out = new Tail();
    out.push(stdout);
    const err = new Tail();
    err.push(stderr);
    // stdout echoes each command after its prompt, so its tail shows the last one read
    return `pyscope debug ${args.join(' ')} (pid ${child.pid ?? '?'}${child.exitCode !== null ? `, exited ${child.exitCode}` : ''})\nstdout (tail):\n${out.show()}\nstderr (tail):\n${err.show()}`;
  };
  let killedAfterLimit = false;
  const guard = setTimeout(() => {
    killedAfterLimit = true;
    // the group: pyscope debug and the program it runs
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }, SESSION_LIMIT_MS);
  const done = new Promise<Session>((resolve, reject) =>
    child.on('close', (code) => {
      clearTimeout(guard);
      for (const w of watchers) w.resolve();
      if (killedAfterLimit) reject(new Error(`pyscope debug did not end within ${SESSION_LIMIT_MS / 1000} s and was killed\n${tails()}`));
      else resolve({ code, stdout, stderr });
    }),
  );
  // a test that fails before awaiting `done` must not leave an unhandled rejection behind
  done.catch(() => undefined);
  return {
    child,
    done,
    output: () => stdout,
    errors: () => stderr,
    waitFor: (text, options) => {
      if (stdout.includes(text) || child.exitCode !== null) return Promise.resolve();
      const o = typeof options === 'string' ? { step: options } : (options ?? {});
      let watcher: { text: string; resolve: () => void } | undefined;
      const seen = new Promise<void>((resolve) => {
        watcher = { text, resolve };
        watchers.push(watcher);
      });
      return withTimeout(seen, o.timeoutMs ?? WAIT.output, o.step ?? `pyscope debug to print ${JSON.stringify(text)}`, () => {
        const i = watchers.indexOf(watcher!);
        if (i >= 0) watchers.splice(i, 1);
        return tails();
      });
    },
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
