#!/usr/bin/env node
// Entry point of the `pyscope` command: picks a subcommand and turns every failure into one line
// on stderr and a documented exit code.
import { ExitCode, PyscopeError } from '../common/errors.js';
import { COMMANDS, usage } from './commands.js';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '-V' || name === '--version') {
    const { version } = await import('./version.js');
    process.stdout.write(`pyscope ${version()}\n`);
    return ExitCode.ok;
  }
  const entry = COMMANDS[name];
  if (!entry) throw new PyscopeError(`unknown command "${name}" (try: pyscope --help)`, ExitCode.usage);
  const command = await entry.load();
  return command(rest);
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? String(e);
  return String(e);
}

// A reader that stops early (`pyscope dump --all | head`) closes the pipe: the output nobody reads
// ends there, quietly, rather than as Node's unhandled EPIPE with its stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(ExitCode.ok);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof PyscopeError) {
      process.stderr.write(`pyscope: error: ${describe(e)}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`pyscope: internal error: ${describe(e)} (set PYSCOPE_DEBUG=1 for details)\n`);
    if (process.env.PYSCOPE_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = ExitCode.failure;
  },
);
