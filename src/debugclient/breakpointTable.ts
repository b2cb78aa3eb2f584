// pdb's numbered breakpoints kept by the client. DAP sets a file's breakpoints all at once, so
// this table is the truth and each change resends the affected file (or the function list).
import type { DebugProtocol } from '@vscode/debugprotocol';

export interface PdbBreakpoint {
  number: number;
  /** Absolute path for a line breakpoint. */
  file?: string;
  line?: number;
  func?: string;
  condition?: string;
  enabled: boolean;
  temporary: boolean;
  /** Hits still to pass over (pdb's ignore count); the client counts them at each stop. */
  ignore: number;
  hits: number;
  /** What the adapter said: its id for hitBreakpointIds, and whether it could place it. */
  dapId?: number;
  verified?: boolean;
  message?: string;
}

/** What views may read of the table; changes go through the session model, which resends them. */
export interface BreakpointView {
  readonly all: readonly Readonly<PdbBreakpoint>[];
  get(n: number): Readonly<PdbBreakpoint> | undefined;
  /** Lines of a file that have an enabled breakpoint. */
  linesIn(file: string): Set<number>;
}

export class BreakpointTable implements BreakpointView {
  private next = 1;
  readonly all: PdbBreakpoint[] = [];

  add(bp: Omit<PdbBreakpoint, 'number' | 'enabled' | 'ignore' | 'hits'>): PdbBreakpoint {
    const full: PdbBreakpoint = { ...bp, number: this.next++, enabled: true, ignore: 0, hits: 0 };
    this.all.push(full);
    return full;
  }

  get(n: number): PdbBreakpoint | undefined {
    return this.all.find((b) => b.number === n);
  }

  remove(bp: PdbBreakpoint): void {
    const i = this.all.indexOf(bp);
    if (i >= 0) this.all.splice(i, 1);
  }

  lineBreakpoints(file: string): PdbBreakpoint[] {
    return this.all.filter((b) => b.file === file && b.line !== undefined && b.enabled);
  }

  functionBreakpoints(): PdbBreakpoint[] {
    return this.all.filter((b) => b.func !== undefined && b.enabled);
  }

  sourceArguments(file: string): DebugProtocol.SetBreakpointsArguments {
    return {
      source: { path: file },
      breakpoints: this.lineBreakpoints(file).map((b) => (b.condition ? { line: b.line ?? 0, condition: b.condition } : { line: b.line ?? 0 })),
    };
  }

  functionArguments(): DebugProtocol.SetFunctionBreakpointsArguments {
    return { breakpoints: this.functionBreakpoints().map((b) => (b.condition ? { name: b.func ?? '', condition: b.condition } : { name: b.func ?? '' })) };
  }

  linesIn(file: string): Set<number> {
    return new Set(this.all.filter((b) => b.file === file && b.enabled && b.line !== undefined).map((b) => b.line ?? 0));
  }

  /** The breakpoints a stop reports: the adapter's ids, told apart by where the program stopped. */
  hitAt(ids: readonly number[], file: string | undefined, line: number, frameName: string): PdbBreakpoint[] {
    const hit = this.all.filter((b) => b.enabled && b.dapId !== undefined && ids.includes(b.dapId));
    return hit.filter((b) => (b.func !== undefined ? matchesFunction(b, frameName) : b.file === file && b.line === line));
  }

  functionsNamed(frameName: string): PdbBreakpoint[] {
    return this.all.filter((b) => b.enabled && matchesFunction(b, frameName));
  }
}

export function matchesFunction(bp: PdbBreakpoint, frameName: string): boolean {
  const f = bp.func;
  return f !== undefined && (frameName === f || frameName.endsWith(`.${f}`) || f.endsWith(`.${frameName}`));
}
