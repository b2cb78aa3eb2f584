// Scripted `pyscope debug` sessions on every interpreter the debugger supports: pdb's commands on
// stdin, the transcript checked for what a pdb user expects to read.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/common/errors.js';
import { pythons, pythonsFrom, requirePython, skipIfMissing } from '../support/pythons.js';
import { until } from '../support/wait.js';
import { answerTo, debugSession, startDebug } from './helpers.js';

for (const py of pythonsFrom(3, 8)) {
  describe(`pyscope debug on ${py.label}`, skipIfMissing(py), () => {
    test('breakpoints, stepping, frames and evaluation with pdb commands', async () => {
      const r = await debugSession(['--python', py.path, 'session.py', '3'], [
        'b session.py:9',
        'tbreak divide',
        'c',
        'p a, b',
        'w',
        'u',
        'p acc',
        'd',
        'condition 1 a > 0',
        'c',
        'p a',
        'disable 1',
        'n',
        'p total',
        'r',
        'b',
        'no_such_name',
        'frobnicate the thing',
        'b nosuch.py:3',
        'b 2',
        'b 9999',
        'b 9,',
        'enable 99',
        '!z = 42',
        'p z * 2',
        'display i',
        'clear 1',
        'c',
        'pp sorted(locals())',
        'c',
      ]);
      const out = r.stdout;
      assert.equal(r.code, 0, r.stderr);
      // the first stop is the program's first line, as in pdb
      assert.match(out, /^> .*session\.py\(1\)<module>\(\)\n\s+1 -> import sys/);
      assert.match(answerTo(out, 'b session.py:9'), /^Breakpoint 1 at .*session\.py:9\n$/);
      // a function pdb can find becomes a line breakpoint on its first line, as in pdb
      assert.match(answerTo(out, 'tbreak divide'), /^Temporary breakpoint 2 at .*session\.py:14\n$/);
      assert.match(answerTo(out, 'c'), /> .*session\.py\(9\)add\(\)\n(.*\n)*\s+9B->\s+total = a \+ b/);
      assert.equal(answerTo(out, 'p a, b'), '(0, 0)\n');
      const where = answerTo(out, 'w').split('\n');
      assert.match(where[0] ?? '', /^ {2}.*session\.py\(28\)<module>\(\)$/);
      assert.match(where[2] ?? '', /^ {2}.*session\.py\(20\)main\(\)$/);
      assert.match(where[4] ?? '', /^> .*session\.py\(9\)add\(\)$/);
      assert.equal(where[5], '-> total = a + b');
      assert.match(answerTo(out, 'u'), /^> .*session\.py\(20\)main\(\)/);
      assert.equal(answerTo(out, 'p acc'), '0\n');
      assert.equal(answerTo(out, 'condition 1 a > 0'), 'New condition set for breakpoint 1.\n');
      // calls are add(0, 0), add(0, 1), add(1, 2): the condition skips the first two
      assert.equal(answerTo(out, 'p a'), '1\n');
      assert.match(answerTo(out, 'disable 1'), /^Disabled breakpoint 1 at /);
      assert.match(answerTo(out, 'n'), /session\.py\(10\)add\(\)/);
      assert.equal(answerTo(out, 'p total'), '3\n');
      // r stops in the caller on the line of the call, saying what the function returned
      assert.match(answerTo(out, 'r'), /^--Return-- add\(\) -> 3\n> .*session\.py\(20\)main\(\)\n/);
      assert.match(answerTo(out, 'b'), /1 +breakpoint +keep no +at .*session\.py:9\n\tstop only if a > 0\n\tbreakpoint already hit 2 times/);
      assert.match(answerTo(out, 'b'), /2 +breakpoint +del +yes +at .*session\.py:14/);
      // bad input: a clear message, and the session goes on
      assert.match(answerTo(out, 'no_such_name'), /^\*\*\* NameError: name 'no_such_name' is not defined/);
      assert.match(answerTo(out, 'frobnicate the thing'), /^\*\*\* .*SyntaxError/s);
      assert.equal(answerTo(out, 'b nosuch.py:3'), "*** 'nosuch.py' not found\n");
      assert.match(answerTo(out, 'b 2'), /^\*\*\* Blank or comment/);
      assert.match(answerTo(out, 'b 9999'), /^\*\*\* End of file/);
      assert.match(answerTo(out, 'b 9,'), /^\*\*\* a condition is missing/);
      assert.equal(answerTo(out, 'enable 99'), '*** No breakpoint numbered 99\n');
      assert.equal(answerTo(out, '!z = 42'), '');
      assert.equal(answerTo(out, 'p z * 2'), '84\n');
      assert.equal(answerTo(out, 'display i'), 'display i: 2\n');
      assert.match(answerTo(out, 'clear 1'), /^Deleted breakpoint 1 at /);
      const atDivide = answerTo(out, 'c', 2);
      assert.match(atDivide, /acc is 3\n/);
      assert.match(atDivide, /Deleted breakpoint 2 at .*session\.py:14\n/);
      assert.match(atDivide, /session\.py\(14\)divide\(\)/);
      assert.match(answerTo(out, 'pp sorted(locals())'), /^\['a', 'b'\]\n$/);
      assert.match(answerTo(out, 'c', 3), /3\.0\nThe program exited with code 0\.\n/);
    });

    test('-m module, an uncaught exception, listings, catch, threads and help', async () => {
      const r = await debugSession(['--python', py.path, '-m', 'session'], ['c', 'p b', 'll', 'l', 'u', 'p acc', 'catch', 'threads', 'h', 'h b', 'jmc', 'q']);
      const out = r.stdout;
      assert.equal(r.code, 0, r.stderr);
      const stop = answerTo(out, 'c');
      assert.match(stop, /acc is 10\n/);
      assert.match(stop, /Traceback \(most recent call last\):(.*\n)*ZeroDivisionError: division by zero\n/);
      assert.match(stop, /Uncaught exception: ZeroDivisionError: division by zero\n> .*session\.py\(14\)divide\(\)/);
      assert.equal(answerTo(out, 'p b'), '0\n');
      assert.match(answerTo(out, 'll'), /^\s+13\s+def divide\(a, b\):\n\s+14 ->\s+return a \/ b\n$/);
      assert.match(answerTo(out, 'l'), /^\s+9\s.*\n(.*\n){4}\s+14 ->\s+return a \/ b\n(.*\n){5}$/);
      assert.equal(answerTo(out, 'p acc'), '10\n');
      assert.equal(answerTo(out, 'catch'), 'Stopping on exceptions: uncaught\n');
      assert.match(answerTo(out, 'threads'), /^\* +\d+ MainThread\n$/);
      assert.match(answerTo(out, 'h'), /Documented commands/);
      assert.match(answerTo(out, 'h b'), /^b\(reak\)/);
      assert.equal(answerTo(out, 'jmc'), 'just my code is on\n');
      assert.ok(!out.includes('The program exited'), 'q ends the program without reporting its exit');
    });

    test('catch raised stops where an exception is raised; thread N selects another thread', async () => {
      const raised = await debugSession(['--python', py.path, 'session.py'], ['catch raised', 'c', 'c']);
      assert.equal(answerTo(raised.stdout, 'catch raised'), 'Stopping on exceptions: raised\n');
      assert.match(answerTo(raised.stdout, 'c'), /Exception raised: ZeroDivisionError: division by zero\n> .*session\.py\(14\)divide\(\)/);
      assert.match(answerTo(raised.stdout, 'c', 1), /The program exited with code 1\./);

      // thread numbers are the adapter's: read them from `threads` before selecting one
      const live = startDebug(['--python', py.path, 'threads_demo.py']);
      live.child.stdin.write('b 15\nc\nthreads\n');
      await live.waitFor('worker-1\n', 'the threads command to list worker-1');
      const main = /(\d+) MainThread\n/.exec(live.output())?.[1];
      const worker = /(\d+) worker-1\n/.exec(live.output())?.[1];
      assert.ok(main && worker, live.output());
      live.child.stdin.end(`thread ${worker}\np done.is_set()\nthread ${main}\np marker\nc\n`);
      const { stdout: out, code } = await live.done;
      assert.equal(code, 0);
      assert.match(answerTo(out, 'threads'), new RegExp(`^\\* +${main} MainThread\\n +${worker} worker-1\\n$`));
      assert.match(answerTo(out, `thread ${worker}`), /^Thread \d+\n> .*threads_demo\.py\(6\)worker\(\)/);
      assert.equal(answerTo(out, 'p done.is_set()'), 'False\n');
      assert.equal(answerTo(out, 'p marker'), "'both threads run'\n");
      assert.match(answerTo(out, 'c', 1), /The program exited with code 0\./);
    });

    test('Ctrl-C while the program runs pauses it; the session goes on', async () => {
      const live = startDebug(['--python', py.path, 'loop.py']);
      live.child.stdin.write('c\n');
      await live.waitFor('looping\n', 'the program to print "looping" after c');
      live.child.kill('SIGINT');
      await live.waitFor('Paused.\n', 'Ctrl-C (SIGINT) to pause the program');
      live.child.stdin.end('p n >= 0\nw\nq\n');
      const r = await live.done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Paused\.\n> .*loop\.py\([45]\)spin\(\)/);
      assert.equal(answerTo(r.stdout, 'p n >= 0'), 'True\n');
      assert.match(r.stderr, /pausing the program \(Ctrl-C again quits\)/);
    });
  });
}

// Before 3.12 a pause is a trace function, from 3.12 sys.monitoring: one interpreter of each.
const pauseOf = [pythonsFrom(3, 8).find((p) => !p.missing && p.version[1] < 12), pythonsFrom(3, 12).find((p) => !p.missing)];
for (const py of pauseOf.filter((p) => p !== undefined)) {
  test(`${py.label}: a pause that cannot stop yet (the main thread in a C call) says what the thread is doing; Ctrl-C again quits`, async () => {
    const live = startDebug(['--python', py.path, 'sleeper.py']);
    live.child.stdin.write('c\n');
    await live.waitFor('sleeping\n', 'the program to print "sleeping" after c');
    live.child.kill('SIGINT');
    await until(() => /^pyscope: pause: waiting for a thread of process \d+ to run a line of Python; its main thread is [^\n]+\n/m.test(live.errors()), {
      step: 'the line saying what the paused program waits for',
      diagnose: () => live.errors(),
    });
    assert.match(live.errors(), /its main thread is blocked in the system call (clock_nanosleep|select|pselect6)[^\n]*, called from main \(sleeper\.py:8\)\n/);
    live.child.kill('SIGINT');
    const r = await live.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /quitting\n/);
    assert.doesNotMatch(r.stdout, /Paused\./);
  });
}

const anyPy = pythonsFrom(3, 8).find((p) => !p.missing);
test('a program that cannot start is one error line, not a session', requirePython(anyPy !== undefined, 'no Python 3.8+ of the matrix is present'), async () => {
  const missing = await debugSession(['nosuch.py'], []);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'pyscope: error: debug: nosuch.py: no such file\n');
  const noPython = await debugSession(['--python', 'no-such-python-here', 'session.py'], []);
  assert.equal(noPython.code, 2);
  assert.equal(noPython.stdout, '');
  assert.match(noPython.stderr, /^pyscope: error: python interpreter "no-such-python-here" was not found\n$/);
  const noModule = await debugSession(['--python', anyPy!.path, '-m', 'no_such_module_here'], []);
  assert.equal(noModule.code, 1);
  assert.match(noModule.stderr, /pyscope: error: .*No module named '?no_such_module_here/);
});

// An interpreter the debugger cannot run on said once, in pyscope's words, with its exit status
// (README "Exit codes"): before issue 15 the agent's own line came first, then the launch error.
const tooOld = pythons().filter((p) => !p.missing && (p.version[0] < 3 || (p.version[0] === 3 && p.version[1] < 8)));
test('an interpreter too old for the debugger, or one that is not Python: one line, exit 6 or 5', async () => {
  for (const old of tooOld) {
    const r = await debugSession(['--python', old.path, 'session.py'], []);
    assert.equal(r.code, ExitCode.unsupportedVersion, `${old.label}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^pyscope: error: \\S+ is Python ${old.version.join('\\.')}; the debugger needs 3\\.8 or newer\\n$`));
  }
  const notPython = await debugSession(['--python', 'sleep', 'session.py'], []);
  assert.equal(notPython.code, ExitCode.notPython, notPython.stderr);
  assert.equal(notPython.stdout, '');
  assert.equal(notPython.stderr, 'pyscope: error: sleep is not a Python interpreter\n');
});
