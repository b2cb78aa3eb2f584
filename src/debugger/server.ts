// Where DAP sessions come from: the process's stdio, or a loopback-only TCP server.
import { createServer, type AddressInfo } from 'node:net';
import { StreamDapConnection } from './dapConnection.js';
import { DebugSession, type SessionOptions } from './session.js';

/** `options.attach` lets sessions attach to running processes (the command hands it in). */
export function serveStdio(options: Omit<SessionOptions, 'token'> = {}): Promise<void> {
  const conn = new StreamDapConnection(process.stdin, process.stdout);
  new DebugSession(conn, options);
  return new Promise<void>((res) => conn.onClose(() => res()));
}

/**
 * Listens on 127.0.0.1 only: a debug adapter runs arbitrary code, so never on other interfaces,
 * and every session must launch with `token`, since any local user can connect to a port. A
 * connection that does not open with DAP framing (an HTTP request from a web page that rebound a
 * host name to 127.0.0.1) is answered 400 and closed before anything runs.
 */
export function serveTcp(port: number, token: string, onListening: (port: number) => void, options: Omit<SessionOptions, 'token'> = {}): Promise<void> {
  const server = createServer((socket) => {
    const conn = new StreamDapConnection(socket, socket, { dapOnly: true });
    new DebugSession(conn, { ...options, token });
  });
  return new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(port, '127.0.0.1', () => onListening((server.address() as AddressInfo).port));
    server.once('close', () => res());
  });
}
