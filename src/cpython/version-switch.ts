// Turns a version's traits (version-traits.ts, the one table that decides per version) into
// Bindings, plain data the model reads with: from the version's declarations laid out here
// (2.7, 3.6-3.12), or from the target's own _Py_DebugOffsets plus the few declared structs that
// table lacks (3.13+). Nothing here compares version numbers: every difference is a trait.
import { ExitCode, PyscopeError } from '../common/errors.js';
import type { Declarations, StructLayout } from '../layout/index.js';
import { asyncioSectionSet, asyncioSet, laidOut, versionSet } from './declaration-sets.js';
import type { MemorySource } from '../memory/source.js';
import type { AsyncioBindings, Bindings, CoroutineBindings, DictBindings, FrameBindings, IntBindings, StringBindings } from './bindings.js';
import { DEBUG_COOKIE, formatVersion, type PythonVersion } from './discover/detect-version.js';
import { readDebugOffsets, type DebugOffsets } from './debug-offsets.js';
import { TRAITS, traitsFor, type VersionTraits } from './version-traits.js';
import { X86_64_ABI, type TargetAbi } from './discover/target-abi.js';

export interface BindingsSource {
  /** "declarations v3.12" or "_Py_DebugOffsets in the target (v3.14)". */
  describe: string;
  debugOffsets?: DebugOffsets;
}

export function bindingsFor(
  version: PythonVersion,
  memory: MemorySource,
  runtimeAddress: number | undefined,
  hasSymbol: (name: string) => boolean = () => false,
  /** The address in the target of a data symbol of the interpreter's file (statics of 2.7, 3.6). */
  symbolAddress: (name: string) => number | undefined = () => undefined,
  abi: TargetAbi = X86_64_ABI,
): { bindings: Bindings; source: BindingsSource } {
  const traits = traitsFor(version);
  if (!traits) {
    throw new PyscopeError(`Python ${formatVersion(version)} is not supported (pyscope reads 2.7 and 3.6 or newer)`, ExitCode.unsupportedVersion);
  }
  if (traits.traceRefsMarker !== undefined && hasSymbol(traits.traceRefsMarker)) {
    throw new PyscopeError(
      `Python ${formatVersion(version)} is a Py_TRACE_REFS build (it defines ${traits.traceRefsMarker}): every object starts with _ob_next and _ob_prev, which pyscope does not lay out yet`,
      ExitCode.unsupportedVersion,
    );
  }
  if (traits.debugOffsets) {
    if (runtimeAddress === undefined) {
      throw new PyscopeError(`Python ${formatVersion(version)}: no _PyRuntime symbol, so no _Py_DebugOffsets to read`, ExitCode.unsupportedVersion);
    }
    const debug = readDebugOffsets(memory, runtimeAddress, version, traits.debugOffsets, abi.layout);
    return {
      bindings: fromDebugOffsets(version, traits, debug, declarationsFor(traits.key, abi), abi),
      source: { describe: `_Py_DebugOffsets read from the target (layout ${debug.layoutVersion}, cookie "${DEBUG_COOKIE}")`, debugOffsets: debug },
    };
  }
  return { bindings: fromDeclarations(version, traits, declarationsFor(traits.key, abi), hasSymbol, symbolAddress, abi), source: { describe: `declarations for CPython ${traits.key} (src/cpython/versions)` } };
}

/** A version's declarations laid out for a target's ABI (LP64 unless said): its structs, then its extras. */
export function declarationsFor(key: string, abi: TargetAbi = X86_64_ABI): Declarations {
  const traits = TRAITS[key];
  if (traits === undefined) throw new PyscopeError(`no struct declarations for Python ${key}`, ExitCode.unsupportedVersion);
  return laidOut(versionSet(traits, abi.layout));
}

function opt(s: StructLayout, path: string): number | undefined {
  return s.has(path) ? s.offset(path) : undefined;
}

/** The first of several spellings of a member (2.7 headers expand PyObject_VAR_HEAD in place). */
function first(s: StructLayout, ...paths: string[]): number {
  for (const p of paths) if (s.has(p)) return s.offset(p);
  return s.offset(paths[0]!);
}

function fromDeclarations(
  version: PythonVersion,
  traits: VersionTraits,
  d: Declarations,
  hasSymbol: (name: string) => boolean,
  symbolAddress: (name: string) => number | undefined,
  abi: TargetAbi,
): Bindings {
  const interp = d.struct('PyInterpreterState');
  const ts = d.struct('PyThreadState');
  const code = d.struct('PyCodeObject');
  const type = d.struct('PyTypeObject');
  const py2 = traits.strings === 'py2';

  let frame: FrameBindings;
  let tsFrame: Bindings['tstate']['frame'];
  const ft = traits.frames;
  if (ft.kind === 'interpreterframe') {
    const f = d.struct('_PyInterpreterFrame');
    frame = {
      kind: 'interpreterframe',
      previous: f.offset('previous'),
      code: f.offset('f_code'),
      instr: f.offset('prev_instr'),
      localsplus: f.offset('localsplus'),
      owner: f.offset('owner'),
      skipOwners: [...ft.skipOwners],
      taggedRefs: ft.taggedRefs,
      ...(f.has('is_entry') ? { isEntry: f.offset('is_entry') } : {}),
    };
    const cf = d.struct('_PyCFrame');
    tsFrame = { kind: 'cframe', cframe: ts.offset('cframe'), currentFrame: cf.offset('current_frame'), cframePrevious: cf.offset('previous') };
  } else {
    const f = d.struct('PyFrameObject');
    frame = { kind: 'frameobject', back: f.offset('f_back'), code: f.offset('f_code'), lasti: f.offset('f_lasti'), lastiUnit: ft.lastiUnit, localsplus: f.offset('f_localsplus') };
    tsFrame = { kind: 'direct', offset: ts.offset('frame') };
  }

  const statics = traits.statics ?? {};
  const staticAddress = (name: string | undefined) => (name === undefined ? undefined : symbolAddress(name));
  let gil: Bindings['gil'];
  if (traits.gil === 'tstate-current') gil = { via: 'tstate-current' };
  else if (traits.gil === 'statics') {
    const locked = staticAddress(statics.gilLocked);
    const holder = staticAddress(statics.gilLastHolder);
    // A file stripped of .symtab has no statics: the GIL is then read through the current thread state.
    gil = locked !== undefined && holder !== undefined ? { via: 'statics', lockedAddress: locked, holderAddress: holder } : { via: 'tstate-current' };
  } else if (traits.gil === 'runtime') {
    const rt = d.struct('_PyRuntimeState');
    gil = { via: 'runtime', lockedOffset: rt.offset('ceval.gil.locked'), holderOffset: rt.offset('ceval.gil.last_holder') };
  } else {
    const g = d.struct('_gil_runtime_state');
    gil = { via: 'interpreter-pointer', pointerOffset: interp.offset('ceval.gil'), lockedOffset: g.offset('locked'), holderOffset: g.offset('last_holder') };
  }
  let gc: Bindings['gc'];
  if (traits.gc === 'static') {
    const address = staticAddress(statics.gcCollecting);
    gc = address !== undefined ? { via: 'address', address } : undefined;
  } else if (traits.gc === 'runtime') gc = { via: 'runtime', offset: d.struct('_PyRuntimeState').offset('gc.collecting') };
  else gc = { via: 'interpreter', offset: interp.offset('gc.collecting') };

  const obj = d.struct('PyObject');
  const strings: StringBindings = py2
    ? {
        kind: 'py2',
        strSize: first(d.struct('PyStringObject'), 'ob_size', 'ob_base.ob_size'),
        strSval: d.struct('PyStringObject').offset('ob_sval'),
        unicodeLength: d.struct('PyUnicodeObject').offset('length'),
        unicodeStr: d.struct('PyUnicodeObject').offset('str'),
        // Py_UNICODE's width is a build option (--enable-unicode=ucs2|ucs4); the exported API
        // names say which: PyUnicodeUCS2_* or PyUnicodeUCS4_*.
        unicodeWidth: hasSymbol('PyUnicodeUCS2_FromString') ? 2 : 4,
      }
    : pep393(d);

  const ints: IntBindings =
    traits.ints === 'lv_tag'
      ? { kind: 'lv_tag', tag: d.struct('PyLongObject').offset('long_value.lv_tag'), digits: d.struct('PyLongObject').offset('long_value.ob_digit'), digitBits: 30 }
      : {
          kind: 'ob_size',
          size: d.struct('PyVarObject').offset('ob_size'),
          digits: d.struct('PyLongObject').offset('ob_digit'),
          digitBits: d.sizeof('digit') === 2 ? 15 : 30,
          py2Int: traits.ints === 'py2' ? { value: d.struct('PyIntObject').offset('ob_ival') } : undefined,
        };

  let dict: DictBindings;
  if (traits.dict === 'table-2.7') {
    const o = d.struct('PyDictObject');
    const e = d.struct('PyDictEntry');
    dict = { kind: 'table-2.7', used: o.offset('ma_used'), mask: o.offset('ma_mask'), table: o.offset('ma_table'), entrySize: e.size, entryKey: e.offset('me_key'), entryValue: e.offset('me_value') };
  } else dict = splitDict(d, traits);

  const set = d.has('PySetObject') ? setBindings(d) : undefined;
  const m = traits.managedDict;
  const managed = m
    ? {
        flag: Py_TPFLAGS_MANAGED_DICT,
        offset: m.dictWord * abi.pointerSize,
        tagged: m.tagged,
        valuesOffset: m.valuesWord !== undefined ? m.valuesWord * abi.pointerSize : undefined,
        cachedKeys: d.has('PyHeapTypeObject') ? d.struct('PyHeapTypeObject').offset('ht_cached_keys') : undefined,
      }
    : undefined;
  const lnotab = traits.lineTable === 'lnotab' || traits.lineTable === 'lnotab-unsigned';

  return {
    version,
    orderedDictRepr: traits.orderedDictRepr ?? 'pairs',
    pointerSize: abi.pointerSize,
    interpreters: traits.interpreters === 'interp_head' ? { via: 'interp_head' } : { via: 'runtime', headOffset: d.struct('_PyRuntimeState').offset('interpreters.head') },
    gil,
    gc,
    interp: {
      next: interp.offset('next'),
      id: opt(interp, 'id'),
      threadsHead: first(interp, 'threads.head', 'tstate_head'),
      modules: interp.has('imports.modules') ? interp.offset('imports.modules') : opt(interp, 'modules'),
    },
    tstate: {
      prev: opt(ts, 'prev'),
      next: ts.offset('next'),
      interp: ts.offset('interp'),
      threadId: ts.offset('thread_id'),
      nativeThreadId: opt(ts, 'native_thread_id'),
      frame: tsFrame,
    },
    frame,
    code: {
      argcount: code.offset('co_argcount'),
      posonlyargcount: opt(code, 'co_posonlyargcount'),
      kwonlyargcount: opt(code, 'co_kwonlyargcount'),
      flags: opt(code, 'co_flags'),
      firstlineno: code.offset('co_firstlineno'),
      filename: code.offset('co_filename'),
      name: code.offset('co_name'),
      qualname: opt(code, 'co_qualname'),
      lineTable: code.offset(lnotab ? 'co_lnotab' : 'co_linetable'),
      lineTableFormat: traits.lineTable,
      varnames: opt(code, 'co_varnames'),
      cellvars: opt(code, 'co_cellvars'),
      freevars: opt(code, 'co_freevars'),
      nlocals: opt(code, 'co_nlocals'),
      localsplusnames: opt(code, 'co_localsplusnames'),
      localspluskinds: opt(code, 'co_localspluskinds'),
      codeAdaptive: opt(code, 'co_code_adaptive'),
    },
    object: { type: obj.offset('ob_type'), size: obj.size },
    varobject: { size: d.struct('PyVarObject').offset('ob_size') },
    type: { name: type.offset('tp_name'), flags: type.offset('tp_flags'), basicsize: type.offset('tp_basicsize'), dictoffset: type.offset('tp_dictoffset') },
    strings,
    bytes: py2 ? undefined : { size: d.struct('PyVarObject').offset('ob_size'), sval: d.struct('PyBytesObject').offset('ob_sval') },
    ints,
    float: { value: d.struct('PyFloatObject').offset('ob_fval') },
    tuple: { size: d.struct('PyVarObject').offset('ob_size'), items: d.struct('PyTupleObject').offset('ob_item') },
    list: { size: d.struct('PyVarObject').offset('ob_size'), items: d.struct('PyListObject').offset('ob_item') },
    dict,
    set,
    cell: { ref: obj.size },
    module: { dict: obj.size },
    managedDict: managed,
    asyncio: asyncioBindings(traits, d, abi),
  };
}


/** The version's asyncio declarations (versions/asyncio.ts), laid out after its own structs. */
function asyncioDeclarations(traits: VersionTraits, abi: TargetAbi): Declarations | undefined {
  const set = asyncioSet(traits, abi.layout);
  return set && laidOut(set);
}

/** dump --async before 3.14: the declared generator, frame, C task and callback objects. */
function asyncioBindings(traits: VersionTraits, d: Declarations, abi: TargetAbi): AsyncioBindings | undefined {
  const a = asyncioDeclarations(traits, abi);
  if (!a || !traits.asyncio) return undefined;
  const gen = a.struct('PyGenObject');
  let coroutine: CoroutineBindings;
  if (traits.asyncio.await === 'next-opcode') {
    const f = a.struct('PyFrameObject');
    const lastiUnit = traits.frames.kind === 'frameobject' ? traits.frames.lastiUnit : 1;
    coroutine = {
      frame: { kind: 'pointer', offset: gen.offset('gi_frame') },
      await: {
        kind: 'next-opcode',
        lasti: f.offset('f_lasti'),
        lastiUnit,
        code: f.offset('f_code'),
        coCode: d.struct('PyCodeObject').offset('co_code'),
        bytesSval: d.struct('PyBytesObject').offset('ob_sval'),
        stack: f.has('f_stacktop') ? { kind: 'stacktop', offset: f.offset('f_stacktop') } : { kind: 'stackdepth', valuestack: f.offset('f_valuestack'), depth: f.offset('f_stackdepth') },
      },
      asendGen: a.struct('PyAsyncGenASend').offset('ags_gen'),
    };
  } else {
    const f = a.struct('_PyInterpreterFrame');
    const states = traits.asyncio.states ?? { awaiting: -1, finished: 1 };
    const stacktop = f.offset('stacktop');
    const localsplus = f.offset('localsplus');
    coroutine = {
      frame: { kind: 'inline', offset: gen.offset('gi_iframe') },
      await:
        traits.asyncio.await === 'resume-oparg'
          ? { kind: 'resume-oparg', frameState: gen.offset('gi_frame_state'), suspended: states.awaiting, finished: states.finished, prevInstr: f.offset('prev_instr'), stacktop, localsplus }
          : { kind: 'frame-state', frameState: gen.offset('gi_frame_state'), yieldFrom: states.awaiting, finished: states.finished, stack: { kind: 'stacktop', stacktop, localsplus } },
      asendGen: a.struct('PyAsyncGenASend').offset('ags_gen'),
    };
  }
  const task = a.struct('TaskObj');
  return {
    via: 'registries',
    coroutine,
    task: {
      size: task.size,
      loop: task.offset('task_loop'),
      callback0: task.offset('task_callback0'),
      callbacks: task.offset('task_callbacks'),
      state: task.offset('task_state'),
      futWaiter: task.offset('task_fut_waiter'),
      coro: task.offset('task_coro'),
      name: task.offset('task_name'),
    },
    weakrefObject: a.struct('PyWeakReference').offset('wr_object'),
    cfunctionSelf: a.struct('PyCFunctionObject').offset('m_self'),
    methodSelf: a.struct('PyMethodObject').offset('im_self'),
    partialArgs: a.struct('partialobject').offset('args'),
    functionClosure: a.struct('PyFunctionObject').offset('func_closure'),
    wakeupTask: a.has('TaskWakeupMethWrapper') ? a.struct('TaskWakeupMethWrapper').offset('ww_task') : undefined,
    typeBase: d.struct('PyTypeObject').offset('tp_base'),
  };
}

/** dump --async from 3.14: generators from _Py_DebugOffsets, tasks from the _asyncio module's own section. */
function debugSectionAsyncio(traits: VersionTraits, o: DebugOffsets, abi: TargetAbi): AsyncioBindings | undefined {
  const a = asyncioDeclarations(traits, abi);
  const states = traits.asyncio?.states;
  if (!a || !states || !o.has('gen_object.gi_iframe') || !o.has('interpreter_frame.stackpointer')) return undefined;
  const section = laidOut(asyncioSectionSet(abi.layout)).struct('Py_AsyncioModuleDebugOffsets');
  const fields = section.paths().filter((p) => p.split('.').length === 2);
  return {
    via: 'debug-section',
    coroutine: {
      frame: { kind: 'inline', offset: o.get('gen_object.gi_iframe') },
      await: {
        kind: 'frame-state',
        frameState: o.get('gen_object.gi_frame_state'),
        yieldFrom: states.awaiting,
        finished: states.finished,
        stack: { kind: 'stackpointer', offset: o.get('interpreter_frame.stackpointer'), depth: states.depth ?? 1, tagged: traits.frames.kind === 'interpreterframe' && traits.frames.taggedRefs } },
      asendGen: a.struct('PyAsyncGenASend').offset('ags_gen'),
    },
    sectionName: '.AsyncioDebug',
    sectionSize: section.size,
    section: Object.fromEntries(fields.map((p) => [p, section.offset(p)])),
    llistNext: o.get('llist_node.next'),
  };
}

/** Include/object.h: the type keeps its instances' __dict__ before them (3.11+). */
const Py_TPFLAGS_MANAGED_DICT = 1 << 4;
/** Include/object.h: the instances' attribute values follow them (3.13+). */
const Py_TPFLAGS_INLINE_VALUES = 1 << 2;

type Pep393Bindings = Extract<StringBindings, { kind: 'pep393' }>;

function pep393(d: Declarations): Pep393Bindings {
  const a = d.struct('PyASCIIObject');
  const kind = a.field('state.kind');
  const compact = a.field('state.compact');
  const ascii = a.field('state.ascii');
  const stateOffset = a.offset('state');
  const bit = (f: { offset: number; bitOffset?: number }) => (f.offset - stateOffset) * 8 + (f.bitOffset ?? 0);
  return {
    kind: 'pep393',
    length: a.offset('length'),
    state: stateOffset,
    asciiSize: a.size,
    compactSize: d.struct('PyCompactUnicodeObject').size,
    kindShift: bit(kind),
    compactBit: bit(compact),
    asciiBit: bit(ascii),
  };
}

type SplitDictBindings = Extract<DictBindings, { kind: 'split-keys' }>;

function splitDict(d: Declarations, traits: VersionTraits): SplitDictBindings {
  const o = d.struct('PyDictObject');
  const k = d.struct('PyDictKeysObject');
  const e = d.struct('PyDictKeyEntry');
  const u = d.has('PyDictUnicodeEntry') ? d.struct('PyDictUnicodeEntry') : undefined;
  const log2 = k.has('dk_log2_size');
  const sizeField = k.field(log2 ? 'dk_log2_size' : 'dk_size');
  return {
    kind: 'split-keys',
    used: o.offset('ma_used'),
    keys: o.offset('ma_keys'),
    values: o.offset('ma_values'),
    keysSize: { field: sizeField.offset, log2, width: sizeField.size },
    keysNentries: k.offset('dk_nentries'),
    keysIndices: k.offset('dk_indices'),
    keysLog2IndexBytes: opt(k, 'dk_log2_index_bytes'),
    keysKind: opt(k, 'dk_kind'),
    entrySize: e.size,
    entryKey: e.offset('me_key'),
    entryValue: e.offset('me_value'),
    unicodeEntrySize: u?.size,
    unicodeEntryKey: u ? u.offset('me_key') : undefined,
    unicodeEntryValue: u ? u.offset('me_value') : undefined,
    // 3.13 made ma_values a PyDictValues with a header; before it points at the array itself.
    valuesArrayOffset: traits.dict === 'split-keys-values-header' ? d.struct('PyDictValues').offset('values') : 0,
  };
}

function setBindings(d: Declarations): Bindings['set'] {
  const s = d.struct('PySetObject');
  const e = d.struct('setentry');
  return { used: s.offset('used'), mask: s.offset('mask'), table: s.offset('table'), entrySize: e.size, entryKey: e.offset('key') };
}

function fromDebugOffsets(version: PythonVersion, traits: VersionTraits, o: DebugOffsets, extras: Declarations, abi: TargetAbi): Bindings {
  const f = (path: string): number => o.get(path);
  const has = (path: string) => o.has(path);
  const ft = traits.frames;
  if (ft.kind !== 'interpreterframe') throw new PyscopeError(`CPython ${traits.key}: _Py_DebugOffsets describes interpreter frames only`, ExitCode.unsupportedVersion);
  const m = traits.managedDict;
  const dictExtras = splitDict(extras, traits);
  const declared = pep393(extras);
  // The table gives the GIL fields inside the interpreter's own _gil; a subinterpreter that shares
  // the main GIL leaves its own unused, so the GIL is read where interp->ceval.gil points, at the
  // fields' offsets from the start of _gil.
  const gilFields = ['ceval_gil', 'gil_runtime_state', 'gil_runtime_state_locked', 'gil_runtime_state_holder'].map((n) => `interpreter_state.${n}`);
  const gilBase = gilFields.every(has) ? f('interpreter_state.gil_runtime_state') : undefined;
  const gil: Bindings['gil'] =
    gilBase !== undefined && traits.gil === 'interpreter-pointer'
      ? {
          via: 'interpreter-pointer',
          pointerOffset: f('interpreter_state.ceval_gil'),
          lockedOffset: f('interpreter_state.gil_runtime_state_locked') - gilBase,
          holderOffset: f('interpreter_state.gil_runtime_state_holder') - gilBase,
        }
      : undefined;
  const gc: Bindings['gc'] = traits.gc === 'interpreter' && has('interpreter_state.gc') && has('gc.collecting') ? { via: 'interpreter', offset: f('interpreter_state.gc') + f('gc.collecting') } : undefined;
  return {
    version,
    orderedDictRepr: traits.orderedDictRepr ?? 'pairs',
    pointerSize: abi.pointerSize,
    interpreters: { via: 'runtime', headOffset: f('runtime_state.interpreters_head') },
    gil,
    gc,
    interp: {
      next: f('interpreter_state.next'),
      id: has('interpreter_state.id') ? f('interpreter_state.id') : undefined,
      threadsHead: f('interpreter_state.threads_head'),
      modules: has('interpreter_state.imports_modules') ? f('interpreter_state.imports_modules') : undefined,
    },
    tstate: {
      prev: f('thread_state.prev'),
      next: f('thread_state.next'),
      interp: f('thread_state.interp'),
      threadId: f('thread_state.thread_id'),
      nativeThreadId: f('thread_state.native_thread_id'),
      holdsGil: has('thread_state.holds_gil') ? f('thread_state.holds_gil') : undefined,
      gilRequested: has('thread_state.gil_requested') ? f('thread_state.gil_requested') : undefined,
      frame: { kind: 'direct', offset: f('thread_state.current_frame') },
    },
    frame: {
      kind: 'interpreterframe',
      previous: f('interpreter_frame.previous'),
      code: f('interpreter_frame.executable'),
      instr: f('interpreter_frame.instr_ptr'),
      localsplus: f('interpreter_frame.localsplus'),
      owner: f('interpreter_frame.owner'),
      skipOwners: [...ft.skipOwners],
      taggedRefs: ft.taggedRefs,
    },
    code: {
      argcount: f('code_object.argcount'),
      ...codeCounts(extras, f('code_object.argcount')),
      firstlineno: f('code_object.firstlineno'),
      filename: f('code_object.filename'),
      name: f('code_object.name'),
      qualname: f('code_object.qualname'),
      lineTable: f('code_object.linetable'),
      lineTableFormat: traits.lineTable,
      localsplusnames: f('code_object.localsplusnames'),
      localspluskinds: f('code_object.localspluskinds'),
      codeAdaptive: f('code_object.co_code_adaptive'),
    },
    object: { type: f('pyobject.ob_type'), size: f('pyobject.size') },
    varobject: { size: f('list_object.ob_size') },
    type: {
      name: f('type_object.tp_name'),
      flags: f('type_object.tp_flags'),
      // Not in _Py_DebugOffsets: stable since 2.x in the PyTypeObject prefix.
      basicsize: extras.struct('PyTypeObject').offset('tp_basicsize'),
      dictoffset: extras.struct('PyTypeObject').offset('tp_dictoffset'),
    },
    strings: {
      kind: 'pep393',
      length: f('unicode_object.length'),
      state: f('unicode_object.state'),
      asciiSize: f('unicode_object.asciiobject_size'),
      compactSize: extras.struct('PyCompactUnicodeObject').size,
      // The state bits are not in _Py_DebugOffsets: take them from the declared PyASCIIObject.
      kindShift: declared.kindShift,
      compactBit: declared.compactBit,
      asciiBit: declared.asciiBit,
    },
    bytes: { size: f('bytes_object.ob_size'), sval: f('bytes_object.ob_sval') },
    ints: { kind: 'lv_tag', tag: f('long_object.lv_tag'), digits: f('long_object.ob_digit'), digitBits: 30 },
    float: { value: f('float_object.ob_fval') },
    tuple: { size: f('tuple_object.ob_size'), items: f('tuple_object.ob_item') },
    list: { size: f('list_object.ob_size'), items: f('list_object.ob_item') },
    dict: { ...dictExtras, keys: f('dict_object.ma_keys'), values: f('dict_object.ma_values') },
    set: setBindings(extras),
    cell: { ref: f('pyobject.size') },
    module: { dict: f('pyobject.size') },
    managedDict: m && {
      flag: Py_TPFLAGS_MANAGED_DICT,
      offset: m.dictWord * abi.pointerSize,
      tagged: m.tagged,
      inlineValuesFlag: m.inlineValues ? Py_TPFLAGS_INLINE_VALUES : undefined,
      cachedKeys: extras.has('PyHeapTypeObject') ? extras.struct('PyHeapTypeObject').offset('ht_cached_keys') : undefined,
    },
    asyncio: traits.asyncio?.tasks === 'debug-section' ? debugSectionAsyncio(traits, o, abi) : traits.asyncio ? asyncioBindings(traits, extras, abi) : undefined,
  };
}

/**
 * co_flags and the keyword/positional-only counts are not in _Py_DebugOffsets. They are taken from
 * the declared code-object prefix only where its co_argcount agrees with the target's own offset.
 */
function codeCounts(extras: Declarations, argcount: number): { flags?: number; kwonlyargcount?: number; posonlyargcount?: number } {
  if (!extras.has('PyCodeObject')) return {};
  const c = extras.struct('PyCodeObject');
  if (c.offset('co_argcount') !== argcount) return {};
  return { flags: c.offset('co_flags'), kwonlyargcount: c.offset('co_kwonlyargcount'), posonlyargcount: c.offset('co_posonlyargcount') };
}
