// The explanations of a refused ptrace for the cases this machine cannot produce on demand (Yama
// is not in every kernel; a container without CAP_SYS_PTRACE), and the decoding of the wait
// statuses a tracer meets, from the numbers <sys/wait.h> and ptrace(2) define.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/common/errors.js';
import { explainRefusal, type RefusalFacts } from '../../src/memory/ptrace-errors.js';
import { decodeWaitStatus, signalToPassOn, PTRACE_EVENT_STOP } from '../../src/memory/wait-status.js';

const base: RefusalFacts = { pid: 100, tid: 101, tracerPid: 0, uid: 1000, targetUid: 1000, ancestor: false };

test('each refusal is one line that names its cause and its fix, with exit code 4', () => {
  const cases: [Partial<RefusalFacts>, string, RegExp][] = [
    [{ tracerPid: 42, tracerName: 'py-spy' }, 'tracer', /^cannot stop thread 101 of process 100: it is already traced by py-spy \(pid 42\);.* detach or end py-spy/],
    [{ yamaScope: 1 }, 'yama', /kernel\.yama\.ptrace_scope is 1 .*sudo.*'sudo sysctl kernel\.yama\.ptrace_scope=0'$/],
    [{ yamaScope: 2 }, 'yama', /kernel\.yama\.ptrace_scope is 2 .*run pyscope with sudo$/],
    [{ yamaScope: 3, uid: 0 }, 'yama', /kernel\.yama\.ptrace_scope is 3, .*until the next reboot/],
    [{ targetUid: 0 }, 'user', /it belongs to uid 0, not to you \(uid 1000\): run pyscope as that user or with sudo$/],
    [{ uid: 0, targetUid: 0 }, 'capability', /even as root: .*CAP_SYS_PTRACE \(docker: --cap-add=SYS_PTRACE\)$/],
    [{ yamaScope: 1, tid: 100 }, 'yama', /^cannot stop process 100: /],
  ];
  for (const [facts, reason, message] of cases) {
    const e = explainRefusal({ ...base, ...facts });
    assert.equal(e.reason, reason, JSON.stringify(facts));
    assert.equal(e.exitCode, ExitCode.permission);
    assert.match(e.message, message);
    assert.doesNotMatch(e.message, /\n/);
  }
  // Yama scope 1 lets an ancestor trace, and root passes scopes 1 and 2: the cause is elsewhere.
  assert.equal(explainRefusal({ ...base, yamaScope: 1, ancestor: true, targetUid: 0 }).reason, 'user');
  assert.equal(explainRefusal({ ...base, yamaScope: 2, uid: 0, targetUid: 0 }).reason, 'capability');
  // Another tracer is the first thing to say: nothing else can be fixed while it holds the thread.
  assert.equal(explainRefusal({ ...base, yamaScope: 1, tracerPid: 7 }).tracer?.name, 'another process');
});

test('wait statuses: exits, deaths, signal-delivery-stops and event stops', () => {
  assert.deepEqual(decodeWaitStatus(0x0300), { kind: 'exited', code: 3 });
  assert.deepEqual(decodeWaitStatus(9), { kind: 'killed', signal: 9 });
  assert.deepEqual(decodeWaitStatus(0x8b), { kind: 'killed', signal: 11 }); // with the core-dump bit
  assert.deepEqual(decodeWaitStatus(0xffff), { kind: 'continued' });
  // PTRACE_INTERRUPT's stop: PTRACE_EVENT_STOP with SIGTRAP; nothing to pass on.
  const interrupt = decodeWaitStatus((PTRACE_EVENT_STOP << 16) | (5 << 8) | 0x7f);
  assert.deepEqual(interrupt, { kind: 'stopped', signal: 5, event: PTRACE_EVENT_STOP });
  assert.equal(signalToPassOn(interrupt), 0);
  // A group-stop (SIGSTOP) seen by a seizing tracer: an event stop too, which a detach keeps.
  assert.equal(signalToPassOn(decodeWaitStatus((PTRACE_EVENT_STOP << 16) | (19 << 8) | 0x7f)), 0);
  // A signal-delivery-stop (SIGUSR1 = 10): the signal must reach the thread when it is let go.
  const delivery = decodeWaitStatus((10 << 8) | 0x7f);
  assert.deepEqual(delivery, { kind: 'stopped', signal: 10, event: 0 });
  assert.equal(signalToPassOn(delivery), 10);
  assert.equal(signalToPassOn(decodeWaitStatus(0x0300)), 0);
});
