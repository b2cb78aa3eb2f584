// Starts a native CPython child with the agent as its main script. The agent talks over the
// child's fds 3 (adapter -> agent) and 4 (agent -> adapter); the program keeps stdin/stdout/stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { PipeTransport } from './pipeTransport.js';
import type { AgentTransport } from '../agent/transport.js';
import { agentFile } from './agentFile.js';

export interface LaunchTarget {
  python: string;
  program?: string;
  module?: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  stopOnEntry: boolean;
}

export interface NativeChild {
  transport: AgentTransport;
  process: ChildProcess;
  stdout: Readable;
  stderr: Readable;
}

export function launchNative(target: LaunchTarget): NativeChild {
  const argv = [agentFile(), '--fd-in', '3', '--fd-out', '4'];
  if (target.module !== undefined) argv.push('--module', target.module);
  else argv.push('--program', target.program ?? '');
  if (target.stopOnEntry) argv.push('--stopOnEntry', '1');
  argv.push('--', ...target.args);
  const child = spawn(target.python, argv, {
    cwd: target.cwd,
    // unbuffered: the program's output reaches the client in order with stops and log points
    env: { ...target.env, PYTHONUNBUFFERED: '1' },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
  });
  const toAgent = child.stdio[3] as Writable;
  const fromAgent = child.stdio[4] as Readable;
  return {
    transport: new PipeTransport(fromAgent, toAgent),
    process: child,
    stdout: child.stdout!,
    stderr: child.stderr!,
  };
}
