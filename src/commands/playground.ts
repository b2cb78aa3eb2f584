// `pyscope playground`: a local page to write and step through Python in the browser (Pyodide).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ExitCode } from '../common/errors.js';
import { unknownOption, usageError } from './options.js';

const HELP = `usage: pyscope playground [--port N] [--notebook] [script.py]

Serves a page on http://127.0.0.1:N/ (default 8737; 0 picks a free port) with a Python editor and
a debugger: click a line number for a breakpoint (shift-click for a condition), Run, then
continue / step over / step in / step out, the call stack, variables, watch expressions and the
console. Profile runs the program under a sampling profiler and shows its flame graph. Python
runs in your browser (Pyodide, from the installed npm package); nothing is fetched from the
network. With script.py the page opens with that program. --notebook prints the address of the
page's notebook mode (its header links both ways): cells with their outputs, run one or all, in
one Python whose debugger stops at breakpoints set in a cell's margin. Ctrl-C stops.
`;

export async function playgroundCommand(args: string[]): Promise<number> {
  let port = 8737;
  let script: string | undefined;
  let notebook = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP);
      return ExitCode.ok;
    }
    if (a === '--port' || a.startsWith('--port=')) {
      const v = a === '--port' ? args[++i] : a.slice('--port='.length);
      if (v === undefined || !/^\d+$/.test(v) || Number(v) > 65535) throw usageError('playground', `--port needs a port number (0-65535), got "${v ?? ''}"`);
      port = Number(v);
    } else if (a === '--notebook') notebook = true;
    else if (a.startsWith('-')) throw unknownOption('playground', a);
    else if (script === undefined) script = a;
    else throw usageError('playground', `one script at a time, got "${script}" and "${a}"`);
  }
  let programText: string | undefined;
  if (script !== undefined) {
    const p = resolve(script);
    if (!existsSync(p) || !statSync(p).isFile()) throw usageError('playground', `${script}: no such file`);
    programText = readFileSync(p, 'utf8');
  }
  const { startPlayground } = await import('../playground/server.js');
  const server = await startPlayground({ port, ...(programText !== undefined ? { programText, programName: basename(script!) } : {}) }).catch((e: NodeJS.ErrnoException) => {
    throw usageError('playground', e.code === 'EADDRINUSE' ? `port ${port} is in use (try --port 0)` : `cannot listen on 127.0.0.1:${port}: ${e.message}`);
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  process.stdout.write(`pyscope playground: http://127.0.0.1:${actual}/${notebook ? '?notebook' : ''} (Ctrl-C stops)\n`);
  await new Promise<void>((res) => {
    process.once('SIGINT', res);
    process.once('SIGTERM', res);
  });
  server.close();
  return ExitCode.ok;
}
