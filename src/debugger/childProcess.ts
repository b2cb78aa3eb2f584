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

/** Where the program's part of an interpreter's command line starts (its script, or -m): after the interpreter's own options. */
function programStart(argv: string[]): number {
  let i = 1;
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === '-m') return i;
    if (a === '--') return i + 1;
    // options whose value is the next argument
    if (a === '-X' || a === '-W' || a === '--check-hash-based-pycs') i += 2;
    else if (a.startsWith('-') && a !== '-') i += 1;
    else return i;
  }
  return -1;
}

/** How the client names the child's session: the pid and what it runs, briefly. */
export function childName(h: ChildHello): string {
  const argv = h.child.argv;
  const code = commandCode(argv);
  let what: string;
  if (code !== undefined && /\bfrom multiprocessing\.spawn import spawn_main\b/.test(code)) what = 'multiprocessing worker (spawn)';
  else if (code !== undefined) what = `-c ${code.replace(/\s+/g, ' ')}`;
  else {
    const start = programStart(argv);
    const program = start > 0 ? argv.slice(start) : argv.slice(1);
    // a script by its file name: the folder makes a long name and says little
    if (program[0] !== undefined && program[0] !== '-m') program[0] = program[0].slice(program[0].lastIndexOf('/') + 1);
    what = program.join(' ') || 'python';
  }
  if (h.child.how === 'fork') what = `fork of ${h.child.parentPid}: ${what}`;
  const text = `${h.pid} ${what}`;
  return text.length > MAX_NAME ? `${text.slice(0, MAX_NAME - 3)}...` : text;
}
