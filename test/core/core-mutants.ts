// Mutants of a real core file, for `pyscope dump --core` on hostile input: seeded changes to the
// ELF and program headers, the notes (sizes near 2^31 and 2^32, swapped types), NT_FILE's table and
// paths (pointed at a FIFO, a device, a folder, procfs), pointers in the dumped memory, and
// truncations. A run of one mutant must end in bounded time with exit 0 or a documented code and
// at most one `pyscope: error:` line: never a hang, a stack trace or an internal error.
// The core is read here with a parser of its own, so that the mutants do not depend on src/elf;
// it reads ELF64 cores and ELF32 ones (a 32-bit i386 process), whose fields are placed and sized
// differently (`word`: 8 or 4 bytes).
// Used by test/core/core-mutations.test.ts (a few hundred) and scripts/core-mutations.mjs (the
// big run). Mutants patch one working copy in place and put the bytes back after the run;
// truncations are sparse copies of a prefix, so a 100 MiB core costs only the bytes it holds.
import { closeSync, ftruncateSync, fstatSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { rng } from '../support/seeded.js';

const PT_LOAD = 1;
const PT_NOTE = 4;
const NT_PRSTATUS = 1;
const NT_PRPSINFO = 3;
const NT_AUXV = 6;
const NT_FILE = 0x46494c45;
const NT_SIGINFO = 0x53494749;

interface Phdr {
  /** File offset of the program header itself. */
  at: number;
  type: number;
  offset: number;
  filesz: number;
}

interface Note {
  /** File offset of the note's header (namesz, descsz, type). */
  at: number;
  type: number;
  descAt: number;
  descsz: number;
}

interface NtFile {
  descAt: number;
  count: number;
  /** File offsets and lengths of each path string (without its NUL). */
  paths: { at: number; length: number; text: string }[];
}

export interface CoreLayout {
  size: number;
  /** Bytes of an address, an offset and a long in this core: 4 in an ELF32 core. */
  word: 4 | 8;
  phoff: number;
  phentsize: number;
  phdrs: Phdr[];
  notes: Note[];
  ntFile?: NtFile;
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

const align4 = (n: number): number => n + ((4 - (n % 4)) % 4);

/** Where the header and program header fields are, in an ELF64 and an ELF32 file. */
const FIELDS = {
  8: { e_phoff: 32, e_shoff: 40, e_phentsize: 54, e_phnum: 56, e_shnum: 60, p_offset: 8, p_vaddr: 16, p_filesz: 32, p_memsz: 40 },
  4: { e_phoff: 28, e_shoff: 32, e_phentsize: 42, e_phnum: 44, e_shnum: 48, p_offset: 4, p_vaddr: 8, p_filesz: 16, p_memsz: 20 },
} as const;

export function describeCore(path: string): CoreLayout {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const h = readAt(fd, 0, 64);
    const word: 4 | 8 = h[4] === 1 ? 4 : 8;
    const F = FIELDS[word];
    const w = (b: Buffer, o: number): number => (word === 8 ? Number(b.readBigUInt64LE(o)) : b.readUInt32LE(o));
    const phoff = w(h, F.e_phoff);
    const phentsize = h.readUInt16LE(F.e_phentsize);
    const phnum = h.readUInt16LE(F.e_phnum);
    const ph = readAt(fd, phoff, phnum * phentsize);
    const phdrs: Phdr[] = [];
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      phdrs.push({ at: phoff + o, type: ph.readUInt32LE(o), offset: w(ph, o + F.p_offset), filesz: w(ph, o + F.p_filesz) });
    }
    const notes: Note[] = [];
    let ntFile: NtFile | undefined;
    for (const p of phdrs.filter((x) => x.type === PT_NOTE)) {
      const buf = readAt(fd, p.offset, p.filesz);
      for (let o = 0; o + 12 <= buf.length; ) {
        const namesz = buf.readUInt32LE(o);
        const descsz = buf.readUInt32LE(o + 4);
        const type = buf.readUInt32LE(o + 8);
        const desc = o + 12 + align4(namesz);
        if (desc + descsz > buf.length) break;
        notes.push({ at: p.offset + o, type, descAt: p.offset + desc, descsz });
        if (type === NT_FILE && !ntFile) {
          const d = buf.subarray(desc, desc + descsz);
          const count = w(d, 0);
          const paths: NtFile['paths'] = [];
          let s = 2 * word + count * 3 * word;
          for (let i = 0; i < count && s < d.length; i++) {
            const end = d.indexOf(0, s);
            const stop = end < 0 ? d.length : end;
            paths.push({ at: p.offset + desc + s, length: stop - s, text: d.toString('utf8', s, stop) });
            s = stop + 1;
          }
          ntFile = { descAt: p.offset + desc, count, paths };
        }
        o = desc + align4(descsz);
      }
    }
    return { size, word, phoff, phentsize, phdrs, notes, ntFile };
  } finally {
    closeSync(fd);
  }
}


export interface Patch {
  offset: number;
  bytes: Buffer;
}

export interface Mutant {
  id: number;
  /** What was changed, to name a failing mutant. */
  what: string;
  patches: Patch[];
  /** The mutant is the core's first `truncateAt` bytes. */
  truncateAt?: number;
}

/** Files of this machine that an NT_FILE path is pointed at: none of them may be read as a file. */
export interface Specials {
  fifo: string;
  folder: string;
}

const U32_EDGES = [0, 1, 3, 4, 0xfff, 0x7ffffffc, 0x7fffffff, 0x80000000, 0x80000003, 0xfffffffc, 0xffffffff];
const U64_EDGES = [0n, 1n, 0xfffn, 0x1000n, 0x7fffffffn, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn];
const U16_EDGES = [0, 1, 2, 55, 56, 57, 0x7fff, 0xffff];
const NOTE_TYPES = [NT_PRSTATUS, NT_PRPSINFO, NT_AUXV, NT_FILE, NT_SIGINFO, 0, 0xffffffff];
const DEVICES = ['/dev/zero', '/dev/urandom', '/dev/null', '/dev/tty', '/dev/stdin', '/proc/self/mem', '/proc/kmsg', '/proc/self/fd/0'];

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n & 0xffff);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, n));
  return b;
}

/** `count` mutants of a core laid out as `layout`, the same for the same seed. */
export function makeMutants(layout: CoreLayout, seed: number, count: number, specials: Specials): Mutant[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (n: number): number => Math.floor(r() * n);
  const loads = layout.phdrs.filter((p) => p.type === PT_LOAD && p.filesz > 0 && p.offset + p.filesz <= layout.size);
  const ntFile = layout.ntFile;
  const python = ntFile?.paths.filter((p) => /python/i.test(p.text)) ?? [];
  const W = layout.word;
  const F = FIELDS[W];
  /** A word of the core's size: 64-bit edges cut to their low 32 bits in an ELF32 core. */
  const word = (v: bigint): Buffer => (W === 8 ? u64(v) : u32(Number(BigInt.asUintN(32, v))));

  const kinds: { weight: number; make: () => Omit<Mutant, 'id'> }[] = [
    {
      weight: 2,
      make: () => {
        const field = pick([
          { name: 'e_phoff', at: F.e_phoff, bytes: () => word(pick(U64_EDGES)) },
          { name: 'e_shoff', at: F.e_shoff, bytes: () => word(pick(U64_EDGES)) },
          { name: 'e_phentsize', at: F.e_phentsize, bytes: () => u16(pick(U16_EDGES)) },
          { name: 'e_phnum', at: F.e_phnum, bytes: () => u16(pick(U16_EDGES)) },
          { name: 'e_shnum', at: F.e_shnum, bytes: () => u16(pick(U16_EDGES)) },
          { name: 'e_type', at: 16, bytes: () => u16(pick([0, 1, 2, 3, 5, 0xffff])) },
        ]);
        const bytes = field.bytes();
        return { what: `${field.name} = 0x${bytes.toString('hex')} (LE)`, patches: [{ offset: field.at, bytes }] };
      },
    },
    {
      weight: 3,
      make: () => {
        const p = pick(layout.phdrs);
        const field = pick([
          { name: 'p_type', at: 0, bytes: () => u32(pick([0, PT_LOAD, PT_NOTE, 0x6474e551, 0xffffffff])) },
          { name: 'p_offset', at: F.p_offset, bytes: () => word(r() < 0.5 ? pick(U64_EDGES) : BigInt(int(layout.size))) },
          { name: 'p_vaddr', at: F.p_vaddr, bytes: () => word(pick(U64_EDGES)) },
          { name: 'p_filesz', at: F.p_filesz, bytes: () => word(r() < 0.5 ? pick(U64_EDGES) : BigInt(int(layout.size))) },
          { name: 'p_memsz', at: F.p_memsz, bytes: () => word(pick(U64_EDGES)) },
        ]);
        const bytes = field.bytes();
        return { what: `phdr@${p.at} ${field.name} = 0x${bytes.toString('hex')} (LE)`, patches: [{ offset: p.at + field.at, bytes }] };
      },
    },
    {
      weight: 4,
      make: () => {
        const n = pick(layout.notes);
        const field = pick([
          { name: 'namesz', at: 0, bytes: () => u32(pick(U32_EDGES)) },
          { name: 'descsz', at: 4, bytes: () => u32(r() < 0.7 ? pick(U32_EDGES) : n.descsz + pick([-1, 1, -8, 8, 4096])) },
          { name: 'type', at: 8, bytes: () => u32(pick(NOTE_TYPES)) },
        ]);
        const bytes = field.bytes();
        return { what: `note@${n.at} (type 0x${n.type.toString(16)}) ${field.name} = 0x${bytes.toString('hex')} (LE)`, patches: [{ offset: n.at + field.at, bytes }] };
      },
    },
    {
      weight: 3,
      make: () => {
        if (!ntFile) return { what: 'no NT_FILE: nothing changed', patches: [] };
        const i = int(Math.max(1, ntFile.count));
        const field = pick([
          { name: 'count', at: 0, bytes: () => word(pick(U64_EDGES)) },
          { name: 'page size', at: W, bytes: () => word(pick(U64_EDGES)) },
          { name: `entry ${i} start`, at: (2 + 3 * i) * W, bytes: () => word(pick(U64_EDGES)) },
          { name: `entry ${i} end`, at: (3 + 3 * i) * W, bytes: () => word(pick(U64_EDGES)) },
          { name: `entry ${i} page offset`, at: (4 + 3 * i) * W, bytes: () => word(pick(U64_EDGES)) },
        ]);
        const bytes = field.bytes();
        return { what: `NT_FILE ${field.name} = 0x${bytes.toString('hex')} (LE)`, patches: [{ offset: ntFile.descAt + field.at, bytes }] };
      },
    },
    {
      weight: 4,
      make: () => {
        // A mapped file's path pointed at what must never be read as a file. The interpreter's own
        // file most often: that is the one pyscope must open.
        if (!ntFile || ntFile.paths.length === 0) return { what: 'no NT_FILE paths: nothing changed', patches: [] };
        const p = python.length > 0 && r() < 0.7 ? pick(python) : pick(ntFile.paths);
        const target = pick([specials.fifo, specials.fifo, specials.folder, ...DEVICES]);
        if (target.length > p.length) return { what: `path ${p.text} too short for ${target}: nothing changed`, patches: [] };
        const bytes = Buffer.alloc(p.length + 1);
        bytes.write(target, 'utf8');
        return { what: `NT_FILE path ${p.text} -> ${target}`, patches: [{ offset: p.at, bytes }] };
      },
    },
    {
      weight: 2,
      make: () => {
        const n = pick(layout.notes);
        const patches: Patch[] = [];
        for (let k = 1 + int(4); k > 0; k--) patches.push({ offset: n.descAt + int(Math.max(1, n.descsz)), bytes: Buffer.from([int(256)]) });
        return { what: `note@${n.at} (type 0x${n.type.toString(16)}) ${patches.length} random bytes`, patches };
      },
    },
    {
      weight: 4,
      make: () => {
        // Pointers and sizes in the dumped memory: what the CPython model walks.
        const patches: Patch[] = [];
        for (let k = 1 + int(16); k > 0 && loads.length > 0; k--) {
          const p = pick(loads);
          const at = p.offset + W * int(Math.floor(p.filesz / W));
          patches.push({ offset: at, bytes: word(r() < 0.5 ? pick(U64_EDGES) : BigInt(int(2 ** 32)) * 4096n) });
        }
        return { what: `${patches.length} words of memory overwritten`, patches };
      },
    },
    {
      weight: 3,
      make: () => {
        const edges = [1, 63, 64, 65, layout.phoff + layout.phentsize, ...layout.notes.map((n) => n.descAt + 1), ...layout.phdrs.map((p) => p.offset + (r() < 0.5 ? 0 : 4096))];
        const at = r() < 0.5 ? pick(edges) : int(layout.size);
        return { what: `truncated to ${at} bytes`, patches: [], truncateAt: Math.max(0, Math.min(layout.size - 1, at)) };
      },
    },
  ];
  const total = kinds.reduce((n, k) => n + k.weight, 0);
  const out: Mutant[] = [];
  for (let id = 0; id < count; id++) {
    let x = r() * total;
    const kind = kinds.find((k) => (x -= k.weight) < 0) ?? kinds[kinds.length - 1]!;
    out.push({ id, ...kind.make() });
  }
  return out;
}

const CHUNK = 1 << 20;

/** Copies the first `length` bytes of `from` to `to`, leaving holes where `from` holds zeros. */
export function sparseCopy(from: string, to: string, length: number): void {
  const src = openSync(from, 'r');
  const dst = openSync(to, 'w');
  try {
    const buf = Buffer.alloc(CHUNK);
    for (let at = 0; at < length; at += CHUNK) {
      const n = readSync(src, buf, 0, Math.min(CHUNK, length - at), at);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      if (chunk.some((b) => b !== 0)) writeSync(dst, chunk, 0, n, at);
    }
    ftruncateSync(dst, length);
  } finally {
    closeSync(src);
    closeSync(dst);
  }
}

/**
 * One working copy of the core: a mutant is written into it for a run and taken out after, so
 * that each run costs the bytes it changes, not a copy of the core.
 */
export class MutantSlot {
  readonly path: string;
  private readonly truncated: string;

  constructor(
    private readonly pristine: string,
    dir: string,
    name: string,
    private readonly size: number,
  ) {
    this.path = join(dir, `${name}.core`);
    this.truncated = join(dir, `${name}.cut.core`);
    sparseCopy(pristine, this.path, size);
  }

  /** Writes the mutant; returns the file to run on and a function that undoes it. */
  apply(m: Mutant): { file: string; undo: () => void } {
    if (m.truncateAt !== undefined) {
      sparseCopy(this.pristine, this.truncated, m.truncateAt);
      return { file: this.truncated, undo: () => rmSync(this.truncated, { force: true }) };
    }
    const fd = openSync(this.path, 'r+');
    const saved: Patch[] = [];
    try {
      for (const p of m.patches) {
        if (p.offset < 0 || p.offset + p.bytes.length > this.size) continue;
        saved.unshift({ offset: p.offset, bytes: readAt(fd, p.offset, p.bytes.length) });
        writeSync(fd, p.bytes, 0, p.bytes.length, p.offset);
      }
    } finally {
      closeSync(fd);
    }
    return {
      file: this.path,
      undo: () => {
        const back = openSync(this.path, 'r+');
        try {
          for (const p of saved) writeSync(back, p.bytes, 0, p.bytes.length, p.offset);
        } finally {
          closeSync(back);
        }
      },
    };
  }
}

export type Verdict = 'ok' | 'error' | 'hang' | 'internal';

export interface Outcome {
  verdict: Verdict;
  code: number | null;
  /** Why the verdict is 'hang' or 'internal': the part of stderr that says so. */
  why?: string;
  ms: number;
}

/** The documented exit codes (docs/dump-json.md). */
const DOCUMENTED = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

/** Runs `pyscope dump --core FILE ...args` and judges how it ended. */
export function runMutant(main: string, file: string, args: readonly string[], timeoutMs: number): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [main, 'dump', '--core', file, ...args], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const ms = performance.now() - started;
      const killed = error !== null && (error as { killed?: boolean }).killed === true;
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      const outcome = { ...judge(code, killed, stdout, stderr), code, ms };
      if (outcome.verdict !== 'internal') return resolve(outcome);
      // Again with PYSCOPE_DEBUG=1, for the stack of the internal error in the report.
      execFile(process.execPath, [main, 'dump', '--core', file, ...args], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20, env: { ...process.env, PYSCOPE_DEBUG: '1' } }, (_e, _out, debugErr) => {
        resolve({ ...outcome, why: `${outcome.why ?? ''}\n${debugErr.split('\n').slice(0, 40).join('\n')}` });
      });
    });
  });
}

export function judge(code: number | null, killed: boolean, stdout: string, stderr: string): { verdict: Verdict; why?: string } {
  if (killed) return { verdict: 'hang', why: 'killed at the time limit' };
  const lines = stderr.split('\n').filter(Boolean);
  const bad = lines.find((l) => /internal error|^\s+at |Error:/.test(l) && !l.startsWith('pyscope: error:'));
  if (bad !== undefined || code === null || !DOCUMENTED.has(code)) return { verdict: 'internal', why: bad ?? `exit ${code}: ${lines[0] ?? ''}` };
  const errors = lines.filter((l) => l.startsWith('pyscope: error:'));
  const others = lines.filter((l) => !l.startsWith('pyscope: error:') && !l.startsWith('pyscope: warning:'));
  if (others.length > 0) return { verdict: 'internal', why: `stray stderr: ${others[0]}` };
  if (code === 0) return errors.length === 0 && stdout.length > 0 ? { verdict: 'ok' } : { verdict: 'internal', why: 'exit 0 with an error line or no output' };
  if (errors.length !== 1) return { verdict: 'internal', why: `exit ${code} with ${errors.length} error lines` };
  if (/internal error/.test(errors[0]!)) return { verdict: 'internal', why: errors[0] };
  return { verdict: 'error' };
}
