/*
 * CPython v3.12.1 struct declarations, transcribed from
 * Include/cpython/bytesobject.h, Include/cpython/code.h, Include/cpython/dictobject.h,
 * Include/cpython/floatobject.h, Include/cpython/genobject.h, Include/cpython/listobject.h,
 * Include/cpython/longintrepr.h, Include/cpython/object.h, Include/cpython/pystate.h,
 * Include/cpython/setobject.h, Include/cpython/tupleobject.h, Include/cpython/unicodeobject.h,
 * Include/internal/pycore_atomic.h, Include/internal/pycore_ceval_state.h, Include/internal/pycore_dict.h,
 * Include/internal/pycore_frame.h, Include/internal/pycore_gc.h, Include/internal/pycore_gil.h,
 * Include/internal/pycore_import.h, Include/internal/pycore_interp.h, Include/internal/pycore_runtime.h,
 * Include/object.h, Include/pytypedefs.h
 * Only C types, no offsets: the layout engine computes those per ABI.
 * Field lists and types follow the headers of this exact release as its DWARF describes them
 * (gdb ptype on a --enable-shared build); test/layout/dwarf.test.ts checks every field's offset.
 * Structs marked "truncated" stop after the last field pyscope reads; everything before it is exact.
 */
export const V3_12 = `
struct _object {
    union {
        Py_ssize_t ob_refcnt;
#if SIZEOF_VOID_P > 4
        uint32_t ob_refcnt_split[2];
#endif
    };
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
    unsigned char tp_watched;
};
typedef struct _typeobject PyTypeObject;

typedef void *PyThread_type_lock;
struct pythreads {
    uint64_t next_unique_id;
    PyThreadState *head;
    long count;
    size_t stacksize;
};
typedef _Atomic unsigned long atomic_uintptr_t;
struct _Py_atomic_address {
    atomic_uintptr_t _value;
};
typedef struct _Py_atomic_address _Py_atomic_address;
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
typedef _Atomic int atomic_int;
struct _Py_atomic_int {
    atomic_int _value;
};
typedef struct _Py_atomic_int _Py_atomic_int;
struct _pending_call {
    int (*func)(void *);
    void *arg;
};
struct _pending_calls {
    int busy;
    PyThread_type_lock lock;
    _Py_atomic_int calls_to_do;
    int async_exc;
    struct _pending_call calls[32];
    int first;
    int last;
};
struct _ceval_state {
    _Py_atomic_int eval_breaker;
    _Py_atomic_int gil_drop_request;
    int recursion_limit;
    struct _gil_runtime_state *gil;
    int own_gil;
    _Py_atomic_int gc_scheduled;
    struct _pending_calls pending;
};
typedef int64_t _PyTime_t;
struct _import_state {
    PyObject *modules;
    PyObject *modules_by_index;
    PyObject *importlib;
    int override_frozen_modules;
    int override_multi_interp_extensions_check;
    int dlopenflags;
    PyObject *import_func;
    struct {
        PyThread_type_lock mutex;
        unsigned long thread;
        int level;
    } lock;
    struct {
        int import_level;
        _PyTime_t accumulated;
        int header;
    } find_and_load;
};
struct _is {
    PyInterpreterState *next;
    int64_t id;
    int64_t id_refcount;
    int requires_idref;
    PyThread_type_lock id_mutex;
    int _initialized;
    int finalizing;
    uint64_t monitoring_version;
    uint64_t last_restart_version;
    struct pythreads threads;
    struct pyruntimestate *runtime;
    _Py_atomic_address _finalizing;
    struct _gc_runtime_state gc;
    PyObject *sysdict;
    PyObject *builtins;
    struct _ceval_state ceval;
    struct _import_state imports;
    /* truncated: later fields unused */
};
typedef struct _is PyInterpreterState;

typedef int (*Py_tracefunc)(PyObject *, PyFrameObject *, int, PyObject *);
struct _py_trashcan {
    int delete_nesting;
    PyObject *delete_later;
};
struct _err_stackitem {
    PyObject *exc_value;
    struct _err_stackitem *previous_item;
};
typedef struct _err_stackitem _PyErr_StackItem;
struct _PyCFrame {
    struct _PyInterpreterFrame *current_frame;
    struct _PyCFrame *previous;
};
typedef struct _PyCFrame _PyCFrame;
struct _ts {
    PyThreadState *prev;
    PyThreadState *next;
    PyInterpreterState *interp;
    struct {
        unsigned int initialized : 1;
        unsigned int bound : 1;
        unsigned int unbound : 1;
        unsigned int bound_gilstate : 1;
        unsigned int active : 1;
        unsigned int finalizing : 1;
        unsigned int cleared : 1;
        unsigned int finalized : 1;
    } _status;
    int py_recursion_remaining;
    int py_recursion_limit;
    int c_recursion_remaining;
    int recursion_headroom;
    int tracing;
    int what_event;
    _PyCFrame *cframe;
    Py_tracefunc c_profilefunc;
    Py_tracefunc c_tracefunc;
    PyObject *c_profileobj;
    PyObject *c_traceobj;
    PyObject *current_exception;
    _PyErr_StackItem *exc_info;
    PyObject *dict;
    int gilstate_counter;
    PyObject *async_exc;
    unsigned long thread_id;
    unsigned long native_thread_id;
    struct _py_trashcan trash;
    void (*on_delete)(void *);
    void *on_delete_data;
    int coroutine_origin_tracking_depth;
    PyObject *async_gen_firstiter;
    PyObject *async_gen_finalizer;
    PyObject *context;
    uint64_t context_ver;
    uint64_t id;
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
    int co_argcount;
    int co_posonlyargcount;
    int co_kwonlyargcount;
    int co_stacksize;
    int co_firstlineno;
    int co_nlocalsplus;
    int co_framesize;
    int co_nlocals;
    int co_ncellvars;
    int co_nfreevars;
    uint32_t co_version;
    PyObject *co_localsplusnames;
    PyObject *co_localspluskinds;
    PyObject *co_filename;
    PyObject *co_name;
    PyObject *co_qualname;
    PyObject *co_linetable;
    PyObject *co_weakreflist;
    _PyCoCached *_co_cached;
    uint64_t _co_instrumentation_version;
    _PyCoMonitoringData *_co_monitoring;
    int _co_firsttraceable;
    void *co_extra;
    char co_code_adaptive[1];
};
typedef struct PyCodeObject PyCodeObject;

struct _PyInterpreterFrame {
    PyCodeObject *f_code;
    struct _PyInterpreterFrame *previous;
    PyObject *f_funcobj;
    PyObject *f_globals;
    PyObject *f_builtins;
    PyObject *f_locals;
    PyFrameObject *frame_obj;
    _Py_CODEUNIT *prev_instr;
    int stacktop;
    uint16_t return_offset;
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
        unsigned int statically_allocated : 1;
    } state;
} PyASCIIObject;

typedef struct {
    PyASCIIObject _base;
    Py_ssize_t utf8_length;
    char *utf8;
} PyCompactUnicodeObject;

typedef struct {
    PyVarObject ob_base;
    Py_hash_t ob_shash;
    char ob_sval[1];
} PyBytesObject;

struct _PyLongValue {
    uintptr_t lv_tag;
    digit ob_digit[1];
};
typedef struct _PyLongValue _PyLongValue;
struct _longobject {
    PyObject ob_base;
    _PyLongValue long_value;
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

struct pyinterpreters {
    PyThread_type_lock mutex;
    PyInterpreterState *head;
    PyInterpreterState *main;
    int64_t next_id;
};
struct pyruntimestate {
    int _initialized;
    int preinitializing;
    int preinitialized;
    int core_initialized;
    int initialized;
    _Py_atomic_address _finalizing;
    struct pyinterpreters interpreters;
    unsigned long main_thread;
    /* truncated: later fields unused */
};
typedef struct pyruntimestate _PyRuntimeState;
`;
