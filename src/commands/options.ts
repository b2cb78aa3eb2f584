// Option parsing shared by the commands: node:util's parseArgs, with every mistake told in
// pyscope's words (one line naming the command and the option, exit 2) rather than Node's text.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ExitCode, PyscopeError } from '../common/errors.js';

/** The one-line usage error of `command`. */
export function usageError(command: string, message: string): PyscopeError {
  return new PyscopeError(`${command}: ${message}`, ExitCode.usage);
}

/** An option the command does not have, with where to look for the ones it has. */
export function unknownOption(command: string, option: string): PyscopeError {
  return usageError(command, `unknown option ${option} (pyscope ${command} --help lists the options)`);
}

export function parseOptions<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  // A lenient pass first, for its tokens: every mistake it lets through is named here.
  let tokens: NonNullable<ReturnType<typeof parseArgs>["tokens"]>;
  try {
    tokens = parseArgs({ ...config, strict: false, tokens: true }).tokens ?? [];
  } catch (e) {
    throw usageError(command, (e as Error).message);
  }
  const options = config.options ?? {};
  for (const t of tokens) {
    if (t.kind === 'positional' && !config.allowPositionals) throw usageError(command, `unexpected argument "${t.value}"`);
    if (t.kind !== 'option') continue;
    const spec = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
    if (!spec) throw unknownOption(command, t.rawName);
    if (spec.type === 'string' && t.value === undefined) throw usageError(command, `${t.rawName} needs a value`);
    // parseArgs takes the next word for the value even when it is an option (`--pid --locals`)
    if (spec.type === 'string' && !t.inlineValue && t.value?.startsWith('-') && t.value.length > 1) {
      throw usageError(command, `${t.rawName} needs a value, not the option ${t.value} (for a value that starts with a dash: ${t.rawName}=${t.value})`);
    }
    if (spec.type === 'boolean' && t.value !== undefined) throw usageError(command, `${t.rawName} takes no value (got "${t.value}")`);
  }
  try {
    return parseArgs(config);
  } catch (e) {
    // Not expected after the checks above; still one line.
    throw usageError(command, (e as Error).message);
  }
}
