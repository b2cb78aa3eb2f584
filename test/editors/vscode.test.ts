// The VS Code extension (editors/vscode) and the launch.json in docs/DEBUGGER.md, as a user gets
// them: every documented configuration must satisfy the extension's schema, and the Pyodide one
// is run the way VS Code runs it: variables substituted, the adapter started from the extension's
// `runtime`/`program`/`args`, and VS Code's own request sequence.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Ajv } from 'ajv';
import { REPO_ROOT } from '../support/pythons.js';
import { lastResort } from '../support/timeouts.js';
import { closeAll, DapClient } from '../dap/client.js';

type Config = Record<string, unknown>;

interface DebuggerContribution {
  type: string;
  runtime: string;
  program: string;
  args: string[];
  configurationAttributes: { launch: { properties: Record<string, unknown> }; attach: { required: string[]; properties: Record<string, unknown> } };
  initialConfigurations: Config[];
}

const EXTENSION = join(REPO_ROOT, 'editors', 'vscode');
const manifest = JSON.parse(readFileSync(join(EXTENSION, 'package.json'), 'utf8')) as { contributes: { debuggers: DebuggerContribution[] } };
const contribution = manifest.contributes.debuggers.find((d) => d.type === 'pyscope')!;

/** The launch.json blocks of docs/DEBUGGER.md that use the pyscope type. */
function documentedConfigurations(): Config[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'DEBUGGER.md'), 'utf8');
  const out: Config[] = [];
  for (const m of doc.matchAll(/```jsonc\n([\s\S]*?)```/g)) {
    const json = m[1]!.replace(/^\s*\/\/.*$/gm, '');
    const parsed = JSON.parse(json) as { configurations?: Config[] } & Config;
    for (const c of parsed.configurations ?? [parsed]) if (c.type === 'pyscope') out.push(c);
  }
  return out;
}

/** The attributes VS Code itself gives every configuration, plus the extension's own. */
function launchSchema(): object {
  return {
    type: 'object',
    required: ['name', 'type', 'request'],
    properties: {
      name: { type: 'string' },
      type: { const: 'pyscope' },
      request: { const: 'launch' },
      preLaunchTask: { type: 'string' },
      ...contribution.configurationAttributes.launch.properties,
    },
    additionalProperties: false,
  };
}

/** The same for an attach configuration: its own attributes, processId required. */
function attachSchema(): object {
  return {
    type: 'object',
    required: ['name', 'type', 'request', ...contribution.configurationAttributes.attach.required],
    properties: {
      name: { type: 'string' },
      type: { const: 'pyscope' },
      request: { const: 'attach' },
      ...contribution.configurationAttributes.attach.properties,
    },
    additionalProperties: false,
  };
}

/** What VS Code does to a configuration before it sends it (the variables used here). */
function substitute(c: Config, vars: Record<string, string>): Config {
  return JSON.parse(JSON.stringify(c).replace(/\$\{(\w+)\}/g, (all, name: string) => vars[name] ?? all)) as Config;
}

// Each test's last resort: every wait of the client has a far shorter limit of its own and fails
// first, naming its step; no assertion depends on time. (A describe's timeout would bound the
// whole suite, which a loaded machine can take minutes over, not each test.)
const LAST_RESORT = { timeout: lastResort() };

describe('the VS Code extension and the documented launch.json', () => {
  afterEach(closeAll);

  test('the extension runs pyscope dap from the built checkout', () => {
    assert.equal(contribution.runtime, 'node');
    assert.deepEqual(contribution.args, ['dap']);
    assert.ok(existsSync(resolve(EXTENSION, contribution.program)), `${contribution.program} exists once built`);
  });

  test('every documented and initial configuration fits the extension schema', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(launchSchema());
    const validateAttach = new Ajv({ allErrors: true, strict: false }).compile(attachSchema());
    const configs = [...documentedConfigurations(), ...contribution.initialConfigurations];
    assert.ok(configs.some((c) => c.runtime === 'pyodide'), 'a Pyodide configuration is documented');
    assert.ok(configs.some((c) => c.request === 'attach'), 'an attach configuration is documented');
    for (const c of configs) {
      const check = c.request === 'attach' ? validateAttach : validate;
      assert.ok(check(c), `${String(c.name)}: ${JSON.stringify(check.errors)}`);
    }
    assert.equal(validateAttach({ name: 'x', type: 'pyscope', request: 'attach' }), false, 'an attach without processId is caught');
    // the schema is not a formality: a misspelt attribute is caught
    assert.equal(validate({ name: 'x', type: 'pyscope', request: 'launch', programme: 'a.py' }), false);
  });

  test('"pyscope: current file in Pyodide" debugs a file the way VS Code would run it', LAST_RESORT, async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'pyscope-vscode-'));
    try {
      const file = join(workspace, 'app.py');
      writeFileSync(join(workspace, 'greeting.txt'), 'hello from the workspace\n');
      writeFileSync(
        file,
        ['import sys', '', '', 'def main(argv):', '    text = open("greeting.txt").read().strip()', '    words = text.split()', '    print(text, argv)', '    return len(words)', '', '', 'sys.exit(main(sys.argv[1:]))', ''].join('\n'),
      );
      const documented = documentedConfigurations().find((c) => c.runtime === 'pyodide');
      assert.ok(documented, 'docs/DEBUGGER.md has a Pyodide configuration');
      const config = substitute(documented, { file, workspaceFolder: workspace });
      const c = new DapClient([], [process.execPath, [resolve(EXTENSION, contribution.program), ...contribution.args]]);
      const caps = await c.request<DebugProtocol.Capabilities>('initialize', {
        clientID: 'vscode',
        clientName: 'Visual Studio Code',
        adapterID: 'pyscope',
        pathFormat: 'path',
        linesStartAt1: true,
        columnsStartAt1: true,
        supportsVariableType: true,
        supportsVariablePaging: true,
        supportsRunInTerminalRequest: true,
        locale: 'en',
        supportsProgressReporting: true,
        supportsInvalidatedEvent: true,
        supportsMemoryReferences: true,
        supportsArgsCanBeInterpretedByShell: true,
        supportsStartDebuggingRequest: true,
      });
      assert.equal(caps.supportsConfigurationDoneRequest, true);
      // VS Code adds its own keys to what it sends; the adapter must take them
      const launched = c.raw('launch', { ...config, __configurationTarget: 6, __sessionId: '0b6f2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b' });
      await c.waitFor('initialized');
      const bps = await c.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', {
        source: { name: 'app.py', path: file },
        lines: [7],
        breakpoints: [{ line: 7 }],
        sourceModified: false,
      });
      assert.deepEqual(bps.breakpoints.map((b) => [b.verified, b.line]), [[true, 7]]);
      await c.request('setFunctionBreakpoints', { breakpoints: [] });
      await c.request('setExceptionBreakpoints', { filters: ['uncaught'], filterOptions: [] });
      await c.request('configurationDone');
      const r = await launched;
      assert.equal(r.success, true, r.message);
      const stop = await c.waitFor<DebugProtocol.StoppedEvent>('stopped');
      assert.equal(stop.body.reason, 'breakpoint');
      const { threads } = await c.request<DebugProtocol.ThreadsResponse['body']>('threads');
      assert.ok(threads.some((t) => t.id === stop.body.threadId), JSON.stringify([threads, stop.body]));
      const st = await c.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: stop.body.threadId, startFrame: 0, levels: 20 });
      assert.deepEqual(st.stackFrames.map((f) => [f.name, f.source?.path, f.line]), [
        ['main', file, 7],
        ['<module>', file, 11],
      ]);
      const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: st.stackFrames[0]!.id });
      const { variables } = await c.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: scopes[0]!.variablesReference });
      const shown = Object.fromEntries(variables.map((v) => [v.name, v.value]));
      // the launch's args became sys.argv, and cwd is the workspace, seen inside Pyodide
      assert.equal(shown.argv, "['--verbose']");
      assert.equal(shown.text, "'hello from the workspace'");
      await c.request('continue', { threadId: stop.body.threadId });
      const exited = await c.waitFor<DebugProtocol.ExitedEvent>('exited');
      assert.equal(exited.body.exitCode, 4);
      assert.match(c.output('stdout'), /hello from the workspace \['--verbose'\]/);
      await c.close();
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
