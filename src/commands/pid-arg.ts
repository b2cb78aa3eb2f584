// Shared parsing of the target process argument: `PID` or `--pid PID`.
import { ExitCode, PyscopeError } from '../common/errors.js';

export function parsePid(positional: string[], option: string | undefined, command: string): number {
  const raw = option ?? positional[0];
  if (raw === undefined) throw new PyscopeError(`${command}: which process? give a pid: pyscope ${command} PID`, ExitCode.usage);
  if (positional.length > (option === undefined ? 1 : 0)) {
    throw new PyscopeError(`${command}: unexpected argument "${positional[option === undefined ? 1 : 0]}"`, ExitCode.usage);
  }
  if (!/^\d+$/.test(raw) || Number(raw) <= 0 || Number(raw) > 2 ** 31) {
    throw new PyscopeError(`${command}: "${raw}" is not a process id`, ExitCode.usage);
  }
  return Number(raw);
}
