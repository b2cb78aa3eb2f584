/*
 * CPython v3.13.0 (Include/cpython/object.h, Include/cpython/code.h, Include/cpython/dictobject.h,
 * Include/internal/pycore_dict.h): the type object and dict structs that _Py_DebugOffsets does not
 * describe, added to the 3.13 and 3.14 declarations (3.14's headers add no field before
 * tp_versions_used, and PyDictObject's layout is unchanged: objects-3_14.ts renames one member;
 * 3.15: objects-3_15.ts). The test
 * suite checks 3.13 against DWARF and 3.14 by reading instance attributes from live processes.
 */
export const OBJECTS_3_13 = `
typedef struct { PyObject ob_base; Py_ssize_t ob_size; } PyVarObject;
struct _typeobject {
    PyVarObject ob_base;
    const char *tp_name;
    Py_ssize_t tp_basicsize;
    Py_ssize_t tp_itemsize;
    void *tp_dealloc;
    Py_ssize_t tp_vectorcall_offset;
    void *tp_getattr;
    void *tp_setattr;
    void *tp_as_async;
    void *tp_repr;
    void *tp_as_number;
    void *tp_as_sequence;
    void *tp_as_mapping;
    void *tp_hash;
    void *tp_call;
    void *tp_str;
    void *tp_getattro;
    void *tp_setattro;
    void *tp_as_buffer;
    unsigned long tp_flags;
    const char *tp_doc;
    void *tp_traverse;
    void *tp_clear;
    void *tp_richcompare;
    Py_ssize_t tp_weaklistoffset;
    void *tp_iter;
    void *tp_iternext;
    void *tp_methods;
    void *tp_members;
    void *tp_getset;
    struct _typeobject *tp_base;
    PyObject *tp_dict;
    void *tp_descr_get;
    void *tp_descr_set;
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
    uint16_t tp_versions_used;
};
typedef struct _typeobject PyTypeObject;
typedef struct {
    PyVarObject ob_base;
    PyObject *co_consts;
    PyObject *co_names;
    PyObject *co_exceptiontable;
    int co_flags;
    int co_argcount;
    int co_posonlyargcount;
    int co_kwonlyargcount;
    /* truncated: later fields come from _Py_DebugOffsets */
} PyCodeObject;
typedef struct {
    uint8_t capacity;
    uint8_t size;
    uint8_t embedded;
    uint8_t valid;
    PyObject *values[1];
} PyDictValues;
typedef struct {
    PyObject ob_base;
    Py_ssize_t ma_used;
    uint64_t ma_version_tag;
    struct _dictkeysobject *ma_keys;
    PyDictValues *ma_values;
} PyDictObject;
`;

