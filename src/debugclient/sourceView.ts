// Source text for listings: files read from disk (the adapter runs the program on this machine),
// anything else (an exec'd string, a zip) asked of the adapter with a DAP `source` request.
import { readFileSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DapClient } from './dapClient.js';
import type { Style } from './style.js';

export class SourceCache {
  private readonly files = new Map<string, string[] | undefined>();

  constructor(private readonly client: DapClient) {}

  async lines(source: DebugProtocol.Source | undefined): Promise<string[] | undefined> {
    if (!source) return undefined;
    const key = source.path ?? `ref:${source.sourceReference ?? 0}`;
    if (this.files.has(key)) return this.files.get(key);
    let text: string | undefined;
    if (source.path) {
      try {
        text = readFileSync(source.path, 'utf8');
      } catch {
        text = undefined;
      }
    }
    if (text === undefined && source.sourceReference) {
      try {
        text = (await this.client.request<DebugProtocol.SourceResponse['body']>('source', { source, sourceReference: source.sourceReference })).content;
      } catch {
        text = undefined;
      }
    }
    const lines = text?.replace(/\r\n/g, '\n').split('\n');
    if (lines && lines[lines.length - 1] === '') lines.pop();
    this.files.set(key, lines);
    return lines;
  }
}

export interface ListingOptions {
  first: number;
  last: number;
  current?: number;
  breakpoints: Set<number>;
  style: Style;
}

/** pdb's listing layout: line number, "B" for a breakpoint, "->" at the current line. */
export function listLines(lines: readonly string[], o: ListingOptions): string[] {
  const out: string[] = [];
  const last = Math.min(o.last, lines.length);
  for (let n = Math.max(1, o.first); n <= last; n++) {
    const text = (lines[n - 1] ?? '').replace(/\t/g, '    ');
    const num = String(n).padStart(4);
    const mark = o.breakpoints.has(n) ? o.style.red('B') : ' ';
    if (n === o.current) out.push(`${o.style.bold(num)}${mark}${o.style.green('->')} ${o.style.bold(text)}`);
    else out.push(`${o.style.dim(num)}${mark}   ${text}`.trimEnd());
  }
  return out;
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
