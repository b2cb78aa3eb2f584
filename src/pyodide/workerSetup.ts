// What every pyscope program run inside a Pyodide worker starts with, whether under the debug
// agent or the sampler: output posted as messages, the program's files written, and one of
// pyscope's own Python modules run from a private folder. Browser-safe.
import type { PyodideLike } from './debuggee.js';

/** Where pyscope's own Python files go inside Pyodide's filesystem. */
export const HOME = '/pyscope';

export type OutputMessage = { kind: 'stdout' | 'stderr'; text: string };

/**
 * Hands Pyodide the interrupt buffer, its element 0 read and cleared in one step. CPython's check
 * (Python/emscripten_signal.c) reads the buffer and then writes 0, two plain accesses: a value
 * the other side stores between the two is lost, and with it a debugger command (the mailbox
 * raises one interrupt per command and none again while it waits to be taken) or a profile's
 * stop: 7 in 200,000 interrupts to a busy program on a loaded machine. Pyodide keeps the object
 * it is given and only reads and clears element 0, so the read becomes an Atomics.exchange and
 * the clear, already done, is dropped.
 */
export function setExchangingInterruptBuffer(py: PyodideLike, buffer: SharedArrayBuffer): void {
  const flag = new Uint8Array(buffer);
  py.setInterruptBuffer(
    new Proxy(flag, {
      get: (target, key) => (key === '0' ? Atomics.exchange(target, 0, 0) : Reflect.get(target, key)),
      set: (target, key, value) => (key === '0' && value === 0 ? true : Reflect.set(target, key, value)),
    }),
  );
}

/** The program's stdout and stderr, as messages (decoded across chunk boundaries). */
export function postOutput(py: PyodideLike, post: (m: OutputMessage) => void): void {
  for (const kind of ['stdout', 'stderr'] as const) {
    const decoder = new TextDecoder();
    const write = (b: Uint8Array): number => {
      const text = decoder.decode(b, { stream: true });
      if (text) post({ kind, text });
      return b.length;
    };
    if (kind === 'stdout') py.setStdout({ write });
    else py.setStderr({ write });
  }
}

/** path -> text: a browser has no disk to mount, so the program's files are written in. */
export function writeFiles(py: PyodideLike, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (dir) py.FS.mkdirTree(dir);
    py.FS.writeFile(path, text);
  }
}

/**
 * Writes pyscope's modules (path relative to HOME -> source) under HOME and runs `module.main()`, with HOME
 * on sys.path only while importing; returns main()'s exit status (1 if Pyodide itself failed).
 */
export function runMain(py: PyodideLike, modules: Record<string, string>, module: string, what: string, post: (m: OutputMessage) => void): number {
  py.FS.mkdirTree(HOME);
  for (const [name, source] of Object.entries(modules)) {
    const dir = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '';
    if (dir) py.FS.mkdirTree(`${HOME}/${dir}`);
    py.FS.writeFile(`${HOME}/${name}`, source);
  }
  const home = JSON.stringify(HOME);
  try {
    const code = py.runPython(`import sys\nsys.path.insert(0, ${home})\nimport ${module}\nsys.path.remove(${home})\n${module}.main()`);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    post({ kind: 'stderr', text: `pyscope: ${what} failed: ${e instanceof Error ? e.message : String(e)}\n` });
    return 1;
  }
}
