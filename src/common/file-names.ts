// How a frame's file is named for a reader: the path below the import root it came from
// (site-packages, dist-packages, or the standard library's lib/pythonX.Y), as py-spy shows it
// (`flask/app.py`, `http/server.py`), and anything else, the user's own files among them, by its
// last component (with its folder when that is all it says: `pkg/__init__.py`).
// `--full-filenames` shows paths as the interpreter holds them.

/** Folders whose contents are named from below them: the last one in a path wins (a venv inside a tree). */
const IMPORT_ROOT = /\/(?:site-packages|dist-packages|lib\/python\d+(?:\.\d+)?t?(?:\/lib-dynload)?)(?=\/)/g;

export function readableFile(path: string): string {
  if (!path.startsWith('/')) return path; // <string>, <frozen ...>, or already relative
  let below: string | undefined;
  for (const m of path.matchAll(IMPORT_ROOT)) below = path.slice(m.index + m[0].length + 1);
  // site-packages below lib/pythonX.Y is matched last, so its contents are named from it
  if (below !== undefined && below !== '') return below;
  return lastComponent(path);
}

/** The last path component, with its directory when the name alone says nothing (`pkg/__init__.py`). */
export function lastComponent(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const last = parts[parts.length - 1] ?? path;
  if (parts.length >= 2 && /^__(init|main)__\.py$/.test(last)) return `${parts[parts.length - 2]}/${last}`;
  return last;
}
