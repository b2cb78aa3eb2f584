/*
 * CPython v3.11.7 struct declarations, transcribed from
 * Include/cpython/bytesobject.h, Include/cpython/code.h, Include/cpython/dictobject.h,
 * Include/cpython/floatobject.h, Include/cpython/genobject.h, Include/cpython/listobject.h,
 * Include/cpython/longintrepr.h, Include/cpython/object.h, Include/cpython/pystate.h,
 * Include/cpython/pythread.h, Include/cpython/setobject.h, Include/cpython/tupleobject.h,
 * Include/cpython/unicodeobject.h, Include/internal/pycore_atomic.h, Include/internal/pycore_dict.h,
 * Include/internal/pycore_frame.h, Include/internal/pycore_gc.h, Include/internal/pycore_gil.h,
 * Include/internal/pycore_interp.h, Include/internal/pycore_runtime.h, Include/object.h,
 * Include/pytypedefs.h
 * Only C types, no offsets: the layout engine computes those per ABI.
 * Field lists and types follow the headers of this exact release as its DWARF describes them
 * (gdb ptype on a --enable-shared build); test/layout/dwarf.test.ts checks every field's offset.
 * Structs marked "truncated" stop after the last field pyscope reads; everything before it is exact.
 */
export const V3_11 = `
struct _object {
    Py_ssize_t ob_refcnt;
    PyTypeObject *ob_type;
};
typedef struct _object PyObject;

typedef struct {
    PyObject ob_base;
    Py_ssize_t ob_size;
} PyVarObject;

typedef void (*destructor)(PyObject *);
typedef PyObject *(*getattrfunc)(PyObject *, char *);
typedef int (*setattrfunc)(PyObject *, char *, PyObject *);
typedef PyObject *(*reprfunc)(PyObject *);
typedef Py_hash_t (*hashfunc)(PyObject *);
typedef PyObject *(*ternaryfunc)(PyObject *, PyObject *, PyObject *);
typedef PyObject *(*getattrofunc)(PyObject *, PyObject *);
typedef int (*setattrofunc)(PyObject *, PyObject *, PyObject *);
typedef int (*traverseproc)(PyObject *, visitproc, void *);
typedef int (*inquiry)(PyObject *);
typedef PyObject *(*richcmpfunc)(PyObject *, PyObject *, int);
typedef PyObject *(*getiterfunc)(PyObject *);
typedef PyObject *(*iternextfunc)(PyObject *);
typedef PyObject *(*descrgetfunc)(PyObject *, PyObject *, PyObject *);
typedef int (*descrsetfunc)(PyObject *, PyObject *, PyObject *);
struct _typeobject {
    PyVarObject ob_base;
    const char *tp_name;
    Py_ssize_t tp_basicsize;
    Py_ssize_t tp_itemsize;
    destructor tp_dealloc;
    Py_ssize_t tp_vectorcall_offset;
    getattrfunc tp_getattr;
    setattrfunc tp_setattr;
    PyAsyncMethods *tp_as_async;
    reprfunc tp_repr;
    PyNumberMethods *tp_as_number;
    PySequenceMethods *tp_as_sequence;
    PyMappingMethods *tp_as_mapping;
    hashfunc tp_hash;
    ternaryfunc tp_call;
    reprfunc tp_str;
    getattrofunc tp_getattro;
    setattrofunc tp_setattro;
    PyBufferProcs *tp_as_buffer;
    unsigned long tp_flags;
    const char *tp_doc;
    traverseproc tp_traverse;
    inquiry tp_clear;
    richcmpfunc tp_richcompare;
    Py_ssize_t tp_weaklistoffset;
    getiterfunc tp_iter;
    iternextfunc tp_iternext;
    PyMethodDef *tp_methods;
    PyMemberDef *tp_members;
    PyGetSetDef *tp_getset;
    PyTypeObject *tp_base;
    PyObject *tp_dict;
    descrgetfunc tp_descr_get;
    descrsetfunc tp_descr_set;
    Py_ssize_t tp_dictoffset;
    void *tp_init;
    void *tp_alloc;
    void *tp_new;
    void *tp_free;
    void *tp_is_gc;
    PyObject *tp_bases;
    PyObject *tp_mro;
    PyObject *tp_cache;
    void *tp_subclasses;
    PyObject *tp_weaklist;
    void *tp_del;
    unsigned int tp_version_tag;
    void *tp_finalize;
    void *tp_vectorcall;
};
typedef struct _typeobject PyTypeObject;

struct pythreads {
    uint64_t next_unique_id;
    PyThreadState *head;
    long count;
    size_t stacksize;
};
typedef void *PyThread_type_lock;
typedef _Atomic int atomic_int;
struct _Py_atomic_int {
    atomic_int _value;
};
typedef struct _Py_atomic_int _Py_atomic_int;
struct _pending_calls {
    PyThread_type_lock lock;
    _Py_atomic_int calls_to_do;
    int async_exc;
    struct {
        int (*func)(void *);
        void *arg;
    } calls[32];
    int first;
    int last;
};
struct _ceval_state {
    int recursion_limit;
    _Py_atomic_int eval_breaker;
    _Py_atomic_int gil_drop_request;
    struct _pending_calls pending;
};
typedef struct {
    uintptr_t _gc_next;
    uintptr_t _gc_prev;
} PyGC_Head;
struct gc_generation {
    PyGC_Head head;
    int threshold;
    int count;
};
struct gc_generation_stats {
    Py_ssize_t collections;
    Py_ssize_t collected;
    Py_ssize_t uncollectable;
};
struct _gc_runtime_state {
    PyObject *trash_delete_later;
    int trash_delete_nesting;
    int enabled;
    int debug;
    struct gc_generation generations[3];
    PyGC_Head *generation0;
    struct gc_generation permanent_generation;
    struct gc_generation_stats generation_stats[3];
    int collecting;
    PyObject *garbage;
    PyObject *callbacks;
    Py_ssize_t long_lived_total;
    Py_ssize_t long_lived_pending;
};
struct _is {
    PyInterpreterState *next;
    struct pythreads threads;
    struct pyruntimestate *runtime;
    int64_t id;
    int64_t id_refcount;
    int requires_idref;
    PyThread_type_lock id_mutex;
    int _initialized;
    int finalizing;
    _Bool _static;
    struct _ceval_state ceval;
    struct _gc_runtime_state gc;
    PyObject *modules;
    /* truncated: later fields unused */
};
typedef struct _is PyInterpreterState;

typedef int (*Py_tracefunc)(PyObject *, PyFrameObject *, int, PyObject *);
struct _opaque {
    int computed_line;
    const uint8_t *lo_next;
    const uint8_t *limit;
};
struct _line_offsets {
    int ar_start;
    int ar_end;
    int ar_line;
    struct _opaque opaque;
};
typedef struct _line_offsets PyCodeAddressRange;
typedef struct {
    PyCodeObject *code;
    PyCodeAddressRange bounds;
} PyTraceInfo;
struct _err_stackitem {
    PyObject *exc_value;
    struct _err_stackitem *previous_item;
};
typedef struct _err_stackitem _PyErr_StackItem;
struct _PyCFrame {
    uint8_t use_tracing;
    struct _PyInterpreterFrame *current_frame;
    struct _PyCFrame *previous;
};
typedef struct _PyCFrame _PyCFrame;
struct _ts {
    PyThreadState *prev;
    PyThreadState *next;
    PyInterpreterState *interp;
    int _initialized;
    int _static;
    int recursion_remaining;
    int recursion_limit;
    int recursion_headroom;
    int tracing;
    int tracing_what;
    _PyCFrame *cframe;
    Py_tracefunc c_profilefunc;
    Py_tracefunc c_tracefunc;
    PyObject *c_profileobj;
    PyObject *c_traceobj;
    PyObject *curexc_type;
    PyObject *curexc_value;
    PyObject *curexc_traceback;
    _PyErr_StackItem *exc_info;
    PyObject *dict;
    int gilstate_counter;
    PyObject *async_exc;
    unsigned long thread_id;
    unsigned long native_thread_id;
    int trash_delete_nesting;
    PyObject *trash_delete_later;
    void (*on_delete)(void *);
    void *on_delete_data;
    int coroutine_origin_tracking_depth;
    PyObject *async_gen_firstiter;
    PyObject *async_gen_finalizer;
    PyObject *context;
    uint64_t context_ver;
    uint64_t id;
    PyTraceInfo trace_info;
    _PyStackChunk *datastack_chunk;
    PyObject **datastack_top;
    PyObject **datastack_limit;
    _PyErr_StackItem exc_state;
    _PyCFrame root_cframe;
};
typedef struct _ts PyThreadState;

struct PyCodeObject {
    PyVarObject ob_base;
    PyObject *co_consts;
    PyObject *co_names;
    PyObject *co_exceptiontable;
    int co_flags;
    short co_warmup;
    short _co_linearray_entry_size;
    int co_argcount;
    int co_posonlyargcount;
    int co_kwonlyargcount;
    int co_stacksize;
    int co_firstlineno;
    int co_nlocalsplus;
    int co_nlocals;
    int co_nplaincellvars;
    int co_ncellvars;
    int co_nfreevars;
    PyObject *co_localsplusnames;
    PyObject *co_localspluskinds;
    PyObject *co_filename;
    PyObject *co_name;
    PyObject *co_qualname;
    PyObject *co_linetable;
    PyObject *co_weakreflist;
    PyObject *_co_code;
    char *_co_linearray;
    int _co_firsttraceable;
    void *co_extra;
    char co_code_adaptive[1];
};
typedef struct PyCodeObject PyCodeObject;

struct _PyInterpreterFrame {
    PyFunctionObject *f_func;
    PyObject *f_globals;
    PyObject *f_builtins;
    PyObject *f_locals;
    PyCodeObject *f_code;
    PyFrameObject *frame_obj;
    struct _PyInterpreterFrame *previous;
    _Py_CODEUNIT *prev_instr;
    int stacktop;
    _Bool is_entry;
    char owner;
    PyObject *localsplus[1];
};
typedef struct _PyInterpreterFrame _PyInterpreterFrame;

struct _frame {
    PyObject ob_base;
    PyFrameObject *f_back;
    struct _PyInterpreterFrame *f_frame;
    PyObject *f_trace;
    int f_lineno;
    char f_trace_lines;
    char f_trace_opcodes;
    char f_fast_as_locals;
    PyObject *_f_frame_data[1];
};
typedef struct _frame PyFrameObject;

typedef struct {
    PyObject ob_base;
    Py_ssize_t length;
    Py_hash_t hash;
    struct {
        unsigned int interned : 2;
        unsigned int kind : 3;
        unsigned int compact : 1;
        unsigned int ascii : 1;
        unsigned int ready : 1;
    } state;
    wchar_t *wstr;
} PyASCIIObject;

typedef struct {
    PyASCIIObject _base;
    Py_ssize_t utf8_length;
    char *utf8;
    Py_ssize_t wstr_length;
} PyCompactUnicodeObject;

typedef struct {
    PyVarObject ob_base;
    Py_hash_t ob_shash;
    char ob_sval[1];
} PyBytesObject;

struct _longobject {
    PyVarObject ob_base;
    digit ob_digit[1];
};
typedef struct _longobject PyLongObject;

typedef struct {
    PyObject ob_base;
    double ob_fval;
} PyFloatObject;

typedef struct {
    PyVarObject ob_base;
    PyObject *ob_item[1];
} PyTupleObject;

typedef struct {
    PyVarObject ob_base;
    PyObject **ob_item;
    Py_ssize_t allocated;
} PyListObject;

typedef struct {
    PyObject ob_base;
    Py_ssize_t ma_used;
    uint64_t ma_version_tag;
    PyDictKeysObject *ma_keys;
    PyDictValues *ma_values;
} PyDictObject;

struct _dictkeysobject {
    Py_ssize_t dk_refcnt;
    uint8_t dk_log2_size;
    uint8_t dk_log2_index_bytes;
    uint8_t dk_kind;
    uint32_t dk_version;
    Py_ssize_t dk_usable;
    Py_ssize_t dk_nentries;
    char dk_indices[];
};
typedef struct _dictkeysobject PyDictKeysObject;

typedef struct {
    Py_hash_t me_hash;
    PyObject *me_key;
    PyObject *me_value;
} PyDictKeyEntry;

typedef struct {
    PyObject *me_key;
    PyObject *me_value;
} PyDictUnicodeEntry;

typedef struct {
    PyObject *key;
    Py_hash_t hash;
} setentry;
typedef struct {
    PyObject ob_base;
    Py_ssize_t fill;
    Py_ssize_t used;
    Py_ssize_t mask;
    setentry *table;
    Py_hash_t hash;
    Py_ssize_t finger;
    setentry smalltable[8];
    PyObject *weakreflist;
} PySetObject;

typedef struct {
    PyObject ob_base;
    PyCodeObject *gi_code;
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

typedef _Atomic unsigned long atomic_uintptr_t;
struct _Py_atomic_address {
    atomic_uintptr_t _value;
};
typedef struct _Py_atomic_address _Py_atomic_address;
struct pyinterpreters {
    PyThread_type_lock mutex;
    PyInterpreterState *head;
    PyInterpreterState *main;
    int64_t next_id;
};
struct _xidregistry {
    PyThread_type_lock mutex;
    struct _xidregitem *head;
};
typedef union {
    char __size[48];
    long long __align;
} pthread_cond_t;
typedef union {
/* glibc's __SIZEOF_PTHREAD_MUTEX_T: 40 on x86-64, 24 on i386 */
#if SIZEOF_VOID_P > 4
    char __size[40];
#else
    char __size[24];
#endif
    long __align;
} pthread_mutex_t;
struct _gil_runtime_state {
    unsigned long interval;
    _Py_atomic_address last_holder;
    _Py_atomic_int locked;
    unsigned long switch_number;
    pthread_cond_t cond;
    pthread_mutex_t mutex;
    pthread_cond_t switch_cond;
    pthread_mutex_t switch_mutex;
};
struct _ceval_runtime_state {
    _Py_atomic_int signals_pending;
    struct _gil_runtime_state gil;
};
typedef unsigned int pthread_key_t;
struct _Py_tss_t {
    int _is_initialized;
    pthread_key_t _key;
};
typedef struct _Py_tss_t Py_tss_t;
struct _gilstate_runtime_state {
    int check_enabled;
    _Py_atomic_address tstate_current;
    PyInterpreterState *autoInterpreterState;
    Py_tss_t autoTSSkey;
};
struct pyruntimestate {
    int _initialized;
    int preinitializing;
    int preinitialized;
    int core_initialized;
    int initialized;
    _Py_atomic_address _finalizing;
    struct pyinterpreters interpreters;
    struct _xidregistry xidregistry;
    unsigned long main_thread;
    void (*exitfuncs[32])(void);
    int nexitfuncs;
    struct _ceval_runtime_state ceval;
    struct _gilstate_runtime_state gilstate;
    /* truncated: later fields unused */
};
typedef struct pyruntimestate _PyRuntimeState;
`;
