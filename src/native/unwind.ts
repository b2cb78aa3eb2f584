// Walks one thread's native stack from its registers: DWARF CFI where the pc has an FDE, the rbp
// chain where it has none. Bounded like every walk: at most maxFrames frames (256 by default), each
// step reads a few words of the target, and a step whose stack pointer does not grow ends the walk
// (a loop or garbage). For frames after the first the pc is a return address, so its CFI row and
// its symbol are those of pc - 1, the call itself; a signal frame's caller is the interrupted
// instruction and is looked up as is.
import type { MemorySource } from '../memory/source.js';
import type { RuleRow, RegisterRule } from './cfa-program.js';
import { evaluate, type ExpressionContext } from './dwarf-expression.js';
import { CfiError } from './dwarf-reader.js';
import { ModuleInfo, sharedModuleInfo, type ModuleInfoCache } from './module-info.js';
import { elfImageSize, moduleAt, type NativeModule } from './modules.js';
import { REGISTER_COUNT, X86_64, type Registers } from './registers.js';

export interface NativeFrame {
  pc: number;
  sp: number;
  /** The path of the module as the process mapped it. */
  module?: string;
  symbol?: string;
  /** pc - the symbol's start. */
  offset?: number;
  file?: string;
  line?: number;
  /** How this frame's registers were found: the thread's own, a CFI row, or the frame-pointer chain. */
  how: 'registers' | 'cfi' | 'fp';
  /** Other names of the same function (aliases at its address). */
  aliases?: string[];
  /**
   * True when the pc lies past the end of `symbol` (by its size): the name is only the nearest
   * function symbol before the pc, as in a stripped library's static functions (gdb shows "??").
   */
  beyondSymbol?: boolean;
  /** The module's file cannot be used here (gone, another build): the frame is an address. */
  moduleProblem?: string;
  /**
   * A signal trampoline (its CIE says 'S', e.g. glibc's __restore_rt): the frames above it ran in
   * a signal handler, and the frame below it is the interrupted code (gdb: <signal handler called>).
   */
  signalFrame?: boolean;
}

export interface UnwindResult {
  frames: NativeFrame[];
  /** Why the walk ended before the outermost frame, if it did. */
  note?: string;
}

export const DEFAULT_MAX_FRAMES = 256;

export interface UnwinderOptions {
  /** Where parsed CFI, symbols and line tables are kept; shared by every unwinder of the process by default. */
  cache?: ModuleInfoCache;
  /** Give frames file:line from .debug_line where it exists (default true; the first lookup per module reads its table). */
  lines?: boolean;
}

/** Callee-saved registers of the SysV x86-64 ABI: unchanged in the caller unless CFI says otherwise. */
const CALLEE_SAVED = new Set<number>([X86_64.rbx, X86_64.rbp, X86_64.r12, X86_64.r13, X86_64.r14, X86_64.r15]);

export class NativeUnwinder {
  private readonly sorted: NativeModule[];
  /** Each module's info, looked up in the shared cache once per unwinder (that lookup stats the file). */
  private readonly infos = new Map<NativeModule, ModuleInfo | undefined>();

  private readonly cache: ModuleInfoCache;
  private readonly lines: boolean;

  constructor(
    private readonly memory: MemorySource,
    modules: readonly NativeModule[],
    options: UnwinderOptions = {},
  ) {
    this.sorted = [...modules].sort((a, b) => a.start - b.start);
    this.cache = options.cache ?? sharedModuleInfo;
    this.lines = options.lines ?? true;
  }

  get modules(): readonly NativeModule[] {
    return this.sorted;
  }

  /** The module info of a module, or undefined when its file cannot be used. */
  infoOf(module: NativeModule): ModuleInfo | undefined {
    if (module.problem !== undefined) return undefined;
    if (this.infos.has(module)) return this.infos.get(module);
    const found = module.inMemory ? this.imageInfo(module) : this.cache.get(module.path, module.buildId);
    const info = found instanceof Error ? undefined : found;
    this.infos.set(module, info);
    return info;
  }

  /** The info of a module whose ELF image is read from the target (the vDSO); kept per unwinder. */
  private imageInfo(module: NativeModule): ModuleInfo | Error {
    try {
      const size = elfImageSize(this.memory, module.start);
      if (size === undefined) return new Error(`no ELF image at 0x${module.start.toString(16)}`);
      return ModuleInfo.fromImage(module.path, this.memory.read(module.start, size));
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  }

  /** Names an address: the module holding it, its symbol and offset. */
  describe(pc: number, lookup = pc): Pick<NativeFrame, 'module' | 'symbol' | 'offset' | 'aliases' | 'moduleProblem' | 'beyondSymbol' | 'file' | 'line'> {
    const module = moduleAt(this.sorted, pc);
    if (!module) return {};
    const out: Pick<NativeFrame, 'module' | 'symbol' | 'offset' | 'aliases' | 'moduleProblem' | 'beyondSymbol' | 'file' | 'line'> = { module: module.mappedPath ?? module.path };
    if (module.problem !== undefined) out.moduleProblem = module.problem;
    const info = this.infoOf(module);
    const hit = info?.symbol(lookup - module.bias);
    if (hit) {
      out.symbol = hit.name;
      out.offset = pc - (lookup - hit.offset);
      if (hit.aliases.length > 0) out.aliases = hit.aliases;
      if (!hit.inside) out.beyondSymbol = true;
    }
    const where = this.lines ? info?.line(lookup - module.bias) : undefined;
    if (where) {
      out.file = where.file;
      out.line = where.line;
    }
    return out;
  }

  unwind(regs: Registers, maxFrames = DEFAULT_MAX_FRAMES): UnwindResult {
    const frames: NativeFrame[] = [];
    let current: Registers = regs;
    let how: NativeFrame['how'] = 'registers';
    let exactPc = true;
    while (true) {
      const pc = current[X86_64.rip];
      const sp = current[X86_64.rsp];
      if (pc === undefined || sp === undefined) return { frames, note: frames.length === 0 ? 'the thread has no pc or stack pointer' : undefined };
      if (frames.length >= maxFrames) return { frames, note: `stopped after ${maxFrames} frames` };
      const lookup = exactPc ? pc : pc - 1;
      frames.push({ pc, sp, how, ...this.describe(pc, lookup) });
      let step: { regs: Registers; signal: boolean; how: 'cfi' | 'fp' } | { end: string | undefined };
      try {
        step = this.step(current, lookup);
      } catch (e) {
        if (e instanceof CfiError) return { frames, note: `frame ${frames.length - 1} (0x${pc.toString(16)}): ${e.message}` };
        const message = e instanceof Error ? e.message : String(e);
        return { frames, note: `frame ${frames.length - 1} (0x${pc.toString(16)}): could not read the stack: ${message}` };
      }
      if ('end' in step) return step.end === undefined ? { frames } : { frames, note: step.end };
      if (step.signal) {
        // A trampoline's return address is its first instruction, not after a call: name it by pc
        // (its FDE starts a byte early so that pc - 1 found the CFI).
        if (lookup !== pc) frames[frames.length - 1] = { pc, sp, how, ...this.describe(pc, pc) };
        frames[frames.length - 1]!.signalFrame = true;
      }
      const nextPc = step.regs[X86_64.rip];
      const nextSp = step.regs[X86_64.rsp];
      // A return address of 0 (or none) marks the outermost frame: thread start, _start.
      if (nextPc === undefined || nextPc === 0) return { frames };
      if (nextSp === undefined || (!step.signal && nextSp <= sp)) {
        return { frames, note: `the stack pointer did not grow after frame ${frames.length - 1} (0x${pc.toString(16)}): the stack is corrupt or the unwind went wrong` };
      }
      current = step.regs;
      how = step.how;
      exactPc = step.signal;
    }
  }

  /** The caller's registers, or why there is none. */
  private step(regs: Registers, lookup: number): { regs: Registers; signal: boolean; how: 'cfi' | 'fp' } | { end: string | undefined } {
    const module = moduleAt(this.sorted, lookup);
    const info = module && this.infoOf(module);
    const row = info && module ? info.ruleRow(lookup - module.bias) : undefined;
    if (row) {
      const next = this.applyRow(row, regs);
      if (next === undefined) return { end: undefined };
      return { regs: next, signal: row.signalFrame, how: 'cfi' };
    }
    return this.framePointerStep(regs, lookup, module);
  }

  private framePointerStep(regs: Registers, lookup: number, module: NativeModule | undefined): { regs: Registers; signal: boolean; how: 'fp' } | { end: string } {
    const rbp = regs[X86_64.rbp];
    const sp = regs[X86_64.rsp];
    const where = module ? `in ${module.mappedPath ?? module.path}` : 'outside every mapped file';
    if (rbp === undefined || sp === undefined || rbp === 0 || rbp < sp || rbp % 8 !== 0) {
      return { end: `no call frame information for 0x${lookup.toString(16)} (${where}) and no frame pointer to follow` };
    }
    const next: (number | undefined)[] = new Array<number | undefined>(REGISTER_COUNT).fill(undefined);
    next[X86_64.rbp] = this.readU64Number(rbp);
    next[X86_64.rip] = this.readU64Number(rbp + 8);
    next[X86_64.rsp] = rbp + 16;
    return { regs: next, signal: false, how: 'fp' };
  }

  private applyRow(row: RuleRow, regs: Registers): Registers | undefined {
    const ctx: ExpressionContext = { registers: regs, readU64: (a) => this.readU64(a) };
    let cfa: number;
    if (row.cfa.kind === 'register') {
      const base = regs[row.cfa.register];
      if (base === undefined) throw new CfiError(`the CFA needs register ${row.cfa.register}, which is not known here`);
      cfa = base + row.cfa.offset;
    } else cfa = evaluate(row.cfa.expression, ctx, undefined, 'CFA expression');
    const next: (number | undefined)[] = new Array<number | undefined>(REGISTER_COUNT).fill(undefined);
    for (let r = 0; r < REGISTER_COUNT; r++) {
      const rule: RegisterRule | undefined = row.registers.get(r);
      if (rule === undefined) {
        if (r === X86_64.rsp) next[r] = cfa;
        else if (CALLEE_SAVED.has(r)) next[r] = regs[r];
        continue;
      }
      next[r] = this.valueOf(rule, r, cfa, regs, ctx);
    }
    // The return address column names the caller's pc; undefined there marks the outermost frame.
    if (row.returnRegister !== X86_64.rip) {
      const rule = row.registers.get(row.returnRegister);
      next[X86_64.rip] = rule ? this.valueOf(rule, row.returnRegister, cfa, regs, ctx) : undefined;
    }
    if (next[X86_64.rip] === undefined) return undefined;
    return next;
  }

  private valueOf(rule: RegisterRule, r: number, cfa: number, regs: Registers, ctx: ExpressionContext): number | undefined {
    switch (rule.kind) {
      case 'undefined':
        return undefined;
      case 'same':
        return regs[r];
      case 'offset':
        return this.readU64Number(cfa + rule.offset);
      case 'valOffset':
        return cfa + rule.offset;
      case 'register':
        return regs[rule.register];
      case 'expression':
        return this.readU64Number(evaluate(rule.expression, ctx, cfa, `rule of register ${r}`));
      case 'valExpression':
        return evaluate(rule.expression, ctx, cfa, `rule of register ${r}`);
    }
  }

  private readU64(address: number): bigint {
    return this.memory.read(address, 8).readBigUInt64LE(0);
  }

  private readU64Number(address: number): number {
    const v = this.readU64(address);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
}
