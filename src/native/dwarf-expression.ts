// A DWARF expression evaluator (DWARF 4 section 2.5) for the expressions CFI uses: the CFA of a PLT
// entry (breg7, breg16, lit, and, ge, shl, plus) and of a signal trampoline (breg7 + offset,
// deref), and the register rules around them. 64-bit two's-complement arithmetic on bigints; the
// number of operations, the stack depth and every memory read are bounded.
import { CfiError, DwarfReader, wrap64 } from './dwarf-reader.js';
import type { Registers } from './registers.js';

const MASK = (1n << 64n) - 1n;
const MAX_STEPS = 1000;
const MAX_STACK = 64;

export interface ExpressionContext {
  registers: Registers;
  /** Reads a 64-bit little-endian value, or throws. */
  readU64(address: number): bigint;
}

const signed = (v: bigint): bigint => BigInt.asIntN(64, v);

/** The value an expression leaves on top of its stack, `initial` pushed first when given. */
export function evaluate(code: Buffer, ctx: ExpressionContext, initial?: number, what = 'DWARF expression'): number {
  const r = new DwarfReader(code, 0, code.length, what);
  const stack: bigint[] = initial === undefined ? [] : [BigInt(initial)];
  const push = (v: bigint): void => {
    if (stack.length >= MAX_STACK) throw new CfiError(`${what}: stack deeper than ${MAX_STACK}`);
    stack.push(v & MASK);
  };
  const pop = (): bigint => {
    const v = stack.pop();
    if (v === undefined) throw new CfiError(`${what}: pops an empty stack`);
    return v;
  };
  const reg = (n: number): bigint => {
    const v = ctx.registers[n];
    if (v === undefined) throw new CfiError(`${what}: needs register ${n}, which is not known`);
    return BigInt(v);
  };
  const binary = (f: (a: bigint, b: bigint) => bigint): void => {
    const b = pop();
    const a = pop();
    push(f(a, b));
  };
  const compare = (f: (a: bigint, b: bigint) => boolean): void => binary((a, b) => (f(signed(a), signed(b)) ? 1n : 0n));
  let steps = 0;
  while (!r.atEnd) {
    if (++steps > MAX_STEPS) throw new CfiError(`${what}: more than ${MAX_STEPS} operations`);
    const op = r.u8();
    if (op >= 0x30 && op <= 0x4f) {
      push(BigInt(op - 0x30)); // DW_OP_lit0..31
      continue;
    }
    if (op >= 0x50 && op <= 0x6f) {
      push(reg(op - 0x50)); // DW_OP_reg0..31: the register's value (a location, used as a value here)
      continue;
    }
    if (op >= 0x70 && op <= 0x8f) {
      const n = r.slebBig();
      push(reg(op - 0x70) + n); // DW_OP_breg0..31
      continue;
    }
    switch (op) {
      case 0x03: // DW_OP_addr
        push(r.u64big());
        break;
      case 0x06: // DW_OP_deref
        push(ctx.readU64(wrap64(pop())));
        break;
      case 0x08:
        push(BigInt(r.u8()));
        break;
      case 0x09:
        push(BigInt(r.s8()));
        break;
      case 0x0a:
        push(BigInt(r.u16()));
        break;
      case 0x0b:
        push(BigInt(r.s16()));
        break;
      case 0x0c:
        push(BigInt(r.u32()));
        break;
      case 0x0d:
        push(BigInt(r.s32()));
        break;
      case 0x0e:
        push(r.u64big());
        break;
      case 0x0f:
        push(r.s64big());
        break;
      case 0x10:
        push(r.ulebBig());
        break;
      case 0x11:
        push(r.slebBig());
        break;
      case 0x12: {
        const v = pop();
        push(v);
        push(v);
        break;
      }
      case 0x13:
        pop();
        break;
      case 0x14: {
        const b = pop();
        const a = pop();
        push(a);
        push(b);
        push(a);
        break;
      }
      case 0x15: {
        const i = r.u8();
        const v = stack[stack.length - 1 - i];
        if (v === undefined) throw new CfiError(`${what}: pick ${i} past the stack`);
        push(v);
        break;
      }
      case 0x16: {
        const b = pop();
        const a = pop();
        push(b);
        push(a);
        break;
      }
      case 0x17: {
        const c = pop();
        const b = pop();
        const a = pop();
        push(c);
        push(a);
        push(b);
        break;
      }
      case 0x19: {
        const v = signed(pop());
        push(v < 0n ? -v : v);
        break;
      }
      case 0x1a:
        binary((a, b) => a & b);
        break;
      case 0x1b:
        binary((a, b) => {
          if (b === 0n) throw new CfiError(`${what}: division by zero`);
          return signed(a) / signed(b);
        });
        break;
      case 0x1c:
        binary((a, b) => a - b);
        break;
      case 0x1d:
        binary((a, b) => {
          if (b === 0n) throw new CfiError(`${what}: division by zero`);
          return a % b;
        });
        break;
      case 0x1e:
        binary((a, b) => a * b);
        break;
      case 0x1f:
        push(-pop());
        break;
      case 0x20:
        push(~pop());
        break;
      case 0x21:
        binary((a, b) => a | b);
        break;
      case 0x22:
        binary((a, b) => a + b);
        break;
      case 0x23:
        push(pop() + r.ulebBig());
        break;
      case 0x24:
        binary((a, b) => (b >= 64n ? 0n : a << b));
        break;
      case 0x25:
        binary((a, b) => (b >= 64n ? 0n : a >> b));
        break;
      case 0x26:
        binary((a, b) => signed(a) >> (b >= 64n ? 63n : b));
        break;
      case 0x27:
        binary((a, b) => a ^ b);
        break;
      case 0x28: {
        // DW_OP_bra
        const skip = r.s16();
        if (pop() !== 0n) jump(r, skip, what);
        break;
      }
      case 0x29:
        compare((a, b) => a === b);
        break;
      case 0x2a:
        compare((a, b) => a >= b);
        break;
      case 0x2b:
        compare((a, b) => a > b);
        break;
      case 0x2c:
        compare((a, b) => a <= b);
        break;
      case 0x2d:
        compare((a, b) => a < b);
        break;
      case 0x2e:
        compare((a, b) => a !== b);
        break;
      case 0x2f: // DW_OP_skip
        jump(r, r.s16(), what);
        break;
      case 0x90: // DW_OP_regx
        push(reg(r.uleb()));
        break;
      case 0x92: {
        // DW_OP_bregx
        const n = r.uleb();
        push(reg(n) + r.slebBig());
        break;
      }
      case 0x94: {
        // DW_OP_deref_size
        const size = r.u8();
        if (size < 1 || size > 8) throw new CfiError(`${what}: deref_size ${size}`);
        const v = ctx.readU64(wrap64(pop()));
        push(size === 8 ? v : v & ((1n << BigInt(size * 8)) - 1n));
        break;
      }
      case 0x96: // DW_OP_nop
        break;
      default:
        throw new CfiError(`${what}: unsupported operation 0x${op.toString(16)}`);
    }
  }
  const top = stack.pop();
  if (top === undefined) throw new CfiError(`${what}: leaves no value`);
  return wrap64(top);
}

function jump(r: DwarfReader, delta: number, what: string): void {
  const to = r.offset + delta;
  if (to < 0 || to > r.end) throw new CfiError(`${what}: branch outside the expression`);
  r.offset = to;
}
