// What the session needs of a launched program, native child or Pyodide worker alike.
import type { Readable } from 'node:stream';
import type { AgentTransport } from '../agent/transport.js';

export interface DebuggeeProcess {
  once(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  kill(signal?: NodeJS.Signals): boolean;
}

export interface Debuggee {
  transport: AgentTransport;
  process: DebuggeeProcess;
  stdout: Readable;
  stderr: Readable;
}
