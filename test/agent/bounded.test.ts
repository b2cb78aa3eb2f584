// The agent bounds its work and its input, seen in its own protocol (no adapter): arguments that
// are missing or of the wrong type are named; breakpoints on a FIFO, a device or a folder are
// refused without reading; conditions and log points that never return are cut at reprTimeout;
// variables answers are paged lazily with a total, bounded when unpaged, and evaluate for a time
// budget; evaluate and completions of huge values make only what they show. What is held is what
// the answers contain (a page, a cut repr), never how long they took: a loaded machine sets that.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonsFrom, skipIfMissing } from '../support/pythons.js';
import { AgentProcess, type Reply } from './agentProcess.js';
import { fixture } from '../dap/helpers.js';

const PROG = fixture('bounded.py');
const LINE_COND = 33;
const LINE_LOG = 34;
const LINE_STOP = 35;
const TIMEOUT = { timeout: 180_000 };

type Variable = { name: string; value: string; handle: number; type: string };
type Page = { variables: Variable[]; total?: number };

const open = new Set<AgentProcess>();
function agent(python: string): AgentProcess {
  const a = new AgentProcess(python, PROG);
  open.add(a);
  return a;
}

function failed(r: Reply): string {
  assert.equal(r.ok, false, `expected an error, got ${JSON.stringify(r.body)}`);
  return r.error ?? '';
}

async function started(a: AgentProcess, breakpoints: Record<string, unknown>[]): Promise<void> {
  await a.waitEvent('hello');
  await a.ok('configure', { libraryRoots: [], justMyCode: true, reprTimeout: 0.25 });
  await a.ok('setBreakpoints', { path: PROG, breakpoints });
  await a.ok('start');
}

/** The globals of the stopped frame, by name. */
async function globalsOf(a: AgentProcess): Promise<Map<string, Variable>> {
  const frames = (await a.ok('stackTrace', { threadId: 1 })).frames as { id: number }[];
  const scopes = (await a.ok('scopes', { frameId: frames[0]!.id })).scopes as { name: string; handle: number }[];
  const page = (await a.ok('variables', { handle: scopes.find((s) => s.name === 'Globals')!.handle })) as Page;
  return new Map(page.variables.map((v) => [v.name, v]));
}

for (const py of pythonsFrom(3, 8)) {
  describe(`agent bounds on ${py.label}`, skipIfMissing(py), () => {
    afterEach(() => {
      for (const a of open) a.kill();
      open.clear();
    });

    test('bad arguments are named; a FIFO, a device and a folder are refused, never read', TIMEOUT, async () => {
      const a = agent(py.path);
      await a.waitEvent('hello');
      assert.equal(failed(await a.send('setBreakpoints', {})), 'setBreakpoints: path is missing (it must be a string)');
      assert.equal(failed(await a.send('setBreakpoints', { path: 5 })), 'setBreakpoints: path must be a string, not a number');
      assert.equal(failed(await a.send('setBreakpoints', { path: PROG, breakpoints: [{}] })), 'setBreakpoints: breakpoints[0].line is missing (it must be an integer)');
      assert.equal(failed(await a.send('setBreakpoints', { path: PROG, breakpoints: [{ line: 3, hit: { op: '!', n: 1 } }] })), "setBreakpoints: breakpoints[0].hit.op must be one of '==', '>=', '>', '<', '<=', '%', not '!'");
      assert.equal(failed(await a.send('breakpointLocations', { path: PROG })), 'breakpointLocations: line is missing (it must be an integer)');
      assert.equal(failed(await a.send('variables', { handle: 'x' })), 'variables: handle must be an integer, not a string');
      assert.equal(failed(await a.send('stackTrace', {})), 'stackTrace: threadId is missing (it must be an integer)');
      assert.equal(failed(await a.send('evaluate', { expression: 5 })), 'evaluate: expression must be a string, not a number');
      assert.equal(failed(await a.send('configure', { reprTimeout: 'soon' })), 'configure: reprTimeout must be a number, not a string');
      assert.equal(failed(await a.send('step', { threadId: 1, kind: 'sideways' })), "step: kind must be one of 'over', 'in', 'out', not 'sideways'");
      assert.equal(failed(await a.send('threads', [1, 2])), 'threads: args must be an object');
      assert.equal(failed(await a.send('noSuchCommand', {})), "unknown agent command 'noSuchCommand'");
      // lines that are not requests are answered by their leading id, and the agent goes on
      assert.equal(failed(await a.sendLine(9001, `{"id": 9001, "cmd": "threads", "args": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`)), 'malformed agent request (RecursionError)');
      assert.equal(failed(await a.sendLine(9002, '{"id": 9002, "cmd": "threads", "args": {')), 'malformed agent request (JSONDecodeError)');
      assert.ok(Array.isArray((await a.ok('threads')).threads));

      const dir = mkdtempSync(join(tmpdir(), 'pyscope-agent-'));
      try {
        const fifo = join(dir, 'fifo.py');
        execFileSync('mkfifo', [fifo]);
        for (const [path, kind] of [['/dev/zero', 'a character device'], [fifo, 'a FIFO'], [dir, 'a directory']] as const) {
          const r = await a.ok('setBreakpoints', { path, breakpoints: [{ line: 1 }, { line: 2 }] }, 10_000);
          assert.deepEqual(r.breakpoints, [1, 2].map(() => ({ verified: false, message: `${path} is ${kind}, not a regular file: it is not read` })));
          assert.equal(failed(await a.send('breakpointLocations', { path, line: 1 }, 10_000)), `${path} is ${kind}, not a regular file: it is not read`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('the source of code compiled under the name of a FIFO or a device is its disassembly, never a read of that file', TIMEOUT, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pyscope-agent-'));
      try {
        const fifo = join(dir, 'fifo.py');
        execFileSync('mkfifo', [fifo]);
        const named = fixture('../debug/exec_named.py');
        for (const [name, kind] of [['/dev/zero', 'a character device'], [fifo, 'a FIFO']] as const) {
          const a = new AgentProcess(py.path, named, ['--', name]);
          open.add(a);
          await a.waitEvent('hello');
          await a.ok('configure', { libraryRoots: [], justMyCode: true, reprTimeout: 0.5 });
          await a.ok('setBreakpoints', { path: named, breakpoints: [{ id: 1, line: 4 }] });
          await a.ok('start');
          await a.waitEvent('stopped');
          await a.ok('step', { threadId: 1, kind: 'in' });
          await a.waitEvent('stopped');
          const frames = (await a.ok('stackTrace', { threadId: 1 })).frames as { sourceKey?: string; sourceName?: string }[];
          assert.equal(frames[0]!.sourceName, name);
          const r = await a.ok('source', { key: frames[0]!.sourceKey }, 10_000);
          assert.equal(r.mimeType, 'text/plain');
          assert.match(String(r.content), new RegExp(`^# source of ${name} is not available \\(${name} is ${kind}, not a regular file: it is not read\\); disassembly of <module>:\n`));
          await a.ok('continue');
          a.kill();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a condition and a log point that never return are cut at reprTimeout; the program goes on', TIMEOUT, async () => {
      const a = agent(py.path);
      await started(a, [{ id: 1, line: LINE_COND, condition: 'forever()' }, { id: 2, line: LINE_LOG, log: [['text', 'marker '], ['expr', 'stubborn()'], ['text', ' '], ['expr', 'i']] }, { id: 3, line: LINE_STOP }]);
      const stop = await a.waitEvent('stopped');
      assert.deepEqual(stop.body.hitBreakpointIds, [3]);
      const out = a.events.filter((e) => e.event === 'output').map((e) => String(e.body.text));
      assert.deepEqual(out.filter((t) => t.startsWith('marker')), ['marker <timed out> 0\n', 'marker <timed out> 1\n', 'marker <timed out> 2\n']);
      const warned = out.filter((t) => t.includes('forever()'));
      assert.equal(warned.length, 1, 'reported once');
      assert.match(warned[0]!, /^pyscope: the condition 'forever\(\)' of the breakpoint at .*bounded\.py:33 timed out after 0\.25s; it is treated as false\n$/);
      const g = await globalsOf(a);
      assert.equal(g.get('total')!.value, '3');
      await a.ok('continue');
    });

    test('variables pages lazily: a total, 1000 children unpaged, a time budget; evaluate and completions of huge values', TIMEOUT, async () => {
      const a = agent(py.path);
      await started(a, [{ id: 3, line: LINE_STOP }]);
      await a.waitEvent('stopped');
      const g = await globalsOf(a);

      const all = (await a.ok('variables', { handle: g.get('big_list')!.handle })) as Page;
      assert.equal(all.variables.length, 1000);
      assert.equal(all.total, 100000);
      assert.equal(all.variables[999]!.name, '999');
      const tail = (await a.ok('variables', { handle: g.get('big_list')!.handle, start: 99990, count: 20 })) as Page;
      assert.deepEqual(tail.variables.map((v) => `${v.name}=${v.value}`), Array.from({ length: 10 }, (_, i) => `${99990 + i}=${99990 + i}`));
      const named = (await a.ok('variables', { handle: g.get('big_list')!.handle, filter: 'named' })) as Page;
      assert.deepEqual(named.variables, []);

      const dict = (await a.ok('variables', { handle: g.get('big_dict')!.handle, start: 5, count: 2 })) as Page;
      assert.deepEqual(dict.variables.map((v) => `${v.name}=${v.value}`), ["[5]='5'", "[6]='6'"]);
      assert.equal(dict.total, 100000);

      const wide = (await a.ok('variables', { handle: g.get('wide')!.handle, count: 3 })) as Page;
      assert.deepEqual(wide.variables.map((v) => v.name), ['attr0', 'attr1', 'attr10']);

      // 40 reprs of 5 s each, cut at 0.25 s: once the answer's budget (3 s) is spent, the rest
      // are not evaluated
      const slow = (await a.ok('variables', { handle: g.get('slow_list')!.handle })) as Page;
      const values = slow.variables.map((v) => v.value);
      assert.equal(values.length, 40);
      assert.equal(values[0], '<repr timed out after 0.25s>');
      assert.equal(values[39], '<not evaluated: time budget spent>');

      const frames = (await a.ok('stackTrace', { threadId: 1 })).frames as { id: number }[];
      // its whole repr would be 200 MB: only what is shown is made
      const huge = await a.ok('evaluate', { expression: "['x' * 1000] * 200000", frameId: frames[0]!.id, context: 'watch' }, 60_000);
      assert.equal(String(huge.value).length, 4096 + 3);
      assert.ok(String(huge.value).startsWith("['xxxx") && String(huge.value).endsWith('...'));
      const comp = await a.ok('completions', { frameId: frames[0]!.id, text: 'wide.attr9', column: 11 });
      const targets = comp.targets as { label: string }[];
      assert.equal(targets.length, 500);
      assert.equal(targets[0]!.label, 'attr9');
      await a.ok('continue');
    });
  });
}
