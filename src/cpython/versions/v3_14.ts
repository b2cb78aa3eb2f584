/*
 * CPython v3.14.10 struct declarations (default, GIL build), transcribed from
 * Include/object.h, Include/cpython/unicodeobject.h, Include/cpython/setobject.h,
 * Include/internal/pycore_dict.h. Checked against v3.15.2's headers: identical for these structs.
 *
 * Like v3_13.ts, only what _Py_DebugOffsets does not describe. What changed from 3.13: PyObject's
 * reference count is a 32-bit ob_refcnt beside ob_overflow/ob_flags on 64-bit builds (ob_type does
 * not move), and the string state bits became the named struct _PyUnicodeObject_state.
 * No DWARF build of 3.14/3.15 is available here: test/layout/live-layout.test.ts checks these
 * layouts against running interpreters instead.
 */
export const V3_14 = `
struct _object {
    union {
#if SIZEOF_VOID_P > 4
        int64_t ob_refcnt_full;
        struct {
            uint32_t ob_refcnt;   /* little-endian order; big-endian puts ob_flags first */
            uint16_t ob_overflow;
            uint16_t ob_flags;
        };
#else
        Py_ssize_t ob_refcnt;
#endif
        __attribute__((aligned(4))) char _aligner;   /* _Py_ALIGNED_DEF(_PyObject_MIN_ALIGNMENT, char) */
    };
    PyTypeObject *ob_type;
};
typedef struct _object PyObject;

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
    Py_ssize_t length;
    Py_hash_t hash;
    __attribute__((aligned(4))) struct _PyUnicodeObject_state {   /* _Py_ALIGNED_DEF(4, ...) */
        unsigned int interned : 2;
        unsigned int kind : 3;
        unsigned int compact : 1;
        unsigned int ascii : 1;
        unsigned int statically_allocated : 1;
        unsigned int :24;
    } state;
} PyASCIIObject;

typedef struct {
    PyASCIIObject _base;
    Py_ssize_t utf8_length;
    char *utf8;
} PyCompactUnicodeObject;
`;
