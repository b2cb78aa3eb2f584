// Which processes of this machine look like Python: `pyscope ps` lists them, and `dump --all`,
// `record --all` and `top --all` read them. A look at each process's mappings only; opening the
// interpreter is each command's own business (and its error to report).
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pids (in order, pyscope itself left out) of the processes this user may read whose mappings
 * name a python file (the interpreter or libpython). Opening every process's binaries (a
 * browser's, node's) to look for _PyRuntime would take seconds each; an interpreter embedded
 * under another name is found by naming its pid.
 */
export function pythonLookingPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => pid !== process.pid)
    .sort((a, b) => a - b)
    .filter(mapsPython);
}

function mapsPython(pid: number): boolean {
  try {
    return /\/[^/\n]*python[^/\n]*$/im.test(readFileSync(`/proc/${pid}/maps`, 'latin1'));
  } catch {
    return false; // another user's, or gone
  }
}
