// Options of `pyscope record`, in py-spy's spelling, checked before anything starts.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { FORMATS, isFormat, type FormatName } from '../profile/output/index.js';
import { parsePid } from './pid-arg.js';
import { parseOptions } from './options.js';

export const MIN_RATE = 1;
export const MAX_RATE = 20_000;

export interface RecordArgs {
  /** The first (often the only) --pid. */
  pid?: number;
  /** Every --pid, in the order given (empty when a command is launched or with --all). */
  pids: number[];
  /** --all: every Python process this user may read, one root each. */
  all: boolean;
  command?: string[];
  rate: number;
  durationMs?: number;
  output?: string;
  format: FormatName;
  idle: boolean;
  gil: boolean;
  threads: boolean;
  subprocesses: boolean;
  /** --native / --native-all: native frames too (undefined without either). */
  native?: { all: boolean };
  /** --async-aware: event-loop threads' samples attributed to their tasks' logical paths. */
  asyncAware: boolean;
  help: boolean;
}

const OPTIONS = {
  pid: { type: 'string', short: 'p', multiple: true },
  all: { type: 'boolean', short: 'a', default: false },
  rate: { type: 'string', short: 'r' },
  duration: { type: 'string', short: 'd' },
  output: { type: 'string', short: 'o' },
  format: { type: 'string', short: 'f' },
  idle: { type: 'boolean', short: 'i', default: false },
  gil: { type: 'boolean', short: 'g', default: false },
  threads: { type: 'boolean', short: 't', default: false },
  subprocesses: { type: 'boolean', short: 's', default: false },
  native: { type: 'boolean', short: 'n', default: false },
  'native-all': { type: 'boolean', default: false },
  'async-aware': { type: 'boolean', default: false },
  nonblocking: { type: 'boolean', default: false },
  blocking: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/**
 * The command to launch starts after `--`, or at the first word that is not one of our options
 * (`pyscope record -o x.html python app.py -v`: `-v` belongs to the program).
 */
function splitCommand(args: string[]): { own: string[]; command: string[] | undefined } {
  const dash = args.indexOf('--');
  if (dash >= 0) return { own: args.slice(0, dash), command: args.slice(dash + 1) };
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(OPTIONS)) {
    if (o.type === 'string') {
      takesValue.add(`--${name}`);
      if ('short' in o) takesValue.add(`-${o.short}`);
    }
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (takesValue.has(a)) {
      i++;
      continue;
    }
    if (!a.startsWith('-')) return { own: args.slice(0, i), command: args.slice(i) };
  }
  return { own: args, command: undefined };
}

function number(name: string, raw: string): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new PyscopeError(`record: --${name} "${raw}" is not a number`, ExitCode.usage);
  return v;
}

export function parseRecordArgs(args: string[]): RecordArgs {
  const { own, command } = splitCommand(args);
  const parsed = parseOptions('record', { args: own, options: OPTIONS, allowPositionals: false, strict: true });
  const o = parsed.values;
  const out: RecordArgs = {
    pids: [],
    all: o.all,
    rate: 100,
    format: 'flamegraph',
    idle: o.idle,
    gil: o.gil,
    threads: o.threads,
    subprocesses: o.subprocesses,
    ...(o.native || o['native-all'] ? { native: { all: o['native-all'] } } : {}),
    asyncAware: o['async-aware'],
    help: o.help,
    output: o.output,
  };
  if (o.help) return out;
  if (o.blocking) {
    throw new PyscopeError(
      'record: --blocking is not supported: pausing only the Python threads needs ptrace (SIGSTOP stops the whole process), which pyscope does not use; samples are taken without stopping the target',
      ExitCode.usage,
    );
  }
  if (o.rate !== undefined) {
    out.rate = number('rate', o.rate);
    if (out.rate < MIN_RATE || out.rate > MAX_RATE) throw new PyscopeError(`record: --rate ${o.rate} is out of range (${MIN_RATE} to ${MAX_RATE} samples per second)`, ExitCode.usage);
  }
  if (o.duration !== undefined) {
    const s = number('duration', o.duration);
    if (s <= 0) throw new PyscopeError(`record: --duration ${o.duration} must be a positive number of seconds`, ExitCode.usage);
    out.durationMs = s * 1000;
  }
  if (o.format !== undefined) {
    if (!isFormat(o.format)) throw new PyscopeError(`record: unknown --format "${o.format}" (one of ${Object.keys(FORMATS).join(', ')})`, ExitCode.usage);
    out.format = o.format;
  }
  const pids = o.pid ?? [];
  if (pids.length > 0 && command !== undefined) throw new PyscopeError('record: give either --pid PID or a command to run, not both', ExitCode.usage);
  if (o.all && (pids.length > 0 || command !== undefined)) {
    throw new PyscopeError(`record: --all records every Python process: give it no ${pids.length > 0 ? '--pid' : 'command'}`, ExitCode.usage);
  }
  if (o.all && o.subprocesses) throw new PyscopeError('record: --all already records every Python process (--subprocesses follows the children of one)', ExitCode.usage);
  if (o.all) {
    // no process to name: --all finds them when the recording starts
  } else if (pids.length > 0) {
    // A pid given twice is one process: sampled twice it would count double.
    out.pids = [...new Set(pids.map((p) => parsePid([], p, 'record')))];
    out.pid = out.pids[0];
    if (out.pids.length > 1 && o.subprocesses) throw new PyscopeError('record: --subprocesses follows the children of one process: give one --pid', ExitCode.usage);
  } else if (command !== undefined && command.length > 0) out.command = checkScript(command);
  else throw new PyscopeError('record: what to profile? give --pid PID or a command: pyscope record -- python app.py', ExitCode.usage);
  if (out.output !== undefined) checkWritable(out.output);
  else checkWritable(resolve('pyscope-profile'));
  return out;
}

/**
 * `python FILE ...` whose FILE is missing is refused before anything starts, in one line: run, the
 * interpreter would say it in its words, and pyscope again that the program ended.
 */
function checkScript(command: string[]): string[] {
  const [runner, script] = command;
  if (runner === undefined || script === undefined || !/^python[\w.-]*$/.test(basename(runner)) || script.startsWith('-')) return command;
  if (!existsSync(resolve(script))) throw new PyscopeError(`record: ${script}: no such file`, ExitCode.usage);
  return command;
}

export function defaultOutput(format: FormatName, pid: number | 'all', at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return `pyscope-${pid}-${stamp}.${FORMATS[format].extension}`;
}

/** Refuses, before anything starts, an output the recording could not be written to. */
export function checkWritable(path: string): void {
  const full = resolve(path);
  let st;
  try {
    st = statSync(full);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw new PyscopeError(`record: cannot write the profile to ${path}: it is a directory`, ExitCode.badFile);
  const dir = dirname(full);
  try {
    if (st) accessSync(full, constants.W_OK);
    else {
      if (!statSync(dir).isDirectory()) throw new Error('not a directory');
      accessSync(dir, constants.W_OK);
    }
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `directory ${dir} does not exist` : (e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new PyscopeError(`record: cannot write the profile to ${path}: ${why}`, ExitCode.badFile);
  }
}
