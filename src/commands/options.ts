// Option parsing shared by the commands: node:util's parseArgs, with its errors turned into the
// one-line usage error (exit 2) every command gives.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ExitCode, PyscopeError } from '../common/errors.js';

export function parseOptions<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new PyscopeError(`${command}: ${(e as Error).message}`, ExitCode.usage);
  }
}
