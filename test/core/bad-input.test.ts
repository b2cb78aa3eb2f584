// `pyscope dump --core` on what is not a usable core of a Python process: one line on stderr, a
// documented non-zero exit, never a stack trace; and a truncated core still shows what it can.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythons, requirePython, skipIfMissing } from '../support/pythons.js';
import { runPyscope, type RunResult } from '../support/pyscope.js';
import { watch } from '../support/child.js';
import { firstSkip } from '../support/requirements.js';
import { scaled } from '../support/timeouts.js';
import { gcore, kernelCore, needsGcore, needsKernelCores, type MadeCore } from './cores.js';

const BAD_FILE = 9;
const NOT_PYTHON = 5;

function oneLineError(r: RunResult, code: number, pattern: RegExp): void {
  const detail = `exit ${r.code}\nstdout: ${r.stdout.slice(0, 1500)}\nstderr: ${r.stderr.slice(0, 1500)}`;
  assert.equal(r.code, code, detail);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, detail);
  assert.match(lines[0]!, /^pyscope: error: /, detail);
  assert.match(lines[0]!, pattern, detail);
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pyscope-badcore-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('files that are not cores', () => {
  test('a text file', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'not a core\n');
    oneLineError(await runPyscope(['dump', '--core', path]), BAD_FILE, /notes\.txt is not a core file \(not an ELF file\)/);
  });

  test('an empty file', async () => {
    const path = join(dir, 'empty');
    closeSync(openSync(path, 'w'));
    oneLineError(await runPyscope(['dump', '--core', path]), BAD_FILE, /empty is empty, not a core file/);
  });

  test('an ELF executable', async () => {
    oneLineError(await runPyscope(['dump', '--core', process.execPath]), BAD_FILE, /is not a core file but an? (executable|shared object or PIE executable)/);
  });

  test('a core of a 32-bit ARM process: names the machine and says it is not supported yet', async () => {
    // An ELF32 little-endian core header (e_machine 40, EM_ARM) with one empty PT_NOTE, as a
    // Raspberry Pi's kernel would start one: refused from the header, before any note is read.
    const path = join(dir, 'core.arm');
    const h = Buffer.alloc(52 + 32);
    h.writeUInt32BE(0x7f454c46, 0);
    h[4] = 1; // ELFCLASS32
    h[5] = 1; // little-endian
    h[6] = 1; // EV_CURRENT
    h.writeUInt16LE(4, 16); // ET_CORE
    h.writeUInt16LE(40, 18); // EM_ARM
    h.writeUInt32LE(1, 20);
    h.writeUInt32LE(52, 28); // e_phoff
    h.writeUInt16LE(52, 40); // e_ehsize
    h.writeUInt16LE(32, 42); // e_phentsize
    h.writeUInt16LE(1, 44); // e_phnum
    h.writeUInt32LE(4, 52); // PT_NOTE
    h.writeUInt32LE(84, 56); // p_offset: the end of the file, nothing in it
    writeFileSync(path, h);
    oneLineError(await runPyscope(['dump', '--core', path]), BAD_FILE, /^pyscope: error: core\.arm is a core of a 32-bit ARM process: not supported yet \(pyscope reads 32-bit i386 cores\)$/);
  });

  test('a file that does not exist', async () => {
    oneLineError(await runPyscope(['dump', '--core', join(dir, 'absent')]), BAD_FILE, /cannot read core file .*absent/);
  });
});

/** A run that must end at once: a FIFO or a device read as a file would block or never end. */
async function promptly(args: string[]): Promise<RunResult> {
  const started = performance.now();
  const r = await runPyscope(args);
  const seconds = (performance.now() - started) / 1000;
  // Not a speed check: a FIFO read as a file never ends, so any limit far above a loaded start tells.
  assert.ok(seconds * 1000 < scaled(180_000), `pyscope ${args.join(' ')} took ${seconds.toFixed(0)} s`);
  return r;
}

function mkfifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

describe('only regular files are opened as cores, executables and libraries', () => {
  test('--core naming a FIFO, /dev/zero or a folder: refused in one line, nothing read', async () => {
    const fifo = mkfifo(join(dir, 'core-fifo'));
    oneLineError(await promptly(['dump', '--core', fifo]), BAD_FILE, /core file .*core-fifo is a FIFO, not a regular file/);
    oneLineError(await promptly(['dump', '--core', '/dev/zero']), BAD_FILE, /core file \/dev\/zero is a character device, not a regular file/);
    oneLineError(await promptly(['dump', '--core', dir]), BAD_FILE, /core file .* is a directory, not a regular file/);
  });

  test('--exe naming /dev/zero or a FIFO, --lib-search-path naming a FIFO or a file: refused in one line', async () => {
    const core = join(dir, 'any-core');
    writeFileSync(core, 'checked after the options\n');
    const fifo = mkfifo(join(dir, 'exe-fifo'));
    oneLineError(await promptly(['dump', '--core', core, '--exe', '/dev/zero']), BAD_FILE, /--exe \/dev\/zero is a character device, not a regular file/);
    oneLineError(await promptly(['dump', '--core', core, '--exe', fifo]), BAD_FILE, /--exe .*exe-fifo is a FIFO, not a regular file/);
    oneLineError(await promptly(['dump', '--core', core, '--lib-search-path', fifo]), BAD_FILE, /--lib-search-path .*exe-fifo is a FIFO, not a folder/);
    oneLineError(await promptly(['dump', '--core', core, '--lib-search-path', core]), BAD_FILE, /--lib-search-path .*any-core is a file, not a folder/);
  });
});

// A 64-bit interpreter: the test reads its short command line back from a core cut short.
const python = pythons().find((p) => !p.missing && p.version[0] === 3 && p.version[1] === 12) ?? pythons().find((p) => !p.missing && p.pointerBits === 64);

describe('a truncated kernel core', firstSkip(requirePython(python !== undefined, 'no interpreter of the matrix is present'), needsKernelCores()), () => {
  let core: MadeCore;
  before(async () => {
    core = await kernelCore(python!, 'segv');
  });
  after(() => core?.remove());

  test('cut at its end: every stack is shown, then one line says how many bytes are missing', async () => {
    const cut = join(dir, 'cut-end');
    copyFileSync(core.path, cut);
    // The last segment of a kernel core is the [vsyscall] page: losing it loses no Python state.
    truncateSync(cut, statSync(cut).size - 4096);
    const r = await runPyscope(['dump', '--core', cut]);
    oneLineError(r, BAD_FILE, /cut-end is truncated: 4096 bytes are missing .*what could be read is shown above/);
    assert.match(r.stdout, /^Process \d+: .*crash\.py/);
    for (const t of core.truth.threads) assert.ok(r.stdout.includes(`"${t.name}"`) || t.name === null, `thread ${t.name} is shown`);
  });

  test('cut to its notes: nothing can be read, one line says so', async () => {
    const cut = join(dir, 'cut-notes');
    copyFileSync(core.path, cut);
    truncateSync(cut, 64 * 1024);
    const r = await runPyscope(['dump', '--core', cut]);
    oneLineError(r, BAD_FILE, /cut-notes is truncated: \d+ bytes are missing/);
  });

  test('without its NT_FILE note: one line says which files were mapped is unknown', async () => {
    const path = join(dir, 'no-nt-file');
    const bytes = readFileSync(core.path);
    // A note header: namesz 5, descsz, type NT_FILE, then the name "CORE".
    const at = bytes.indexOf(Buffer.from([0x45, 0x4c, 0x49, 0x46, 0x43, 0x4f, 0x52, 0x45]));
    assert.ok(at > 0, 'the kernel core has an NT_FILE note');
    bytes.writeUInt32LE(0x7fff, at);
    writeFileSync(path, bytes);
    oneLineError(await runPyscope(['dump', '--core', path]), BAD_FILE, /no-nt-file has no NT_FILE note, so the files the process mapped are unknown/);
  });

  test('a large segment relabelled PT_NOTE: its zeros are no notes, the dump goes on (a 2 MiB run of zeros once made 170,000 empty notes and overflowed the stack)', async () => {
    const path = join(dir, 'load-as-note');
    const bytes = readFileSync(core.path);
    const phoff = Number(bytes.readBigUInt64LE(32));
    const phentsize = bytes.readUInt16LE(54);
    let largest = -1;
    let largestSize = 0;
    for (let i = 0; i < bytes.readUInt16LE(56); i++) {
      const at = phoff + i * phentsize;
      const size = Number(bytes.readBigUInt64LE(at + 32));
      if (bytes.readUInt32LE(at) === 1 && size > largestSize) [largest, largestSize] = [at, size];
    }
    assert.ok(largestSize >= 1 << 20, `the core has a PT_LOAD segment of 1 MiB or more (largest ${largestSize})`);
    const offset = Number(bytes.readBigUInt64LE(largest + 8));
    bytes.fill(0, offset, offset + largestSize);
    bytes.writeUInt32LE(4, largest);
    writeFileSync(path, bytes);
    for (const extra of [[], ['--locals']]) {
      const r = await runPyscope(['dump', '--core', path, ...extra]);
      const detail = `exit ${r.code}\nstderr: ${r.stderr.slice(0, 1500)}`;
      assert.ok(r.code === 0 || r.code === BAD_FILE, detail);
      assert.ok(r.stderr.split('\n').filter(Boolean).length <= 1, detail);
      assert.doesNotMatch(r.stderr, /internal error|Maximum call stack|\n\s+at /, detail);
    }
  });

  test('cut inside its headers', async () => {
    const cut = join(dir, 'cut-headers');
    copyFileSync(core.path, cut);
    truncateSync(cut, 100);
    oneLineError(await runPyscope(['dump', '--core', cut]), BAD_FILE, /cut-headers is a truncated core/);
  });
});

/** Starts a process and waits (bounded) until it says "ready" on stdout. */
async function startReady(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  try {
    await watch(child, file).waitFor('ready', { step: `${file} to print "ready"` });
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return child;
}

describe('a core of a process that is not Python', needsGcore(), () => {
  test('gcore of sh: exit 5, one line', async () => {
    const child = await startReady('sh', ['-c', 'echo ready; while :; do sleep 1; done']);
    try {
      const path = await gcore(child.pid!, dir);
      oneLineError(await runPyscope(['dump', '--core', path]), NOT_PYTHON, /is the core of a process that was not running Python \(sh/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

// The static Debian build is self-contained, so a copy of it runs from anywhere: the core then names
// a file that can be moved away or replaced, as on another machine.
// (with PYSCOPE_PYTHONS the label carries the micro version: debian-3.11.2)
// Debian's own 64-bit /usr/bin/python3.11 (not the i386 one, which runs through a wrapper and its own loader).
const debian = pythons().find((p) => p.pointerBits === 64 && (p.label === 'debian-3.11' || p.label.startsWith('debian-3.11.')));
const debianSkip = debian ? skipIfMissing(debian) : requirePython(false, 'Debian python3.11 is not in the matrix');
describe('a core whose mapped files are absent or different here', firstSkip(debianSkip, needsGcore()), () => {
  let core: string;
  let binDir: string;
  let savedDir: string;
  before(async () => {
    binDir = join(dir, 'bin');
    savedDir = join(dir, 'saved');
    mkdirSync(binDir);
    mkdirSync(savedDir);
    const copy = join(binDir, 'python3.11');
    copyFileSync(debian!.path, copy);
    copyFileSync(debian!.path, join(savedDir, 'python3.11'));
    chmodSync(copy, 0o755);
    const prefix = await pythonPrefix(debian!.path);
    const child = await startReady(copy, ['-c', 'import sys, time\ndef park():\n    print("ready"); sys.stdout.flush(); time.sleep(600)\npark()'], { ...process.env, PYTHONHOME: prefix });
    try {
      // Deleted while mapped: the core names it "bin/python3.11 (deleted)".
      rmSync(copy);
      core = await gcore(child.pid!, dir);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('the executable is gone: one line naming it and the options that fix it', async () => {
    oneLineError(await runPyscope(['dump', '--core', core]), BAD_FILE, /bin\/python3\.11, mapped in the core, was deleted while mapped and is not on this machine: give the folder that holds it with --lib-search-path DIR \(or the executable with --exe PATH\)/);
  });

  test('--lib-search-path finds it', async () => {
    const r = await runPyscope(['dump', '--core', core, '--lib-search-path', savedDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {4}park \(<string>:3\)$/m);
  });

  test('--exe finds it', async () => {
    const r = await runPyscope(['dump', '--core', core, '--exe', join(savedDir, 'python3.11')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {4}park \(<string>:3\)$/m);
  });

  test('an --exe of another build: refused in one line naming both build-ids', async () => {
    oneLineError(await runPyscope(['dump', '--core', core, '--exe', process.execPath]), BAD_FILE, /--exe \S+ is not the executable this core was made from \(build-id [0-9a-f]{12} here, [0-9a-f]{12} in the core, for \S*bin\/python3\.11\)/);
  });

  test('a FIFO in its place, found through --lib-search-path: one line, no wait', async () => {
    const fifos = join(dir, 'fifos');
    mkdirSync(fifos);
    mkfifo(join(fifos, 'python3.11'));
    oneLineError(await promptly(['dump', '--core', core, '--lib-search-path', fifos]), BAD_FILE, /bin\/python3\.11, mapped in the core, cannot be read here \(.*fifos\/python3\.11 is a FIFO, not a regular file\)/);
  });

  test('another file in its place: one line naming the build-id mismatch', async () => {
    const impostor = join(binDir, 'python3.11');
    copyFileSync(process.execPath, impostor);
    try {
      oneLineError(await runPyscope(['dump', '--core', core]), BAD_FILE, /bin\/python3\.11 is not the file the process ran \(build-id \S+ here, [0-9a-f]{12} in the core\)/);
    } finally {
      rmSync(impostor);
    }
  });
});

async function pythonPrefix(path: string): Promise<string> {
  const child = watch(spawn(path, ['-c', 'import sys; print(sys.prefix)'], { stdio: ['ignore', 'pipe', 'pipe'] }), `${path} -c "print(sys.prefix)"`);
  await child.exited();
  return child.stdout.trim();
}
