// The VS Code extension as users install it: `scripts/package-vscode.mjs` (npm run vsix) packs it
// with @vscode/vsce, and the .vsix, unpacked outside the checkout, must declare the pyscope debug
// type for VS Code (engine, breakpoints, no code to activate) and carry an adapter that runs from
// there alone: it answers `initialize` as VS Code sends it, and debugs a file natively and in Pyodide.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { closeAll, DapClient } from '../dap/client.js';
import { pythons, REPO_ROOT, requirePython } from '../support/pythons.js';
import { lastResort, scaled, WAIT } from '../support/timeouts.js';
import { readZip } from '../support/zip.js';

interface Manifest {
  name: string;
  version: string;
  engines: { vscode?: string; node?: string };
  main?: string;
  browser?: string;
  activationEvents?: string[];
  contributes: {
    breakpoints?: { language: string }[];
    debuggers: { type: string; runtime: string; program: string; args: string[]; languages?: string[] }[];
  };
}

const LAST_RESORT = { timeout: lastResort() };
const py = pythons().find((p) => !p.missing && p.version[0] === 3 && p.version[1] >= 8);

describe('the packaged VS Code extension (.vsix)', () => {
  let work: string;
  /** Where the .vsix is unpacked: outside the checkout, so nothing of it can be found from there. */
  let unpacked: string;
  let manifest: Manifest;
  let adapter: [string, string[]];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'pyscope-vsix-test-'));
    const vsix = join(work, 'pyscope-debug.vsix');
    await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'scripts', 'package-vscode.mjs'), '--out', vsix], { cwd: REPO_ROOT, timeout: scaled(300_000), maxBuffer: 16 << 20 });
    unpacked = join(work, 'unpacked');
    for (const entry of readZip(readFileSync(vsix))) {
      const file = resolve(unpacked, entry.name);
      assert.ok(file.startsWith(unpacked + sep), `${entry.name} stays inside the folder it is unpacked to`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, entry.data);
    }
    manifest = JSON.parse(readFileSync(join(unpacked, 'extension', 'package.json'), 'utf8')) as Manifest;
    const d = manifest.contributes.debuggers[0]!;
    adapter = [process.execPath, [resolve(unpacked, 'extension', d.program), ...d.args]];
  });

  after(async () => {
    await closeAll();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('its manifest declares the pyscope debugger for VS Code, with nothing to activate', () => {
    const xml = readFileSync(join(unpacked, 'extension.vsixmanifest'), 'utf8');
    assert.match(xml, /<Identity [^>]*Id="pyscope-debug"/);
    assert.equal(manifest.name, 'pyscope-debug');
    assert.match(manifest.engines.vscode ?? '', /^\^1\.\d+\.\d+$/);
    assert.ok(xml.includes(`<Property Id="Microsoft.VisualStudio.Code.Engine" Value="${manifest.engines.vscode}" />`), 'the engine is in the package manifest VS Code reads first');
    // declaration only: VS Code starts the adapter named below; there is no code, so no activation events
    assert.equal(manifest.main, undefined);
    assert.equal(manifest.browser, undefined);
    assert.equal(manifest.activationEvents, undefined);
    assert.deepEqual(manifest.contributes.breakpoints, [{ language: 'python' }]);
    assert.equal(manifest.contributes.debuggers.length, 1);
    const d = manifest.contributes.debuggers[0]!;
    assert.equal(d.type, 'pyscope');
    assert.deepEqual(d.languages, ['python']);
    assert.equal(d.runtime, 'node');
    assert.deepEqual(d.args, ['dap']);
    const program = resolve(unpacked, 'extension', d.program);
    assert.ok(program.startsWith(join(unpacked, 'extension') + sep), `the adapter is the extension's own: ${d.program}`);
    assert.ok(existsSync(program), `${d.program} is in the package`);
    for (const asset of ['pyscope/dist/src/agent/pyscope_agent/__init__.py', 'pyscope/dist/src/pyodide/bootstrap.py', 'node_modules/pyodide/pyodide.asm.wasm']) {
      assert.ok(existsSync(join(unpacked, 'extension', asset)), `${asset} is in the package`);
    }
  });

  test("the adapter it names runs from the extension's folder and answers initialize", LAST_RESORT, async () => {
    const version = await promisify(execFile)(adapter[0], [adapter[1][0]!, '--version'], { cwd: work, timeout: WAIT.output });
    assert.equal(version.stdout, `pyscope ${JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version as string}\n`);
    const c = new DapClient([], adapter);
    const caps = await c.request<DebugProtocol.Capabilities>('initialize', {
      clientID: 'vscode',
      clientName: 'Visual Studio Code',
      adapterID: 'pyscope',
      pathFormat: 'path',
      linesStartAt1: true,
      columnsStartAt1: true,
      supportsVariableType: true,
      locale: 'en',
    });
    assert.equal(caps.supportsConfigurationDoneRequest, true);
    assert.equal(caps.supportsConditionalBreakpoints, true);
    await c.close();
  });

  for (const runtime of ['native', 'pyodide'] as const) {
    // Pyodide is in the package: only the native run needs an interpreter of the matrix
    const skip = requirePython(runtime === 'pyodide' || py !== undefined, 'no Python 3.8+ of the matrix is present');
    test(`the packaged adapter debugs a file (${runtime}): a breakpoint stops, the program ends`, { ...LAST_RESORT, ...skip }, async () => {
      const dir = join(work, `program-${runtime}`);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'app.py');
      writeFileSync(file, ['total = 0', 'for n in range(4):', '    total += n', 'print("total", total)', ''].join('\n'));
      const c = new DapClient([], adapter);
      await c.request('initialize', { adapterID: 'pyscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      const launched = c.raw('launch', { program: file, cwd: dir, runtime, ...(runtime === 'native' ? { python: py!.path } : {}) }, { timeoutMs: WAIT.start });
      await c.waitFor('initialized', undefined, { timeoutMs: WAIT.start });
      await c.request('setBreakpoints', { source: { path: file }, breakpoints: [{ line: 4 }] });
      await c.request('configurationDone', undefined, { timeoutMs: WAIT.start });
      const r = await launched;
      assert.equal(r.success, true, r.message);
      const stop = await c.waitFor<DebugProtocol.StoppedEvent>('stopped', undefined, { timeoutMs: WAIT.start });
      assert.equal(stop.body.reason, 'breakpoint');
      await c.request('continue', { threadId: stop.body.threadId });
      const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 0);
      assert.match(c.output('stdout'), /total 6/);
      await c.close();
    });
  }
});
