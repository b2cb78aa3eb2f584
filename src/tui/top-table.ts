// What `top` shows: per function, own time (innermost frame) and total time (anywhere on the
// stack, once per stack even under recursion), over the last refresh window and since the start.
import { shortFile } from '../profile/labels.js';
import type { Sample } from '../profile/sample.js';

export interface FunctionRow {
  name: string;
  file: string;
  firstLine: number;
  ownWindow: number;
  totalWindow: number;
  own: number;
  total: number;
}

export const SORTS = [
  { key: '1', title: '%Own', value: (r: FunctionRow) => r.ownWindow },
  { key: '2', title: '%Total', value: (r: FunctionRow) => r.totalWindow },
  { key: '3', title: 'OwnTime', value: (r: FunctionRow) => r.own },
  { key: '4', title: 'TotalTime', value: (r: FunctionRow) => r.total },
] as const;

export interface TopFilter {
  idle: boolean;
  gil: boolean;
}

export class TopTable {
  readonly rows = new Map<string, FunctionRow>();
  ticks = 0;
  windowTicks = 0;
  threadsSeen = 0;
  activeThreads = 0;

  constructor(private readonly filter: TopFilter) {}

  /**
   * One process's sample. With several processes (top --all) each tick brings one sample per
   * process: only the first of a tick is `newTick`, so that 100% stays one thread busy all along.
   */
  add(sample: Sample, newTick = true): number {
    if (newTick) {
      this.ticks++;
      this.windowTicks++;
      this.threadsSeen = 0;
      this.activeThreads = 0;
    }
    this.threadsSeen += sample.threads.length;
    let kept = 0;
    for (const t of sample.threads) {
      if (t.active) this.activeThreads++;
      if (t.frames.length === 0) continue;
      if (!this.filter.idle && !t.active) continue;
      if (this.filter.gil && t.holdsGil !== true) continue;
      kept++;
      const seen = new Set<FunctionRow>();
      t.frames.forEach((f, i) => {
        const key = `${f.name}\0${f.file}\0${f.firstLine}`;
        let row = this.rows.get(key);
        if (!row) this.rows.set(key, (row = { name: f.name, file: f.file, firstLine: f.firstLine, ownWindow: 0, totalWindow: 0, own: 0, total: 0 }));
        if (i === 0) {
          row.own++;
          row.ownWindow++;
        }
        if (!seen.has(row)) {
          seen.add(row);
          row.total++;
          row.totalWindow++;
        }
      });
    }
    return kept;
  }

  /** Starts a new refresh window; returns the ticks of the one that ended. */
  roll(): { ticks: number; rows: FunctionRow[] } {
    const rows = [...this.rows.values()].map((r) => ({ ...r }));
    const ticks = this.windowTicks;
    for (const r of this.rows.values()) {
      r.ownWindow = 0;
      r.totalWindow = 0;
    }
    this.windowTicks = 0;
    return { ticks, rows };
  }
}

export interface TopHeader {
  /** "pid 1234", or "12 processes" for top --all. */
  target: string;
  command: string;
  version: string;
  rate: number;
  ticks: number;
  missed: number;
  errors: number;
  threads: number;
  active: number;
  elapsed: number;
  exited: boolean;
  /** The target's working directory, when known: its own files are named relative to it. */
  cwd?: string;
}

const REVERSE = '\x1b[7m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

export function renderTop(h: TopHeader, window: { ticks: number; rows: FunctionRow[] }, sort: number, rate: number, height: number): string[] {
  const pct = (n: number): string => (window.ticks > 0 ? ((100 * n) / window.ticks).toFixed(1) + '%' : '0.0%');
  const secs = (n: number): string => (n / rate).toFixed(2) + 's';
  const by = SORTS[sort]!.value;
  const rows = [...window.rows].sort((a, b) => by(b) - by(a) || b.total - a.total || a.name.localeCompare(b.name));
  const lines: string[] = [];
  lines.push(`${BOLD}pyscope top${RESET}  ${h.target}  ${h.version ? `Python ${h.version}  ` : ''}${h.command}`);
  lines.push(
    `Samples ${h.ticks}  Rate ${rate} Hz  Missed ${h.missed}  Errors ${h.errors}  Threads ${h.threads} (${h.active} active)  Elapsed ${(h.elapsed / 1000).toFixed(0)}s${h.exited ? '  PROCESS EXITED' : ''}`,
  );
  lines.push(`Sort: ${SORTS.map((s, i) => (i === sort ? `${REVERSE}${s.key} ${s.title}${RESET}` : `${s.key} ${s.title}`)).join('  ')}   q quit`);
  lines.push('');
  const head = [' %Own', ' %Total', ' OwnTime', 'TotalTime', 'Function (file:line)'];
  lines.push(REVERSE + `${head[0]!.padStart(7)} ${head[1]!.padStart(7)} ${head[2]!.padStart(9)} ${head[3]!.padStart(10)}  ${head[4]}` + RESET);
  for (const r of rows.slice(0, Math.max(0, height - lines.length))) {
    lines.push(`${pct(r.ownWindow).padStart(7)} ${pct(r.totalWindow).padStart(7)} ${secs(r.own).padStart(9)} ${secs(r.total).padStart(10)}  ${r.name} (${shortFile(r.file, h.cwd)}:${r.firstLine})`);
  }
  return lines;
}
