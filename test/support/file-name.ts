// How pyscope names a program's own file when the program runs in this test's working directory
// (issue 15: the user's files relative to the target's cwd, by their last component outside it).
import { basename, relative } from 'node:path';

export function nameFromHere(path: string): string {
  const r = relative(process.cwd(), path);
  return r === '' || r.startsWith('..') ? basename(path) : r;
}

/** `text` matched literally inside a regular expression. */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
