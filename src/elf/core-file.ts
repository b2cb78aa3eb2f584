// A core file (kernel-written or gcore) as a MemorySource. Memory comes from the core's PT_LOAD
// segments; what the core left out (segments with filesz < memsz, or mappings gcore skipped) comes
// from the mapped files on disk, once their build-ids match the core. Reads go through a small page
// cache, so walking many small CPython structures costs few system calls.
import { closeSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { ExitCode, MemoryReadError, PyscopeError } from '../common/errors.js';
import { EM_386, ET_CORE, NT_AUXV, NT_FILE, NT_PRPSINFO, NT_PRSTATUS, NT_SIGINFO, PT_LOAD, PT_NOTE } from './constants.js';
import { ElfFile } from './elf-file.js';
import { machineName } from './machines.js';
import { checkDirectory, checkRegularFile, openRegularFile, type RegularFile } from './regular-file.js';
import { describeFileProblem, resolveMappedFiles, type MappedFile, type ResolveOptions } from './core-mapped-files.js';
import {
  AT_EXECFN,
  AT_PHDR,
  parseAuxv,
  parseNtFile,
  parsePrpsinfo,
  parsePrstatus,
  parseSiginfo,
  type CoreFileEntry,
  type CoreProcessInfo,
  type CoreSignalInfo,
  type CoreThread,
} from './core-notes.js';
import type { Mapping } from '../memory/proc.js';
import { readEach, type MemorySource, type ReadRequest } from '../memory/source.js';

const PAGE = 4096;
const MAX_READ = 64 << 20;
const CACHE_PAGES = 8192;

interface Segment {
  start: number;
  end: number;
  /** End of the bytes the core holds for this segment (start + filesz). */
  dumpedEnd: number;
  offset: number;
  flags: number;
}

export interface CoreOpenOptions {
  exe?: string;
  libSearchPath?: readonly string[];
}

const ELF_TYPES: Record<number, string> = { 1: 'a relocatable object', 2: 'an executable', 3: 'a shared object or PIE executable' };

export class CoreFile implements MemorySource {
  /** The core's ELF class: 4 for a 32-bit (i386) process. */
  readonly pointerSize: 4 | 8;
  readonly threads: CoreThread[] = [];
  readonly signal?: CoreSignalInfo;
  readonly process?: CoreProcessInfo;
  readonly auxv: Map<number, number>;
  readonly files: readonly CoreFileEntry[];
  readonly mappedFiles: Map<string, MappedFile>;
  /** Bytes the program headers promise that the file does not hold (a truncated core). */
  readonly missingBytes: number;
  /** Size the core should have, by its program headers. */
  readonly expectedSize: number;
  /** Unusable files (missing, other build) whose memory a read needed: worth telling the user. */
  readonly neededProblems = new Set<MappedFile>();
  private segments: Segment[];
  private openFiles = new Map<string, RegularFile | PyscopeError>();
  private cache = new Map<number, Buffer | MemoryReadError>();
  private reads = 0;

  static open(path: string, opts: CoreOpenOptions = {}): CoreFile {
    // What stands in for the core's files must be files and folders: a FIFO or a device is refused
    // here, in one line, rather than skipped as a candidate that did not match.
    if (opts.exe !== undefined) checkRegularFile(opts.exe, '--exe');
    for (const dir of opts.libSearchPath ?? []) checkDirectory(dir, '--lib-search-path');
    const elf = openCoreElf(path);
    try {
      return new CoreFile(path, elf, opts);
    } catch (e) {
      elf.close();
      throw e;
    }
  }

  private constructor(
    readonly path: string,
    private elf: ElfFile,
    opts: CoreOpenOptions,
  ) {
    this.pointerSize = elf.wordSize;
    const w = elf.wordSize;
    const loads = elf.programHeaders.filter((p) => p.type === PT_LOAD);
    this.segments = loads
      .map((p) => ({ start: p.vaddr, end: p.vaddr + p.memsz, dumpedEnd: p.vaddr + p.filesz, offset: p.offset, flags: p.flags }))
      .sort((a, b) => a.start - b.start);
    let missing = 0;
    let expected = 0;
    for (const p of elf.programHeaders) {
      if (p.type !== PT_LOAD && p.type !== PT_NOTE) continue;
      expected = Math.max(expected, p.offset + p.filesz);
      missing += Math.max(0, p.offset + p.filesz - Math.max(p.offset, elf.fileSize));
    }
    this.missingBytes = missing;
    this.expectedSize = expected;
    let files: CoreFileEntry[] = [];
    let auxv = new Map<number, number>();
    for (const n of elf.notes()) {
      if (n.name !== 'CORE' && n.name !== 'LINUX') continue;
      if (n.type === NT_PRSTATUS && n.name === 'CORE') {
        const t = parsePrstatus(n.desc, elf.machine, w);
        if (t) this.threads.push(t);
      } else if (n.type === NT_SIGINFO) this.signal ??= parseSiginfo(n.desc, w);
      else if (n.type === NT_PRPSINFO && n.name === 'CORE') this.process ??= parsePrpsinfo(n.desc, w);
      else if (n.type === NT_AUXV) auxv = parseAuxv(n.desc, w);
      else if (n.type === NT_FILE) files = parseNtFile(n.desc, w);
    }
    this.auxv = auxv;
    this.files = files;
    const resolve: ResolveOptions = { exe: opts.exe, libSearchPath: opts.libSearchPath ?? [], executable: this.executable };
    this.mappedFiles = resolveMappedFiles(files, (a, l) => this.readCoreOnly(a, l), resolve);
    if (opts.exe !== undefined) this.checkExe(opts.exe);
  }

  /**
   * An --exe that is another build than the core's executable is refused: otherwise the file the
   * core names would quietly be read in its place (when it is still there), or the error would
   * blame that file rather than the option.
   */
  private checkExe(exe: string): void {
    const executable = this.executable;
    const inCore = executable === undefined ? undefined : this.mappedFiles.get(executable)?.coreBuildId;
    if (inCore === undefined) return;
    let here: string | undefined;
    try {
      const elf = ElfFile.open(exe);
      try {
        here = elf.buildId();
      } finally {
        elf.close();
      }
    } catch (e) {
      throw new PyscopeError(`--exe ${exe} is not an ELF executable (${(e as Error).message.split('\n')[0]}): give the executable the process ran`, ExitCode.badFile);
    }
    if (here !== inCore) {
      throw new PyscopeError(
        `--exe ${exe} is not the executable this core was made from (build-id ${here?.slice(0, 12) ?? 'none'} here, ${inCore.slice(0, 12)} in the core, for ${executable!.replace(/ \(deleted\)$/, '')})`,
        ExitCode.badFile,
      );
    }
  }

  get fileSize(): number {
    return this.elf.fileSize;
  }

  get readCount(): number {
    return this.reads;
  }

  /** The core's executable as the core names it: the file holding AT_PHDR. */
  get executable(): string | undefined {
    const phdr = this.auxv.get(AT_PHDR);
    return phdr === undefined ? undefined : this.files.find((f) => phdr >= f.start && phdr < f.end)?.path;
  }

  /** AT_EXECFN: the path given to execve, read from the stack. */
  get execFn(): string | undefined {
    const at = this.auxv.get(AT_EXECFN);
    return at === undefined ? undefined : this.tryCString(at);
  }

  /** The thread that dumped the core: the first NT_PRSTATUS, when it carries a signal. */
  get crashedThread(): CoreThread | undefined {
    const first = this.threads[0];
    return first && first.signal !== 0 ? first : undefined;
  }

  /**
   * Threads whose stack page at the stack pointer holds only zeros, which no running thread has:
   * gcore fills a whole 1 MiB chunk with zeros when one page of it (a guard region that glibc 2.41+
   * installs with madvise inside the stack mapping) cannot be read.
   */
  lostStacks(): number[] {
    return this.threads
      .filter((t) => {
        if (t.sp === undefined || t.sp <= 0) return false;
        const page = this.readCoreOnly(t.sp - (t.sp % PAGE), PAGE);
        return page === undefined || page.every((b) => b === 0);
      })
      .map((t) => t.tid);
  }

  /**
   * File mappings for the CPython layer, paths rewritten to the files usable here. Unusable files
   * keep a non-path name so nothing opens a file that does not match the core.
   */
  mappings(): Mapping[] {
    return this.files.map((f) => {
      const seg = this.segmentAt(f.start);
      const flags = seg?.start === f.start ? seg.flags : 4;
      const local = this.mappedFiles.get(f.path);
      const usable = local && (local.status === 'ok' || local.status === 'unverified') ? local.localPath : undefined;
      return {
        start: f.start,
        end: f.end,
        readable: (flags & 4) !== 0,
        writable: (flags & 2) !== 0,
        executable: (flags & 1) !== 0,
        fileOffset: f.fileOffset,
        inode: 0,
        path: usable ?? `[unusable] ${f.path}`,
      };
    });
  }

  /** Files that cannot stand in for what the core maps, in mapping order. */
  fileProblems(): MappedFile[] {
    return [...this.mappedFiles.values()].filter((f) => f.status === 'missing' || f.status === 'mismatch');
  }

  /** The full command line from argv on the main thread's stack; pr_psargs (80 bytes) as fallback. */
  commandLine(): string {
    return this.argvFromStack() ?? this.process?.psargs ?? '';
  }

  read(address: number, length: number): Buffer {
    if (!Number.isSafeInteger(address) || address <= 0 || length < 0 || length > MAX_READ) {
      throw new MemoryReadError(`bad read of ${length} bytes at 0x${address.toString(16)}`, address, length);
    }
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const at = address + done;
      const pageStart = at - (at % PAGE);
      const page = this.page(pageStart);
      if (page instanceof MemoryReadError) {
        throw new MemoryReadError(page.message, address, length);
      }
      const n = Math.min(length - done, pageStart + PAGE - at);
      page.copy(out, done, at - pageStart, at - pageStart + n);
      done += n;
    }
    return out;
  }

  readMany(requests: readonly ReadRequest[]): (Buffer | Error)[] {
    return readEach(this, requests);
  }

  close(): void {
    for (const f of this.openFiles.values()) if (!(f instanceof PyscopeError)) closeSync(f.fd);
    this.openFiles.clear();
    this.cache.clear();
    this.elf.close();
  }

  private segmentAt(address: number): Segment | undefined {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.segments[mid]!;
      if (address < s.start) hi = mid - 1;
      else if (address >= s.end) lo = mid + 1;
      else return s;
    }
    return undefined;
  }

  private page(pageStart: number): Buffer | MemoryReadError {
    let p = this.cache.get(pageStart);
    if (p === undefined) {
      p = this.loadPage(pageStart);
      if (this.cache.size >= CACHE_PAGES) this.cache.clear();
      this.cache.set(pageStart, p);
    }
    return p;
  }

  private loadPage(pageStart: number): Buffer | MemoryReadError {
    const where = `0x${pageStart.toString(16)}`;
    const seg = this.segmentAt(pageStart);
    if (seg && pageStart < seg.dumpedEnd) {
      const page = this.fromCore(seg, pageStart);
      if (page) return page;
      return new MemoryReadError(`memory at ${where} is missing: the core is truncated (${this.missingBytes} bytes cut off)`, pageStart, PAGE, ExitCode.badFile);
    }
    // Not dumped: file-backed memory the kernel (coredump_filter) or gcore left out.
    const entry = this.files.find((f) => pageStart >= f.start && pageStart < f.end);
    if (entry) {
      const file = this.mappedFiles.get(entry.path);
      if (!file?.localPath || file.status === 'missing' || file.status === 'mismatch') {
        if (file) this.neededProblems.add(file);
        return new MemoryReadError(
          `memory at ${where} is not in the core and ${file ? describeFileProblem(file) : `${entry.path} is unusable`}`,
          pageStart,
          PAGE,
        );
      }
      return this.fromFile(file.localPath, entry.fileOffset + (pageStart - entry.start));
    }
    if (seg) return new MemoryReadError(`memory at ${where} was not dumped into the core (see coredump_filter)`, pageStart, PAGE);
    return new MemoryReadError(`address ${where} was not mapped in the process`, pageStart, PAGE);
  }

  /** The page from the core, or undefined if the core file ends before it. */
  private fromCore(seg: Segment, pageStart: number): Buffer | undefined {
    const offset = seg.offset + (pageStart - seg.start);
    const length = Math.min(PAGE, seg.dumpedEnd - pageStart);
    if (offset + length > this.elf.fileSize) return undefined;
    const buf = Buffer.alloc(PAGE);
    this.reads++;
    const got = this.elf.readAt(offset, length, `memory at 0x${pageStart.toString(16)}`);
    got.copy(buf, 0);
    return buf;
  }

  private fromFile(path: string, offset: number): Buffer | MemoryReadError {
    let file = this.openFiles.get(path);
    if (file === undefined) {
      try {
        file = openRegularFile(path, 'mapped file');
      } catch (e) {
        file = e instanceof PyscopeError ? e : new PyscopeError(String(e));
      }
      this.openFiles.set(path, file);
    }
    if (file instanceof PyscopeError) return new MemoryReadError(`cannot read memory the core lacks: ${file.message}`, offset, PAGE);
    // Past the end of the file (as it was when opened), a mapping reads as zeros up to its page end.
    const buf = Buffer.alloc(PAGE);
    const want = Math.max(0, Math.min(PAGE, file.size - offset));
    this.reads++;
    let got = 0;
    while (got < want) {
      const n = readSync(file.fd, buf, got, want - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return buf;
  }

  private readCoreOnly(address: number, length: number): Buffer | undefined {
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const at = address + done;
      const pageStart = at - (at % PAGE);
      const seg = this.segmentAt(pageStart);
      if (!seg || pageStart >= seg.dumpedEnd) return undefined;
      const page = this.fromCore(seg, pageStart);
      if (!page) return undefined;
      const n = Math.min(length - done, pageStart + PAGE - at);
      page.copy(out, done, at - pageStart, at - pageStart + n);
      done += n;
    }
    return out;
  }

  private tryCString(address: number, max = 4096): string | undefined {
    try {
      const parts: Buffer[] = [];
      for (let at = address; at < address + max; ) {
        const n = Math.min(PAGE - (at % PAGE), address + max - at);
        const chunk = this.read(at, n);
        const nul = chunk.indexOf(0);
        if (nul >= 0) {
          parts.push(chunk.subarray(0, nul));
          return Buffer.concat(parts).toString('utf8');
        }
        parts.push(chunk);
        at += n;
      }
      return undefined;
    } catch {
      return undefined;
    }
  }

  // What /proc/PID/cmdline showed: the argv strings, which the kernel copied just below the
  // environment strings at the top of the main stack. The argv pointer array cannot be trusted
  // (Python 2 rewrites argv[1]; ld.so run as a program drops its own arguments), so the strings
  // are found from both ends: they end where the first environment string starts (envp, found by
  // walking back from auxv: argc, argv[], NULL, envp[], NULL, auxv), and start where pr_psargs,
  // the kernel's copy of their first 80 bytes, matches.
  private argvFromStack(): string | undefined {
    const execfn = this.auxv.get(AT_EXECFN);
    const first = [...this.auxv][0];
    if (execfn === undefined || first === undefined) return undefined;
    const seg = this.segmentAt(execfn);
    if (!seg) return undefined;
    const from = Math.max(seg.start, execfn - (1 << 20));
    const stack = this.readCoreOnly(from, execfn - from);
    if (!stack) return undefined;
    // The stack's words are the process's longs: 8 bytes, or 4 in a 32-bit process.
    const W = this.pointerSize;
    const pattern = Buffer.alloc(2 * W);
    const put = (v: number, o: number) => (W === 8 ? pattern.writeBigUInt64LE(BigInt(v), o) : pattern.writeUInt32LE(v, o));
    put(first[0], 0);
    put(first[1], W);
    let at = stack.indexOf(pattern);
    while (at >= 0 && at % W !== 0) at = stack.indexOf(pattern, at + 1);
    if (at < 2 * W) return undefined;
    const word = (o: number) => (W === 8 ? Number(stack.readBigUInt64LE(o)) : stack.readUInt32LE(o));
    let o = at - W;
    if (word(o) !== 0) return undefined;
    let end = execfn;
    for (o -= W; o >= 0 && word(o) !== 0; o -= W) {
      const p = word(o);
      if (p > from + at && p < end) end = p;
    }
    const argvPointers: number[] = [];
    for (o -= W; o >= 0 && argvPointers.length < 4096; o -= W) {
      const v = word(o);
      if (v === argvPointers.length) break;
      argvPointers.push(v);
    }
    const inArea = argvPointers.filter((p) => p > from + at && p < end);
    let start = inArea.length ? Math.min(...inArea) : undefined;
    const psargs = this.process?.psargs;
    if (psargs) {
      const matched = lastMatch(stack, psargs, at, end - from);
      if (matched !== undefined) start = from + matched;
    }
    if (start === undefined || end <= start || end - start > 1 << 20) return undefined;
    const area = stack.subarray(start - from, end - from);
    return area.toString('utf8').replace(/\0+$/, '').split('\0').join(' ');
  }
}

/** The last offset in [lo, hi) where `psargs` (NULs shown as spaces) starts a string. */
function lastMatch(buf: Buffer, psargs: string, lo: number, hi: number): number | undefined {
  const want = Buffer.from(psargs, 'utf8');
  for (let p = hi - want.length; p > lo; p--) {
    if (buf[p - 1] !== 0) continue;
    let i = 0;
    while (i < want.length && (buf[p + i] === want[i] || (want[i] === 0x20 && buf[p + i] === 0))) i++;
    if (i === want.length) return p;
  }
  return undefined;
}

/** Opens `path` as an ELF core, or says in one line what it is instead. */
function openCoreElf(path: string): ElfFile {
  const file = openRegularFile(path, 'core file');
  try {
    checkCoreHeader(path, file);
  } catch (e) {
    closeSync(file.fd);
    throw e;
  }
  try {
    return ElfFile.fromFile(path, file);
  } catch (e) {
    if (e instanceof PyscopeError) throw new PyscopeError(`${basename(path)} is a truncated core: ${e.message}`, ExitCode.badFile);
    throw e;
  }
}

function checkCoreHeader(path: string, file: RegularFile): void {
  let head = Buffer.alloc(64);
  let n: number;
  try {
    n = readSync(file.fd, head, 0, Math.min(64, file.size), 0);
  } catch (e) {
    throw new PyscopeError(`cannot read core file ${path}: ${(e as Error).message}`, ExitCode.badFile);
  }
  head = head.subarray(0, n);
  const name = basename(path);
  if (head.length === 0) throw new PyscopeError(`${name} is empty, not a core file`, ExitCode.badFile);
  if (head.length < 4 || head.readUInt32BE(0) !== 0x7f454c46) throw new PyscopeError(`${name} is not a core file (not an ELF file)`, ExitCode.badFile);
  if (head.length < 52) throw new PyscopeError(`${name} is a truncated ELF file (${head.length} bytes), not a usable core`, ExitCode.badFile);
  const type = head.readUInt16LE(16);
  if (type !== ET_CORE) {
    throw new PyscopeError(`${name} is not a core file but ${ELF_TYPES[type] ?? `an ELF file of type ${type}`}`, ExitCode.badFile);
  }
  // A 32-bit core's notes and registers are laid out per machine: only i386's are known here.
  const machine = head.readUInt16LE(18);
  if (head[4] === 1 && machine !== EM_386) {
    throw new PyscopeError(`${name} is a core of a 32-bit ${machineName(machine)} process: not supported yet (pyscope reads 32-bit i386 cores)`, ExitCode.badFile);
  }
}
