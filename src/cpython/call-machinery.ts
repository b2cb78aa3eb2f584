// The interpreter's own call machinery: C functions of CPython that only pass a call on (from the
// evaluation loop to a callable, from a callable to the loop). `dump --native` hides them by
// default because they say nothing about where a thread is; `--native-all` shows them. Only frames
// of the interpreter's own ELF file are ever hidden: a frame of libc, libffi, an extension module
// or the program's own libraries is always shown, whatever its name.

const NAMES = new Set([
  // 2.7-3.10 call paths of ceval.c
  'call_function',
  'fast_function',
  'do_call',
  'do_call_core',
  'ext_do_call',
  'function_call',
  'function_code_fastcall',
  'instancemethod_call',
  'method_call',
  'slot_tp_call',
  'PyEval_EvalCodeEx',
  '_PyEval_EvalCodeWithName',
  '_PyEval_EvalCode',
  'PyEval_EvalFrameEx',
  'PyEval_EvalFrame',
  '_PyEval_EvalFrame',
  '_PyEval_Vector',
  'PyEval_CallObjectWithKeywords',
  'PyObject_Call',
  'PyObject_CallObject',
  'PyObject_CallFunctionObjArgs',
  'PyObject_CallOneArg',
  'PyObject_Vectorcall',
  'PyObject_VectorcallDict',
  'PyObject_VectorcallMethod',
  'PyVectorcall_Call',
  'PyCFunction_Call',
  'object_vacall',
  'vectorcall_method',
]);

/** Families named by prefix: the vectorcall and fastcall helpers and their specializations. */
const PREFIXES = [
  '_PyFunction_Vectorcall',
  '_PyFunction_FastCall',
  '_PyObject_Call',
  '_PyObject_FastCall',
  '_PyObject_Vectorcall',
  '_PyObject_MakeTpCall',
  '_PyVectorcall_Call',
  '_PyCFunction_FastCall',
  '_PyMethodDef_Raw',
  '_PyMethodDescr_FastCall',
  'method_vectorcall',
  'cfunction_call',
  'cfunction_vectorcall',
  'wrapperdescr_call',
  // 3.14's tail-calling interpreter: each bytecode's handler is a function of its own.
  '_TAIL_CALL_',
];

/** A symbol without the suffixes the compiler adds to the parts and copies of a function. */
export function plainSymbol(symbol: string): string {
  const dot = symbol.indexOf('.');
  return dot > 0 ? symbol.slice(0, dot) : symbol;
}

/** Whether a function of the interpreter's own file (by symbol) only passes a call on. */
export function isCallMachinery(symbol: string): boolean {
  const s = plainSymbol(symbol);
  return NAMES.has(s) || PREFIXES.some((p) => s.startsWith(p));
}
