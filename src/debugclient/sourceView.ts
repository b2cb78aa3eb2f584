// Source text for listings: files read from disk (the adapter runs the program on this machine),
// anything else (an exec'd string, a zip) asked of the adapter.
import { readFileSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';

/**
 * What reading a source gave: its lines; or why a path that exists was refused; or neither when
 * there is no text to be had.
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
    let got: SourceText = {};
    if (source.path) {
      try {
        got = { lines: splitLines(readFileSync(source.path, 'utf8')) };
      } catch {
        got = {};
      }
    }
    if (got.lines === undefined && source.sourceReference) {
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

function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
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
