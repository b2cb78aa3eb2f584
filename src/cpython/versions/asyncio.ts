/*
 * The asyncio objects `dump --async` reads, per CPython version: the C Task of Modules/_asynciomodule.c
 * (FutureObj_HEAD expanded, as DWARF shows it: a Future is the same prefix, so its fields are read
 * at the task_* offsets), and the few objects a task's done-callbacks are made of. Transcribed from
 * the tags named below; the field lists follow the DWARF of those releases (gdb ptype on a
 * --enable-shared build). Only C types, no offsets: the layout engine computes those. They are laid
 * out after the version's own structs (PyObject, _PyErr_StackItem...). Structs marked "truncated"
 * stop after the last field pyscope reads.
 *
 * 3.14+ need none of this: the _asyncio module exports its own offsets (_Py_AsyncioModuleDebugOffsets,
 * ASYNCIO_DEBUG_OFFSETS below) and the interpreter's _Py_DebugOffsets describes generators.
 */

/** Objects whose layout has not changed from 3.8 to 3.13 (Include/weakrefobject.h, Include/methodobject.h,
 * Include/classobject.h, Include/cellobject.h, Modules/_functoolsmodule.c, Objects/genobject.c). */
const CALLBACK_OBJECTS = `
typedef struct {
    PyObject ob_base;
    PyObject *wr_object;
    /* truncated: later fields unused */
} PyWeakReference;
typedef struct {
    PyObject ob_base;
    void *m_ml;
    PyObject *m_self;
    /* truncated: later fields unused */
} PyCFunctionObject;
typedef struct {
    PyObject ob_base;
    PyObject *im_func;
    PyObject *im_self;
    /* truncated: later fields unused */
} PyMethodObject;
typedef struct {
    PyObject ob_base;
    PyObject *fn;
    PyObject *args;
    /* truncated: later fields unused */
} partialobject;
typedef struct {
    PyObject ob_base;
    PyObject *ags_gen;
    /* truncated: later fields unused */
} PyAsyncGenASend;
`;

/** v3.8.18, v3.9.18: Include/funcobject.h. */
const FUNCTION_3_8 = `
typedef struct {
    PyObject ob_base;
    PyObject *func_code;
    PyObject *func_globals;
    PyObject *func_defaults;
    PyObject *func_kwdefaults;
    PyObject *func_closure;
    /* truncated: later fields unused */
} PyFunctionObject;
`;

/** v3.10.13 to v3.13.0: Include/cpython/funcobject.h (COMMON_FIELDS(func_)). */
const FUNCTION_3_10 = `
typedef struct {
    PyObject ob_base;
    PyObject *func_globals;
    PyObject *func_builtins;
    PyObject *func_name;
    PyObject *func_qualname;
    PyObject *func_code;
    PyObject *func_defaults;
    PyObject *func_kwdefaults;
    PyObject *func_closure;
    /* truncated: later fields unused */
} PyFunctionObject;
`;

/** v3.8.18: Modules/_asynciomodule.c (fut_state is an enum: int-sized). */
const TASK_3_8 = `
typedef struct {
    PyObject ob_base;
    PyObject *task_loop;
    PyObject *task_callback0;
    PyObject *task_context0;
    PyObject *task_callbacks;
    PyObject *task_exception;
    PyObject *task_result;
    PyObject *task_source_tb;
    int task_state;
    int task_log_tb;
    int task_blocking;
    PyObject *dict;
    PyObject *task_weakreflist;
    PyObject *task_fut_waiter;
    PyObject *task_coro;
    PyObject *task_name;
    PyObject *task_context;
    int task_must_cancel;
    int task_log_destroy_pending;
} TaskObj;
typedef struct {
    PyObject ob_base;
    TaskObj *ww_task;
} TaskWakeupMethWrapper;
`;

/** v3.9.18: Modules/_asynciomodule.c. */
const TASK_3_9 = `
typedef struct {
    PyObject ob_base;
    PyObject *task_loop;
    PyObject *task_callback0;
    PyObject *task_context0;
    PyObject *task_callbacks;
    PyObject *task_exception;
    PyObject *task_result;
    PyObject *task_source_tb;
    PyObject *task_cancel_msg;
    int task_state;
    int task_log_tb;
    int task_blocking;
    PyObject *dict;
    PyObject *task_weakreflist;
    _PyErr_StackItem task_cancelled_exc_state;
    PyObject *task_fut_waiter;
    PyObject *task_coro;
    PyObject *task_name;
    PyObject *task_context;
    int task_must_cancel;
    int task_log_destroy_pending;
} TaskObj;
typedef struct {
    PyObject ob_base;
    TaskObj *ww_task;
} TaskWakeupMethWrapper;
`;

/** v3.10.13: Modules/_asynciomodule.c (the task's wakeup is a bound PyCFunction from here on). */
const TASK_3_10 = `
typedef struct {
    PyObject ob_base;
    PyObject *task_loop;
    PyObject *task_callback0;
    PyObject *task_context0;
    PyObject *task_callbacks;
    PyObject *task_exception;
    PyObject *task_exception_tb;
    PyObject *task_result;
    PyObject *task_source_tb;
    PyObject *task_cancel_msg;
    int task_state;
    int task_log_tb;
    int task_blocking;
    PyObject *dict;
    PyObject *task_weakreflist;
    _PyErr_StackItem task_cancelled_exc_state;
    PyObject *task_fut_waiter;
    PyObject *task_coro;
    PyObject *task_name;
    PyObject *task_context;
    int task_must_cancel;
    int task_log_destroy_pending;
} TaskObj;
`;

/** v3.11.7 and v3.12.1: Modules/_asynciomodule.c. */
const TASK_3_11 = `
typedef struct {
    PyObject ob_base;
    PyObject *task_loop;
    PyObject *task_callback0;
    PyObject *task_context0;
    PyObject *task_callbacks;
    PyObject *task_exception;
    PyObject *task_exception_tb;
    PyObject *task_result;
    PyObject *task_source_tb;
    PyObject *task_cancel_msg;
    int task_state;
    int task_log_tb;
    int task_blocking;
    PyObject *dict;
    PyObject *task_weakreflist;
    PyObject *task_cancelled_exc;
    PyObject *task_fut_waiter;
    PyObject *task_coro;
    PyObject *task_name;
    PyObject *task_context;
    int task_must_cancel;
    int task_log_destroy_pending;
    int task_num_cancels_requested;
} TaskObj;
`;

/**
 * v3.13.0: Modules/_asynciomodule.c; and the generator and interpreter frame of
 * Include/internal/pycore_frame.h and Include/cpython/genobject.h, which 3.13's _Py_DebugOffsets
 * does not describe.
 */
const TASK_3_13 = `
typedef struct {
    PyObject ob_base;
    PyObject *task_loop;
    PyObject *task_callback0;
    PyObject *task_context0;
    PyObject *task_callbacks;
    PyObject *task_exception;
    PyObject *task_exception_tb;
    PyObject *task_result;
    PyObject *task_source_tb;
    PyObject *task_cancel_msg;
    PyObject *task_cancelled_exc;
    int task_state;
    unsigned int task_log_tb : 1;
    unsigned int task_blocking : 1;
    unsigned int task_must_cancel : 1;
    unsigned int task_log_destroy_pending : 1;
    int task_num_cancels_requested;
    PyObject *task_fut_waiter;
    PyObject *task_coro;
    PyObject *task_name;
    PyObject *task_context;
} TaskObj;
typedef struct {
    PyObject *exc_value;
    void *previous_item;
} _PyErr_StackItem;
typedef struct {
    PyObject ob_base;
    PyObject *gi_weakreflist;
    PyObject *gi_name;
    PyObject *gi_qualname;
    _PyErr_StackItem gi_exc_state;
    PyObject *gi_origin_or_finalizer;
    char gi_hooks_inited;
    char gi_closed;
    char gi_running_async;
    int8_t gi_frame_state;
    PyObject *gi_iframe[1];
} PyGenObject;
struct _PyInterpreterFrame {
    PyObject *f_executable;
    struct _PyInterpreterFrame *previous;
    PyObject *f_funcobj;
    PyObject *f_globals;
    PyObject *f_builtins;
    PyObject *f_locals;
    void *frame_obj;
    void *instr_ptr;
    int stacktop;
    uint16_t return_offset;
    char owner;
    PyObject *localsplus[1];
};
typedef struct _PyInterpreterFrame _PyInterpreterFrame;
`;

export const ASYNCIO_3_8 = TASK_3_8 + FUNCTION_3_8 + CALLBACK_OBJECTS;
export const ASYNCIO_3_9 = TASK_3_9 + FUNCTION_3_8 + CALLBACK_OBJECTS;
export const ASYNCIO_3_10 = TASK_3_10 + FUNCTION_3_10 + CALLBACK_OBJECTS;
export const ASYNCIO_3_11 = TASK_3_11 + FUNCTION_3_10 + CALLBACK_OBJECTS;
export const ASYNCIO_3_13 = TASK_3_13 + FUNCTION_3_10 + CALLBACK_OBJECTS;
/** 3.14+: the async generator's send object (Objects/genobject.c of v3.14.0, unchanged in 3.15). */
export const ASYNCIO_3_14 = `
typedef struct {
    PyObject ob_base;
    PyObject *ags_gen;
    /* truncated: later fields unused */
} PyAsyncGenASend;
`;

/**
 * Modules/_asynciomodule.c of v3.14.0 (the same in 3.15): the offsets the _asyncio module publishes
 * in its ELF section .AsyncioDebug (symbol _AsyncioDebug) for tools that read a process from outside.
 */
export const ASYNCIO_DEBUG_OFFSETS = `
typedef struct {
    struct {
        uint64_t size;
        uint64_t task_name;
        uint64_t task_awaited_by;
        uint64_t task_is_task;
        uint64_t task_awaited_by_is_set;
        uint64_t task_coro;
        uint64_t task_node;
    } asyncio_task_object;
    struct {
        uint64_t size;
        uint64_t asyncio_tasks_head;
    } asyncio_interpreter_state;
    struct {
        uint64_t size;
        uint64_t asyncio_running_loop;
        uint64_t asyncio_running_task;
        uint64_t asyncio_tasks_head;
    } asyncio_thread_state;
} Py_AsyncioModuleDebugOffsets;
`;
