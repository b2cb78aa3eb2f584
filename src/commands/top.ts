// `pyscope top`: a live view of the functions a process spends its time in, refreshed every
// second, sortable, over the alternate screen so the terminal comes back as it was.
import { ExitCode, PyscopeError } from '../common/errors.js';
import { formatVersion } from '../cpython/discover/detect-version.js';
import { Recorder, type StopReason } from '../profile/recorder.js';
import { Sampler } from '../profile/sampler.js';
import { Screen } from '../tui/screen.js';
import { renderTop, SORTS, TopTable } from '../tui/top-table.js';
import { parsePid } from './pid-arg.js';
import { workingDirectory } from '../memory/proc.js';
import { MAX_RATE, MIN_RATE } from './record-args.js';
import { parseOptions, usageError } from './options.js';
import { pythonLookingPids } from './python-processes.js';

const HELP = `usage: pyscope top [options] PID
       pyscope top [options] --pid PID [--pid PID ...]
       pyscope top [options] --all

A live view of the functions with the most own time (innermost frame) and total time (anywhere
on the stack) in a running Python process, refreshed every second. With several processes the
table is host-wide: a function's time is summed over every process that runs it.

keys: 1 %Own, 2 %Total, 3 OwnTime, 4 TotalTime (sort by that column), q or Ctrl-C quit

options:
  -p, --pid PID       the process (or give PID as the argument); repeat for several
  -a, --all           every Python process this user may read (when top starts); one that
                      cannot be read is named on stderr and left out
  -r, --rate HZ       samples per second (default 100, ${MIN_RATE} to ${MAX_RATE})
  -i, --idle          include idle threads
  -g, --gil           only the thread holding the GIL
  -h, --help          show this help
`;

const REFRESH_MS = 1000;

export async function topCommand(args: string[]): Promise<number> {
  const parsed = parseOptions('top', {
    args,
    allowPositionals: true,
    options: {
      pid: { type: 'string', short: 'p', multiple: true },
      all: { type: 'boolean', short: 'a', default: false },
      rate: { type: 'string', short: 'r' },
      idle: { type: 'boolean', short: 'i', default: false },
      gil: { type: 'boolean', short: 'g', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const o = parsed.values;
  if (o.help) {
    process.stdout.write(HELP);
    return ExitCode.ok;
  }
  const pidOptions = o.pid ?? [];
  if (o.all && (pidOptions.length > 0 || parsed.positionals.length > 0)) throw usageError('top', `--all shows every Python process: give it no pid (got ${pidOptions[0] ?? parsed.positionals[0]})`);
  if (pidOptions.length > 1 && parsed.positionals.length > 0) throw usageError('top', `unexpected argument "${parsed.positionals[0]}" (the processes are given with --pid)`);
  const pids = o.all ? undefined : pidOptions.length > 1 ? [...new Set(pidOptions.map((p) => parsePid([], p, 'top')))] : [parsePid(parsed.positionals, pidOptions[0], 'top')];
  const rate = o.rate === undefined ? 100 : Number(o.rate);
  if (!Number.isFinite(rate) || rate < MIN_RATE || rate > MAX_RATE) throw new PyscopeError(`top: --rate ${o.rate} is out of range (${MIN_RATE} to ${MAX_RATE} samples per second)`, ExitCode.usage);
  if (!process.stdout.isTTY) throw new PyscopeError('top: needs a terminal (use pyscope record for a file)', ExitCode.usage);

  const samplers = openSamplers(pids);
  const one = samplers.length === 1 && pids !== undefined ? samplers[0] : undefined;
  const target = one ? `pid ${one.pid}` : `${samplers.length} processes`;
  const versions = [...new Set(samplers.map((s) => formatVersion(s.process.version)))];
  const version = versions.join(', ');
  const command = one ? one.process.commandLine : samplers.map((s) => s.pid).join(' ');
  // Processes side by side have no one working directory: their own files keep their last name.
  const cwd = one ? workingDirectory(one.pid) : undefined;
  const table = new TopTable({ idle: o.idle, gil: o.gil });
  let lastTick = -1;
  const recorder: Recorder = new Recorder(samplers, {
    rate,
    subprocesses: false,
    sink: (_p, s): number => {
      const fresh = recorder.stats.ticks !== lastTick;
      lastTick = recorder.stats.ticks;
      return table.add(s, fresh);
    },
  });
  const screen = new Screen();
  let sort = 0;
  let last = table.roll();
  const paint = (): void => {
    const st = recorder.stats;
    screen.draw(
      renderTop(
        { target, command, version, rate, ticks: st.ticks, missed: st.missed, errors: st.errors, threads: table.threadsSeen, active: table.activeThreads, elapsed: st.elapsed, exited: false, cwd },
        last,
        sort,
        rate,
        screen.rows,
      ),
    );
  };
  const onKey = (key: string): void => {
    for (const ch of key) {
      if (ch === 'q' || ch === 'Q' || ch === '\x03') recorder.stop('interrupted');
      const i = SORTS.findIndex((s) => s.key === ch);
      if (i >= 0) {
        sort = i;
        paint();
      }
    }
  };
  const onInterrupt = (): void => recorder.stop('interrupted');
  process.on('SIGINT', onInterrupt);
  screen.enter(onKey, paint);
  paint();
  const timer = setInterval(() => {
    last = table.roll();
    paint();
  }, REFRESH_MS);
  let reason: StopReason;
  try {
    reason = await recorder.run();
  } finally {
    clearInterval(timer);
    screen.leave();
    recorder.close();
    process.off('SIGINT', onInterrupt);
  }
  if (reason === 'exited') process.stderr.write(one ? `pyscope: process ${one.pid} exited\n` : 'pyscope: every process exited\n');
  return ExitCode.ok;
}

/**
 * The processes to watch: those named (each must be readable), or under --all (pids undefined)
 * every candidate that opens, the others named on stderr.
 */
function openSamplers(pids: number[] | undefined): Sampler[] {
  const out: Sampler[] = [];
  for (const pid of pids ?? pythonLookingPids()) {
    try {
      out.push(new Sampler(pid, { names: false }));
    } catch (e) {
      if (pids !== undefined) {
        for (const s of out) s.close();
        throw e;
      }
      process.stderr.write(`pyscope: pid ${pid} not shown: ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}\n`);
    }
  }
  if (out.length === 0) throw new PyscopeError('top: no Python process found that this user may read', ExitCode.notPython);
  return out;
}
