// Reads the text mode of `pyscope dump` (the py-spy layout) back into its parts, strictly: a line
// that fits no part of the format is an error, so format drift fails the tests.

export interface TextThread {
  /** As printed: the native thread id in decimal, or 0x... when there is none. */
  id: string;
  /** The tags between parentheses, e.g. "idle" or "active+gil"; '' when there are none. */
  status: string;
  name: string | null;
  /** Frame lines without their indentation, e.g. "park (app.py:29)". */
  frames: string[];
}

export interface TextDump {
  pid: number;
  command: string;
  version: string;
  binary: string;
  threads: TextThread[];
}

const PROCESS = /^Process (\d+): (.*)$/;
const PYTHON = /^Python v(\S+) \((.+)\)$/;
// Tags: the status ("active", "idle"; none when unknown), "+gil" for the thread holding the GIL.
const THREAD = /^Thread (\d+|0x[0-9A-Fa-f]+)(?: \(([a-z+]+)\))?(?:: "(.*)")?$/;
const FRAME = /^ {4}(\S.* \(.*:\d+\))$/;

export function parseTextDump(out: string): TextDump {
  const lines = out.split('\n');
  const process = PROCESS.exec(lines[0] ?? '');
  const python = PYTHON.exec(lines[1] ?? '');
  if (!process || !python) throw new Error(`bad header:\n${lines.slice(0, 2).join('\n')}`);
  if (lines[2] !== '') throw new Error(`no blank line after the header: ${JSON.stringify(lines[2])}`);
  const threads: TextThread[] = [];
  for (const line of lines.slice(3)) {
    if (line === '') continue;
    const thread = THREAD.exec(line);
    if (thread) {
      threads.push({ id: thread[1]!, status: thread[2] ?? '', name: thread[3] ?? null, frames: [] });
      continue;
    }
    const frame = FRAME.exec(line);
    const current = threads[threads.length - 1];
    if (!frame || !current) throw new Error(`unexpected line: ${JSON.stringify(line)}`);
    current.frames.push(frame[1]!);
  }
  return { pid: Number(process[1]), command: process[2]!, version: python[1]!, binary: python[2]!, threads };
}
