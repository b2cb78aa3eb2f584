// THE table of what differs between CPython versions: one record of traits per supported minor
// version, looked up once when a target is opened. version-switch.ts turns a record into Bindings
// (plain data the model reads with), so this is the only module of the reading side that compares
// version numbers (test/architecture/layers.test.ts holds the rest to that). The C declarations a
// record names are data under versions/, each citing the CPython tag it was transcribed from.
import type { LineTableFormat } from './linetable.js';
import type { PythonVersion } from './discover/detect-version.js';
import { DEBUG_OFFSETS_3_13, DEBUG_OFFSETS_3_14, DEBUG_OFFSETS_3_15 } from './versions/debug-offsets.js';
import { HEAP_TYPE_PREFIX } from './versions/heap-type.js';
import { OBJECTS_3_13 } from './versions/objects-3_13.js';
import { OBJECTS_3_14 } from './versions/objects-3_14.js';
import { OBJECTS_3_15 } from './versions/objects-3_15.js';
import { ASYNCIO_3_10, ASYNCIO_3_11, ASYNCIO_3_13, ASYNCIO_3_14, ASYNCIO_3_8, ASYNCIO_3_9 } from './versions/asyncio.js';
import { V2_7 } from './versions/v2_7.js';
import { V3_6 } from './versions/v3_6.js';
import { V3_7 } from './versions/v3_7.js';
import { V3_8 } from './versions/v3_8.js';
import { V3_9 } from './versions/v3_9.js';
import { V3_10 } from './versions/v3_10.js';
import { V3_11 } from './versions/v3_11.js';
import { V3_12 } from './versions/v3_12.js';
import { V3_13 } from './versions/v3_13.js';
import { V3_14 } from './versions/v3_14.js';

export type FrameTraits =
  /** 2.7-3.10: PyFrameObject chained by f_back; f_lasti in bytes (1) or code units (2). */
  | { kind: 'frameobject'; lastiUnit: 1 | 2 }
  /**
   * 3.11+: _PyInterpreterFrame chained by previous, reached through tstate->cframe (3.11, 3.12)
   * or tstate->current_frame; owners of C-stack shim frames to skip; 3.14+ tags f_executable and
   * the locals as _PyStackRef.
   */
  | { kind: 'interpreterframe'; via: 'cframe' | 'current_frame'; skipOwners: readonly number[]; taggedRefs: boolean };

/**
 * `--native`: which C function's calls run Python frames, and how each call is matched with the
 * frames it ran (innermost first), so that the call can be shown as those frames.
 * - 'per-call' (2.7-3.10): each call of one of `functions` runs exactly one Python frame.
 * - 'entry-flag' (3.11): one call runs a chain of frames, the outermost of which has is_entry set;
 *   each call keeps a _PyCFrame as a local on the C stack, chained from tstate->cframe by previous.
 * - 'entry-frames' (3.12+): each call keeps an entry _PyInterpreterFrame as a local on the C stack
 *   (the frames of the skipped owners), which ends the chain of frames the call ran. The entry
 *   frame's address says which C frame is the call, with or without symbols (Debian's stripped
 *   builds) and whatever the compiler made of the loop (3.14's tail-calling handlers, .cold parts).
 * `functions` names the evaluation function as symbol tables show it, for counting calls where
 * no address is known.
 */
export interface NativeEvalTraits {
  kind: 'per-call' | 'entry-flag' | 'entry-frames';
  functions: readonly string[];
}

export interface VersionTraits {
  /** "3.12": the version whose record this is (a newer target may read with it). */
  key: string;
  /** The version's struct declarations, as transcribed (what test/layout holds against DWARF). */
  structs: string;
  /** Declarations laid out after `structs`: 3.11+ heap types; 3.13+ the objects _Py_DebugOffsets lacks. */
  extras: readonly string[];
  /** 3.13+: the declared layout of the _Py_DebugOffsets header the target publishes, which then gives most offsets. */
  debugOffsets?: { layout: string; declarations: string };
  /** How the first interpreter is found: the interp_head global, or _PyRuntime.interpreters.head. */
  interpreters: 'interp_head' | 'runtime';
  /**
   * Where the GIL's state is kept: only _PyThreadState_Current (2.7: the GIL is a bare semaphore),
   * static variables of ceval.c (3.6, named by `statics`), _PyRuntime.ceval.gil (3.7-3.11), or the
   * struct interp->ceval.gil points to (3.12+; 3.13+ through _Py_DebugOffsets).
   */
  gil: 'tstate-current' | 'statics' | 'runtime' | 'interpreter-pointer';
  /**
   * Where the collector's `collecting` flag is: a static of Modules/gcmodule.c (2.7, 3.6, named by
   * `statics`), _PyRuntime.gc (3.7, 3.8), or interp->gc (3.9+; 3.13+ through _Py_DebugOffsets).
   */
  gc: 'static' | 'runtime' | 'interpreter';
  /** File-local symbols (.symtab) of the GIL's and the collector's state, where `gil`/`gc` say statics. */
  statics?: { gilLocked?: string; gilLastHolder?: string; gcCollecting?: string };
  frames: FrameTraits;
  nativeEval: NativeEvalTraits;
  lineTable: LineTableFormat;
  /** 2.7: str is bytes, unicode a separate type; 3.x: PEP 393 compact strings. */
  strings: 'py2' | 'pep393';
  /** 2.7: int and long; before 3.12 longs sized by ob_size; 3.12+ by lv_tag. */
  ints: 'py2' | 'ob_size' | 'lv_tag';
  /** 2.7's open table; split keys (3.6+), whose split values have a header from 3.13. */
  dict: 'table-2.7' | 'split-keys' | 'split-keys-values-header';
  /**
   * 3.11+ (Include/internal/pycore_object.h): the managed dict pointer sits `dictWord` words
   * before the object; the values of an instance without one sit `valuesWord` words before it
   * (3.11; 3.12 shares the dict's word, tagged with bit 0) or inline after it (3.13+).
   */
  managedDict?: { dictWord: number; valuesWord?: number; tagged: boolean; inlineValues: boolean };
  /** repr() of an OrderedDict: `OrderedDict([(k, v)])` up to 3.11 (the default), `OrderedDict({k: v})` from 3.12. */
  orderedDictRepr?: 'pairs' | 'dict';
  /**
   * Before 3.13 a Py_TRACE_REFS build (implied by Py_DEBUG up to 3.7, --with-trace-refs after)
   * starts every object with two more pointers, _ob_next and _ob_prev, which the declarations do
   * not have; such a build defines this function (Objects/object.c), a build without it does not.
   * 3.13 keeps the traced objects in a hash table and PyObject as it is. Debian's debug builds
   * python3.11d and python3.14d are Py_DEBUG without Py_TRACE_REFS: laid out as the others.
   */
  traceRefsMarker?: string;
  /**
   * dump --async (versions/asyncio.ts): where tasks are found ('registries': asyncio.tasks' WeakSet
   * and set, read with the declared TaskObj; 'debug-section': the _asyncio module's .AsyncioDebug
   * offsets and the per-thread task lists, 3.14+), and how a suspended coroutine tells what it awaits
   * (bindings.ts AwaitBindings).
   */
  asyncio?: {
    tasks: 'registries' | 'debug-section';
    declarations: string;
    await: 'next-opcode' | 'resume-oparg' | 'frame-state';
    /**
     * 3.11+ (Include/internal/pycore_frame.h PyFrameState): the generator state of a frame suspended
     * where it awaits (FRAME_SUSPENDED of 3.11/3.12, whose RESUME then tells; FRAME_SUSPENDED_YIELD_FROM
     * from 3.13), and the first state of a finished one (FRAME_COMPLETED, or 3.15's FRAME_CLEARED).
     * `depth` (3.14+): how many stack slots below the frame's stackpointer the awaited object sits
     * (1; 3.15 keeps one more value above it while suspended in YIELD_FROM).
     */
    states?: { awaiting: number; finished: number; depth?: number };
  };
}

const FRAME_OBJECT: FrameTraits = { kind: 'frameobject', lastiUnit: 1 };
const TRACE_REFS = '_Py_PrintReferences';
const EVAL_DEFAULT = ['_PyEval_EvalFrameDefault'] as const;
const PER_CALL: NativeEvalTraits = { kind: 'per-call', functions: EVAL_DEFAULT };
const ENTRY_FRAMES: NativeEvalTraits = { kind: 'entry-frames', functions: EVAL_DEFAULT };
const OLD_RUNTIME = { traceRefsMarker: TRACE_REFS, interpreters: 'runtime', gil: 'runtime', gc: 'interpreter', frames: FRAME_OBJECT, nativeEval: PER_CALL, lineTable: 'lnotab', strings: 'pep393', ints: 'ob_size', dict: 'split-keys' } as const;
const NEW_OBJECTS = { nativeEval: ENTRY_FRAMES, interpreters: 'runtime', gil: 'interpreter-pointer', gc: 'interpreter', lineTable: 'locations', strings: 'pep393', ints: 'lv_tag', dict: 'split-keys-values-header', orderedDictRepr: 'dict' } as const;
const INLINE_VALUES = { dictWord: -3, tagged: false, inlineValues: true } as const;

/** Every supported version, oldest first. */
export const TRAITS: Readonly<Record<string, VersionTraits>> = {
  // Modules/gcmodule.c of v2.7.18: `static int collecting`.
  '2.7': { key: '2.7', structs: V2_7, extras: [], traceRefsMarker: TRACE_REFS, interpreters: 'interp_head', gil: 'tstate-current', gc: 'static', statics: { gcCollecting: 'collecting' }, frames: FRAME_OBJECT, nativeEval: { kind: 'per-call', functions: ['PyEval_EvalFrameEx'] }, lineTable: 'lnotab-unsigned', strings: 'py2', ints: 'py2', dict: 'table-2.7' },
  // Python/ceval_gil.h of v3.6.15: `static _Py_atomic_int gil_locked`, `static _Py_atomic_address
  // gil_last_holder`; Modules/gcmodule.c: `static int collecting`.
  '3.6': {
    key: '3.6',
    structs: V3_6,
    extras: [],
    ...OLD_RUNTIME,
    interpreters: 'interp_head',
    gil: 'statics',
    gc: 'static',
    statics: { gilLocked: 'gil_locked', gilLastHolder: 'gil_last_holder', gcCollecting: 'collecting' },
  },
  '3.7': { key: '3.7', structs: V3_7, extras: [], ...OLD_RUNTIME, gc: 'runtime' },
  '3.8': { key: '3.8', structs: V3_8, extras: [], ...OLD_RUNTIME, gc: 'runtime', asyncio: { tasks: 'registries', declarations: ASYNCIO_3_8, await: 'next-opcode' } },
  '3.9': { key: '3.9', structs: V3_9, extras: [], ...OLD_RUNTIME, asyncio: { tasks: 'registries', declarations: ASYNCIO_3_9, await: 'next-opcode' } },
  '3.10': {
    key: '3.10',
    structs: V3_10,
    extras: [],
    ...OLD_RUNTIME,
    frames: { kind: 'frameobject', lastiUnit: 2 },
    lineTable: 'linetable-3.10',
    asyncio: { tasks: 'registries', declarations: ASYNCIO_3_10, await: 'next-opcode' },
  },
  '3.11': {
    key: '3.11',
    structs: V3_11,
    extras: [HEAP_TYPE_PREFIX],
    ...OLD_RUNTIME,
    frames: { kind: 'interpreterframe', via: 'cframe', skipOwners: [], taggedRefs: false },
    nativeEval: { kind: 'entry-flag', functions: EVAL_DEFAULT },
    lineTable: 'locations',
    managedDict: { dictWord: -3, valuesWord: -4, tagged: false, inlineValues: false },
    asyncio: { tasks: 'registries', declarations: ASYNCIO_3_11, await: 'resume-oparg', states: { awaiting: -1, finished: 1 } },
  },
  '3.12': {
    key: '3.12',
    structs: V3_12,
    extras: [HEAP_TYPE_PREFIX],
    ...OLD_RUNTIME,
    gil: 'interpreter-pointer',
    // FRAME_OWNED_BY_CSTACK = 3 marks the shim frames of C calls into Python.
    frames: { kind: 'interpreterframe', via: 'cframe', skipOwners: [3], taggedRefs: false },
    nativeEval: ENTRY_FRAMES,
    lineTable: 'locations',
    ints: 'lv_tag',
    managedDict: { dictWord: -3, valuesWord: -3, tagged: true, inlineValues: false },
    orderedDictRepr: 'dict',
    asyncio: { tasks: 'registries', declarations: ASYNCIO_3_11, await: 'resume-oparg', states: { awaiting: -1, finished: 1 } },
  },
  '3.13': {
    key: '3.13',
    structs: V3_13,
    extras: [OBJECTS_3_13, HEAP_TYPE_PREFIX],
    debugOffsets: { layout: '3.13', declarations: DEBUG_OFFSETS_3_13 },
    ...NEW_OBJECTS,
    frames: { kind: 'interpreterframe', via: 'current_frame', skipOwners: [3], taggedRefs: false },
    managedDict: INLINE_VALUES,
    asyncio: { tasks: 'registries', declarations: ASYNCIO_3_13, await: 'frame-state', states: { awaiting: -1, finished: 1 } },
  },
  '3.14': {
    key: '3.14',
    structs: V3_14,
    extras: [OBJECTS_3_14, HEAP_TYPE_PREFIX],
    debugOffsets: { layout: '3.14', declarations: DEBUG_OFFSETS_3_14 },
    ...NEW_OBJECTS,
    // 3 is FRAME_OWNED_BY_INTERPRETER from 3.14, and 4 the C stack.
    frames: { kind: 'interpreterframe', via: 'current_frame', skipOwners: [3, 4], taggedRefs: true },
    managedDict: INLINE_VALUES,
    asyncio: { tasks: 'debug-section', declarations: ASYNCIO_3_14, await: 'frame-state', states: { awaiting: -1, finished: 1, depth: 1 } },
  },
  // 3.15's structs are 3.14's (v3_14.ts says so); its type object is not (objects-3_15.ts).
  '3.15': {
    key: '3.15',
    structs: V3_14,
    extras: [OBJECTS_3_15, HEAP_TYPE_PREFIX],
    debugOffsets: { layout: '3.15', declarations: DEBUG_OFFSETS_3_15 },
    ...NEW_OBJECTS,
    frames: { kind: 'interpreterframe', via: 'current_frame', skipOwners: [3, 4], taggedRefs: true },
    managedDict: INLINE_VALUES,
    // 3.15 renumbered PyFrameState: FRAME_SUSPENDED_YIELD_FROM is 2, FRAME_CLEARED (5) the only finished one.
    asyncio: { tasks: 'debug-section', declarations: ASYNCIO_3_14, await: 'frame-state', states: { awaiting: 2, finished: 5, depth: 2 } },
  },
};

const KEYS = Object.keys(TRAITS);
const NEWEST = TRAITS[KEYS[KEYS.length - 1]!]!;
const NEWEST_MINOR = Number(NEWEST.key.split('.')[1]);

/**
 * The traits to read `v` with, or undefined when pyscope does not read it. A 3.x newer than the
 * table reads with the newest record: its _Py_DebugOffsets describes most of its layout itself.
 */
export function traitsFor(v: PythonVersion): VersionTraits | undefined {
  const exact = TRAITS[`${v.major}.${v.minor}`];
  if (exact) return exact;
  return v.major === 3 && v.minor > NEWEST_MINOR ? NEWEST : undefined;
}

/** The debugger's agent runs on 3.8 and newer (`pyscope ps` says so of older ones before an attach). */
export function debuggerRunsOn(v: PythonVersion): boolean {
  return v.major === 3 && v.minor >= 8;
}
