// What the adapter decides about a child process that announced itself (docs/DEBUGGER.md, "Child
// processes"): its name in the client, and whether it is one of multiprocessing's own helpers
// (the forkserver, the resource tracker), which run no code of the program and get no session of
// their own (their forks still follow). Browser-safe: data only.
import type { Hello } from '../agent/protocol.js';

/** What a child's agent adds to its hello. */
export interface ChildInfo {
  /** `fork`: os.fork and multiprocessing's fork; `spawn`: a new interpreter (subprocess, spawn, forkserver). */
  how: 'fork' | 'spawn';
  parentPid: number;
  /** Its command line (an interpreter's own, for a fork the parent's). */
  argv: string[];
}

export type ChildHello = Hello & { child: ChildInfo };

export function isChildHello(h: Hello): h is ChildHello {
  const c = (h as Partial<ChildHello>).child;
  return typeof c === 'object' && c !== null && Array.isArray(c.argv) && typeof c.parentPid === 'number';
}

/** The -c code of a command line, when it has one. */
function commandCode(argv: string[]): string | undefined {
  const i = argv.indexOf('-c');
  return i >= 0 ? argv[i + 1] : undefined;
}

// (3.14 puts `import sys; ` before the forkserver's import)
const HELPERS = [/\bfrom multiprocessing\.forkserver import main\b/, /\bfrom multiprocessing\.(resource|semaphore)_tracker import main\b/];

/** One of multiprocessing's helper processes, not a process of the program. */
export function isHelper(info: ChildInfo): boolean {
  if (info.how !== 'spawn') return false;
  const code = commandCode(info.argv)?.trim();
  return code !== undefined && HELPERS.some((re) => re.test(code));
}

const MAX_NAME = 80;

/** How the client names the child's session: the pid and what it runs, briefly. */
export function childName(h: ChildHello): string {
  const argv = h.child.argv;
  const code = commandCode(argv);
  let what: string;
  if (code !== undefined && /\bfrom multiprocessing\.spawn import spawn_main\b/.test(code)) what = 'multiprocessing worker (spawn)';
  else if (code !== undefined) what = `-c ${code.replace(/\s+/g, ' ')}`;
  else {
    // the interpreter's own arguments: from its script (or -m) on
    const start = argv.findIndex((a, i) => i > 0 && (a === '-m' || !a.startsWith('-')));
    what = (start > 0 ? argv.slice(start) : argv.slice(1)).join(' ') || 'python';
  }
  if (h.child.how === 'fork') what = `fork of ${h.child.parentPid}: ${what}`;
  const text = `${h.pid} ${what}`;
  return text.length > MAX_NAME ? `${text.slice(0, MAX_NAME - 3)}...` : text;
}
