// 1,500 malformed requests to one real `pyscope dap`: mutations of a valid request of every command
// (nulls, wrong types, missing fields, huge numbers, strings where objects go, arrays, deep nesting),
// first with no program, then with one stopped at a breakpoint so that what passes the checks
// reaches the agent. Every request must be answered, none with an internal error, the adapter must
// live through it, and once it is closed nothing it started may be left. Seeded: a failure names
// the request, and the same seed gives the same requests.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { pythonsFrom, requirePython } from '../support/pythons.js';
import { closeAll, DapClient, startSession } from './client.js';
import { fixture, type Stopped } from './helpers.js';
import { rng } from '../support/seeded.js';

const TARGET = fixture('fuzz_target.py');
const LINE = 15;
const SEED = Number(process.env.PYSCOPE_FUZZ_SEED ?? 20261130);
const WITHOUT_PROGRAM = 500;
const WITH_PROGRAM = 1000;
const BATCH = 20;
const ANSWER_MS = 30_000;
const newest = pythonsFrom(3, 8).filter((p) => !p.missing).at(-1);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };


interface Ids {
  threadId: number;
  frameId: number;
  ref: number;
}

/** A valid request of every command the adapter answers. */
function validRequests(ids: Ids): [string, Json][] {
  const source = { path: TARGET, name: 'fuzz_target.py' };
  return [
    ['initialize', { adapterID: 'fuzz', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' }],
    ['setBreakpoints', { source, breakpoints: [{ line: LINE }, { line: 14, condition: 'i % 2 == 0', hitCondition: '>= 1', logMessage: 'i={i}' }], sourceModified: false }],
    ['setBreakpoints', { source, lines: [LINE] }],
    ['breakpointLocations', { source, line: 1, endLine: 20 }],
    ['setFunctionBreakpoints', { breakpoints: [{ name: 'visit', condition: 'i > 1', hitCondition: '% 2' }] }],
    ['setExceptionBreakpoints', { filters: ['uncaught'], filterOptions: [{ filterId: 'raised' }] }],
    ['exceptionInfo', { threadId: ids.threadId }],
    ['threads', {}],
    ['continue', { threadId: ids.threadId }],
    ['next', { threadId: ids.threadId }],
    ['stepIn', { threadId: ids.threadId }],
    ['stepOut', { threadId: ids.threadId }],
    ['pause', { threadId: ids.threadId }],
    ['stackTrace', { threadId: ids.threadId, startFrame: 0, levels: 20 }],
    ['scopes', { frameId: ids.frameId }],
    ['variables', { variablesReference: ids.ref, filter: 'named', start: 0, count: 10 }],
    ['evaluate', { expression: 'data["items"][3] + i', frameId: ids.frameId, context: 'watch' }],
    ['setVariable', { variablesReference: ids.ref, name: 'nested', value: '[7]' }],
    ['setExpression', { expression: 'i', value: 'i + 0', frameId: ids.frameId }],
    ['completions', { text: 'da', column: 3, frameId: ids.frameId }],
    ['source', { sourceReference: 1, source: { sourceReference: 1 } }],
  ];
}

/**
 * Requests that end or start something are mutated only so that they stay invalid: a valid one
 * would end the program the rest of the run needs (or start another).
 */
function lifecycleRequests(): [string, Json][] {
  return [
    ['launch', { program: TARGET, stopOnEntry: true }],
    ['restart', { arguments: { program: TARGET } }],
    ['disconnect', { terminateDebuggee: true }],
    ['terminate', {}],
    ['configurationDone', {}],
  ];
}

const deep = (depth: number, leaf: Json = 1): Json => {
  let v: Json = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { d: v };
  return v;
};

const ODD_VALUES: Json[] = [null, '', 'x', '\u0000', 'ü€', '{', '[1]', 'None', -1, 0, 1.5, -0.5, 2 ** 53 + 2, 1e308, -1e308, true, false, [], [1, 'a', null], {}, { a: { b: null } }];

/** Paths of every value inside v (objects and arrays), the root included as []. */
function pathsOf(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

function replaceAt(root: Json, path: (string | number)[], value: Json | undefined): Json | undefined {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, Json>;
  let cur = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else cur[last] = value;
  return copy;
}

function valueAt(root: Json, path: (string | number)[]): Json {
  let cur = root;
  for (const k of path) cur = (cur as Record<string | number, Json>)[k]!;
  return cur;
}

/** One mutation of args; lifecycle requests get only those that break a field the check knows. */
function mutate(r: () => number, args: Json, lifecycle: boolean): { args: Json | undefined; how: string } {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  if (lifecycle) {
    const known = pathsOf(args).filter((p) => p.length > 0 && typeof valueAt(args, p) !== 'object');
    if (!known.length || r() < 0.4) {
      const v = pick<Json>(['launch', 42, [args], true, deep(50)]);
      return { args: v, how: `arguments = ${JSON.stringify(v).slice(0, 60)}` };
    }
    const p = pick(known);
    const was = valueAt(args, p);
    const wrong = pick<Json>(typeof was === 'string' ? [5, [], {}, false, [was]] : typeof was === 'boolean' ? ['yes', 1, [], {}] : ['5', [], {}, true]);
    return { args: replaceAt(args, p, wrong), how: `${p.join('.')} = ${JSON.stringify(wrong)}` };
  }
  const paths = pathsOf(args);
  const p = pick(paths);
  const at = p.join('.') || 'arguments';
  switch (pick(['null', 'odd', 'delete', 'huge', 'string-for-object', 'array', 'deep', 'extra'])) {
    case 'null':
      return { args: replaceAt(args, p, null), how: `${at} = null` };
    case 'odd': {
      const v = pick(ODD_VALUES);
      return { args: replaceAt(args, p, v), how: `${at} = ${JSON.stringify(v)}` };
    }
    case 'delete':
      return { args: replaceAt(args, p, undefined), how: `${at} removed` };
    case 'huge': {
      const v = pick<Json>([2 ** 63, -(2 ** 63), 1e300, Number.MAX_SAFE_INTEGER, 'a'.repeat(200_000), Array.from({ length: 5000 }, (_, i) => i)]);
      return { args: replaceAt(args, p, v), how: `${at} = huge ${typeof v === 'string' ? 'string' : Array.isArray(v) ? 'array' : v}` };
    }
    case 'string-for-object':
      return { args: replaceAt(args, p, 'an object was expected here'), how: `${at} = a string` };
    case 'array': {
      const cur = valueAt(args, p);
      return { args: replaceAt(args, p, [cur, cur]), how: `${at} = [it, it]` };
    }
    case 'deep': {
      const depth = pick([10, 100, 1000, 2000]);
      return { args: replaceAt(args, p, deep(depth)), how: `${at} = nested ${depth} deep` };
    }
    default: {
      const target = p.length && typeof valueAt(args, p) === 'object' && valueAt(args, p) !== null && !Array.isArray(valueAt(args, p)) ? p : [];
      const extended = structuredClone(args);
      const obj = (target.length ? valueAt(extended, target) : extended) as Record<string, Json>;
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) obj[`x-vendor-${Math.floor(r() * 1000)}`] = pick(ODD_VALUES);
      return { args: extended, how: `an unknown field in ${target.join('.') || 'arguments'}` };
    }
  }
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`no answer within ${ANSWER_MS} ms to ${what}`)), ANSWER_MS);
    }),
  ]);
}

/** Every process whose process group is pgid, by /proc. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // state, ppid, pgrp: a zombie runs nothing
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) out.push(Number(name));
    } catch {
      // it ended while we looked
    }
  }
  return out;
}

describe('dap fuzz', requirePython(newest !== undefined, 'no interpreter of 3.8 or newer'), () => {
  afterEach(closeAll);

  test(`${WITHOUT_PROGRAM + WITH_PROGRAM} malformed requests: all answered, no internal error, the adapter lives, nothing left after`, async (t) => {
    const r = rng(SEED);
    const problems: string[] = [];
    let answered = 0;
    const kinds = { accepted: 0, refusedByCheck: 0, refusedLater: 0 };
    const check = (what: string, res: DebugProtocol.Response): void => {
      answered++;
      if (res.success) kinds.accepted++;
      else if (/ must be /.test(res.message ?? '')) kinds.refusedByCheck++;
      else kinds.refusedLater++;
      const format = (res.body as { error?: { format?: string } } | undefined)?.error?.format ?? '';
      if (/internal error/i.test(`${res.message ?? ''} ${format}`)) problems.push(`${what}: ${res.message}`);
    };
    const send = async (c: DapClient, command: string, args: Json | undefined, how: string): Promise<void> => {
      const what = `${command} (${how})`;
      check(what, await withTimeout(c.raw(command, args), what));
    };
    const round = async (c: DapClient, n: number, ids: Ids, refresh?: () => Promise<void>): Promise<void> => {
      const lifecycle = lifecycleRequests();
      for (let sent = 0; sent < n; sent += BATCH) {
        const valid = validRequests(ids);
        const batch: Promise<void>[] = [];
        for (let k = 0; k < BATCH && sent + k < n; k++) {
          const life = r() < 0.15;
          const [command, args] = life ? lifecycle[Math.floor(r() * lifecycle.length)]! : valid[Math.floor(r() * valid.length)]!;
          const m = mutate(r, args, life);
          batch.push(send(c, command, m.args, m.how));
        }
        await Promise.all(batch);
        await refresh?.();
      }
    };

    const c = await startSession(newest!.path, { program: TARGET }, async (c) => {
      await c.request('setBreakpoints', { source: { path: TARGET }, breakpoints: [{ line: LINE }] });
    });
    const pid = (await c.waitFor<DebugProtocol.ProcessEvent>('process')).body.systemProcessId!;
    const stop = await withTimeout(c.waitFor<Stopped>('stopped'), 'the first stop');
    const threadId = stop.body.threadId!;
    const st = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId });
    const frameId = st.stackFrames[0]!.id;
    const scopes = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId });
    const ids: Ids = { threadId, frameId, ref: scopes.scopes[0]!.variablesReference };

    // a second session with no program for the first part: checks, and "no program is running"
    const idle = new DapClient();
    await round(idle, WITHOUT_PROGRAM, ids);
    // nesting too deep for a client's JSON.stringify: written by hand
    const raw = 900_000;
    const deepText = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
    for (const [i, body] of [
      `{"seq":${raw},"type":"request","command":"variables","arguments":{"variablesReference":${deepText(100_000)}}}`,
      `{"seq":${raw + 1},"type":"request","command":"threads","arguments":${deepText(100_000)}}`,
      `{"seq":${raw + 2},"type":"request","command":"threads","arguments":{"vendor":${deepText(100_000)}}}`,
    ].entries()) {
      idle.writeRaw(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      const deadline = Date.now() + ANSWER_MS;
      while (!idle.unanswered.some((x) => x.request_seq === raw + i)) {
        if (Date.now() > deadline) throw new Error(`no answer to a request nested 100000 deep (#${i})`);
        await new Promise((res) => setTimeout(res, 20));
      }
      check(`nested 100000 deep #${i}`, idle.unanswered.find((x) => x.request_seq === raw + i)!);
    }
    assert.equal(idle.proc.exitCode, null, 'the idle adapter lives');
    await idle.close();

    // the session with a program: whatever passes the checks reaches the agent
    let refreshed = 0;
    await round(c, WITH_PROGRAM, ids, async () => {
      // now and then the breakpoint again, a pause and fresh ids, so that later requests meet a
      // stopped program with frames and variables the adapter knows
      if (++refreshed % 3) return;
      await c.raw('setBreakpoints', { source: { path: TARGET }, breakpoints: [{ line: LINE }] });
      await c.raw('pause', { threadId });
      const frames = await c.raw('stackTrace', { threadId });
      const top = (frames.body as DebugProtocol.StackTraceResponse['body'] | undefined)?.stackFrames?.[0];
      if (!frames.success || !top) return;
      ids.frameId = top.id;
      const sc = await c.raw('scopes', { frameId: top.id });
      const locals = (sc.body as DebugProtocol.ScopesResponse['body'] | undefined)?.scopes?.[0];
      if (sc.success && locals) ids.ref = locals.variablesReference;
    });
    t.diagnostic(`seed ${SEED}: ${kinds.accepted} accepted, ${kinds.refusedByCheck} refused by the argument checks, ${kinds.refusedLater} refused after them (no program, the agent)`);
    assert.deepEqual(problems, [], `${problems.length} internal errors`);
    assert.equal(answered, WITHOUT_PROGRAM + WITH_PROGRAM + 3);
    const agentErrors = c.output().split('\n').filter((l) => /internal error/i.test(l));
    assert.deepEqual(agentErrors, [], 'the agent reported internal errors');
    assert.equal(c.proc.exitCode, null, 'the adapter lives');
    const init = await c.request<DebugProtocol.Capabilities>('initialize', { adapterID: 'after' });
    assert.equal(init.supportsConfigurationDoneRequest, true);

    const adapter = c.proc.pid!;
    await c.close();
    const left = (): number[] => [...groupMembers(pid), ...(existsSync(`/proc/${adapter}`) && c.proc.exitCode === null ? [adapter] : [])];
    const deadline = Date.now() + ANSWER_MS;
    while (left().length) {
      if (Date.now() > deadline) throw new Error(`left running after close: ${left().join(', ')} (the program was ${pid}, the adapter ${adapter})`);
      await new Promise((res) => setTimeout(res, 50));
    }
  });
});
