// A suspended coroutine's stack, innermost first: its own frame, then down what it awaits (CPython's
// cr_await, through async generators' ag_await) for as long as that is another coroutine or
// generator. What it awaits is read the way _PyGen_yf finds it (bindings.ts AwaitBindings), from the
// top of the suspended frame's value stack. Bounded in frames and cycle-checked.
import type { CoroutineBindings } from '../bindings.js';
import { LIMITS, Target, targetExited } from '../target.js';
import type { CodeCache } from './code.js';
import { walkFrames, type Frame } from './frames.js';

/** Opcode YIELD_FROM of 3.8-3.10 (Include/opcode.h): a frame suspended in `await` resumes at it. */
const YIELD_FROM = 72;

const GENERATOR_TYPES = new Set(['coroutine', 'generator', 'async_generator']);
const ASEND_TYPE = 'async_generator_asend';

export interface CoroutineStack {
  /** Innermost first: the frame the chain ends in, up to the coroutine the walk started from. */
  frames: Frame[];
  /** The object awaited at the bottom of the chain (a future, a task...), when there is one. */
  awaiting?: number;
  truncated?: string;
}

export function coroutineStack(t: Target, codes: CodeCache, c: CoroutineBindings, coro: number, maxFrames: number = LIMITS.frames): CoroutineStack {
  const s = outermostFirst(t, codes, c, coro, maxFrames);
  s.frames.reverse();
  return s;
}

function outermostFirst(t: Target, codes: CodeCache, c: CoroutineBindings, coro: number, maxFrames: number = LIMITS.frames): CoroutineStack {
  const frames: Frame[] = [];
  const seen = new Set<number>();
  let obj = coro;
  try {
    while (obj !== 0) {
      if (seen.has(obj)) return { frames, truncated: 'the await chain has a cycle' };
      if (frames.length >= maxFrames) return { frames, truncated: `more than ${maxFrames} frames` };
      seen.add(obj);
      const type = t.typeName(obj);
      if (type === ASEND_TYPE) {
        obj = t.ptr(obj + c.asendGen);
        continue;
      }
      if (!GENERATOR_TYPES.has(type)) return { frames, awaiting: obj };
      const frame = generatorFrame(t, c, obj);
      if (frame === 0) return { frames };
      const walked = walkFrames(t, codes, frame, { maxFrames: 1 });
      frames.push(...walked.frames.slice(0, 1));
      obj = awaited(t, c, obj, frame);
    }
  } catch (e) {
    if (targetExited(e)) throw e;
    return { frames, truncated: `coroutine at 0x${obj.toString(16)} is unreadable` };
  }
  return { frames };
}

/** The generator's frame, or 0 when it has finished. */
function generatorFrame(t: Target, c: CoroutineBindings, gen: number): number {
  if (c.frame.kind === 'pointer') return t.ptr(gen + c.frame.offset);
  const a = c.await;
  if (a.kind !== 'next-opcode') {
    const state = t.read(gen + a.frameState, 1).readInt8(0);
    if (state >= a.finished) return 0;
  }
  return gen + c.frame.offset;
}

/** What a suspended generator awaits (0: nothing, it is not suspended in an await). */
function awaited(t: Target, c: CoroutineBindings, gen: number, frame: number): number {
  const a = c.await;
  switch (a.kind) {
    case 'next-opcode': {
      const lasti = t.i32(frame + a.lasti);
      if (lasti < 0) return 0;
      const code = t.ptr(frame + a.code);
      const bytecode = t.ptr(code + a.coCode);
      const next = a.lastiUnit === 1 ? lasti + 2 : (lasti + 1) * 2;
      if (t.read(bytecode + a.bytesSval + next, 1)[0] !== YIELD_FROM) return 0;
      if (a.stack.kind === 'stacktop') {
        const top = t.ptr(frame + a.stack.offset);
        return top === 0 ? 0 : t.ptr(top - t.pointerSize);
      }
      const depth = t.i32(frame + a.stack.depth);
      return depth <= 0 ? 0 : t.ptr(t.ptr(frame + a.stack.valuestack) + (depth - 1) * t.pointerSize);
    }
    case 'resume-oparg': {
      if (t.read(gen + a.frameState, 1).readInt8(0) !== a.suspended) return 0;
      // The instruction after the yield is RESUME; its oparg is 2 after a yield from, 3 after an await.
      const prev = t.ptr(frame + a.prevInstr);
      if (t.read(prev + 2, 2)[1]! < 2) return 0;
      const top = t.i32(frame + a.stacktop);
      return top <= 0 ? 0 : t.ptr(frame + a.localsplus + (top - 1) * t.pointerSize);
    }
    case 'frame-state': {
      if (t.read(gen + a.frameState, 1).readInt8(0) !== a.yieldFrom) return 0;
      if (a.stack.kind === 'stacktop') {
        const top = t.i32(frame + a.stack.stacktop);
        return top <= 0 ? 0 : t.ptr(frame + a.stack.localsplus + (top - 1) * t.pointerSize);
      }
      const sp = t.ptr(frame + a.stack.offset);
      if (sp === 0) return 0;
      const v = t.ptr(sp - t.pointerSize * a.stack.depth);
      return a.stack.tagged ? v - (v % 4) : v;
    }
  }
}
