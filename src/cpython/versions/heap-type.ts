// PyHeapTypeObject up to ht_cached_keys, for 3.11-3.13+ (Include/cpython/object.h, unchanged in
// this prefix from v3.11.0 to v3.15): the shared keys of instances whose attributes are stored as
// values without a dict. Appended to a version's declarations, which supply PyTypeObject.
// Slot function pointers are declared as void * (same size and alignment).
export const HEAP_TYPE_PREFIX = `
typedef struct { void *am_await; void *am_aiter; void *am_anext; void *am_send; } PyAsyncMethods;
typedef struct {
    void *nb_add; void *nb_subtract; void *nb_multiply; void *nb_remainder; void *nb_divmod;
    void *nb_power; void *nb_negative; void *nb_positive; void *nb_absolute; void *nb_bool;
    void *nb_invert; void *nb_lshift; void *nb_rshift; void *nb_and; void *nb_xor; void *nb_or;
    void *nb_int; void *nb_reserved; void *nb_float; void *nb_inplace_add;
    void *nb_inplace_subtract; void *nb_inplace_multiply; void *nb_inplace_remainder;
    void *nb_inplace_power; void *nb_inplace_lshift; void *nb_inplace_rshift; void *nb_inplace_and;
    void *nb_inplace_xor; void *nb_inplace_or; void *nb_floor_divide; void *nb_true_divide;
    void *nb_inplace_floor_divide; void *nb_inplace_true_divide; void *nb_index;
    void *nb_matrix_multiply; void *nb_inplace_matrix_multiply;
} PyNumberMethods;
typedef struct { void *mp_length; void *mp_subscript; void *mp_ass_subscript; } PyMappingMethods;
typedef struct {
    void *sq_length; void *sq_concat; void *sq_repeat; void *sq_item; void *was_sq_slice;
    void *sq_ass_item; void *was_sq_ass_slice; void *sq_contains; void *sq_inplace_concat;
    void *sq_inplace_repeat;
} PySequenceMethods;
typedef struct { void *bf_getbuffer; void *bf_releasebuffer; } PyBufferProcs;
typedef struct _heaptypeobject {
    PyTypeObject ht_type;
    PyAsyncMethods as_async;
    PyNumberMethods as_number;
    PyMappingMethods as_mapping;
    PySequenceMethods as_sequence;
    PyBufferProcs as_buffer;
    PyObject *ht_name;
    PyObject *ht_slots;
    PyObject *ht_qualname;
    struct _dictkeysobject *ht_cached_keys;
    /* truncated: later fields unused */
} PyHeapTypeObject;
`;
