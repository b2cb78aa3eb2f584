// `pyscope record --runtime pyodide -- script.py`: a sampling profile of a program in Pyodide.
// Nothing can read a wasm worker's memory from outside while it runs, so the program samples
// itself: the main thread sets Pyodide's interrupt buffer at the rate, and a SIGINT handler
// (profiler.py) records the stack it interrupted. Output formats are record's own.
import { existsSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { FORMATS } from '../profile/output/index.js';
import { defaultOutput, parseRecordArgs, type RecordArgs } from './record-args.js';
import { mountsFor } from '../debugger/pyodideLauncher.js';
import { profileFromDump, type ProfileDump } from '../profile/pyodide-dump.js';
import { STOP_SIGNAL, type ProfileeMessage } from '../pyodide/profilee.js';
import { createTickerControl, intervalTicker, stopTicker, tickCounts } from '../pyodide/ticker.js';
import type { ProfileWorkerData } from '../pyodide/profileWorker.js';

/** setInterval's resolution: a millisecond. */
export const MAX_PYODIDE_RATE = 1000;

/** Removes `--runtime pyodide` (before the program's command); undefined if it is not there. */
export function takeRuntime(args: string[]): { runtime: string; rest: string[] } | undefined {
  const end = args.indexOf('--') < 0 ? args.length : args.indexOf('--');
  for (let i = 0; i < end; i++) {
    const a = args[i]!;
    if (a === '--runtime') return { runtime: args[i + 1] ?? '', rest: [...args.slice(0, i), ...args.slice(i + 2)] };
    if (a.startsWith('--runtime=')) return { runtime: a.slice('--runtime='.length), rest: [...args.slice(0, i), ...args.slice(i + 1)] };
  }
  return undefined;
}

function profilerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, '..', 'pyodide', 'profiler.py');
  return existsSync(built) ? built : join(here, '..', '..', '..', 'src', 'pyodide', 'profiler.py');
}

export async function recordPyodideCommand(args: string[]): Promise<number> {
  const taken = takeRuntime(args);
  if (taken && taken.runtime !== 'pyodide' && taken.runtime !== 'native') throw new PyscopeError(`record: --runtime needs "native" or "pyodide", got "${taken.runtime}"`, ExitCode.usage);
  if (taken?.runtime === 'native') return (await import('./record.js')).recordCommand(taken.rest);
  const a = parseRecordArgs(taken ? taken.rest : args);
  if (a.help) return (await import('./record.js')).recordCommand(['--help']);
  if (a.pid !== undefined || a.all) throw new PyscopeError('record: --runtime pyodide launches the program (-- script.py); it cannot attach to a pid', ExitCode.usage);
  if (a.durationMs !== undefined) throw new PyscopeError('record: --duration is not supported with --runtime pyodide (the profile is written when the program ends)', ExitCode.usage);
  if (a.subprocesses) throw new PyscopeError('record: --subprocesses does not apply to --runtime pyodide (Pyodide has no processes)', ExitCode.usage);
  if (a.rate > MAX_PYODIDE_RATE) throw new PyscopeError(`record: --rate above ${MAX_PYODIDE_RATE} is not supported with --runtime pyodide (the ticks come from a millisecond timer)`, ExitCode.usage);
  return run(a);
}

async function run(a: RecordArgs): Promise<number> {
  let command = a.command ?? [];
  // `-- python script.py` reads naturally; the interpreter is Pyodide's whatever it says
  if (command.length > 1 && /^python[\d.]*$/.test(basename(command[0]!))) command = command.slice(1);
  const script = command[0];
  if (!script) throw new PyscopeError('record: --runtime pyodide needs a script: pyscope record --runtime pyodide -- script.py', ExitCode.usage);
  const program = resolve(script);
  if (!existsSync(program) || !statSync(program).isFile()) throw new PyscopeError(`record: ${script}: no such file`, ExitCode.usage);
  const real = realpathSync(program);
  const cwd = realpathSync(process.cwd());
  const interrupt = new SharedArrayBuffer(1);
  const control = createTickerControl();
  const data: ProfileWorkerData = { program: real, args: command.slice(1), mounts: mountsFor([dirname(real), cwd]), cwd, interrupt, profilerFile: profilerFile() };
  const startedAt = new Date();
  let stopTicks: (() => void) | undefined;
  const worker = new Worker(new URL('../pyodide/profileWorker.js', import.meta.url), { workerData: data });
  // Ctrl-C ends the program, not the recording: what ran so far is still written (as py-spy does)
  const onInterrupt = (): void => {
    process.stderr.write('pyscope: stopping the program; Ctrl-C again quits without a profile\n');
    Atomics.store(new Uint8Array(interrupt), 0, STOP_SIGNAL);
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onInterrupt);
  const result = await new Promise<{ code: number; dump?: ProfileDump }>((res) => {
    let dump: ProfileDump | undefined;
    worker.on('message', (m: ProfileeMessage) => {
      switch (m.kind) {
        case 'started':
          stopTicks = intervalTicker(interrupt, control, a.rate);
          return;
        case 'stdout':
          process.stdout.write(m.text);
          return;
        case 'stderr':
          process.stderr.write(m.text);
          return;
        case 'profile':
          dump = JSON.parse(m.text) as ProfileDump;
          return;
        case 'exit':
          res({ code: m.code, ...(dump ? { dump } : {}) });
          return;
        case 'failed':
          process.stderr.write(`pyscope: Pyodide failed: ${m.message}\n`);
          res({ code: 1 });
          return;
        case 'ready':
          return;
      }
    });
    worker.on('error', (e) => {
      process.stderr.write(`pyscope: the Pyodide worker failed: ${e.message}\n`);
      res({ code: 1 });
    });
  });
  stopTicks?.();
  stopTicker(control);
  process.removeListener('SIGINT', onInterrupt);
  await worker.terminate();
  if (!result.dump) throw new PyscopeError('record: the program ended before the profiler started (see the error above)');
  const dump = result.dump;
  const { ticks, missed } = tickCounts(control);
  const fmt = FORMATS[a.format];
  const commandLine = command.join(' ');
  const profile = profileFromDump(dump, { command: commandLine, rate: a.rate, startedAt: startedAt.getTime(), ticks, missed, timeline: fmt.timeline, threads: a.threads, cwd });
  const output = a.output ?? defaultOutput(a.format, 0, startedAt).replace('-0-', '-pyodide-');
  try {
    writeFileSync(output, fmt.write(profile, `pyscope record: ${commandLine} (Pyodide)`));
  } catch (e) {
    throw new PyscopeError(`record: cannot write the profile to ${output}: ${(e as Error).message}`, ExitCode.badFile);
  }
  const secs = dump.elapsed / 1000;
  process.stderr.write(
    `pyscope: recorded ${commandLine} in Pyodide for ${secs.toFixed(2)} s (exit code ${result.code}): ${ticks} ticks at ${secs > 0 ? (ticks / secs).toFixed(1) : '0'}/s of ${a.rate}, ${dump.timeline.length} samples, ${missed} missed\n` +
      `pyscope: wrote ${a.format} profile to ${output}\n`,
  );
  return ExitCode.ok;
}
