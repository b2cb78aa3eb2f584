// What a Pyodide debug worker posts, routed the same way wherever the adapter runs (the page's
// PyodideDapSession, the Node launcher): agent traffic to the transport, the rest to the caller.
// Browser-safe: no node: imports.
import type { MailboxTransport } from './agentTransport.js';
import type { DebuggeeMessage } from './debuggee.js';

export interface DebuggeeEvents {
  /** The worker loaded Pyodide and waits for its start message. */
  ready?(): void;
  output(category: 'stdout' | 'stderr', text: string): void;
  /** The program ended (or Pyodide never started: 1, after saying why on stderr). */
  exit(code: number): void;
  /** A notebook kernel's answer (JSON text). */
  notebook?(text: string): void;
}

export function routeDebuggeeMessage(m: DebuggeeMessage, transport: MailboxTransport, events: DebuggeeEvents): void {
  switch (m.kind) {
    case 'agent':
      transport.receive(m.text);
      return;
    case 'taken':
      transport.taken();
      return;
    case 'deadline':
      transport.deadline(m.ms);
      return;
    case 'ready':
      events.ready?.();
      return;
    case 'notebook':
      events.notebook?.(m.text);
      return;
    case 'stdout':
    case 'stderr':
      events.output(m.kind, m.text);
      return;
    case 'exit':
      events.exit(m.code);
      return;
    case 'failed':
      events.output('stderr', `pyscope: Pyodide could not start: ${m.message}\n`);
      events.exit(1);
      return;
  }
}
