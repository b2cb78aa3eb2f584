/*
 * CPython v3.13.0 struct declarations, transcribed from
 * Include/cpython/setobject.h, Include/cpython/unicodeobject.h, Include/internal/pycore_dict.h,
 * Include/object.h
 * Only C types, no offsets: the layout engine computes those per ABI.
 * Field lists and types follow the headers of this exact release as its DWARF describes them
 * (gdb ptype on a --enable-shared build); test/layout/dwarf.test.ts checks every field's offset.
 *
 * 3.13+ take most offsets from the interpreter's own _Py_DebugOffsets (debug-offsets.ts); these are
 * the structs that table does not describe: dict keys and entries, sets, and the string state bits.
 * 3.14 and 3.15 have the same dict, set and string layouts (checked in their headers) but a
 * different PyObject: see v3_14.ts.
 */
export const V3_13 = `
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
`;
