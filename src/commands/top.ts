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
import { parseOptions } from './options.js';

const HELP = `usage: pyscope top [options] PID

A live view of the functions with the most own time (innermost frame) and total time (anywhere
on the stack) in a running Python process, refreshed every second.

keys: 1 %Own, 2 %Total, 3 OwnTime, 4 TotalTime (sort by that column), q or Ctrl-C quit

options:
  -p, --pid PID       the process (or give PID as the argument)
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
      pid: { type: 'string', short: 'p' },
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
  const pid = parsePid(parsed.positionals, o.pid, 'top');
  const rate = o.rate === undefined ? 100 : Number(o.rate);
  if (!Number.isFinite(rate) || rate < MIN_RATE || rate > MAX_RATE) throw new PyscopeError(`top: --rate ${o.rate} is out of range (${MIN_RATE} to ${MAX_RATE} samples per second)`, ExitCode.usage);
  if (!process.stdout.isTTY) throw new PyscopeError('top: needs a terminal (use pyscope record for a file)', ExitCode.usage);

  const sampler = new Sampler(pid, { names: false });
  const version = formatVersion(sampler.process.version);
  const cwd = workingDirectory(pid);
  const table = new TopTable({ idle: o.idle, gil: o.gil });
  const recorder = new Recorder(sampler, { rate, subprocesses: false, sink: (_p, s) => table.add(s) });
  const screen = new Screen();
  let sort = 0;
  let last = table.roll();
  const paint = (): void => {
    const st = recorder.stats;
    screen.draw(
      renderTop(
        { pid, command: sampler.process.commandLine, version, rate, ticks: st.ticks, missed: st.missed, errors: st.errors, threads: table.threadsSeen, active: table.activeThreads, elapsed: st.elapsed, exited: false, cwd },
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
  if (reason === 'exited') process.stderr.write(`pyscope: process ${pid} exited\n`);
  return ExitCode.ok;
}
