// How a frame is named in every format: `function (file:line)` with the file named as a reader
// places it (common/file-names), and a native frame (record --native) `function (library.so)`.
import { lastComponent, readableFile } from '../common/file-names.js';
import type { FrameInfo, FunctionInfo, Profile } from './model.js';

/**
 * A Python file as a reader places it: `flask/app.py`, `http/server.py`, `sub/app.py` below the
 * program's working directory `cwd` (the profile's meta.cwd).
 */
export function shortFile(path: string, cwd?: string): string {
  return readableFile(path, cwd);
}

export function functionLabel(f: FunctionInfo, cwd?: string): string {
  if (f.kind === 'native') return `${f.name} (${lastComponent(f.file)})`;
  return f.kind === 'python' ? `${f.name} (${shortFile(f.file, cwd)}:${f.firstLine})` : f.name;
}

export function frameLabel(p: Profile, frame: FrameInfo): string {
  const f = p.functions[frame.func]!;
  if (f.kind === 'native') return functionLabel(f);
  return f.kind === 'python' ? `${f.name} (${shortFile(f.file, p.meta.cwd)}:${frame.line})` : f.name;
}
