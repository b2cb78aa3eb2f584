// pyscope/pyodide's Jupyter debug adapter (JEP 47) in real headless Chromium: a minimal Jupyter
// client on a page at the playground's origin (cross-origin isolated) sends the debug_request
// contents JupyterLab sends and reads the debug_reply and debug_event contents: debugInfo,
// initialize, attach, dumpCell, setBreakpoints, configurationDone, a cell that calls into the
// dumped one stops there, stackTrace with the cells as sources, variables, copyToGlobals,
// continue, richInspectVariables, disconnect, and an unknown command answered with an error reply.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { startPlayground } from '../../src/playground/server.js';
import { CELL_FILE_PREFIX, CELL_HASH_SEED, cellFileName } from '../../src/web/notebookSession.js';
import { murmur2 } from '../../src/web/murmur2.js';
import { launchChromium, needsChromium, pageState, urlOf, watchPage } from './browser.js';
import { WAIT } from '../support/timeouts.js';

const CELL1 = 'def double(x):\n    y = x * 2\n    return y\n';
const CELL2 = "r = double(21)\nprint('r is', r)\nr\n";

/**
 * The client, in the page: the kernel (a PyodideNotebook on the playground's own worker script)
 * and the adapter, with the debug_event contents kept in window.jep.events.
 */
const CLIENT = `(async () => {
  const pyscope = await import('/pyscope/web/index.js');
  const text = async (u) => (await fetch(u)).text();
  const agentSources = Object.fromEntries(await Promise.all(pyscope.AGENT_PACKAGE_FILES.map(async (f) => [f, await text('/pyscope/agent/' + f)])));
  const notebook = new pyscope.PyodideNotebook({
    createWorker: () => new Worker('/pyscope/playground/page/worker.js', { type: 'module' }),
    agentSources,
    bootstrapSource: await text('/pyscope/pyodide/bootstrap.py'),
    kernelSource: await text('/pyscope/pyodide/notebook_kernel.py'),
  });
  await notebook.start();
  const events = [];
  const adapter = new pyscope.JupyterDebugAdapter(notebook, (content) => events.push(content));
  let seq = 1;
  const outputs = [];
  window.jep = {
    events,
    outputs,
    request: (command, args) => adapter.handle({ type: 'request', seq: seq++, command, arguments: args }),
    raw: (content) => adapter.handle(content),
    execute: (code) => { window.jep.running = notebook.execute(code, (category, text) => outputs.push(text)); },
  };
  return 'ready';
})()`;

describe('the Jupyter debug adapter of pyscope/pyodide, in headless Chromium', needsChromium(), () => {
  let browser: Browser;
  let server: Server;
  let page: Page;

  before(async () => {
    server = await startPlayground({ port: 0 });
    browser = await launchChromium();
    page = watchPage(await browser.newPage());
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  test("cell file names are JupyterLab's: Murmur2 of the code with ipykernel's seed", () => {
    // vectors of ipykernel's murmur2_x86 (ipykernel/compiler.py) with its seed 0xC70F6907
    assert.equal(CELL_HASH_SEED, 3339675911);
    assert.equal(murmur2('a = 1', CELL_HASH_SEED), 3780943274);
    assert.equal(murmur2('print("héllo ✓")\n', CELL_HASH_SEED), 1781929789);
    assert.equal(murmur2('', CELL_HASH_SEED), 3990065800);
    assert.equal(murmur2('ab', CELL_HASH_SEED), 2805137849);
    assert.equal(cellFileName(CELL1), `${CELL_FILE_PREFIX}623204995.py`);
  });

  test('the JEP 47 sequence: breakpoint in a dumped cell, stop, stack, variables, continue, disconnect; bad requests', async () => {
    type Reply = DebugProtocol.Response;
    const request = async (command: string, args?: unknown): Promise<Reply> => {
      return (await page.evaluate(`window.jep.request(${JSON.stringify(command)}, ${JSON.stringify(args ?? {})})`)) as Reply;
    };
    const ok = async (command: string, args?: unknown): Promise<Record<string, unknown>> => {
      const r = await request(command, args);
      assert.equal(r.success, true, `${command}: ${r.message ?? ''}`);
      assert.equal(r.command, command);
      return (r.body ?? {}) as Record<string, unknown>;
    };
    const waitFor = async (what: string, condition: string): Promise<void> => {
      try {
        await page.waitForFunction(condition, undefined, { timeout: WAIT.stop });
      } catch (e) {
        throw new Error(`waiting for ${what}: ${(e as Error).message}\n${await pageState(page)}\nevents: ${JSON.stringify(await page.evaluate('window.jep.events'))}`);
      }
    };

    await page.goto(urlOf(server));
    assert.equal(await page.evaluate(CLIENT), 'ready');

    const info = await ok('debugInfo');
    assert.deepEqual(
      { ...info, breakpoints: undefined },
      {
        isStarted: false,
        hashMethod: 'Murmur2',
        hashSeed: 3339675911,
        tmpFilePrefix: CELL_FILE_PREFIX,
        tmpFileSuffix: '.py',
        breakpoints: undefined,
        stoppedThreads: [],
        richRendering: true,
        exceptionPaths: ['Python Exceptions'],
        copyToGlobals: true,
      },
    );
    const caps = await ok('initialize', { clientID: 'test', adapterID: 'python', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    assert.equal(caps.supportsConfigurationDoneRequest, true);
    await ok('attach', {});
    await waitFor('initialized', "window.jep.events.some((e) => e.event === 'initialized')");
    assert.equal((await ok('debugInfo')).isStarted, true);

    const path1 = cellFileName(CELL1);
    assert.deepEqual(await ok('dumpCell', { code: CELL1 }), { sourcePath: path1 });
    const bps = (await ok('setBreakpoints', { source: { path: path1 }, breakpoints: [{ line: 3 }], sourceModified: false })).breakpoints as DebugProtocol.Breakpoint[];
    assert.deepEqual(
      bps.map((b) => [b.verified, b.line]),
      [[true, 3]],
    );
    await ok('configurationDone');
    assert.deepEqual((await ok('debugInfo')).breakpoints, [{ source: path1, breakpoints: [{ line: 3 }] }]);

    // the dumped cell runs (defining double), then a cell that calls into it stops at its breakpoint
    await page.evaluate(`window.jep.execute(${JSON.stringify(CELL1)}); window.jep.running`);
    await page.evaluate(`window.jep.execute(${JSON.stringify(CELL2)})`);
    await waitFor('stopped', "window.jep.events.some((e) => e.event === 'stopped')");
    const stopped = ((await page.evaluate("window.jep.events.find((e) => e.event === 'stopped')")) as DebugProtocol.StoppedEvent).body;
    assert.equal(stopped.reason, 'breakpoint');
    assert.deepEqual((await ok('debugInfo')).stoppedThreads, [stopped.threadId]);
    // the cells only: the kernel's frames that run them are not the user's
    const frames = ((await ok('stackTrace', { threadId: stopped.threadId })).stackFrames as DebugProtocol.StackFrame[]).map((f) => ({ id: f.id, name: f.name, path: f.source?.path, line: f.line }));
    assert.deepEqual(
      frames.map(({ name, path, line }) => ({ name, path, line })),
      [
        { name: 'double', path: path1, line: 3 },
        { name: '<module>', path: cellFileName(CELL2), line: 1 },
      ],
    );
    const scopes = (await ok('scopes', { frameId: frames[0]!.id })).scopes as DebugProtocol.Scope[];
    const locals = (await ok('variables', { variablesReference: scopes[0]!.variablesReference })).variables as DebugProtocol.Variable[];
    assert.deepEqual(
      locals.filter((v) => v.name === 'x' || v.name === 'y').map((v) => [v.name, v.value]),
      [
        ['x', '21'],
        ['y', '42'],
      ],
    );
    await ok('copyToGlobals', { srcVariableName: 'y', dstVariableName: 'y_copy', srcFrameId: frames[0]!.id, dstFrameId: frames[1]!.id });
    const named = (await ok('inspectVariables')).variables as { name: string; value: string }[];
    assert.deepEqual(
      named.filter((v) => v.name === 'y_copy').map((v) => v.value),
      ['42'],
    );
    // names are looked up, never run: an expression is refused
    const refused = await request('copyToGlobals', { srcVariableName: '__import__("os")', dstVariableName: 'z', srcFrameId: frames[0]!.id });
    assert.equal(refused.success, false);
    assert.match(refused.message ?? '', /must be a Python identifier/);

    await ok('continue', { threadId: stopped.threadId });
    assert.deepEqual(await page.evaluate('window.jep.running'), { status: 'ok', result: '42' });
    assert.deepEqual(await page.evaluate('window.jep.outputs.join("")'), 'r is 42\n');
    assert.deepEqual(await ok('richInspectVariables', { variableName: 'r' }), { data: { 'text/plain': '42' }, metadata: {} });

    await ok('disconnect', { restart: false, terminateDebuggee: false });
    const after = await ok('debugInfo');
    assert.equal(after.isStarted, false);
    assert.deepEqual(after.breakpoints, []);
    // a breakpoint in a cell that is not there (never dumped, or gone): refused, the kernel unharmed
    const gone = (await ok('setBreakpoints', { source: { path: `${CELL_FILE_PREFIX}1.py` }, breakpoints: [{ line: 1 }] })).breakpoints as DebugProtocol.Breakpoint[];
    assert.deepEqual(
      gone.map((b) => [b.verified, /cannot compile/.test(b.message ?? '')]),
      [[false, true]],
    );
    // the kernel goes on without a debugger: the same cell runs through
    await page.evaluate(`window.jep.execute(${JSON.stringify(CELL2)}); window.jep.running`);
    assert.deepEqual(await page.evaluate('window.jep.running'), { status: 'ok', result: '42' });
    assert.equal(await page.evaluate("window.jep.events.filter((e) => e.event === 'stopped').length"), 1);

    const unknown = (await page.evaluate(`window.jep.raw({ type: 'request', seq: 99, command: 'noSuchCommand', arguments: {} })`)) as Reply;
    assert.deepEqual([unknown.success, unknown.request_seq, unknown.command], [false, 99, 'noSuchCommand']);
    assert.match(unknown.message ?? '', /unsupported request "noSuchCommand"/);
    const garbage = (await page.evaluate(`window.jep.raw({ seq: 5 })`)) as Reply;
    assert.equal(garbage.success, false);
    assert.match(garbage.message ?? '', /not a debug request/);
  });
});
