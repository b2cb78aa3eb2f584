// `pyscope debug`'s line mode: pdb's prompt over readline (history, tab completion from the
// current frame) on a terminal, or plain lines from a pipe for scripted sessions.
import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { ALIASES } from '../debugclient/commands.js';
import type { PdbFrontEnd } from '../debugclient/pdbFrontEnd.js';

const PROMPT = '(pyscope) ';
const INTERACT_PROMPT = '>>> ';
const HISTORY_SIZE = 1000;
/** What the queue yields when Ctrl-D ends `interact` on a terminal. */
const END_INTERACT = '\u0004';

/** Lines typed ahead are kept in order; a prompt takes the next one, or waits for it. */
class LineQueue {
  private readonly lines: string[] = [];
  private waiting?: (line: string | null) => void;
  private ended = false;

  push(line: string): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w(line);
    } else this.lines.push(line);
  }

  end(): void {
    this.ended = true;
    this.waiting?.(null);
    this.waiting = undefined;
  }

  next(): Promise<string | null> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.ended) return Promise.resolve(null);
    return new Promise((res) => (this.waiting = res));
  }
}

function historyFile(): string | undefined {
  const home = process.env.HOME ?? homedir();
  return home ? join(home, '.pyscope_debug_history') : undefined;
}

function loadHistory(file: string | undefined): string[] {
  if (!file) return [];
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

/** Completes command names at the start of a line and Python names after them. */
async function completeLine(pdb: PdbFrontEnd, line: string): Promise<[string[], string]> {
  const m = /^(\s*)(\S*)$/.exec(line);
  const commands = m ? Object.keys(ALIASES).filter((n) => n.startsWith(m[2] ?? '') && n.length > 2) : [];
  const cmd = /^\s*(p|pp|display|undisplay|b|break|tbreak|condition\s+\d+|!)\s*/.exec(line);
  const prefix = cmd ? cmd[0] : '';
  const names = (await pdb.session.complete(line.slice(prefix.length))).map((c) => prefix + c);
  return [[...new Set([...commands, ...names])], line];
}

export async function runConsole(pdb: PdbFrontEnd): Promise<void> {
  const session = pdb.session;
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const queue = new LineQueue();
  const hist = tty ? historyFile() : undefined;
  let interacting = false;
  const open = (): Interface => {
    const r = createInterface({
      input: process.stdin,
      output: tty ? process.stdout : undefined,
      terminal: tty,
      history: loadHistory(hist),
      historySize: HISTORY_SIZE,
      completer: tty
        ? (line: string, cb: (err: Error | null, result: [string[], string]) => void): void => {
            completeLine(pdb, line).then((c) => cb(null, c), () => cb(null, [[], line]));
          }
        : undefined,
    });
    r.on('line', (l) => {
      if (hist && l.trim()) {
        try {
          appendFileSync(hist, `${l}\n`);
        } catch {
          // history is a convenience; a read-only home must not stop the session
        }
      }
      queue.push(l);
    });
    r.on('close', () => {
      // Ctrl-D on a terminal ends `interact` only: readline is reopened for the prompt
      if (interacting && tty && !closing) {
        queue.push(END_INTERACT);
        rl = open();
        rl.on('SIGINT', interrupt);
      } else queue.end();
    });
    return r;
  };
  let closing = false;
  let rl = open();

  let interrupts = 0;
  const interrupt = (): void => {
    if (session.state === 'running') {
      interrupts++;
      if (interrupts >= 2) {
        process.stderr.write('\nquitting\n');
        void session.quit();
        return;
      }
      process.stderr.write('\npausing the program (Ctrl-C again quits)\n');
      void session.pause();
      return;
    }
    // at the prompt, Ctrl-C drops the line being typed, as in pdb
    if (tty) {
      rl.write(null, { ctrl: true, name: 'u' });
      process.stdout.write('\n');
      rl.prompt();
    }
  };
  rl.on('SIGINT', interrupt);
  process.on('SIGINT', interrupt);

  const ask = async (prompt: string): Promise<string | null> => {
    if (tty) {
      rl.setPrompt(prompt);
      rl.prompt();
      return queue.next();
    }
    process.stdout.write(prompt);
    const line = await queue.next();
    // a scripted session's transcript reads like a typed one
    if (line !== null && line !== END_INTERACT) process.stdout.write(`${line}\n`);
    return line;
  };

  try {
    await pdb.waitForStop();
    while (session.state !== 'exited') {
      interrupts = 0;
      const line = await ask(PROMPT);
      if (line === null) {
        // end of input is pdb's EOF: quit
        if (!tty) process.stdout.write('\n');
        await session.quit();
        break;
      }
      const outcome = await pdb.execute(line);
      if (outcome === 'quit') break;
      if (outcome === 'resume') await pdb.waitForStop();
      if (outcome === 'interact') {
        interacting = true;
        await interact(pdb, ask);
        interacting = false;
      }
    }
  } finally {
    process.off('SIGINT', interrupt);
    closing = true;
    rl.close();
  }
}

async function interact(pdb: PdbFrontEnd, ask: (prompt: string) => Promise<string | null>): Promise<void> {
  for (;;) {
    const line = await ask(INTERACT_PROMPT);
    if (line === null || line === END_INTERACT) {
      process.stdout.write('\nnow exiting InteractiveConsole...\n');
      return;
    }
    if (!line.trim()) continue;
    try {
      await pdb.exec(line);
    } catch (e) {
      process.stdout.write(`${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
}
