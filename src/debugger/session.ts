// The Node DAP adapter: one session per DAP connection, running the program natively or in
// Pyodide in a worker_thread. The requests and the launch sequence live in sessionBase.ts; this
// adds what needs Node: the TCP token, launch arguments resolved against the filesystem (cwd,
// program, env), the choice of launcher, and the end of the program when the client goes away.
// It sees only a DapConnection and a launcher, never sockets or processes directly, so it runs
// over stdio, TCP, or in-process streams.
import { timingSafeEqual } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { array, boolean, either, integer, literal, nullOr, number, object, optional, record, string, type Check } from '../common/shape.js';
import { ChildLauncher } from './childLauncher.js';
import { ChildListener, type PendingChild } from './childListener.js';
import { childName, isHelper } from './childProcess.js';
import type { DapConnection } from './dapConnection.js';
import type { ProgramLauncher } from './launcher.js';
import { AttachLauncher, type AttachInjector } from './attachLauncher.js';
import { NativeLauncher } from './nativeLauncher.js';
import { PyodideLauncher } from './pyodideLauncher.js';
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
  /** `threads` lists asyncio tasks too (pseudo-threads named by the task; their stack is the coroutine chain). */
  showAsyncTasks?: boolean;
  /** The secret a TCP adapter (`pyscope dap --port`) printed when it started. */
  token?: string;
  /** Follow child processes, each in a session of its own (default true; natively only). */
  subProcess?: boolean;
  /** attach: the process to attach to (a number, or its decimal string as VS Code's picker gives). */
  processId?: number | string;
}

/** attach arguments: a child process of a session's program, as startDebugging hands them out. */
export interface AttachArguments extends DebugProtocol.AttachRequestArguments {
  /** The child, as the parent session numbered it. */
  subProcessId?: number;
  /** The parent session's socket, where the child waits. */
  subProcessSocket?: string;
  justMyCode?: boolean;
  reprTimeout?: number;
  token?: string;
}

const attachArguments: Check<AttachArguments> = object({
  subProcessId: optional(integer(1)),
  subProcessSocket: optional(string(4096)),
  justMyCode: optional(boolean),
  reprTimeout: optional(number(0)),
  token: optional(string()),
});

const launchArguments: Check<LaunchArguments> = object({
  program: optional(string()),
  module: optional(string()),
  args: optional(array(string())),
  cwd: optional(string()),
  env: optional(record(nullOr(string(), 'a string or null'))),
  python: optional(either(string(), array(string()), 'a string or an array of strings')),
  stopOnEntry: optional(boolean),
  justMyCode: optional(boolean),
  console: optional(literal('internalConsole', 'integratedTerminal', 'externalTerminal')),
  runtime: optional(literal('native', 'pyodide')),
  reprTimeout: optional(number(0)),
  showAsyncTasks: optional(boolean),
  token: optional(string()),
  subProcess: optional(boolean),
  processId: optional(either(number(0), string(), 'a process id')),
});

export interface SessionOptions {
  /** Required in launch arguments when set: anyone who can connect to a TCP port could run code. */
  token?: string;
  /** How to attach to a running process (src/cpython/attach); without it, attach is refused. */
  attach?: AttachInjector;
}

export class DebugSession extends SessionBase<LaunchArguments, AttachArguments> {
  private paths: PathMapper = new LocalPathMapper(process.cwd());
  /** Where followed child processes connect, while this session follows them. */
  private children?: ChildListener;
  /** What a child's session inherits of this session's launch. */
  private childDefaults: Pick<AttachArguments, 'justMyCode' | 'reprTimeout' | 'token'> = {};

  constructor(
    private readonly conn: DapConnection,
    private readonly options: SessionOptions = {},
  ) {
    super();
    conn.onMessage((m) => void this.dispatch(m));
    conn.onMalformed((problem) => this.refuse(0, 'unknown', problem));
    conn.onClose(() => this.clientGone());
  }

  protected override post(message: DebugProtocol.ProtocolMessage): void {
    this.conn.send(message);
  }

  protected override launchArguments(): Check<LaunchArguments> {
    return launchArguments;
  }

  protected override toDebuggeePath(clientPath: string): string {
    return this.paths.toDebuggee(clientPath);
  }

  protected override toClientPath(debuggeePath: string): string {
    return this.paths.toClient(debuggeePath);
  }

  protected override admit(args: LaunchArguments | AttachArguments): void {
    const want = this.options.token;
    if (want === undefined) return;
    const got = Buffer.from(args.token ?? '');
    const expected = Buffer.from(want);
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw new UserError('this adapter listens on TCP: put the token it printed at start-up in the launch arguments ("token")');
    }
  }

  protected override launcher(args: LaunchArguments, how: 'launch' | 'attach'): ProgramLauncher {
    if (how === 'attach') return this.attacher(args);
    if (args.processId !== undefined) throw new UserError('launch: "processId" is for an attach request, not a launch');
    const cwd = resolve(args.cwd ?? process.cwd());
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new UserError(`cwd ${cwd} is not a directory`);
    this.paths = new LocalPathMapper(cwd);
    if (args.program === undefined && args.module === undefined) throw new UserError('launch needs "program" or "module"');
    let program: string | undefined;
    if (args.program !== undefined) {
      program = resolve(cwd, args.program);
      // said once, in the error response (on stderr too, a client shows it twice)
      if (!existsSync(program) || !statSync(program).isFile()) throw new UserError(`program ${program} does not exist`);
    }
    if (Array.isArray(args.python) && args.python.length > 1) throw new UserError('"python" with interpreter arguments is not supported; give the interpreter path');
    const python = (Array.isArray(args.python) ? args.python[0] : args.python) ?? 'python3';
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    for (const [k, v] of Object.entries(args.env ?? {})) {
      if (v === null) delete env[k];
      else env[k] = v;
    }
    if (args.console && args.console !== 'internalConsole') {
      this.event('output', { category: 'console', output: `pyscope: console "${args.console}" is not supported; using internalConsole\n` });
    }
    const target = {
      ...(program !== undefined ? { program } : {}),
      ...(args.module !== undefined ? { module: args.module } : {}),
      args: args.args ?? [],
      cwd,
      env,
      stopOnEntry: args.stopOnEntry ?? false,
    };
    if (args.runtime === 'pyodide') return new PyodideLauncher(target);
    // an outer session's socket is never this one's
    delete env[CHILDREN_ENV];
    if (args.subProcess !== false) {
      try {
        this.children ??= new ChildListener((child) => void this.childStarted(child));
      } catch (e) {
        throw new UserError(`cannot follow child processes: ${e instanceof Error ? e.message : String(e)} (launch with "subProcess": false to do without)`);
      }
      env[CHILDREN_ENV] = this.children.path;
      this.childDefaults = {
        ...(args.justMyCode !== undefined ? { justMyCode: args.justMyCode } : {}),
        ...(args.reprTimeout !== undefined ? { reprTimeout: args.reprTimeout } : {}),
        ...(args.token !== undefined ? { token: args.token } : {}),
      };
    }
    return new NativeLauncher({ ...target, python });
  }

  protected override attachArguments(): Check<AttachArguments> {
    return attachArguments;
  }

  protected override attachLauncher(args: AttachArguments): ProgramLauncher {
    if (args.subProcessId === undefined || args.subProcessSocket === undefined) {
      throw new UserError('attach needs "subProcessId" and "subProcessSocket" (the startDebugging request of a parent session gives them)');
    }
    return new ChildLauncher(args.subProcessSocket, args.subProcessId);
  }

  protected override sessionEnding(terminate: boolean): void {
    this.children?.close(terminate);
    this.children = undefined;
  }

  /** A child process said hello: a session of its own when the client can open one, else it runs on. */
  private async childStarted(child: PendingChild): Promise<void> {
    const listener = this.children;
    if (!listener || isHelper(child.hello.child)) {
      child.release();
      return;
    }
    const name = childName(child.hello);
    const say = (what: string): void => this.event('output', { category: 'console', output: `pyscope: child process ${name}: ${what}\n` });
    if (!this.clientStartsSessions) {
      say('not followed (this client cannot open a session for it: it does not support startDebugging)');
      child.release();
      return;
    }
    say('followed in a session of its own');
    const configuration: AttachArguments & { name: string } = { name, subProcessId: child.id, subProcessSocket: listener.path, ...this.childDefaults };
    const r = await this.reverseRequest('startDebugging', { request: 'attach', configuration });
    if (!r.success) {
      say(`not followed: the client refused its session (${r.message ?? 'no reason given'})`);
      child.release();
    }
  }

  private attacher(args: LaunchArguments): ProgramLauncher {
    const raw = args.processId;
    if (raw === undefined) throw new UserError('attach needs "processId" (the pid of a running Python program; pyscope ps lists them), or "subProcessId" and "subProcessSocket" for a child process a session followed');
    const pid = typeof raw === 'number' ? raw : /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid > 2 ** 31) throw new UserError(`attach: processId ${JSON.stringify(raw)} is not a process id`);
    if (!this.options.attach) throw new UserError('attach: this adapter cannot attach to processes');
    return new AttachLauncher(pid, this.options.attach);
  }
}

/** The environment variable that hands the children's socket to the program's agent. */
const CHILDREN_ENV = 'PYSCOPE_DAP_CHILDREN';
