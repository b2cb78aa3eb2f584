// gilStateFromNative against real native stacks: gdb's `thread apply all bt` of contended.py, where
// one spinner holds the GIL and the other waits for it in take_gil, and whose main thread sleeps.
// gdb names what the interpreter's file names: take_gil on builds with a .symtab (pyenv's), a
// nameless frame under the eval loop on stripped ones (Debian's 3.11), PyThread_acquire_lock on
// 2.7. Threads gdb cannot list or name (the sid builds, run through their own loader) are reported
// in the diagnostics, not judged.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { watch } from '../support/child.js';
import { pythons, skipIfMissing, REPO_ROOT, hasNativeStacks } from '../support/pythons.js';
import { firstSkip, requireTool } from '../support/requirements.js';
import { scaled } from '../support/timeouts.js';
import { gilStateFromNative } from '../../src/cpython/gil-state.js';

const CONTENDED = join(REPO_ROOT, 'test', 'fixtures', 'dump', 'contended.py');
/** gdb snapshots of the process: the waiter is in take_gil nearly all the time, a few catch it. */
const ROUNDS = 4;

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Each thread's frames (innermost first) as gdb names them, by kernel thread id; `??` has no name. */
function backtraces(pid: number): Promise<Map<number, { symbol?: string }[]>> {
  return new Promise((resolve, reject) => {
    execFile('gdb', ['-nx', '-batch', '-p', String(pid), '-ex', 'set width 0', '-ex', 'thread apply all bt 24'], { encoding: 'utf8', timeout: scaled(120_000), maxBuffer: 16 << 20 }, (error, stdout) => {
      if (error && !stdout) return reject(error);
      const out = new Map<number, { symbol?: string }[]>();
      let frames: { symbol?: string }[] | undefined;
      for (const line of stdout.split('\n')) {
        const thread = /^Thread \d+ .*\(LWP (\d+)\)/.exec(line);
        if (thread) {
          frames = [];
          out.set(Number(thread[1]), frames);
          continue;
        }
        const frame = /^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+)/.exec(line);
        if (frame && frames) frames.push(frame[1] === '??' ? {} : { symbol: frame[1] });
      }
      resolve(out);
    });
  });
}

// 32-bit targets are left out: their native stacks are not read (pyscope refuses --native for them).
for (const py of pythons().filter(hasNativeStacks)) {
  describe(`gilStateFromNative on gdb's stacks of ${py.label}`, firstSkip(skipIfMissing(py), requireTool('gdb')), () => {
    test('the spinner that does not hold the GIL waits for it; a sleeping thread does neither', async (t) => {
      const child = spawn(py.path, [CONTENDED, '900'], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      try {
        const m = await watch(child, `${py.label} contended.py`).waitFor(/ready (\d+) (\d+)/, { step: 'contended.py to print "ready ID ID"' });
        const spinners = [Number(m[1]), Number(m[2])];
        const pid = child.pid!;
        let waiting = 0;
        let named = false;
        for (let round = 0; round < ROUNDS; round++) {
          const stacks = await backtraces(pid);
          if (stacks.size === 0) {
            t.diagnostic(`gdb lists no thread of ${py.label} by kernel id (no libthread_db for its own loader): nothing to judge`);
            return;
          }
          const main = stacks.get(pid);
          assert.ok(main, `gdb listed the main thread: ${[...stacks.keys()].join(', ')}`);
          assert.equal(gilStateFromNative(main), undefined, `the sleeping main thread: ${JSON.stringify(main)}`);
          const states = spinners.map((tid) => gilStateFromNative(stacks.get(tid) ?? []));
          for (const [k, tid] of spinners.entries()) {
            const frames = stacks.get(tid) ?? [];
            if (frames.some((f) => f.symbol !== undefined)) named = true;
            t.diagnostic(`round ${round} thread ${tid}: ${states[k] ?? '-'} <- ${frames.slice(0, 8).map((f) => f.symbol ?? '??').join(' < ')}`);
          }
          waiting += states.filter((s) => s === 'waiting').length;
        }
        if (!named) {
          t.diagnostic(`gdb names no frame of ${py.label}'s threads: nothing to judge`);
          return;
        }
        assert.ok(waiting > 0, `in ${ROUNDS} gdb snapshots a spinner was seen waiting for the GIL`);
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
}
