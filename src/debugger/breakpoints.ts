// Breakpoint bookkeeping that needs no interpreter: ids, hit-condition and log-message parsing.
// The agent receives them pre-parsed and only compiles the Python expressions, once.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { AgentLineBreakpoint, HitCondition, LogPart } from '../agent/protocol.js';

/** debugpy's hit conditions: `3` and `== 3` (exactly the 3rd hit), `>= 3`, `> 3`, `< 3`, `<= 3`, `% 3` (every 3rd). */
export function parseHitCondition(text: string): HitCondition | string {
  const m = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) return `invalid hit condition "${text}": use N, == N, >= N, > N, < N, <= N or % N`;
  return { op: (m[1] ?? '==') as HitCondition['op'], n: Number(m[2]) };
}

/** Splits "x is {x}, {{literal}}" into text and expression parts; `{{`/`}}` stand for braces. */
export function parseLogMessage(text: string): LogPart[] {
  const parts: LogPart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      literal += c;
      i += 2;
      continue;
    }
    if (c === '{') {
      let depth = 1;
      let j = i + 1;
      while (j < text.length && depth > 0) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}') depth--;
        j++;
      }
      if (depth > 0) {
        literal += text.slice(i);
        break;
      }
      if (literal) parts.push(['text', literal]);
      literal = '';
      parts.push(['expr', text.slice(i + 1, j - 1)]);
      i = j;
      continue;
    }
    literal += c;
    i++;
  }
  if (literal) parts.push(['text', literal]);
  return parts;
}

/** DAP ids stay stable for a given (path, requested line) across setBreakpoints calls. */
export class BreakpointIds {
  private next = 1;
  private readonly ids = new Map<string, number>();

  idFor(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.next++;
      this.ids.set(key, id);
    }
    return id;
  }
}

export interface Translated {
  agent: AgentLineBreakpoint[];
  /** Problems found before the agent sees the breakpoint, by index in the request. */
  rejected: Map<number, string>;
}

export function translateBreakpoints(path: string, requested: DebugProtocol.SourceBreakpoint[], ids: BreakpointIds): Translated {
  const agent: AgentLineBreakpoint[] = [];
  const rejected = new Map<number, string>();
  requested.forEach((bp, index) => {
    const out: AgentLineBreakpoint = { id: ids.idFor(`${path}:${bp.line}`), line: bp.line };
    if (bp.condition) out.condition = bp.condition;
    if (bp.hitCondition) {
      const hit = parseHitCondition(bp.hitCondition);
      if (typeof hit === 'string') {
        rejected.set(index, hit);
        return;
      }
      out.hit = hit;
    }
    if (bp.logMessage !== undefined) out.log = parseLogMessage(bp.logMessage);
    agent.push(out);
  });
  return { agent, rejected };
}
