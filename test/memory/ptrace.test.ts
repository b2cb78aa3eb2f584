// captureThreads on real Python processes (test/fixtures/ptrace/threads.py): each thread's
// registers and stack copied while it is stopped, and the process left as it was: running, no
// thread in tracing stop, no tracer, still answering on its pipe; registers that gdb, attached
// afterwards, confirms for the threads blocked for good; another tracer named in a PtraceError;
// threads that end before or during a capture an Error of their own, reaped, never left behind.
import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { openSync, readFileSync, readSync, closeSync } from 'node:fs';
import { ExitCode } from '../../src/common/errors.js';
import { readMaps, type Mapping } from '../../src/memory/proc.js';
import { captureThreads, pendingThreads, PtraceError, RED_ZONE, ThreadCaptureError, USER_REGS_SIZE, type CapturedThread } from '../../src/memory/ptrace.js';
import { StackOverlayMemory } from '../../src/memory/stack-overlay.js';
import { LiveProcessMemory } from '../../src/memory/live.js';
import { BLOCKED_ROLES, PtraceTarget } from '../support/ptrace-target.js';
import { pythons, requirePython, skipIfMissing, REPO_ROOT, hasNativeStacks } from '../support/pythons.js';
import { firstSkip, onPath, optional, requireTool, skipOrFail, type SkipOption } from '../support/requirements.js';
import { lastResort, scaled } from '../support/timeouts.js';
import { until } from '../support/wait.js';
import { watch } from '../support/child.js';

// Each test's targets end with it: across the matrix a file-level cleanup would keep ~35 parked
// processes alive until the last test.
const targets: PtraceTarget[] = [];
const stopTargets = (): void => {
  for (const t of targets.splice(0)) t.stop();
};
afterEach(stopTargets);
after(stopTargets);

async function startTarget(python: string): Promise<PtraceTarget> {
  const t = await PtraceTarget.start(python);
  targets.push(t);
  return t;
}

const RIP = 16 * 8;
const RSP = 19 * 8;
const reg = (c: CapturedThread, offset: number): number => Number(c.regs.readBigUInt64LE(offset));
const hex = (n: number): string => `0x${n.toString(16)}`;

function mappingOf(maps: Mapping[], address: number): Mapping | undefined {
  return maps.find((m) => m.start <= address && address < m.end);
}

function captured(r: Map<number, CapturedThread | Error>, tid: number): CapturedThread {
  const c = r.get(tid);
  assert.ok(c !== undefined, `thread ${tid} has a result`);
  if (c instanceof Error) assert.fail(`thread ${tid}: ${c.message}`);
  return c;
}

/** Nothing left stopped or traced: no thread in tracing stop ('t'), every TracerPid 0, nothing pending. */
async function assertLetGo(t: PtraceTarget, expectedState?: string): Promise<void> {
  // A thread can still be on its way out of the stop for a moment after the detach.
  // A thread detached from a group-stop runs for a moment before it stops again.
  await until(() => t.states().every((s) => s.state !== 't' && s.tracer === 0 && (expectedState === undefined || s.state === expectedState)), {
    step: `every thread of the target to be out of tracing stop and untraced${expectedState ? `, in state ${expectedState}` : ''}`,
    timeoutMs: scaled(5000),
    diagnose: () => JSON.stringify(t.states()),
  });
  assert.deepEqual(pendingThreads(), [], 'no thread is left seized');
}

/** The bytes at [address, address + length) of the process now, read through /proc/PID/mem. */
function liveBytes(pid: number, address: number, length: number): Buffer {
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    const buf = Buffer.alloc(length);
    assert.equal(readSync(fd, buf, 0, length, address), length);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** rip and rsp of each thread (by LWP) as gdb sees them once attached. */
function gdbRegisters(pid: number): Promise<Map<number, { rip: number; rsp: number }>> {
  return new Promise((resolve, reject) => {
    execFile(
      'gdb',
      ['-p', String(pid), '-batch', '-nx', '-iex', 'set debuginfod enabled off', '-iex', 'set auto-load off', '-ex', 'thread apply all info registers rip rsp'],
      { encoding: 'utf8', timeout: scaled(120_000), maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const out = new Map<number, { rip: number; rsp: number }>();
        for (const block of stdout.split(/^Thread \d+ /m).slice(1)) {
          const lwp = /\bLWP (\d+)/.exec(block)?.[1];
          const rip = /^rip\s+(0x[0-9a-f]+)/m.exec(block)?.[1];
          const rsp = /^rsp\s+(0x[0-9a-f]+)/m.exec(block)?.[1];
          if (lwp && rip && rsp) out.set(Number(lwp), { rip: Number(rip), rsp: Number(rsp) });
        }
        if (out.size === 0) reject(new Error(`gdb gave no registers (${error?.message ?? 'no error'})\n${stdout}\n${stderr}`));
        else resolve(out);
      },
    );
  });
}

// 32-bit targets are left out: the registers are compared as x86-64's, which a 32-bit thread's are not.
for (const py of pythons().filter(hasNativeStacks)) {
  describe(`captureThreads on ${py.label}`, skipIfMissing(py), () => {
    test('every thread: registers in its stack and code, the stack copied, the process let go and answering; gdb agrees', { timeout: lastResort() }, async (t) => {
      const target = await startTarget(py.path);
      const tids = target.tasks();
      const r = captureThreads(target.pid, tids);
      await assertLetGo(target);
      const maps = readMaps(target.pid);
      assert.deepEqual([...r.keys()], tids);
      for (const tid of tids) {
        const c = captured(r, tid);
        const rip = reg(c, RIP);
        const rsp = reg(c, RSP);
        assert.equal(c.regs.length, USER_REGS_SIZE);
        const stack = mappingOf(maps, rsp);
        assert.ok(stack && stack.readable && stack.writable && !stack.executable && (stack.path === '' || stack.path === '[stack]'), `thread ${tid}: rsp ${hex(rsp)} lies in an anonymous stack mapping (${JSON.stringify(stack)})`);
        assert.ok(mappingOf(maps, rip)?.executable, `thread ${tid}: rip ${hex(rip)} lies in executable code`);
        assert.equal(c.stack.address, Math.max(stack.start, rsp - RED_ZONE), `thread ${tid}: the copy starts at the red zone below rsp`);
        assert.ok(c.stack.bytes.length > RED_ZONE && c.stack.address + c.stack.bytes.length <= stack.end, `thread ${tid}: the copy (${c.stack.bytes.length} bytes) ends within the stack mapping`);
        assert.ok(c.heldMs >= 0, `thread ${tid} held ${c.heldMs} ms`);
      }
      // The threads blocked for good have not touched their stack since: the copy is what is there.
      for (const role of BLOCKED_ROLES) {
        const c = captured(r, target.threads[role]);
        const rsp = reg(c, RSP);
        const off = rsp - c.stack.address;
        const n = Math.min(256, c.stack.bytes.length - off);
        assert.deepEqual(c.stack.bytes.subarray(off, off + n), liveBytes(target.pid, rsp, n), `${role} thread: the copy above rsp matches the stack now`);
      }
      // Only now may the main thread move: the comparisons above and gdb's need it blocked.
      if (!onPath('gdb')) {
        assert.equal(await target.ask('ping', /pong \d+/), 'pong 0');
        return skipOrFail(t, 'gdb is not installed (.ci/run installs it)');
      }
      const gdb = await gdbRegisters(target.pid);
      for (const role of BLOCKED_ROLES) {
        const tid = target.threads[role];
        const c = captured(r, tid);
        assert.deepEqual({ rip: hex(reg(c, RIP)), rsp: hex(reg(c, RSP)) }, { rip: hex(gdb.get(tid)!.rip), rsp: hex(gdb.get(tid)!.rsp) }, `${role} thread ${tid}: registers as gdb reads them`);
      }
      await assertLetGo(target);
      assert.equal(await target.ask('ping', /pong \d+/), 'pong 0');
    });

    test('a thread that ended is an Error for it alone; threads that start and end during captures never stay stopped or unreaped', { timeout: lastResort() }, async (t) => {
      const target = await startTarget(py.path);
      const before = target.tasks();
      const ended = Number((await target.ask('end', /ended \d+/)).split(' ')[1]);
      assert.equal(ended, target.threads.waiting);
      const r = captureThreads(target.pid, before);
      const e = r.get(ended);
      assert.ok(e instanceof ThreadCaptureError && e.reason === 'exited', `the ended thread: ${String(e)}`);
      assert.match(e.message, new RegExp(`^thread ${ended} exited`));
      for (const tid of before) if (tid !== ended) captured(r, tid);
      await target.ask('churn', /churning/);
      const seen = { captured: 0, exited: 0 };
      for (let round = 0; round < 40; round++) {
        for (const [tid, c] of captureThreads(target.pid, target.tasks(), { stackBytes: 16 * 1024 })) {
          if (c instanceof ThreadCaptureError && c.reason === 'exited') seen.exited++;
          else if (c instanceof Error) assert.fail(`thread ${tid}: ${c.name}: ${c.message}`);
          else seen.captured++;
        }
        await new Promise((res) => setTimeout(res, 5));
      }
      assert.ok(seen.captured > 40 * 5, `captured ${JSON.stringify(seen)}`);
      t.diagnostic(`threads captured / exited before or while captured: ${JSON.stringify(seen)}`);
      await assertLetGo(target);
      // A tracee that ends becomes its tracer's zombie until reaped: none may be left.
      assert.deepEqual(target.states().filter((s) => s.state === 'Z'), [], 'no thread is left a zombie');
      assert.match(await target.ask('ping', /pong \d+/), /^pong 0$/);
    });

    test('signals sent while threads are captured are delivered, not swallowed', { timeout: lastResort() }, async () => {
      const target = await startTarget(py.path);
      const rounds = 20;
      for (let i = 0; i < rounds; i++) {
        process.kill(target.pid, 'SIGUSR1');
        for (const [tid, c] of captureThreads(target.pid, target.tasks(), { stackBytes: 4096 })) if (c instanceof Error) assert.fail(`thread ${tid}: ${c.message}`);
        // One at a time: signals of one kind pending together merge into one.
        await until(async () => (await target.ask('ping', /pong \d+/)) === `pong ${i + 1}`, { step: `SIGUSR1 number ${i + 1} to be handled`, timeoutMs: scaled(10_000) });
      }
      await assertLetGo(target);
    });

    test('a stopped process stays stopped after the capture, and runs on once continued', { timeout: lastResort() }, async () => {
      const target = await startTarget(py.path);
      process.kill(target.pid, 'SIGSTOP');
      await until(() => target.states().every((s) => s.state === 'T'), { step: 'every thread to be stopped', timeoutMs: scaled(5000) });
      const r = captureThreads(target.pid, target.tasks());
      for (const tid of target.tasks()) captured(r, tid);
      await assertLetGo(target, 'T');
      process.kill(target.pid, 'SIGCONT');
      assert.equal(await target.ask('ping', /pong \d+/), 'pong 0');
    });
  });
}

const firstPython = pythons().find((p) => !p.missing && p.version[0] === 3);

describe('captureThreads refused', () => {
  test('a process held by gdb: PtraceError naming gdb and its pid, exit code 4', { ...firstSkip(skipIfMissingAny(), requireTool('gdb')), timeout: lastResort() }, async () => {
    const target = await startTarget(firstPython!.path);
    const gdb = watch(spawn('gdb', ['-p', String(target.pid), '-batch', '-nx', '-iex', 'set debuginfod enabled off', '-iex', 'set auto-load off', '-ex', 'shell sleep 8'], { stdio: ['ignore', 'pipe', 'pipe'] }), 'gdb holding the target');
    try {
      await until(() => target.states().every((s) => s.tracer === gdb.child.pid), { step: 'gdb to attach every thread', timeoutMs: scaled(60_000), diagnose: () => `${JSON.stringify(target.states())}\n${gdb.diagnosis()}` });
      assert.throws(
        () => captureThreads(target.pid, target.tasks()),
        (e: unknown) => {
          assert.ok(e instanceof PtraceError, String(e));
          assert.equal(e.reason, 'tracer');
          assert.equal(e.exitCode, ExitCode.permission);
          assert.deepEqual(e.tracer, { pid: gdb.child.pid, name: 'gdb' });
          assert.match(e.message, new RegExp(`already traced by gdb \\(pid ${gdb.child.pid}\\)`));
          assert.doesNotMatch(e.message, /\n/);
          return true;
        },
      );
    } finally {
      await gdb.exited({ timeoutMs: scaled(60_000) });
    }
    await assertLetGo(target);
    assert.equal(await target.ask('ping', /pong \d+/), 'pong 0');
  });

  test('one thread held by another tracer: a PtraceError for it alone, the others captured', { ...skipIfMissingAny(), timeout: lastResort() }, async () => {
    const target = await startTarget(firstPython!.path);
    const held = target.threads.lock;
    // PTRACE_SEIZE only: the held thread keeps running, it just has a tracer.
    const source = [
      'import ctypes, sys',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]',
      `if libc.ptrace(0x4206, ${held}, None, None) != 0: sys.exit("seize failed: %d" % ctypes.get_errno())`,
      'print("holding", flush=True)',
      'sys.stdin.read()',
    ].join('\n');
    const holder = watch(spawn(firstPython!.path, ['-c', source], { stdio: ['pipe', 'pipe', 'pipe'] }), 'a process holding one thread');
    try {
      await holder.waitFor('holding');
      const r = captureThreads(target.pid, target.tasks());
      const e = r.get(held);
      assert.ok(e instanceof PtraceError && e.reason === 'tracer', String(e));
      assert.equal(e.tracer?.pid, holder.child.pid);
      assert.match(e.message, new RegExp(`^cannot stop thread ${held} of process ${target.pid}: it is already traced by \\S+ \\(pid ${holder.child.pid}\\)`));
      for (const tid of target.tasks()) if (tid !== held) captured(r, tid);
    } finally {
      holder.child.stdin!.end();
      await holder.exited();
    }
    await assertLetGo(target);
    assert.equal(await target.ask('ping', /pong \d+/), 'pong 0');
  });

  const root = process.getuid?.() === 0;
  test('a process of another user: PtraceError saying whose it is, exit code 4', { ...firstSkip(skipIfMissingAny(), optional('notRoot', root, `running as uid ${process.getuid?.()}`)), timeout: lastResort() }, async (t) => {
    if (!onPath('setpriv')) return skipOrFail(t, 'setpriv (util-linux) is not installed');
    const target = await startTarget(firstPython!.path);
    const module = `${REPO_ROOT}/dist/src/memory/ptrace.js`;
    const script = `import(${JSON.stringify(module)}).then((m) => { try { m.captureThreads(${target.pid}, [${target.pid}]); console.log('captured'); } catch (e) { console.log(JSON.stringify({ name: e.name, reason: e.reason, exitCode: e.exitCode, message: e.message })); } })`;
    const asNobody = ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath];
    const probe = spawnSync('setpriv', [...asNobody, '-e', `require('fs').accessSync(${JSON.stringify(module)}); require(${JSON.stringify(`${REPO_ROOT}/node_modules/koffi`)})`], { encoding: 'utf8' });
    if (probe.status !== 0) return skipOrFail(t, `user nobody cannot load ${module} and koffi: ${probe.stderr.split('\n')[0]}`);
    const run = spawnSync('setpriv', [...asNobody, '-e', script], { encoding: 'utf8', timeout: scaled(60_000) });
    const e = JSON.parse(run.stdout) as { name: string; reason: string; exitCode: number; message: string };
    assert.deepEqual({ name: e.name, reason: e.reason, exitCode: e.exitCode }, { name: 'PtraceError', reason: 'user', exitCode: ExitCode.permission }, run.stdout + run.stderr);
    assert.equal(e.message, `cannot stop process ${target.pid}: it belongs to uid 0, not to you (uid 65534): run pyscope as that user or with sudo`);
    await assertLetGo(target);
  });
});

describe('captureThreads of a process whose main thread has exited', () => {
  test('the zombie leader is an Error at once; the other threads are captured, stack and all', { ...skipIfMissingAny(), timeout: lastResort() }, async () => {
    const source = [
      'import ctypes, os, sys, threading',
      'def worker():',
      '    print("tid %d" % ctypes.CDLL(None).syscall(186), flush=True)',
      '    sys.stdin.read()',
      '    os._exit(0)',
      'threading.Thread(target=worker).start()',
      'ctypes.CDLL(None).pthread_exit(None)',
    ].join('\n');
    const child = watch(spawn(firstPython!.path, ['-c', source], { stdio: ['pipe', 'pipe', 'pipe'] }), 'a process whose main thread exits');
    try {
      const tid = Number((await child.waitFor(/tid (\d+)/))[1]);
      const pid = child.child.pid!;
      await until(() => /\) Z/.test(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'latin1')), { step: 'the main thread to be a zombie' });
      const r = captureThreads(pid, [pid, tid]);
      const leader = r.get(pid);
      assert.ok(leader instanceof ThreadCaptureError && leader.reason === 'exited', String(leader));
      const c = captured(r, tid);
      const rsp = reg(c, RSP);
      // The process's own maps are empty once its leader is gone: the thread's view bounds the copy.
      assert.ok(c.stack.address === rsp - RED_ZONE && c.stack.bytes.length > RED_ZONE, `stack copied from ${hex(c.stack.address)}: ${c.stack.bytes.length} bytes`);
      assert.deepEqual(pendingThreads(), []);
    } finally {
      child.child.stdin!.end();
      await child.exited();
    }
  });
});

describe('captureThreads of threads that do not stop in time', () => {
  test('each is an Error for it alone, let go once it stops: never left stopped or traced', { ...skipIfMissingAny(), timeout: lastResort() }, async (t) => {
    const target = await startTarget(firstPython!.path);
    const seen = { captured: 0, noStop: 0 };
    for (let round = 0; round < 30; round++) {
      // No time at all to stop: most threads are still on their way to the stop when the wait ends.
      for (const [tid, c] of captureThreads(target.pid, target.tasks(), { stopTimeoutMs: 0 })) {
        if (c instanceof ThreadCaptureError && c.reason === 'no-stop') {
          assert.match(c.message, new RegExp(`^thread ${tid} did not stop within 0 ms`));
          seen.noStop++;
        } else if (c instanceof Error) assert.fail(`thread ${tid}: ${c.message}`);
        else seen.captured++;
      }
    }
    assert.ok(seen.noStop > 0, `some thread did not stop at once: ${JSON.stringify(seen)}`);
    t.diagnostic(`threads captured / not stopped at once: ${JSON.stringify(seen)}`);
    // Those still pending are let go by the next capture.
    await until(() => captureThreads(target.pid, []).size === 0 && pendingThreads().length === 0, { step: 'every pending thread to be let go', timeoutMs: scaled(10_000) });
    await assertLetGo(target);
    assert.equal(await target.ask('ping', /pong \d+/), 'pong 0');
  });
});

describe('captureThreads where process_vm_readv is refused (seccomp, as in some containers)', () => {
  test('the stack is copied through /proc/PID/mem instead, the same bytes', { ...skipIfMissingAny(), timeout: lastResort() }, async () => {
    const target = await startTarget(firstPython!.path);
    const tid = target.threads.read;
    const dist = `${REPO_ROOT}/dist/src/memory`;
    const script = [
      `const m = await import(${JSON.stringify(`${dist}/ptrace.js`)});`,
      `const { libc } = await import(${JSON.stringify(`${dist}/ptrace-libc.js`)});`,
      `const c = m.captureThreads(${target.pid}, [${tid}], { stackBytes: 4096 }).get(${tid});`,
      'if (c instanceof Error) throw c;',
      'const l = libc();',
      `const refused = l.readRemote(${tid}, Buffer.alloc(8), c.stack.address) === -1 ? l.errnoName(l.errno()) : 'allowed';`,
      'console.log(JSON.stringify({ refused, address: c.stack.address, rsp: Number(c.regs.readBigUInt64LE(152)), bytes: c.stack.bytes.toString("hex") }));',
    ].join('\n');
    const run = spawnSync(firstPython!.path, [`${REPO_ROOT}/test/fixtures/ptrace/no_process_vm_readv.py`, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: scaled(60_000) });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { refused: string; address: number; rsp: number; bytes: string };
    assert.equal(out.refused, 'EPERM', 'process_vm_readv is refused under the filter');
    const bytes = Buffer.from(out.bytes, 'hex');
    assert.equal(out.address, out.rsp - RED_ZONE);
    assert.ok(bytes.length > RED_ZONE, `${bytes.length} bytes copied`);
    // The thread is blocked for good: its stack above rsp is what the copy holds.
    assert.deepEqual(bytes.subarray(RED_ZONE), liveBytes(target.pid, out.rsp, bytes.length - RED_ZONE));
    await assertLetGo(target);
  });
});

describe('captureThreads of a thread id that is not of the process', () => {
  test('an Error for it alone (an id reused by another process), and that thread is let go', { ...skipIfMissingAny(), timeout: lastResort() }, async () => {
    const target = await startTarget(firstPython!.path);
    const other = await startTarget(firstPython!.path);
    const r = captureThreads(target.pid, [target.pid, other.threads.sleep]);
    captured(r, target.pid);
    const e = r.get(other.threads.sleep);
    assert.ok(e instanceof ThreadCaptureError && e.reason === 'exited', String(e));
    assert.equal(e.message, `thread ${other.threads.sleep} is not a thread of process ${target.pid} (it ended and its id was reused)`);
    await assertLetGo(other);
    assert.equal(await other.ask('ping', /pong \d+/), 'pong 0');
  });
});

describe('StackOverlayMemory', () => {
  test('reads inside the copy come from it, reads outside from the live process, straddling reads from both', { ...skipIfMissingAny(), timeout: lastResort() }, async () => {
    const target = await startTarget(firstPython!.path);
    // A short copy, so that the memory above it is the same live stack mapping.
    const r = captureThreads(target.pid, [target.threads.read], { stackBytes: 1024 });
    const c = captured(r, target.threads.read);
    const live = new LiveProcessMemory(target.pid);
    try {
      // A copy that differs from the live stack, so each byte says where it came from.
      const copy = Buffer.from(c.stack.bytes.map((b) => b ^ 0xff));
      const overlay = new StackOverlayMemory(live, { address: c.stack.address, bytes: copy });
      const start = c.stack.address;
      const end = start + copy.length;
      assert.deepEqual(overlay.read(start + 64, 32), copy.subarray(64, 96));
      assert.equal(overlay.readPointer(start + 8), Number(copy.readBigUInt64LE(8)));
      assert.deepEqual(overlay.read(end, 16), live.read(end, 16));
      assert.deepEqual(overlay.read(start - 16, 32), Buffer.concat([live.read(start - 16, 16), copy.subarray(0, 16)]));
      assert.deepEqual(overlay.read(end - 8, 16), Buffer.concat([copy.subarray(copy.length - 8), live.read(end, 8)]));
      const [a, b] = overlay.readMany([
        { address: start, length: 8 },
        { address: end + 8, length: 8 },
      ]);
      assert.deepEqual([a, b], [copy.subarray(0, 8), live.read(end + 8, 8)]);
      assert.throws(() => overlay.read(8, 8), /cannot read target memory/);
      overlay.close();
      assert.deepEqual(live.read(start, 8), c.stack.bytes.subarray(0, 8), 'the live source stays open after the overlay is closed');
    } finally {
      live.close();
    }
  });
});

function skipIfMissingAny(): SkipOption {
  return requirePython(firstPython !== undefined, 'no Python 3 interpreter of the matrix is present');
}
