// Opening a file that a user or a target names (a core, an executable, a library, a file a core
// says was mapped): only regular files, and never a wait. open() of a FIFO blocks until a writer
// comes, a read of one or of a terminal blocks, and a device such as /dev/zero never ends. So the
// path is looked at first (a device is never opened: opening some has effects), opened with
// O_NONBLOCK, and the descriptor itself is checked (the path may have changed in between); its
// size then bounds every read of it.
import { closeSync, constants, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { ExitCode, PyscopeError } from '../common/errors.js';

export interface RegularFile {
  fd: number;
  /** Size when opened: nothing is read past it, so a file that grows or never ends stays bounded. */
  size: number;
}

/** What a file that is not a regular file is, for a message. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(what: string, path: string, st: Stats): PyscopeError {
  return new PyscopeError(`${what} ${path} is ${kindOf(st)}, not a regular file`, ExitCode.badFile);
}

/** Why `path` cannot be opened as a regular file, or undefined when it can (it exists and is one). */
export function notRegularFile(path: string): string | undefined {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return (e as Error).message;
  }
  return st.isFile() ? undefined : `${path} is ${kindOf(st)}, not a regular file`;
}

/** Throws a one-line PyscopeError (exit code badFile) unless `path` is a folder; `what` names it. */
export function checkDirectory(path: string, what: string): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new PyscopeError(`${what} ${path}: ${(e as Error).message}`, ExitCode.badFile);
  }
  if (!st.isDirectory()) throw new PyscopeError(`${what} ${path} is ${st.isFile() ? 'a file' : kindOf(st)}, not a folder`, ExitCode.badFile);
}

/** Throws a one-line PyscopeError (exit code badFile) unless `path` is a regular file; `what` names it. */
export function checkRegularFile(path: string, what: string): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new PyscopeError(`${what} ${path}: ${(e as Error).message}`, ExitCode.badFile);
  }
  if (!st.isFile()) throw notRegular(what, path, st);
}

/**
 * Opens `path` for reading if it is a regular file; otherwise a one-line PyscopeError (exit code
 * badFile) that names it as `what` ("core file", "executable"...).
 */
export function openRegularFile(path: string, what: string): RegularFile {
  let before: Stats;
  try {
    before = statSync(path);
  } catch (e) {
    throw new PyscopeError(`cannot read ${what} ${path}: ${(e as Error).message}`, ExitCode.badFile);
  }
  if (!before.isFile()) throw notRegular(what, path, before);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new PyscopeError(`cannot read ${what} ${path}: ${(e as Error).message}`, ExitCode.badFile);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw notRegular(what, path, st);
  }
  return { fd, size: st.size };
}
