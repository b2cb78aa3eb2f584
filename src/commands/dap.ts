// `pyscope dap`: the Debug Adapter Protocol server (stdio by default, --port for loopback TCP).
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { ExitCode } from '../common/errors.js';
import { unknownOption, usageError } from './options.js';

/** Shorter secrets can be guessed by whoever can reach the port. */
const MIN_TOKEN = 16;

const HELP = `usage: pyscope dap [--port N]

Runs the pyscope debug adapter. Without options it speaks DAP on stdin/stdout (what editors
launch); with --port N it listens on 127.0.0.1:N (0 picks a free port) and serves a session per
connection. Every TCP session must put the token printed at start-up in its launch arguments
("token"); set PYSCOPE_DAP_TOKEN to choose it (for a launch.json; at least ${MIN_TOKEN} characters).
Programs it launched end with it: when the client goes away, and on SIGTERM, SIGINT or SIGHUP.
See docs/DEBUGGER.md for launch.json and nvim-dap examples.
`;

export async function dapCommand(args: string[]): Promise<number> {
  let port: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP);
      return ExitCode.ok;
    }
    if (a === '--port' || a?.startsWith('--port=')) {
      const v = a === '--port' ? args[++i] : a.slice('--port='.length);
      if (v === undefined || !/^\d+$/.test(v) || Number(v) > 65535) throw usageError('dap', `--port needs a port number (0-65535), got "${v ?? ''}"`);
      port = Number(v);
      continue;
    }
    throw a?.startsWith('-') ? unknownOption('dap', a) : usageError('dap', `unexpected argument "${a}"`);
  }
  const chosen = process.env.PYSCOPE_DAP_TOKEN;
  if (port !== undefined && chosen && chosen.length < MIN_TOKEN) {
    throw usageError('dap', `PYSCOPE_DAP_TOKEN has ${chosen.length} characters: a token needs at least ${MIN_TOKEN} (e.g. openssl rand -hex 16)`);
  }
  const server = await import('../debugger/server.js');
  const { endAll } = await import('../debugger/liveChildren.js');
  const { attachInjector } = await import('../cpython/attach/inject.js');
  const options = { attach: attachInjector };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      endAll();
      process.exit(128 + constants.signals[signal]);
    });
  }
  if (port === undefined) {
    await server.serveStdio(options);
    // the client is gone: nothing left to serve, whatever handles a killed debuggee leaves open
    process.exit(ExitCode.ok);
  }
  const token = chosen || randomBytes(16).toString('hex');
  await server.serveTcp(port, token, (p) => process.stderr.write(`pyscope dap: listening on 127.0.0.1:${p} token ${token}\n`), options);
  return ExitCode.ok;
}
