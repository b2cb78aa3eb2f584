// Source text for listings: files read from disk (the adapter runs the program on this machine),
// anything else (an exec'd string, a zip) asked of the adapter. A path comes from the user or from
// the program's code objects, so it may name a FIFO or a device: only a regular file of bounded
// size is ever read, and nothing else is opened in a way that could block.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';

/** Larger than any source a person lists; a bigger "source" is a mistake, not something to hold in memory. */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/**
 * What reading a source gave: its lines; or why a path that exists was refused (it is not a
 * regular file, or too large); or neither when there is no text to be had.
 */
export interface SourceText {
  lines?: string[];
  refused?: string;
}

/** Asks the adapter for a source it holds (code with no file on disk). */
export type SourceFetcher = (source: DebugProtocol.Source) => Promise<string | undefined>;

export class SourceCache {
  private readonly files = new Map<string, SourceText>();

  constructor(private readonly fetch: SourceFetcher) {}

  async read(source: DebugProtocol.Source | undefined): Promise<SourceText> {
    if (!source) return {};
    const key = source.path ?? `ref:${source.sourceReference ?? 0}`;
    const known = this.files.get(key);
    if (known) return known;
    let got: SourceText = source.path ? readSourceFile(source.path) : notASourceFile(source.name);
    if (got.lines === undefined && got.refused === undefined && source.sourceReference) {
      try {
        const text = await this.fetch(source);
        if (text !== undefined) got = { lines: splitLines(text) };
      } catch {
        // the adapter has no text for it either: the listing says there is no source
      }
    }
    this.files.set(key, got);
    return got;
  }

  async lines(source: DebugProtocol.Source | undefined): Promise<string[] | undefined> {
    return (await this.read(source)).lines;
  }
}

/**
 * Code compiled under a file name that is no regular file (`compile(text, '/dev/zero', 'exec')`)
 * comes with a reference instead of a path; the adapter would read that name to answer, so a name
 * that is a FIFO or a device here is refused before it is asked.
 */
function notASourceFile(name: string | undefined): SourceText {
  if (name === undefined || !isAbsolute(name)) return {};
  try {
    const st = statSync(name);
    return st.isFile() ? {} : { refused: `${name} is ${kindOf(st)}, not a source file` };
  } catch {
    return {};
  }
}

function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function refusal(path: string, st: Stats): string | undefined {
  if (!st.isFile()) return `${path} is ${kindOf(st)}, not a source file`;
  if (st.size > MAX_SOURCE_BYTES) return `${path} is larger than ${MAX_SOURCE_BYTES / 2 ** 20} MiB: not read as a source file`;
  return undefined;
}

/**
 * Reads a source file, or says why not. The stat before opening spares a device the open itself;
 * O_NONBLOCK keeps an open of a FIFO from waiting for a writer, and the fstat of the descriptor is
 * what decides, so a path swapped between the two cannot slip a device in.
 */
export function readSourceFile(path: string): SourceText {
  let fd: number;
  try {
    const before = refusal(path, statSync(path));
    if (before) return { refused: before };
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    // missing or unreadable: perhaps the adapter knows the text
    return {};
  }
  try {
    const why = refusal(path, fstatSync(fd));
    if (why) return { refused: why };
    const chunks: Buffer[] = [];
    let total = 0;
    // bounded even if the file grows while it is read
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_SOURCE_BYTES) return { refused: `${path} is larger than ${MAX_SOURCE_BYTES / 2 ** 20} MiB: not read as a source file` };
      chunks.push(chunk.subarray(0, n));
    }
    return { lines: splitLines(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return {};
  } finally {
    closeSync(fd);
  }
}

/** The function (or class body) around a line, by indentation: what `ll` shows. */
export function enclosingBlock(lines: readonly string[], line: number): [number, number] {
  const indent = (s: string): number => s.length - s.trimStart().length;
  const blank = (s: string): boolean => s.trim() === '' || s.trimStart().startsWith('#');
  const isDef = (s: string): boolean => /^\s*(async\s+def|def|class)\s/.test(s);
  let start = -1;
  const here = lines[line - 1] ?? '';
  if (isDef(here)) start = line;
  let limit = blank(here) ? Infinity : indent(here);
  for (let n = line - 1; n >= 1 && start < 0; n--) {
    const s = lines[n - 1] ?? '';
    if (blank(s) || indent(s) >= limit) continue;
    if (isDef(s)) start = n;
    limit = indent(s);
  }
  if (start < 0) return [1, lines.length];
  let top = start;
  while (top > 1 && /^\s*@/.test(lines[top - 2] ?? '')) top--;
  const base = indent(lines[start - 1] ?? '');
  let end = start;
  for (let n = start + 1; n <= lines.length; n++) {
    const s = lines[n - 1] ?? '';
    if (blank(s)) continue;
    if (indent(s) <= base) break;
    end = n;
  }
  return [top, Math.max(end, line)];
}
