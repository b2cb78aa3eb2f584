// `pyscope record`: sample a running process (--pid) or a program it launches, and write the
// profile when the program exits, at --duration, or on Ctrl-C, whichever comes first.
import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { ExitCode, PyscopeError } from '../common/errors.js';
import { formatVersion } from '../cpython/discover/detect-version.js';
import { addSample, type AggregateOptions } from '../profile/aggregate.js';
import { attachWhenReady, FOLLOW_HINT, launch, spawned } from '../profile/launch.js';
import { Profile } from '../profile/model.js';
import { commandLine, processGone, workingDirectory } from '../memory/proc.js';
import { FORMATS } from '../profile/output/index.js';
import { Recorder, type RecorderStats, type RootProcess, type StopReason } from '../profile/recorder.js';
import { Sampler, type SamplerOptions } from '../profile/sampler.js';
import { pythonLookingPids } from './python-processes.js';
import { defaultOutput, MAX_RATE, MIN_RATE, parseRecordArgs, type RecordArgs } from './record-args.js';

const HELP = `usage: pyscope record [options] --pid PID [--pid PID ...]
       pyscope record [options] --all
       pyscope record [options] [--] python program.py [args...]

Samples the Python stacks of a process without stopping it (with --native, each thread sampled is
held only while its registers and stack are copied) and writes a profile when the program exits,
at --duration, or on Ctrl-C (the profile is written in every case).

options:
  -p, --pid PID          profile a running process; repeat for several (one root per process)
  -a, --all              profile every Python process this user may read (those pyscope ps
                         lists when the recording starts), one root "process PID: command" each;
                         one that cannot be read is named on stderr and left out
  -r, --rate HZ          samples per second (default 100, ${MIN_RATE} to ${MAX_RATE})
  -d, --duration S       stop after S seconds
  -o, --output FILE      where to write (default pyscope-PID-TIME.EXT)
  -f, --format FORMAT    flamegraph (HTML, default), speedscope, collapsed, pprof, gecko
  -i, --idle             include idle threads (sleeping, waiting); dropped by default
  -g, --gil              only the thread holding the GIL
  -t, --threads          one root frame per thread
  -s, --subprocesses     also profile descendants that are Python (of a root that need not be:
                         a shell, make, a start script)
  -n, --native           native (C) frames too, the interpreter's evaluation calls replaced by
                         the Python frames they run; each sampled thread is stopped (ptrace)
                         only while its registers and stack are copied
      --native-all       --native, also keeping the interpreter's own call machinery
      --async-aware      a thread running an asyncio event loop is attributed to its running
                         task's logical path (the tasks awaiting it above it), not to the loop;
                         with --idle, each waiting task is counted too (CPython 3.8+)
      --runtime pyodide  run script.py in Pyodide (CPython on WebAssembly) and sample it there
      --nonblocking      never stop the target (the default; --native holds each thread briefly)
      --blocking         not supported (would need ptrace); refused with an explanation
  -h, --help             show this help

A launched program gets Ctrl-C from the terminal itself; when pyscope is interrupted without a
terminal (kill -INT), it passes SIGINT on to the program.
`;

export async function recordCommand(args: string[]): Promise<number> {
  const own = args.indexOf('--') < 0 ? args : args.slice(0, args.indexOf('--'));
  if (own.some((x) => x === '--runtime' || x.startsWith('--runtime='))) return (await import('./record-pyodide.js')).recordPyodideCommand(args);
  const a = parseRecordArgs(args);
  if (a.help) {
    process.stdout.write(HELP);
    return ExitCode.ok;
  }
  let child: ChildProcess | undefined;
  let sampler: Sampler | RootProcess | Sampler[];
  // Thread names cost a dict walk per sample: read them only where the output shows them.
  const names = a.threads || FORMATS[a.format].timeline;
  // Without --idle, idle threads are dropped anyway: do not read their frames at all.
  const opts = { names, activeOnly: !a.idle, ...(a.native ? { native: a.native } : {}), ...(a.asyncAware ? { asyncAware: true } : {}) };
  // From before the launch: a signal that comes while the program starts or is being attached
  // (slow on a loaded machine) must not kill pyscope with the program left running.
  const signals = new SignalRelay();
  try {
    if (a.all || a.pids.length > 1) {
      sampler = openMany(a.all ? pythonLookingPids() : a.pids, opts, a.all);
    } else if (a.pid !== undefined) {
      try {
        sampler = new Sampler(a.pid, opts);
      } catch (e) {
        if (!isNotPython(e)) throw e;
        if (!a.subprocesses) throw new PyscopeError(`${e.message}; ${FOLLOW_HINT}`, ExitCode.notPython);
        sampler = followChildren(a.pid);
      }
    } else {
      child = launch(a.command!);
      signals.child = child;
      const pid = await spawned(child);
      try {
        // With --subprocesses the program may be a shell, make or a start script: a root that is
        // still not Python after a moment is followed for its children instead of waited for.
        sampler = await attachWhenReady(pid, a.subprocesses ? 1000 : 5000, opts);
      } catch (e) {
        if (a.subprocesses && !processGone(pid) && isNotPython(e)) sampler = followChildren(pid);
        else {
          // What was launched to be profiled and cannot be is not left running behind the error.
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await settle(child);
          throw e;
        }
      }
    }
    return await record(a, sampler, child, signals);
  } finally {
    signals.close();
  }
}

/**
 * The samplers of several processes. A pid named with --pid must be readable, as a single one
 * must; under --all a candidate that cannot be read is named on stderr and the others recorded.
 */
function openMany(pids: number[], opts: SamplerOptions, all: boolean): Sampler[] {
  const out: Sampler[] = [];
  for (const pid of pids) {
    try {
      out.push(new Sampler(pid, opts));
    } catch (e) {
      if (!all) {
        for (const s of out) s.close();
        throw e;
      }
      const why = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
      process.stderr.write(`pyscope: pid ${pid} (${describeCommand(pid)}) not recorded: ${why}\n`);
    }
  }
  if (out.length === 0) throw new PyscopeError('record: no Python process found that this user may read', ExitCode.notPython);
  return out;
}

function isNotPython(e: unknown): e is PyscopeError {
  return e instanceof PyscopeError && e.exitCode === ExitCode.notPython;
}

/** A root that is not Python, whose Python descendants --subprocesses records. */
function followChildren(pid: number): RootProcess {
  process.stderr.write(`pyscope: pid ${pid} (${describeCommand(pid)}) is not Python, following its children\n`);
  return { pid };
}

function describeCommand(pid: number): string {
  try {
    const line = commandLine(pid);
    return line.length > 80 ? `${line.slice(0, 77)}...` : line;
  } catch {
    return 'gone';
  }
}

/**
 * SIGINT and SIGTERM while recording: the recording stops (and is written), and a launched
 * program gets the signal too, except a terminal's first Ctrl-C, which reached it already (the
 * whole foreground group gets it). A second Ctrl-C insists; a third kills.
 */
class SignalRelay {
  child?: ChildProcess;
  private recorder?: Recorder;
  private interrupts = 0;
  /** Set once the profile is written: only the launched program is waited for after that. */
  written = false;
  private readonly interactive = process.stdin.isTTY === true;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.interrupts++;
    this.recorder?.stop('interrupted');
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      // Once the profile is written there is nothing left to stop and no program to pass the
      // signal to: it ends pyscope, as it would without a handler (it used to be swallowed).
      if (this.written) process.exit(signal === 'SIGINT' ? 130 : 143);
      return;
    }
    if (signal === 'SIGINT' && this.interactive && this.interrupts === 1) return;
    child.kill(this.interrupts > 2 ? 'SIGKILL' : signal);
  };

  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** The recording a signal stops; one that came before it started stops it at once. */
  recording(recorder: Recorder): void {
    this.recorder = recorder;
    if (this.interrupts > 0) recorder.stop('interrupted');
  }

  close(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

async function record(a: RecordArgs, sampler: Sampler | RootProcess | Sampler[], child: ChildProcess | undefined, signals: SignalRelay): Promise<number> {
  const fmt = FORMATS[a.format];
  const profile = new Profile({ timeline: fmt.timeline });
  const many = Array.isArray(sampler);
  // Several processes: each is a root of its own, as --subprocesses makes them.
  const agg: AggregateOptions = { idle: a.idle, gil: a.gil, threads: a.threads, subprocesses: a.subprocesses || many };
  // Thread-samples dropped for being idle: an empty profile says why it is empty.
  let idleDropped = 0;
  const recorder = new Recorder(sampler, {
    rate: a.rate,
    durationMs: a.durationMs,
    subprocesses: a.subprocesses,
    ...(a.native || a.asyncAware ? { sampler: { ...(a.native ? { native: a.native } : {}), ...(a.asyncAware ? { asyncAware: true } : {}) } } : {}),
    sink: (proc, s) => {
      if (!a.idle) idleDropped += s.threads.filter((t) => !t.active).length;
      return addSample(profile, proc, s, agg, s.time);
    },
  });
  const startedAt = new Date();
  const rootPid = recorder.rootPid;
  const rootCommand = Array.isArray(sampler) ? `${sampler.length} processes` : sampler instanceof Sampler ? '' : describeCommand(sampler.pid);
  // Read at the start: a program that ends during the recording takes its /proc entry with it.
  // Processes side by side have no one working directory: their own files keep their last name.
  const cwd = many ? undefined : workingDirectory(rootPid);
  const output = a.output ?? defaultOutput(a.format, many ? 'all' : rootPid, startedAt);
  signals.recording(recorder);
  // A root that is not Python ends the recording only once its followed children have ended too.
  if (sampler instanceof Sampler) child?.once('exit', () => recorder.stop('exited'));
  const status = process.stderr.isTTY ? setInterval(() => process.stderr.write(`\r\x1b[K${statusLine(recorder.stats, a.rate)}`), 250) : undefined;

  let reason: StopReason;
  try {
    reason = await recorder.run();
  } finally {
    if (status) {
      clearInterval(status);
      process.stderr.write('\r\x1b[K');
    }
    recorder.close();
  }
  const st = recorder.stats;
  const first = recorder.firstSampler;
  profile.meta = {
    pid: rootPid,
    command: sampler instanceof Sampler ? sampler.process.commandLine : rootCommand,
    pythonVersion: first ? formatVersion(first.process.version) : 'none',
    rate: a.rate,
    startedAt: startedAt.getTime(),
    duration: st.elapsed,
    ticks: st.ticks,
    missed: st.missed,
    errors: st.errors,
    cwd,
  };
  const data = fmt.write(profile, `pyscope record: ${profile.meta.command}`);
  try {
    writeFileSync(output, data);
  } catch (e) {
    throw new PyscopeError(`record: cannot write the profile to ${output}: ${(e as Error).message}`, ExitCode.badFile);
  }
  process.stderr.write(summary(st, a, many ? `${sampler.length} processes` : `pid ${rootPid}`, reason, output));
  if (st.samples === 0 && idleDropped > 0) process.stderr.write('pyscope: the profile is empty: every thread was idle; --idle includes them\n');
  signals.written = true;
  if (child) {
    if (child.exitCode === null && child.signalCode === null && !processGone(child.pid!)) process.stderr.write(`pyscope: waiting for pid ${child.pid} to exit\n`);
    await settle(child);
  }
  return ExitCode.ok;
}

/**
 * The launched program's end. Node's 'exit' may never come under --native: the ptrace wait for a
 * thread the sampler stops is a waitpid on that thread, and when the program ends during a
 * capture the wait on its main thread takes the exit status that libuv waits for. So /proc is
 * asked too, and a program found gone no longer holds Node's event loop.
 */
function settle(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearInterval(poll);
      child.off('exit', done);
      resolve();
    };
    const poll = setInterval(() => {
      if (child.pid !== undefined && processGone(child.pid)) {
        // a zombie is reaped by libuv, which then says 'exit'; a pid gone from /proc was reaped
        // by the ptrace wait, and libuv will never hear of it
        if (!existsSync(`/proc/${child.pid}`)) {
          child.unref();
          done();
        }
      }
    }, 100);
    child.once('exit', done);
  });
}

function statusLine(st: RecorderStats, rate: number): string {
  const secs = st.elapsed / 1000;
  const achieved = secs > 0 ? st.ticks / secs : 0;
  const procs = st.processes > 1 ? `, ${st.processes} processes` : '';
  return `pyscope: ${secs.toFixed(1)} s, ${st.ticks} ticks (${achieved.toFixed(0)}/s of ${rate}), ${st.samples} samples, ${st.missed} missed, ${st.errors} errors${procs} (Ctrl-C to stop)`;
}

function summary(st: RecorderStats, a: RecordArgs, what: string, reason: StopReason, output: string): string {
  const secs = st.elapsed / 1000;
  const why = reason === 'exited' ? (what.startsWith('pid') ? 'the program exited' : 'the programs exited') : reason === 'duration' ? 'duration reached' : 'interrupted';
  const perTick = st.ticks > 0 ? (st.reads / st.ticks).toFixed(1) : '0';
  const procPerTick = st.ticks > 0 ? (st.procReads / st.ticks).toFixed(1) : '0';
  return (
    `pyscope: recorded ${what} for ${secs.toFixed(2)} s (${why}): ${st.ticks} ticks at ${secs > 0 ? (st.ticks / secs).toFixed(1) : '0'}/s of ${a.rate}, ` +
    `${st.samples} samples, ${st.missed} missed, ${st.errors} errors, ${perTick} reads per sample (memory; ${procPerTick} of /proc)\n` +
    (st.missed > 0.1 * (st.ticks + st.missed)
      ? `pyscope: note: ${Math.round((100 * st.missed) / (st.ticks + st.missed))}% of the scheduled samples were missed (the machine is busy or the rate is too high for this target)\n`
      : '') +
    `pyscope: wrote ${a.format} profile to ${output}\n`
  );
}
