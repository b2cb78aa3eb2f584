// Just-My-Code: which files are library code. The rule lives here; the agent only applies the
// list of library roots it is given (to step over library code without asking).
import { sep } from 'node:path';
import type { Hello } from '../agent/protocol.js';

export function libraryRoots(hello: Hello): string[] {
  const roots = new Set<string>();
  for (const p of hello.libraryPaths) roots.add(withSep(p));
  return [...roots];
}

export function isLibraryPath(path: string, roots: readonly string[]): boolean {
  return roots.some((r) => path.startsWith(r));
}

function withSep(p: string): string {
  return p.endsWith(sep) ? p : p + sep;
}
