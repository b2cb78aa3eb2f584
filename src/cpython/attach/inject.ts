// Makes a running CPython run a few lines of Python once, on one of its threads at a point where
// the interpreter is consistent and holds the GIL: how `pyscope dap`'s attach starts the agent in
// a process that was not started under it. These are the only writes pyscope ever makes to a
// target, and only on that explicit request.
//
//   PEP 768 (3.14+, found by the debugger-support fields of _Py_DebugOffsets): the script's path
//   goes into the main thread's debugger_script_path, debugger_pending_call is set and the
//   eval-breaker's "please stop" bit; the interpreter runs the file at its next safe point.
//   Before that (3.8-3.13): a thread is stopped with ptrace and made to call
//   Py_AddPendingCall(PyRun_SimpleString, text) with the text in a page it maps for us; the main
//   thread runs pending calls at its next safe point, holding the GIL.
import { readFileSync } from 'node:fs';
import { ExitCode, PyscopeError } from '../../common/errors.js';
import { withStoppedThread } from '../../memory/ptrace-call.js';
import { readMaps, taskIds, type Mapping } from '../../memory/proc.js';
import { writeTargetMemory } from '../../memory/remote-write.js';
import type { DebugOffsets } from '../debug-offsets.js';
import { formatVersion } from '../discover/detect-version.js';
import { openLiveProcess, type LiveProcess } from '../process.js';
import { describeAbi } from '../discover/target-abi.js';
import { LIMITS } from '../target.js';
import { describeMainThreadWait } from './blocked-in.js';

/** _PY_EVAL_PLEASE_STOP_BIT of pycore_ceval.h. */
const EVAL_PLEASE_STOP_BIT = 1n << 5n;
const SYS_MMAP = 9;
const PROT_READ_WRITE = 3n;
const MAP_PRIVATE_ANONYMOUS = 0x22n;
/** How long Py_AddPendingCall may take in the stopped thread (it takes one short lock). */
const CALL_TIMEOUT_MS = 5000;

export type AttachMethod = 'pep768' | 'pending-call';

export interface AttachProbe {
  pid: number;
  version: [number, number, number];
  method: AttachMethod;
  commandLine: string;
}

/** What the target runs: `source` (pending call) or the file at `path` holding it (PEP 768). */
export interface BootstrapScript {
  path: string;
  source: string;
}

/** Opens the process and decides how it can be attached; a PyscopeError when it cannot. */
export function probeAttach(pid: number): AttachProbe {
  const p = openLiveProcess(pid);
  try {
    return { pid, version: [p.version.major, p.version.minor, p.version.micro], method: methodOf(p), commandLine: p.commandLine };
  } finally {
    p.memory.close();
  }
}

function methodOf(p: LiveProcess): AttachMethod {
  const d = p.bindingsSource.debugOffsets;
  return d?.has('debugger_support.debugger_pending_call') ? 'pep768' : 'pending-call';
}

/**
 * Asks process `pid` to run the bootstrap once. `everyThread`: PEP 768 asks every thread, not
 * only the main one (for a main thread stuck in a C call); the bootstrap runs once whoever gets
 * there first. Throws a PyscopeError naming what stands in the way.
 */
export function injectBootstrap(pid: number, script: BootstrapScript, everyThread = false): AttachMethod {
  const p = openLiveProcess(pid);
  try {
    const method = methodOf(p);
    if (method === 'pending-call') {
      const why = unsupportedTarget(p);
      if (why) throw new PyscopeError(`cannot attach to process ${p.pid} (Python ${formatVersion(p.version)}): ${why}`, ExitCode.unsupportedVersion);
    }
    if (method === 'pending-call' && everyThread) {
      runInBlockedMainThread(p, script.source);
      return method;
    }
    if (method === 'pep768') requestRemoteExec(p, p.bindingsSource.debugOffsets!, script.path, everyThread);
    else addPendingCall(p, script.source);
    return method;
  } finally {
    p.memory.close();
  }
}

/** Clears a PEP 768 request no thread has taken yet (the agent connected through another). */
export function withdrawRemoteExec(pid: number): void {
  let p: LiveProcess;
  try {
    p = openLiveProcess(pid);
  } catch {
    return; // gone: nothing to withdraw
  }
  try {
    const d = p.bindingsSource.debugOffsets;
    if (!d?.has('debugger_support.debugger_pending_call')) return;
    const support = d.get('debugger_support.remote_debugger_support');
    for (const ts of threadStates(p, d)) writeTargetMemory(pid, ts + support + d.get('debugger_support.debugger_pending_call'), Buffer.alloc(4));
  } catch {
    // best effort: a stale request finds no socket and does nothing
  } finally {
    p.memory.close();
  }
}

function mainInterpreter(p: LiveProcess, d: DebugOffsets): number {
  const runtime = p.image.symbols.runtime;
  if (runtime === undefined) throw new PyscopeError(`process ${p.pid}: no _PyRuntime symbol`, ExitCode.unsupportedVersion);
  // the list's tail is the main interpreter: the first created, subinterpreters are pushed in front
  let interp = p.target.ptr(runtime + d.get('runtime_state.interpreters_head'));
  if (interp === 0) throw new PyscopeError(`process ${p.pid} has no running interpreter (it is starting or finalizing)`, ExitCode.failure);
  for (let i = 0; i < LIMITS.interpreters; i++) {
    const next = p.target.ptr(interp + d.get('interpreter_state.next'));
    if (next === 0) break;
    interp = next;
  }
  return interp;
}

function threadStates(p: LiveProcess, d: DebugOffsets): number[] {
  const out: number[] = [];
  let ts = p.target.ptr(mainInterpreter(p, d) + d.get('interpreter_state.threads_head'));
  while (ts !== 0 && out.length < LIMITS.threads) {
    out.push(ts);
    ts = p.target.ptr(ts + d.get('thread_state.next'));
  }
  return out;
}

function requestRemoteExec(p: LiveProcess, d: DebugOffsets, path: string, everyThread: boolean): void {
  const interp = mainInterpreter(p, d);
  if (p.target.i32(interp + d.get('debugger_support.remote_debugging_enabled')) !== 1) throw disabledError(p);
  const encoded = Buffer.from(`${path}\0`, 'utf8');
  const room = d.get('debugger_support.debugger_script_path_size');
  if (encoded.length > room) throw new PyscopeError(`the agent's bootstrap path is ${encoded.length - 1} bytes long; Python ${formatVersion(p.version)} takes at most ${room - 1}`, ExitCode.failure);
  const main = p.target.ptr(interp + d.get('interpreter_state.threads_main'));
  if (main === 0) throw new PyscopeError(`process ${p.pid} has no main thread state (it is finalizing)`, ExitCode.failure);
  const targets = everyThread ? threadStates(p, d) : [main];
  const support = d.get('debugger_support.remote_debugger_support');
  for (const ts of targets) {
    writeTargetMemory(p.pid, ts + support + d.get('debugger_support.debugger_script_path'), encoded);
    const pending = Buffer.alloc(4);
    pending.writeInt32LE(1);
    writeTargetMemory(p.pid, ts + support + d.get('debugger_support.debugger_pending_call'), pending);
    const at = ts + d.get('debugger_support.eval_breaker');
    const breaker = p.memory.read(at, 8).readBigUInt64LE(0) | EVAL_PLEASE_STOP_BIT;
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64LE(breaker);
    writeTargetMemory(p.pid, at, bytes);
  }
}

function disabledError(p: LiveProcess): PyscopeError {
  const env = readText(`/proc/${p.pid}/environ`).split('\0');
  const args = readText(`/proc/${p.pid}/cmdline`).split('\0');
  const why = env.some((e) => /^PYTHON_DISABLE_REMOTE_DEBUG=./.test(e))
    ? 'PYTHON_DISABLE_REMOTE_DEBUG is set in its environment'
    : args.some((a) => /^disable[-_]remote[-_]debug/.test(a))
      ? 'it was started with -X disable-remote-debug'
      : 'remote debugging is off in it (PYTHON_DISABLE_REMOTE_DEBUG, -X disable-remote-debug, or a build --without-remote-debug)';
  return new PyscopeError(`cannot attach to process ${p.pid} (Python ${formatVersion(p.version)}): ${why}; start it without that to attach a debugger`, ExitCode.permission);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

function addPendingCall(p: LiveProcess, source: string): void {
  const at = (name: string): number => {
    const s = p.image.elf.symbol(name);
    if (!s) throw new PyscopeError(`cannot attach to process ${p.pid}: ${p.image.path} does not export ${name}, which the injection calls`, ExitCode.unsupportedVersion);
    return s.value + p.image.bias;
  };
  const addPending = at('Py_AddPendingCall');
  const runString = at('PyRun_SimpleString');
  const maps = readMaps(p.pid);
  const syscallAt = findSyscallInstruction(p, maps);
  const text = Buffer.from(`${source}\0`, 'utf8');
  const size = Math.ceil(text.length / 4096) * 4096;
  withStoppedThread(p.pid, pickThread(p.pid), (t) => {
    const page = t.syscall(syscallAt, SYS_MMAP, [0n, BigInt(size), PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1n, 0n]);
    if (page < 0n || page > 0x7fff_ffff_ffffn) throw new PyscopeError(`cannot attach to process ${p.pid}: mmap in it failed (errno ${-page})`, ExitCode.failure);
    writeTargetMemory(p.pid, Number(page), text);
    const r = t.call(addPending, [BigInt(runString), page], CALL_TIMEOUT_MS);
    if (r !== 0n) throw new PyscopeError(`cannot attach to process ${p.pid}: Py_AddPendingCall refused (its queue is full or the interpreter is finalizing)`, ExitCode.failure);
  });
}

/**
 * System calls a Python thread makes with the GIL released (time.sleep, a lock, join, select,
 * poll, accept, read, waitpid): x86-64 numbers. A main thread blocked in one of these for seconds
 * never reaches the safe point where pending calls run.
 */
const BLOCKING_SYSCALLS = new Set([0, 7, 23, 35, 43, 45, 61, 202, 230, 232, 247, 270, 271, 281, 288]);

/**
 * The pending call was not taken: the main thread is blocked in a system call (a join, a long
 * sleep, a blocking read), with the GIL released around it as CPython does for every blocking
 * call. It is borrowed there, as a signal handler would be: PyGILState_Ensure, the bootstrap,
 * PyGILState_Release, and the system call is restarted. Only then, and only on such a call; the
 * bootstrap runs once, whichever way reaches it first.
 */
function runInBlockedMainThread(p: LiveProcess, source: string): void {
  const nr = Number(readText(`/proc/${p.pid}/task/${p.pid}/syscall`).split(' ')[0]);
  if (!BLOCKING_SYSCALLS.has(nr)) return; // running (it takes the pending call soon) or in some other call: left alone
  const at = (name: string): number | undefined => {
    const s = p.image.elf.symbol(name);
    return s ? s.value + p.image.bias : undefined;
  };
  const ensure = at('PyGILState_Ensure');
  const release = at('PyGILState_Release');
  const runString = at('PyRun_SimpleString');
  if (ensure === undefined || release === undefined || runString === undefined) return;
  const syscallAt = findSyscallInstruction(p, readMaps(p.pid));
  const text = Buffer.from(`${source}\0`, 'utf8');
  withStoppedThread(p.pid, p.pid, (t) => {
    const page = t.syscall(syscallAt, SYS_MMAP, [0n, BigInt(Math.ceil(text.length / 4096) * 4096), PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1n, 0n]);
    if (page < 0n || page > 0x7fff_ffff_ffffn) return;
    writeTargetMemory(p.pid, Number(page), text);
    const state = t.call(ensure, [], CALL_TIMEOUT_MS);
    // (a bootstrap that does not return is abandoned and reported; releasing then would be wrong)
    t.call(runString, [page], BOOTSTRAP_TIMEOUT_MS);
    t.call(release, [state], CALL_TIMEOUT_MS);
  });
}

/** The bootstrap connects, imports the agent and starts its threads: a few seconds at most. */
const BOOTSTRAP_TIMEOUT_MS = 15_000;

/**
 * A thread to borrow for the call: one other than the main thread when there is one (only the
 * main thread runs pending calls, so it may hold their lock), preferably one asleep in the kernel.
 */
function pickThread(pid: number): number {
  const others = taskIds(pid).filter((t) => t !== pid);
  const asleep = others.find((t) => /^\d+ \(.*\) S /s.test(readText(`/proc/${pid}/task/${t}/stat`)));
  return asleep ?? others[0] ?? pid;
}

/** The address of a `syscall` instruction (0f 05) in code mapped into the process. */
function findSyscallInstruction(p: LiveProcess, maps: Mapping[]): number {
  const code = maps.filter((m) => m.executable && m.readable && m.path.startsWith('/'));
  const libcFirst = [...code.filter((m) => /\/libc[.-]/.test(m.path)), ...code.filter((m) => !/\/libc[.-]/.test(m.path))];
  for (const m of libcFirst) {
    const chunk = 1 << 20;
    for (let at = m.start; at < m.end; at += chunk) {
      let buf: Buffer;
      try {
        buf = p.memory.read(at, Math.min(chunk + 1, m.end - at));
      } catch {
        break;
      }
      const i = buf.indexOf(Buffer.from([0x0f, 0x05]));
      if (i >= 0) return at + i;
    }
  }
  throw new PyscopeError(`cannot attach to process ${p.pid}: no system call instruction found in its code`, ExitCode.failure);
}

/** The three steps an attach takes, as the debug adapter's attach launcher calls them. */
export const attachInjector = {
  probe: probeAttach,
  inject: (pid: number, script: BootstrapScript, everyThread: boolean): void => {
    injectBootstrap(pid, script, everyThread);
  },
  settle: withdrawRemoteExec,
  describeWait: describeMainThreadWait,
};

/** Whether an attach to this opened process would be tried, and how, or why not (`pyscope ps`). */
/**
 * Why the injection before PEP 768 cannot run in this process, if it cannot: it sets x86-64
 * registers and calls with the x86-64 convention, so both pyscope and the target must be x86-64
 * (a 32-bit i386 Python is read by dump, but not attached to).
 */
function unsupportedTarget(p: LiveProcess): string | undefined {
  if (process.arch !== 'x64') return `the injection before PEP 768 is written for x86-64, not ${process.arch}`;
  if (p.abi.machine !== 'x86-64') return `the injection before PEP 768 is written for x86-64 targets, and this one is ${describeAbi(p.abi)}`;
  return undefined;
}

export function attachability(p: LiveProcess): { ok: boolean; how: string } {
  const method = methodOf(p);
  if (method === 'pep768') {
    const d = p.bindingsSource.debugOffsets!;
    try {
      if (p.target.i32(mainInterpreter(p, d) + d.get('debugger_support.remote_debugging_enabled')) !== 1) {
        return { ok: false, how: disabledError(p).message.replace(/^.*?\): /, '').replace(/; start it.*$/, '') };
      }
    } catch (e) {
      return { ok: false, how: e instanceof Error ? e.message : String(e) };
    }
    return { ok: true, how: 'PEP 768' };
  }
  const missing = ['Py_AddPendingCall', 'PyRun_SimpleString'].filter((n) => !p.image.elf.symbol(n));
  if (missing.length > 0) return { ok: false, how: `${p.image.path} does not export ${missing.join(' and ')}` };
  const why = unsupportedTarget(p);
  if (why) return { ok: false, how: why };
  const status = readText(`/proc/${p.pid}/status`);
  const tracer = Number(/^TracerPid:\s*(\d+)/m.exec(status)?.[1] ?? 0);
  if (tracer > 0) return { ok: false, how: `traced by ${readText(`/proc/${tracer}/comm`).trim() || 'another process'} (pid ${tracer})` };
  return { ok: true, how: 'ptrace' };
}
