// How a frame is named in every format: `function (file:line)` with a short file name, and a
// native frame (record --native) `function (library.so)`.
import type { FrameInfo, FunctionInfo, Profile } from './model.js';

/** The last path component, with its directory when the name alone says nothing (`pkg/__init__.py`). */
export function shortFile(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const last = parts[parts.length - 1] ?? path;
  if (parts.length >= 2 && /^__(init|main)__\.py$/.test(last)) return `${parts[parts.length - 2]}/${last}`;
  return last;
}

export function functionLabel(f: FunctionInfo): string {
  if (f.kind === 'native') return `${f.name} (${shortFile(f.file)})`;
  return f.kind === 'python' ? `${f.name} (${shortFile(f.file)}:${f.firstLine})` : f.name;
}

export function frameLabel(p: Profile, frame: FrameInfo): string {
  const f = p.functions[frame.func]!;
  if (f.kind === 'native') return functionLabel(f);
  return f.kind === 'python' ? `${f.name} (${shortFile(f.file)}:${frame.line})` : f.name;
}
