// Everything the CPython model needs to know about one interpreter build, as plain data: offsets,
// sizes and which of a few known encodings this version uses. version-switch.ts fills it from the
// version's traits (version-traits.ts) and its declarations (2.7, 3.6-3.12) or the target's own
// _Py_DebugOffsets (3.13+); the model code never asks which version it is reading.
import type { PythonVersion } from './discover/detect-version.js';

export interface Bindings {
  version: PythonVersion;
  /** How repr() writes an OrderedDict's items: a list of pairs, or (3.12+) a dict. */
  orderedDictRepr: 'pairs' | 'dict';
  pointerSize: 4 | 8;
  /** How the first interpreter is reached: a field of _PyRuntime, or the interp_head global. */
  interpreters: { via: 'runtime'; headOffset: number } | { via: 'interp_head' };
  /**
   * Where the GIL's state is, when known: `locked` (an int) and `last_holder` (a thread state
   * pointer, kept after the GIL is let go) as offsets into _PyRuntime or the struct interp->ceval.gil
   * points to, or as addresses of statics (3.6); 2.7 has only the current thread state.
   */
  gil?:
    | { via: 'runtime'; lockedOffset: number; holderOffset: number }
    | { via: 'interpreter-pointer'; pointerOffset: number; lockedOffset: number; holderOffset: number }
    | { via: 'statics'; lockedAddress: number; holderAddress: number }
    | { via: 'tstate-current' };
  /** Where the collector's `collecting` int is: at an address (a static), or an offset into _PyRuntime or an interpreter. */
  gc?: { via: 'address'; address: number } | { via: 'runtime'; offset: number } | { via: 'interpreter'; offset: number };
  interp: {
    next: number;
    id?: number;
    threadsHead: number;
    modules?: number;
  };
  tstate: {
    /** 3.6+: the list is doubly linked, which lets a reader tell a freed thread state from a live one. */
    prev?: number;
    next: number;
    interp: number;
    threadId: number;
    nativeThreadId?: number;
    /** 3.15+: ints the thread sets while it holds the GIL and while it waits for it. */
    holdsGil?: number;
    gilRequested?: number;
    /** Frame pointer path: tstate->frame, tstate->cframe->current_frame, or tstate->current_frame. */
    /** `cframePrevious` (3.11, 3.12): _PyCFrame.previous, the chain of the evaluation calls' C-stack locals. */
    frame: { kind: 'direct'; offset: number } | { kind: 'cframe'; cframe: number; currentFrame: number; cframePrevious?: number };
  };
  frame: FrameBindings;
  code: {
    argcount: number;
    posonlyargcount?: number;
    kwonlyargcount?: number;
    flags?: number;
    firstlineno: number;
    filename: number;
    name: number;
    qualname?: number;
    lineTable: number;
    lineTableFormat: 'lnotab-unsigned' | 'lnotab' | 'linetable-3.10' | 'locations';
    /** <= 3.10: locals named by co_varnames, co_cellvars, co_freevars; nlocals counts the first. */
    varnames?: number;
    cellvars?: number;
    freevars?: number;
    nlocals?: number;
    /** 3.11+: names and kinds of every slot of localsplus. */
    localsplusnames?: number;
    localspluskinds?: number;
    /** 3.11+: start of the bytecode inside the code object. */
    codeAdaptive?: number;
  };
  object: { type: number; size: number };
  varobject: { size: number };
  type: { name: number; flags: number; basicsize: number; dictoffset: number };
  strings: StringBindings;
  bytes?: { size: number; sval: number };
  ints: IntBindings;
  float: { value: number };
  tuple: { size: number; items: number };
  list: { size: number; items: number };
  dict: DictBindings;
  set?: { used: number; mask: number; table: number; entrySize: number; entryKey: number };
  cell: { ref: number };
  module: { dict: number };
  /** How an instance's __dict__ is found when tp_dictoffset does not say (3.11+). */
  managedDict?: {
    /** Py_TPFLAGS_MANAGED_DICT. */
    flag: number;
    /** Offset (negative: before the object) of the dict pointer (3.12: dict-or-values). */
    offset: number;
    /** 3.12: the slot holds a values pointer tagged with bit 0 instead of a dict. */
    tagged: boolean;
    /** 3.11: the values pointer's own slot. */
    valuesOffset?: number;
    /** 3.13+: Py_TPFLAGS_INLINE_VALUES; the values follow the object at tp_basicsize. */
    inlineValuesFlag?: number;
    /** Offset of ht_cached_keys in PyHeapTypeObject (the shared keys of the values). */
    cachedKeys?: number;
  };
  /** dump --async: asyncio tasks and their coroutines; undefined where pyscope does not read them. */
  asyncio?: AsyncioBindings;
}

/**
 * What a suspended coroutine awaits (CPython's _PyGen_yf), read without running code:
 * - 'next-opcode' (3.8-3.10): the frame's next instruction is YIELD_FROM, and the awaited object is
 *   on top of its value stack (f_stacktop[-1], or f_valuestack[f_stackdepth - 1]);
 * - 'resume-oparg' (3.11, 3.12): a suspended frame whose next instruction (RESUME) has an oparg of
 *   2 or more resumes an await or yield from, awaiting localsplus[stacktop - 1];
 * - 'frame-state' (3.13+): gi_frame_state says FRAME_SUSPENDED_YIELD_FROM, and the object is on top
 *   of the stack (localsplus[stacktop - 1], or the tagged stackpointer[-1]).
 */
export type AwaitBindings =
  | {
      kind: 'next-opcode';
      lasti: number;
      lastiUnit: 1 | 2;
      code: number;
      coCode: number;
      bytesSval: number;
      stack: { kind: 'stacktop'; offset: number } | { kind: 'stackdepth'; valuestack: number; depth: number };
    }
  | { kind: 'resume-oparg'; frameState: number; suspended: number; finished: number; prevInstr: number; stacktop: number; localsplus: number }
  | {
      kind: 'frame-state';
      frameState: number;
      yieldFrom: number;
      finished: number;
      stack: { kind: 'stacktop'; stacktop: number; localsplus: number } | { kind: 'stackpointer'; offset: number; depth: number; tagged: boolean };
    };

export interface CoroutineBindings {
  /** The coroutine's frame: a PyFrameObject pointer (gi_frame, 3.8-3.10) or the frame inside it (gi_iframe, 3.11+). */
  frame: { kind: 'pointer' | 'inline'; offset: number };
  await: AwaitBindings;
  /** async_generator_asend.ags_gen: the async generator an `await agen.__anext__()` runs. */
  asendGen: number;
}

export type AsyncioBindings =
  | {
      /**
       * Before 3.14: tasks are found in asyncio.tasks' registries (WeakSet and set) and read with the
       * declared C TaskObj (a Future is its prefix); awaiters come from the done-callbacks.
       */
      via: 'registries';
      coroutine: CoroutineBindings;
      task: { size: number; loop: number; callback0: number; callbacks: number; state: number; futWaiter: number; coro: number; name: number };
      weakrefObject: number;
      cfunctionSelf: number;
      methodSelf: number;
      partialArgs: number;
      functionClosure: number;
      /** 3.8, 3.9: TaskWakeupMethWrapper.ww_task. */
      wakeupTask?: number;
      typeBase: number;
    }
  | {
      /**
       * 3.14+: the _asyncio module's .AsyncioDebug section gives the task's offsets, and each thread
       * state heads a list of its tasks; `section` holds the offsets of the section's own fields.
       */
      via: 'debug-section';
      coroutine: CoroutineBindings;
      sectionName: string;
      sectionSize: number;
      section: Record<string, number>;
      llistNext: number;
    };

export type FrameBindings =
  | {
      /** 2.7-3.10: PyFrameObject chained by f_back. */
      kind: 'frameobject';
      back: number;
      code: number;
      lasti: number;
      /** f_lasti counts bytes before 3.10 and code units from 3.10. */
      lastiUnit: 1 | 2;
      localsplus: number;
    }
  | {
      /** 3.11+: _PyInterpreterFrame chained by previous. */
      kind: 'interpreterframe';
      previous: number;
      code: number;
      instr: number;
      localsplus: number;
      owner: number;
      /** Owner values of frames that are not Python frames (C-stack shims). */
      skipOwners: number[];
      /** 3.11: _PyInterpreterFrame.is_entry, set on the first frame an evaluation call runs. */
      isEntry?: number;
      /** 3.14+: f_executable and localsplus slots are tagged _PyStackRef values. */
      taggedRefs: boolean;
    };

export type StringBindings =
  | {
      /** PEP 393 compact unicode (3.3+). */
      kind: 'pep393';
      length: number;
      state: number;
      asciiSize: number;
      compactSize: number;
      kindShift: number;
      compactBit: number;
      asciiBit: number;
    }
  | {
      /** 2.7: str is PyStringObject (bytes); unicode is a separate buffer. */
      kind: 'py2';
      strSize: number;
      strSval: number;
      unicodeLength: number;
      unicodeStr: number;
      unicodeWidth: 2 | 4;
    };

export type IntBindings =
  | { kind: 'ob_size'; size: number; digits: number; digitBits: 15 | 30; py2Int?: { value: number } }
  | { kind: 'lv_tag'; tag: number; digits: number; digitBits: 15 | 30 };

export type DictBindings =
  | { kind: 'table-2.7'; used: number; mask: number; table: number; entrySize: number; entryKey: number; entryValue: number }
  | {
      kind: 'split-keys';
      used: number;
      keys: number;
      values: number;
      /** 3.6-3.10: dk_size; 3.11+: dk_log2_size. */
      keysSize: { field: number; log2: boolean; width: number };
      keysNentries: number;
      keysIndices: number;
      /** 3.11+: dk_log2_index_bytes gives the indices' byte size; before, derived from dk_size. */
      keysLog2IndexBytes?: number;
      keysKind?: number;
      entrySize: number;
      entryKey: number;
      entryValue: number;
      unicodeEntrySize?: number;
      unicodeEntryKey?: number;
      unicodeEntryValue?: number;
      /** 3.13+: split-table values are a struct with a header before the array. */
      valuesArrayOffset: number;
    };
