// Sample declarations for the engine-vs-gcc test: every construct the CPython declarations use,
// including the traps (a pointer after an int, char after long, bit-fields that straddle units).
// The same text is compiled by gcc, so it must stay valid C (with <stdint.h> and <sys/types.h>).

export const SAMPLE_C = `
typedef ssize_t Py_ssize_t;

typedef struct _object {
    Py_ssize_t ob_refcnt;
    struct _typeobject *ob_type;
} PyObject;

typedef struct {
    const char *ml_name;
    void *ml_meth;
    int ml_flags;
    const char *ml_doc;
} MethodDef;

typedef struct {
    long a;
    char b;
} LongChar;

typedef struct {
    char c;
    long l;
    char d;
    short s;
    char e[3];
    int i;
    double f;
    unsigned char u;
} Mixed;

typedef struct {
    PyObject ob_base;
    Py_ssize_t length;
    Py_ssize_t hash;
    struct {
        unsigned int interned:2;
        unsigned int kind:3;
        unsigned int compact:1;
        unsigned int ascii:1;
        unsigned int ready:1;
        unsigned int :24;
    } state;
    wchar_t *wstr;
} AsciiLike;

typedef struct {
    unsigned char a:3;
    unsigned char b:6;      /* does not fit after a: starts a new unit */
    unsigned short c:10;
    unsigned int d:20;
    unsigned int :0;        /* forces the next field to a new int unit */
    unsigned int e:4;
    unsigned long long f:40;
    unsigned long long g:30; /* straddles: new unit */
    char tail;
} Bits;

typedef struct {
    char c;
    unsigned int x:5;
} CharThenBits;

typedef struct {
    int kind;
    union {
        long l;
        double d;
        char bytes[12];
        struct { int lo; int hi; } pair;
    } u;
    union {
        int anon_i;
        void *anon_p;
    };
    struct {
        short s1;
        char s2;
    };
    char after;
} Unions;

typedef struct {
    PyObject *me_key;
    PyObject *me_value;
    Py_ssize_t me_hash;
} Entry;

typedef struct {
    int count;
    Entry small[3];
    Entry *big;
    char grid[3][5];
    PyObject **pp;
    void (*callback)(void *, int);
    int (*table[4])(void);
    uint8_t u8;
    uint64_t u64;
    int32_t i32;
    uint16_t u16;
    _Bool flag;
    float fl;
    long long ll;
    const volatile int cv;
    Entry trailing[1];
} Arrays;

typedef struct {
    PyObject ob_base;
    Py_ssize_t ob_size;
    uint32_t ob_digit[];
} Flexible;

typedef struct {
    char c;
    long double ld;
    short after;
} LongDouble;

typedef struct {
    char c;
    __attribute__((aligned(8))) char wide;
    short s __attribute__((aligned(16)));
    _Alignas(4) char four;
    union {
        int i;
        __attribute__((aligned(4))) char aligner;
    };
    __attribute__((aligned(32))) struct { char x; } boxed;
} Aligned;

typedef union {
    char c;
    int i;
    struct { char a; long b; } s;
} TopUnion;

struct Tagged {
    struct Tagged *next;
    int value;
    struct Inner { char x; int y; } inner;
    struct Inner inners[2];
};
typedef struct Tagged Tagged;
`;

/** Every struct of SAMPLE_C checked against gcc, by a name valid in both C and the engine. */
export const SAMPLE_STRUCTS = ['PyObject', 'MethodDef', 'LongChar', 'Mixed', 'AsciiLike', 'Bits', 'CharThenBits', 'Unions', 'Entry', 'Arrays', 'Flexible', 'TopUnion', 'Tagged', 'struct Inner', 'LongDouble', 'Aligned'];
