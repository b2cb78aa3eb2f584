// Finds the ELF file that holds the interpreter in a process's mappings: the one that defines
// `_PyRuntime` (3.7+) or `interp_head` (2.7, 3.6). The executable named by /proc/PID/exe is not
// trusted: it may be a dynamic loader, a wrapper, or an embedding application.
import { basename } from 'node:path';
import { ExitCode, PyscopeError } from '../../common/errors.js';
import { ElfFile, loadBias } from '../../elf/index.js';
import type { Mapping } from '../../memory/proc.js';

export interface InterpreterImage {
  /** Path of the ELF file holding the interpreter (python binary or libpython). */
  path: string;
  elf: ElfFile;
  /** Added to the file's virtual addresses to get addresses in the process. */
  bias: number;
  /** "static" when the interpreter is linked into the executable, "shared" when in libpython. */
  linkage: 'static' | 'shared';
  /** Relocated addresses of the symbols pyscope uses; absent ones are undefined. */
  symbols: InterpreterSymbols;
  /** How it was found, for `pyscope doctor`. */
  how: string;
}

export interface InterpreterSymbols {
  runtime?: number;
  interpHead?: number;
  threadStateCurrent?: number;
  pyVersion?: number;
  /** Unrelocated address of Py_Version, for reading it from the file. */
  pyVersionFileAddress?: number;
}

const NEVER = /(^|\/)(ld-linux[^/]*|libc\.so[^/]*|libm\.so[^/]*|libpthread[^/]*|libdl[^/]*|libutil[^/]*|librt[^/]*|libz\.so[^/]*|libffi[^/]*|libssl[^/]*|libcrypto[^/]*|libstdc\+\+[^/]*|libgcc_s[^/]*|libexpat[^/]*|liblzma[^/]*|libbz2[^/]*|libzstd[^/]*|libuuid[^/]*|libsqlite3[^/]*|libcrypt\.so[^/]*|libmpdec[^/]*|libncurses[^/]*|libtinfo[^/]*|libreadline[^/]*|gconv-modules[^/]*|locale-archive)$/;

/** Candidate files in the order worth trying: likely Python images first. */
function candidates(maps: readonly Mapping[]): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const m of maps) {
    if (!m.path.startsWith('/') || seen.has(m.path) || m.fileOffset !== 0) continue;
    seen.add(m.path);
    if (NEVER.test(m.path) || m.path.startsWith('/dev/') || m.path.startsWith('/memfd:')) continue;
    files.push(m.path);
  }
  const pythonish = (p: string) => /python/i.test(basename(p));
  const exts = (p: string) => /\.cpython-|\/lib-dynload\/|site-packages/.test(p);
  return [...files.filter((p) => pythonish(p) && !exts(p)), ...files.filter((p) => !pythonish(p) && !exts(p))];
}

export function findInterpreter(pid: number | undefined, maps: readonly Mapping[], exePath?: string): InterpreterImage {
  const tried: string[] = [];
  for (const path of candidates(maps)) {
    let elf: ElfFile;
    try {
      elf = ElfFile.open(path);
    } catch {
      continue;
    }
    const runtime = elf.symbol('_PyRuntime');
    const interpHead = runtime ? undefined : elf.symbol('interp_head');
    if (!runtime && !interpHead) {
      tried.push(basename(path));
      elf.close();
      continue;
    }
    const bias = loadBias(elf, maps);
    if (bias === undefined) {
      elf.close();
      continue;
    }
    const at = (name: string) => {
      const s = elf.symbol(name);
      return s ? s.value + bias : undefined;
    };
    const pyVersion = elf.symbol('Py_Version');
    const isExe = exePath !== undefined ? path === exePath : /(^|\/)python[0-9.]*$/.test(path);
    return {
      path,
      elf,
      bias,
      linkage: isExe || !/\.so(\.|$)/.test(path) ? 'static' : 'shared',
      symbols: {
        runtime: runtime ? runtime.value + bias : undefined,
        interpHead: interpHead ? interpHead.value + bias : undefined,
        // Only 2.7 and 3.6 need it (their GIL holder); looking it up elsewhere would scan .symtab.
        threadStateCurrent: interpHead ? at('_PyThreadState_Current') : undefined,
        pyVersion: pyVersion ? pyVersion.value + bias : undefined,
        pyVersionFileAddress: pyVersion?.value,
      },
      how: runtime
        ? `${basename(path)} defines _PyRuntime`
        : `${basename(path)} defines interp_head (.symtab)`,
    };
  }
  const who = pid === undefined ? 'the target' : `process ${pid}`;
  throw new PyscopeError(
    `${who} is not running Python: no mapped file defines _PyRuntime or interp_head` +
      (tried.length ? ` (looked in ${tried.slice(0, 4).join(', ')}${tried.length > 4 ? ', ...' : ''})` : ''),
    ExitCode.notPython,
  );
}
