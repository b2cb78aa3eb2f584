// How a frame's file is named for a reader: the path below the import root it came from
// (site-packages, dist-packages, or the standard library's lib/pythonX.Y), as py-spy shows it
// (`flask/app.py`, `http/server.py`); the user's own files, below the target's working directory,
// relative to it (`sub/app.py`), which is a path the reader can open from there; anything else
// (outside both, or when the working directory is not known) by its last component, with its
// folder when that is all it says (`pkg/__init__.py`). `--full-filenames` shows paths as the
// interpreter holds them.

/** Folders whose contents are named from below them: the last one in a path wins (a venv inside a tree). */
const IMPORT_ROOT = /\/(?:site-packages|dist-packages|lib\/python\d+(?:\.\d+)?t?(?:\/lib-dynload)?)(?=\/)/g;

/**
 * `cwd` is the target's working directory (absolute), when it is known. A cwd of `/` names
 * nothing relative to it: a daemon's usual folder, from which a relative name is the whole path.
 */
export function readableFile(path: string, cwd?: string): string {
  if (!path.startsWith('/')) return path; // <string>, <frozen ...>, or already relative
  let below: string | undefined;
  for (const m of path.matchAll(IMPORT_ROOT)) below = path.slice(m.index + m[0].length + 1);
  // site-packages below lib/pythonX.Y is matched last, so its contents are named from it
  if (below !== undefined && below !== '') return below;
  const own = cwd === undefined ? undefined : belowFolder(path, cwd);
  if (own !== undefined) return own;
  return lastComponent(path);
}

/** `path` relative to `folder` when it lies below it (not `folder` itself, not `/`). */
function belowFolder(path: string, folder: string): string | undefined {
  const dir = folder.replace(/\/+$/, '');
  if (dir === '' || !dir.startsWith('/')) return undefined;
  if (path.length <= dir.length + 1 || !path.startsWith(dir + '/')) return undefined;
  return path.slice(dir.length + 1);
}

/** The last path component, with its directory when the name alone says nothing (`pkg/__init__.py`). */
export function lastComponent(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const last = parts[parts.length - 1] ?? path;
  if (parts.length >= 2 && /^__(init|main)__\.py$/.test(last)) return `${parts[parts.length - 2]}/${last}`;
  return last;
}

/** How a command names files: `--full-filenames`, and the target's working directory when known. */
export interface FileNaming {
  full: boolean;
  cwd?: string;
}

export function frameFile(path: string, naming: FileNaming): string {
  return naming.full ? path : readableFile(path, naming.cwd);
}
