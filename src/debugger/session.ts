// The Node DAP adapter: one session per DAP connection, running the program natively or in
// Pyodide in a worker_thread. The requests every runtime answers alike live in sessionBase.ts;
// this adds what needs Node: the TCP token, processes and workers, cwd/env, exit codes, detach.
// It sees only a DapConnection and an AgentTransport (through a launcher), never sockets or
// processes directly, so it runs over stdio, TCP, or in-process streams.
import { timingSafeEqual } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Hello } from '../agent/protocol.js';
import { AgentClient } from './agentClient.js';
import type { DapConnection } from './dapConnection.js';
import { libraryRoots } from './justMyCode.js';
import { launchNative } from './nativeLauncher.js';
import { launchPyodide } from './pyodideLauncher.js';
import type { Debuggee } from './debuggee.js';
import { LocalPathMapper, type PathMapper } from './pathMapping.js';
import { SessionBase, UserError } from './sessionBase.js';

/** launch arguments, named like debugpy's so launch.json files carry over. */
export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  program?: string;
  module?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string | null>;
  python?: string | string[];
  stopOnEntry?: boolean;
  justMyCode?: boolean;
  console?: 'internalConsole' | 'integratedTerminal' | 'externalTerminal';
  runtime?: 'native' | 'pyodide';
  /** Seconds a repr or an evaluation may take before it is shown as an error. */
  reprTimeout?: number;
  /** The secret a TCP adapter (`pyscope dap --port`) printed when it started. */
  token?: string;
}

export interface SessionOptions {
  /** Required in launch arguments when set: anyone who can connect to a TCP port could run code. */
  token?: string;
}

const MIN_VERSION: [number, number] = [3, 8];

export class DebugSession extends SessionBase<LaunchArguments> {
  private child?: Debuggee;
  private hello?: Hello;
  private paths: PathMapper = new LocalPathMapper(process.cwd());
  private restarting = false;
  private ended = false;

  constructor(
    private readonly conn: DapConnection,
    private readonly options: SessionOptions = {},
  ) {
    super();
    conn.onMessage((m) => void this.dispatch(m));
    conn.onMalformed((text) => {
      this.sendRaw({ type: 'response', request_seq: 0, success: false, command: 'unknown', message: `malformed DAP message: ${text.slice(0, 80)}` });
    });
    conn.onClose(() => this.killChild());
  }

  protected override post(message: DebugProtocol.ProtocolMessage): void {
    this.conn.send(message);
  }

  protected override toDebuggeePath(clientPath: string): string {
    return this.paths.toDebuggee(clientPath);
  }

  protected override toClientPath(debuggeePath: string): string {
    return this.paths.toClient(debuggeePath);
  }

  // -- lifecycle

  protected override admit(args: LaunchArguments): void {
    const want = this.options.token;
    if (want === undefined) return;
    const got = Buffer.from(typeof args.token === 'string' ? args.token : '');
    const expected = Buffer.from(want);
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw new UserError('this adapter listens on TCP: put the token it printed at start-up in the launch arguments ("token")');
    }
  }

  protected override async start(args: LaunchArguments): Promise<void> {
    if (args.runtime && args.runtime !== 'native' && args.runtime !== 'pyodide') throw new UserError(`unknown runtime "${String(args.runtime)}" ("native" or "pyodide")`);
    const cwd = resolve(args.cwd ?? process.cwd());
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new UserError(`cwd ${cwd} is not a directory`);
    this.paths = new LocalPathMapper(cwd);
    if (args.program === undefined && args.module === undefined) throw new UserError('launch needs "program" or "module"');
    let program: string | undefined;
    if (args.program !== undefined) {
      program = resolve(cwd, args.program);
      if (!existsSync(program) || !statSync(program).isFile()) {
        const message = `program ${program} does not exist`;
        this.event('output', { category: 'stderr', output: `pyscope: ${message}\n` });
        throw new UserError(message);
      }
    }
    const python = Array.isArray(args.python) ? args.python[0] : args.python;
    if (Array.isArray(args.python) && args.python.length > 1) throw new UserError('"python" with interpreter arguments is not supported; give the interpreter path');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    for (const [k, v] of Object.entries(args.env ?? {})) {
      if (v === null) delete env[k];
      else env[k] = v;
    }
    if (args.console && args.console !== 'internalConsole') {
      this.event('output', { category: 'console', output: `pyscope: console "${args.console}" is not supported; using internalConsole\n` });
    }
    this.justMyCode = args.justMyCode ?? true;
    this.launchError = undefined;
    this.ended = false;
    this.configured = false;
    const target = {
      ...(program !== undefined ? { program } : {}),
      ...(args.module !== undefined ? { module: args.module } : {}),
      args: args.args ?? [],
      cwd,
      env,
      stopOnEntry: args.stopOnEntry ?? false,
    };
    const child: Debuggee = args.runtime === 'pyodide' ? launchPyodide(target) : launchNative({ ...target, python: python ?? 'python3' });
    this.child = child;
    let stderrTail = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (s: string) => this.event('output', { category: 'stdout', output: s }));
    child.stderr.on('data', (s: string) => {
      stderrTail = (stderrTail + s).slice(-2000);
      this.event('output', { category: 'stderr', output: s });
    });
    const spawnError = new Promise<Error>((res) => child.process.once('error', res));
    child.process.once('close', (code, signal) => this.onChildClosed(child, code, signal));
    const agent = (this.agent = new AgentClient(child.transport, (e) => this.onAgentEvent(e)));
    const hello = await Promise.race([
      this.helloFrom(child.transport),
      spawnError.then((e) => {
        throw new UserError(
          (e as NodeJS.ErrnoException).code === 'ENOENT' ? `python interpreter "${python ?? 'python3'}" was not found` : `cannot start ${python ?? 'python3'}: ${e.message}`,
        );
      }),
    ]);
    if (!hello) {
      const why = this.launchError ?? (stderrTail.trim().split('\n').slice(-1)[0] || 'the interpreter exited before the debugger agent started');
      throw new UserError(why);
    }
    this.hello = hello;
    const [major, minor] = hello.version;
    if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
      this.killChild();
      throw new UserError(`python ${hello.version.join('.')} is too old: pyscope dap needs ${MIN_VERSION.join('.')} or newer`);
    }
    await this.configureAgent(agent, libraryRoots(hello), args.reprTimeout ?? 1);
    this.event('process', { name: program ?? args.module ?? 'python', systemProcessId: this.hello.pid, isLocalProcess: true, startMethod: 'launch' });
  }

  private onChildClosed(child: Debuggee, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.agent = undefined;
    this.child = undefined;
    if (this.restarting) return;
    const exitCode = code ?? 128 + signalNumber(signal);
    if (!this.ended) {
      this.ended = true;
      this.event('exited', { exitCode });
      this.event('terminated');
    }
  }

  private killChild(): void {
    const c = this.child;
    if (!c) return;
    c.transport.close();
    c.process.kill('SIGKILL');
  }

  async on_disconnect(args: DebugProtocol.DisconnectArguments): Promise<void> {
    const terminate = args.terminateDebuggee ?? true;
    const agent = this.agent;
    if (!terminate && agent) {
      await agent.request('detach').catch(() => undefined);
      this.child?.transport.close();
      this.child = undefined;
      this.agent = undefined;
      return;
    }
    await this.terminateChild();
  }

  async on_terminate(): Promise<void> {
    await this.terminateChild();
  }

  private terminateChild(): Promise<void> {
    const c = this.child;
    if (!c) return Promise.resolve();
    return new Promise<void>((res) => {
      c.process.once('close', () => res());
      c.process.kill('SIGTERM');
      // a program that ignores SIGTERM is killed; the timer only bounds the wait
      const t = setTimeout(() => c.process.kill('SIGKILL'), 2000);
      t.unref();
    });
  }

  protected override async endForRestart(): Promise<void> {
    this.restarting = true;
    try {
      await this.terminateChild();
    } finally {
      this.restarting = false;
    }
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };
  return signal ? (table[signal] ?? 0) : 0;
}
