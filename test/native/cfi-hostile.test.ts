// CFI parsing of damaged files ends in an answer or a CfiError, never a loop, a hang or another
// exception: the real .eh_frame and .eh_frame_hdr of this machine's libc, with bytes flipped,
// lengths raised and the sections cut short. And the unwinder's own bounds: a frame-pointer chain
// that loops ends with a note, and no walk goes past maxFrames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElfFile } from '../../src/elf/elf-file.js';
import { CfiEntries } from '../../src/native/cfi-entries.js';
import { ruleRowAt } from '../../src/native/cfa-program.js';
import { CfiError } from '../../src/native/dwarf-reader.js';
import { evaluate } from '../../src/native/dwarf-expression.js';
import { registersOf, X86_64 } from '../../src/native/registers.js';
import { NativeUnwinder } from '../../src/native/unwind.js';
import { readEach, type MemorySource } from '../../src/memory/source.js';
import { MemoryReadError } from '../../src/common/errors.js';

const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';

function sections(): { eh: Buffer; ehAddr: number; hdr: Buffer; hdrAddr: number; text: { addr: number; size: number } } {
  const elf = ElfFile.open(LIBC);
  try {
    const eh = elf.section('.eh_frame')!;
    const hdr = elf.section('.eh_frame_hdr')!;
    const text = elf.section('.text')!;
    return { eh: elf.sectionBytes('.eh_frame')!, ehAddr: eh.addr, hdr: elf.sectionBytes('.eh_frame_hdr')!, hdrAddr: hdr.addr, text: { addr: text.addr, size: text.size } };
  } finally {
    elf.close();
  }
}

/** Looks up `count` pcs spread over .text; returns how many found a row. */
function probe(cfi: CfiEntries, text: { addr: number; size: number }, count: number): number {
  let rows = 0;
  for (let i = 0; i < count; i++) {
    const pc = text.addr + Math.floor((text.size * i) / count);
    try {
      const fde = cfi.find(pc);
      if (fde) {
        ruleRowAt(fde, pc, 'probe');
        rows++;
      }
    } catch (e) {
      assert.ok(e instanceof CfiError, `only CfiError escapes, not ${String(e)}`);
    }
  }
  return rows;
}

test('libc: the header search and a full scan find the same rows', () => {
  const s = sections();
  const viaHeader = new CfiEntries(LIBC, { kind: 'eh', data: s.eh, address: s.ehAddr }, { data: s.hdr, address: s.hdrAddr });
  const viaScan = new CfiEntries(LIBC, { kind: 'eh', data: s.eh, address: s.ehAddr });
  for (let i = 0; i < 400; i++) {
    const pc = s.text.addr + Math.floor((s.text.size * i) / 400);
    const a = viaHeader.find(pc);
    const b = viaScan.find(pc);
    assert.deepEqual(a && { begin: a.begin, end: a.end }, b && { begin: b.begin, end: b.end }, `pc 0x${pc.toString(16)}`);
  }
  assert.ok(probe(viaHeader, s.text, 400) > 300, 'most of .text has CFI');
});

// The work is bounded by construction (each table is read at most once per entry, at most
// MAX_ENTRIES entries); a loop would be caught by the test's own timeout. No wall-time assertion:
// on a loaded CI machine this took 218 s once, and slowness is a benchmark's business.
test('damaged .eh_frame and .eh_frame_hdr: answers or CfiErrors, never a hang or another exception', () => {
  const s = sections();
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 20; round++) {
    const eh = Buffer.from(s.eh);
    const hdr = Buffer.from(s.hdr);
    for (let k = 0; k < 40; k++) eh[rand(eh.length)] = rand(256);
    // Lengths and CIE pointers raised to the largest values.
    for (let k = 0; k < 5; k++) eh.writeUInt32LE(0xffffffff, rand(eh.length - 4) & ~3);
    for (let k = 0; k < 10; k++) hdr[rand(hdr.length)] = rand(256);
    const cut = round % 3 === 0 ? eh.subarray(0, rand(eh.length)) : eh;
    probe(new CfiEntries(LIBC, { kind: 'eh', data: cut, address: s.ehAddr }, { data: hdr, address: s.hdrAddr }), s.text, 50);
    probe(new CfiEntries(LIBC, { kind: 'eh', data: cut, address: s.ehAddr }), s.text, 50);
    probe(new CfiEntries(LIBC, { kind: 'debug', data: cut, address: 0 }), s.text, 20);
  }
});

test('DWARF expressions: the PLT rule computes, loops and bad input end in CfiError', () => {
  const regs = registersOf({ [X86_64.rsp]: 0x1000, [X86_64.rip]: 0x20b });
  const ctx = { registers: regs, readU64: (a: number): bigint => BigInt(a) * 2n };
  // A PLT entry's CFA: rsp + 8 + ((rip & 15) >= 11 ? 8 : 0).
  const plt = Buffer.from([0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22]);
  assert.equal(evaluate(plt, ctx), 0x1010);
  assert.equal(evaluate(Buffer.from([0x77, 0x10, 0x06]), ctx), 0x2020, 'breg7 16; deref');
  assert.throws(() => evaluate(Buffer.from([0x2f, 0xfd, 0xff]), ctx), /more than 1000 operations/, 'skip -3 forever');
  assert.throws(() => evaluate(Buffer.from([0x22]), ctx), /empty stack/);
  assert.throws(() => evaluate(Buffer.from([0x0e, 0x01]), ctx), /runs past its end/);
  assert.throws(() => evaluate(Buffer.from([0x53]), ctx), /register 3/);
});

/** A stack as a MemorySource: words at addresses, nothing else readable. */
function stackMemory(words: Map<number, number>): MemorySource {
  const read = (address: number, length: number): Buffer => {
    const b = Buffer.alloc(length);
    for (let i = 0; i < length; i += 8) {
      const w = words.get(address + i);
      if (w === undefined) throw new MemoryReadError(`nothing at 0x${(address + i).toString(16)}`, address, length);
      b.writeBigUInt64LE(BigInt(w), i);
    }
    return b;
  };
  return { read, readMany: (r) => readEach({ read }, r), readCount: 0, close: () => undefined };
}

test('frame pointers: followed where no module covers the pc; a loop and a cut chain end with a note', () => {
  // Frames at 0x7000, 0x7100, 0x7200 whose saved rbp points back to 0x7000: a loop.
  const words = new Map<number, number>([
    [0x7000, 0x7100],
    [0x7008, 0x1111],
    [0x7100, 0x7200],
    [0x7108, 0x2222],
    [0x7200, 0x7000],
    [0x7208, 0x3333],
  ]);
  const unwinder = new NativeUnwinder(stackMemory(words), []);
  const looped = unwinder.unwind(registersOf({ [X86_64.rip]: 0x1000, [X86_64.rsp]: 0x6ff0, [X86_64.rbp]: 0x7000 }));
  assert.deepEqual(looped.frames.map((f) => [f.pc, f.how]), [[0x1000, 'registers'], [0x1111, 'fp'], [0x2222, 'fp'], [0x3333, 'fp']]);
  assert.match(looped.note ?? '', /no frame pointer to follow|did not grow/);
  // A chain into unreadable memory.
  words.set(0x7200, 0x9000);
  words.set(0x9000, 0x9100);
  const cut = unwinder.unwind(registersOf({ [X86_64.rip]: 0x1000, [X86_64.rsp]: 0x6ff0, [X86_64.rbp]: 0x7000 }));
  assert.match(cut.note ?? '', /could not read the stack/);
  // A long chain stops at maxFrames.
  const long = new Map<number, number>();
  for (let i = 0; i < 400; i++) {
    long.set(0x10000 + i * 16, 0x10000 + (i + 1) * 16);
    long.set(0x10008 + i * 16, 0x5000 + i);
  }
  const bounded = new NativeUnwinder(stackMemory(long), []).unwind(registersOf({ [X86_64.rip]: 0x1000, [X86_64.rsp]: 0xfff0, [X86_64.rbp]: 0x10000 }), 50);
  assert.equal(bounded.frames.length, 50);
  assert.equal(bounded.note, 'stopped after 50 frames');
});
