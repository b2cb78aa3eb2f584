// Runs the CFA program of a CIE and an FDE (DWARF 4 section 6.4.2, the DW_CFA_* instructions) up
// to a pc, giving the rule row that says where the caller's registers are. The program is run over
// its byte slice alone, and the remember/restore stack is bounded, so any input ends.
import { CfiError, DwarfReader } from './dwarf-reader.js';
import type { Fde } from './cfi-entries.js';

export type RegisterRule =
  | { kind: 'undefined' }
  | { kind: 'same' }
  /** Saved at CFA + offset. */
  | { kind: 'offset'; offset: number }
  /** The value is CFA + offset. */
  | { kind: 'valOffset'; offset: number }
  | { kind: 'register'; register: number }
  /** Saved at the address the expression computes. */
  | { kind: 'expression'; expression: Buffer }
  | { kind: 'valExpression'; expression: Buffer };

export type CfaRule = { kind: 'register'; register: number; offset: number } | { kind: 'expression'; expression: Buffer };

export interface RuleRow {
  cfa: CfaRule;
  /** Rules by DWARF register number; a register absent here has its default rule. */
  registers: Map<number, RegisterRule>;
  returnRegister: number;
  signalFrame: boolean;
}

const MAX_REMEMBERED = 64;

interface State {
  cfa: CfaRule;
  registers: Map<number, RegisterRule>;
}

/** The row of `fde` that applies at `pc` (an unrelocated address inside the FDE). */
export function ruleRowAt(fde: Fde, pc: number, what: string): RuleRow {
  const cie = fde.cie;
  const state: State = { cfa: { kind: 'register', register: 7, offset: 8 }, registers: new Map() };
  run(cie.instructions, state, undefined, Infinity, `${what} (CIE)`, cie.codeAlign, cie.dataAlign, fde.begin);
  const initial = new Map(state.registers);
  run(fde.instructions, state, initial, pc, what, cie.codeAlign, cie.dataAlign, fde.begin);
  return { cfa: state.cfa, registers: state.registers, returnRegister: cie.returnRegister, signalFrame: cie.signalFrame };
}

function run(code: Buffer, state: State, initial: Map<number, RegisterRule> | undefined, pc: number, what: string, codeAlign: number, dataAlign: number, begin: number): void {
  const r = new DwarfReader(code, 0, code.length, what);
  const stack: State[] = [];
  let loc = begin;
  const restore = (reg: number): void => {
    const rule = initial?.get(reg);
    if (rule) state.registers.set(reg, rule);
    else state.registers.delete(reg);
  };
  const advance = (delta: number): boolean => {
    loc += delta * codeAlign;
    return loc > pc;
  };
  while (!r.atEnd) {
    const op = r.u8();
    const high = op & 0xc0;
    const low = op & 0x3f;
    if (high === 0x40) {
      if (advance(low)) return;
      continue;
    }
    if (high === 0x80) {
      state.registers.set(low, { kind: 'offset', offset: r.uleb() * dataAlign });
      continue;
    }
    if (high === 0xc0) {
      restore(low);
      continue;
    }
    switch (op) {
      case 0x00: // DW_CFA_nop
        break;
      case 0x01: // DW_CFA_set_loc
        loc = r.u64();
        if (loc > pc) return;
        break;
      case 0x02:
        if (advance(r.u8())) return;
        break;
      case 0x03:
        if (advance(r.u16())) return;
        break;
      case 0x04:
        if (advance(r.u32())) return;
        break;
      case 0x05: // DW_CFA_offset_extended
        state.registers.set(r.uleb(), { kind: 'offset', offset: r.uleb() * dataAlign });
        break;
      case 0x06: // DW_CFA_restore_extended
        restore(r.uleb());
        break;
      case 0x07: // DW_CFA_undefined
        state.registers.set(r.uleb(), { kind: 'undefined' });
        break;
      case 0x08: // DW_CFA_same_value
        state.registers.set(r.uleb(), { kind: 'same' });
        break;
      case 0x09: {
        // DW_CFA_register
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'register', register: r.uleb() });
        break;
      }
      case 0x0a: // DW_CFA_remember_state
        if (stack.length >= MAX_REMEMBERED) throw new CfiError(`${what}: more than ${MAX_REMEMBERED} remembered states`);
        stack.push({ cfa: state.cfa, registers: new Map(state.registers) });
        break;
      case 0x0b: {
        // DW_CFA_restore_state: the CFA rule is restored too (DWARF 5 says so; gcc relies on it)
        const saved = stack.pop();
        if (!saved) throw new CfiError(`${what}: restore_state without remember_state`);
        state.cfa = saved.cfa;
        state.registers = saved.registers;
        break;
      }
      case 0x0c: // DW_CFA_def_cfa
        state.cfa = { kind: 'register', register: r.uleb(), offset: r.uleb() };
        break;
      case 0x0d: // DW_CFA_def_cfa_register
        state.cfa = { kind: 'register', register: r.uleb(), offset: state.cfa.kind === 'register' ? state.cfa.offset : 0 };
        break;
      case 0x0e: // DW_CFA_def_cfa_offset
        if (state.cfa.kind !== 'register') throw new CfiError(`${what}: def_cfa_offset after a CFA expression`);
        state.cfa = { ...state.cfa, offset: r.uleb() };
        break;
      case 0x0f: // DW_CFA_def_cfa_expression
        state.cfa = { kind: 'expression', expression: r.bytes(r.uleb()) };
        break;
      case 0x10: {
        // DW_CFA_expression
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'expression', expression: r.bytes(r.uleb()) });
        break;
      }
      case 0x11: {
        // DW_CFA_offset_extended_sf
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'offset', offset: r.sleb() * dataAlign });
        break;
      }
      case 0x12: {
        // DW_CFA_def_cfa_sf
        const reg = r.uleb();
        state.cfa = { kind: 'register', register: reg, offset: r.sleb() * dataAlign };
        break;
      }
      case 0x13: // DW_CFA_def_cfa_offset_sf
        if (state.cfa.kind !== 'register') throw new CfiError(`${what}: def_cfa_offset_sf after a CFA expression`);
        state.cfa = { ...state.cfa, offset: r.sleb() * dataAlign };
        break;
      case 0x14: {
        // DW_CFA_val_offset
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'valOffset', offset: r.uleb() * dataAlign });
        break;
      }
      case 0x15: {
        // DW_CFA_val_offset_sf
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'valOffset', offset: r.sleb() * dataAlign });
        break;
      }
      case 0x16: {
        // DW_CFA_val_expression
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'valExpression', expression: r.bytes(r.uleb()) });
        break;
      }
      case 0x2e: // DW_CFA_GNU_args_size: only matters to exception handling
        r.uleb();
        break;
      case 0x2f: {
        // DW_CFA_GNU_negative_offset_extended
        const reg = r.uleb();
        state.registers.set(reg, { kind: 'offset', offset: -r.uleb() * dataAlign });
        break;
      }
      default:
        throw new CfiError(`${what}: unknown call frame instruction 0x${op.toString(16)}`);
    }
  }
}
