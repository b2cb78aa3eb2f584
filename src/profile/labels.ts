// How a frame is named in every format: `function (file:line)` with the file named as a reader
// places it (common/file-names), and a native frame (record --native) `function (library.so)`.
import { lastComponent, readableFile } from '../common/file-names.js';
import type { FrameInfo, FunctionInfo, Profile } from './model.js';

/** A Python file as a reader places it: `flask/app.py`, `http/server.py`, `app.py` in the working directory. */
export function shortFile(path: string): string {
  return readableFile(path);
}

export function functionLabel(f: FunctionInfo): string {
  if (f.kind === 'native') return `${f.name} (${lastComponent(f.file)})`;
  return f.kind === 'python' ? `${f.name} (${shortFile(f.file)}:${f.firstLine})` : f.name;
}

export function frameLabel(p: Profile, frame: FrameInfo): string {
  const f = p.functions[frame.func]!;
  if (f.kind === 'native') return functionLabel(f);
  return f.kind === 'python' ? `${f.name} (${shortFile(f.file)}:${frame.line})` : f.name;
}
