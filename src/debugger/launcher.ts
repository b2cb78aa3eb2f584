// How a session starts a program under the agent, whatever hosts it: a native interpreter
// (nativeLauncher.ts), Pyodide in a Node worker (pyodideLauncher.ts) or in a page's Web Worker
// (src/web/browserSession.ts). The launch sequence itself (wait for hello or an early end, the
// version check, configure, the process event, the end) is written once, in sessionBase.ts.
// Browser-safe: no node: imports.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Hello } from '../agent/protocol.js';
import type { AgentTransport } from '../agent/transport.js';
import type { FailureId, UserError } from './userError.js';

/** How a run ended. */
export interface ProgramEnd {
  /** Its exit status; null when the session ended it and there is none (a page's worker). */
  exitCode: number | null;
  /** Why it never started (an interpreter that does not exist). */
  failure?: string;
  /** What kind of failure that was, for the error response (other when not said). */
  failureId?: FailureId;
}

/** One run of a program under the agent. It waits for the agent's `start` before running. */
export interface LaunchedProgram {
  readonly transport: AgentTransport;
  /** What the program writes to its stdout and stderr. */
  onOutput(listener: (category: 'stdout' | 'stderr' | 'console', text: string) => void): void;
  /** Once, when the program has ended and its output has been delivered. */
  onExit(listener: (end: ProgramEnd) => void): void;
  /** Ends it (and what it started) politely, then surely; resolves once it has ended. Bounded. */
  terminate(): Promise<void>;
  /** Ends it (and what it started) at once: the client went away. */
  kill(): void;
  /**
   * Leaves it running without the debugger, once the agent has detached. Absent where a program
   * cannot outlive its session (a page's worker).
   */
  release?(): void;
}

/** One launch, its arguments already resolved by the session that made it. */
export interface ProgramLauncher {
  /** Starts the program; throws UserError for what this runtime cannot run. */
  launch(): LaunchedProgram;
  /** Roots of library code (Just-My-Code), from what the agent's hello says of its interpreter. */
  libraryRoots(hello: Hello): string[];
  /** The body of DAP's process event. */
  processEvent(hello: Hello): DebugProtocol.ProcessEvent['body'];
  /** Why the launch failed when the program ended before the agent's hello and said nothing. */
  readonly neverStarted: string;
  /**
   * Asked when the program ended before the agent's hello and said nothing of ours: the failure
   * in one line when the interpreter is not a Python the debugger runs on, else undefined.
   */
  whyNeverStarted?(): Promise<UserError | undefined>;
}

/**
 * The end of one run and who waits for it, for a LaunchedProgram. A program ends once: it
 * records its end first (so that what its cleanup sets off finds it ended), cleans up, and only
 * then tells the listeners, who may count on the cleanup being done.
 */
export class ProgramEnding {
  private end?: ProgramEnd;
  private readonly listeners: ((end: ProgramEnd) => void)[] = [];

  /** How it ended; undefined while it runs. */
  get value(): ProgramEnd | undefined {
    return this.end;
  }

  /** Once, with the end: at once if it has ended, else when tell() is called. */
  listen(listener: (end: ProgramEnd) => void): void {
    if (this.end) listener(this.end);
    else this.listeners.push(listener);
  }

  /** Records the end; false if one was recorded already (this ending is not the one that counts). */
  record(end: ProgramEnd): boolean {
    if (this.end) return false;
    this.end = end;
    return true;
  }

  /** Tells the listeners the recorded end, each once. */
  tell(): void {
    const end = this.end;
    if (!end) return;
    for (const l of this.listeners.splice(0)) l(end);
  }
}
