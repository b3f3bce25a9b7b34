/* ddl_json_out.h: where the compiled JSON writer's text goes, and the str it becomes.

   Text goes into one growing byte buffer. A str that is not ASCII is not copied there: it is
   noted as a segment (where in the buffer it goes, how many characters it takes with its
   escapes, and where those are), and the result is made once, at its final width, from the
   buffer's ASCII and the strs' own characters. Writing 4 KB of CJK in UTF-8 and decoding it
   back into a str took four times as long as the rest of the text (measured on the benchmark's
   `text` workload); now each such str is scanned once for escapes and copied once.

   The segments borrow their strs: the message holds them, and no Python code runs between the
   first write and the making of the str (the writer's rule, json_write.pxi). */

#ifndef DDL_JSON_OUT_H
#define DDL_JSON_OUT_H

#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "ddl_compat.h"
#include "ddl_utf8.h"

#if defined(DDL_SSE2)
#include <emmintrin.h>
#endif
#include "ddl_wire.h"

/* A str that goes into the text as itself (with its escapes), at byte at of the buffer. */
typedef struct {
    Py_ssize_t at;     /* where, in the buffer's bytes */
    PyObject* s;       /* the str, borrowed */
    Py_ssize_t chars;  /* its characters in the text, escapes counted, quotes not */
    Py_ssize_t mark;   /* its escapes' indexes are the ddl_jout's marks[mark:mark + nmarks]... */
    Py_ssize_t nmarks;
    int marked;        /* ...when this is 1; 0 when they did not all fit (they are looked for again) */
} ddl_jseg;

/* Segments kept in the ddl_jout itself before any allocation: a message with a few
   non-ASCII strings (names, a title, a body) needs no more. */
#define DDL_JSEG_INLINE 16

/* Escapes (newlines, quotes) whose place in their str is remembered, for all segments. */
#define DDL_JMARKS 128

/* The text written so far. It starts in the caller's stack buffer and moves to the data of a
   str when it outgrows it: a text that turns out to be ASCII (the common case) is then that str,
   cut to its length, with no copy and no second allocation of its size. */
typedef struct {
    char* base;        /* the stack buffer, or str's data */
    char* pos;         /* where the next byte goes */
    char* end;         /* one past the last byte base can take */
    PyObject* str;     /* the compact ASCII str whose data base is (ours), or NULL */
    ddl_jseg* segs;    /* segs_inline, or a PyMem_Malloc'd array when more are needed */
    Py_ssize_t nseg;   /* segments written */
    Py_ssize_t segcap; /* room in segs */
    Py_UCS4 maxchar;   /* the largest PyUnicode_MAX_CHAR_VALUE of the segments' strs */
    Py_ssize_t nmark;  /* marks used */
    void* anys;        /* the writer's notes of the google.protobuf.Any values it meets
                          (json_any.pxi's JAnys), or NULL */
    int compact;       /* 1 for json.dumps's separators (",", ":"), 0 for its one-line default
                          (", ", ": "): a separator is written as its first 2 - compact bytes */
    ddl_jseg segs_inline[DDL_JSEG_INLINE];
    Py_ssize_t marks[DDL_JMARKS];
} ddl_jout;

/* Move o's text to the data of a new str of room bytes (room >= what is written): 0, or -1
   with MemoryError set. */
static int ddl_jout_move(ddl_jout* o, Py_ssize_t room) {
    Py_ssize_t used = o->pos - o->base;
    PyObject* str = PyUnicode_New(room, 127);
    char* base;
    if (str == NULL) return -1;
    base = (char*)PyUnicode_DATA(str);
    memcpy(base, o->base, (size_t)used);
    Py_XDECREF(o->str);
    o->str = str;
    o->base = base;
    o->pos = base + used;
    o->end = base + room;
    return 0;
}

/* Start o in the caller's buffer stack[:size], or, when hint is larger, in a str with room for
   hint bytes and an eighth more: 0, or -1 with MemoryError set. */
static int ddl_jout_init(ddl_jout* o, char* stack, Py_ssize_t size, Py_ssize_t hint) {
    o->base = o->pos = stack;
    o->end = stack + size;
    o->str = NULL;
    o->segs = o->segs_inline;
    o->nseg = 0;
    o->segcap = DDL_JSEG_INLINE;
    o->maxchar = 127;
    o->nmark = 0;
    o->anys = NULL;
    o->compact = 0;
    if (hint > size) {
        if (hint > PY_SSIZE_T_MAX / 4) hint = PY_SSIZE_T_MAX / 4;
        return ddl_jout_move(o, hint + hint / 8);
    }
    return 0;
}

/* Free what o holds (the caller's stack buffer stays). */
static void ddl_jout_free(ddl_jout* o) {
    Py_CLEAR(o->str);
    if (o->segs != o->segs_inline) PyMem_Free(o->segs);
    o->segs = o->segs_inline;
}

/* The slow path of ddl_jout_room, out of line: move the text to a str with room for need more
   bytes, at least twice the old room, so appending stays linear. 0, or -1 with MemoryError
   set. */
static DDL_NOINLINE int ddl_jout_grow(ddl_jout* o, Py_ssize_t need) {
    Py_ssize_t used = o->pos - o->base, cap = 2 * (o->end - o->base);
    if (need > PY_SSIZE_T_MAX / 4 - used) {
        PyErr_NoMemory();
        return -1;
    }
    if (cap < used + need + 256) cap = used + need + 256;
    return ddl_jout_move(o, cap);
}

/* Make sure need more bytes fit: 0, or -1 with MemoryError set. */
static inline int ddl_jout_room(ddl_jout* o, Py_ssize_t need) {
    return o->end - o->pos >= need ? 0 : ddl_jout_grow(o, need);
}

/* What follows the backslash of each ASCII character a JSON string escapes, as the json
   module's encoder does: the short escapes, 'u' for the other controls (\u00XX, lowercase hex),
   0 for the characters written as themselves (DEL and everything above included). */
static const char ddl_json_escape[128] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    0, 0, '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\', 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Characters scanned for escapes at a time. */
#define DDL_JSON_BLOCK 16

/* Whether c is written escaped. */
#define DDL_JSON_ESCAPED(c) ((c) < 0x80 && ddl_json_escape[c])

#if defined(DDL_SSE2)
/* Whether any of the DDL_JSON_BLOCK characters at u is written escaped (nonzero if so), for each
   width of str: the lanes below 0x20 or equal to '"' or '\\', or'ed over the block and tested
   once. Written out, as gcc's vectorized form of the loop below spent most of its time making
   0/1 values of the comparisons and folding them for each block (measured on the `text`
   workload: 40% of its time was this scan). A block is one vector of bytes (DDL_JSON_BLOCK is
   16). Below 0x20: max(v, 0x1F) == 0x1F for bytes, and 0x20 - v saturated at 0 nonzero for 16
   bits. Characters of 32 bits (below 2**21) are first narrowed to bytes, four vectors to one,
   by two packs with signed saturation, which keep those below 0x80 and turn the others into
   0x7F, none of them escaped (half the work of comparing them at 32 bits, measured). */
static inline int ddl_json_bytes_escapes(__m128i v) {
    const __m128i control = _mm_set1_epi8(0x1F);
    __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
    return _mm_movemask_epi8(hit);
}

static inline int ddl_json_block_escapes_1(const Py_UCS1* u) {
    return ddl_json_bytes_escapes(_mm_loadu_si128((const __m128i*)u));
}

static inline int ddl_json_block_escapes_2(const Py_UCS2* u) {
    const __m128i quote = _mm_set1_epi16('"'), backslash = _mm_set1_epi16('\\'), space = _mm_set1_epi16(0x20);
    __m128i hit = _mm_setzero_si128();
    for (int j = 0; j < DDL_JSON_BLOCK; j += 8) {
        __m128i v = _mm_loadu_si128((const __m128i*)(u + j));
        hit = _mm_or_si128(hit, _mm_or_si128(_mm_cmpeq_epi16(v, quote), _mm_cmpeq_epi16(v, backslash)));
        hit = _mm_or_si128(hit, _mm_subs_epu16(space, v));
    }
    return _mm_movemask_epi8(_mm_cmpeq_epi16(hit, _mm_setzero_si128())) != 0xFFFF;
}

static inline int ddl_json_block_escapes_4(const Py_UCS4* u) {
    const __m128i* v = (const __m128i*)u;
    __m128i low = _mm_packs_epi32(_mm_loadu_si128(v), _mm_loadu_si128(v + 1));
    __m128i high = _mm_packs_epi32(_mm_loadu_si128(v + 2), _mm_loadu_si128(v + 3));
    return ddl_json_bytes_escapes(_mm_packs_epi16(low, high));
}

/* Whether any of the DDL_JSON_BLOCK characters at u (of type T) is written escaped, or'ed into
   any (the width is known when compiled, so one of the three is called). */
#define DDL_JSON_BLOCK_ESCAPES(T, u, any) do { \
    const void* b_ = (const void*)(u); \
    (any) |= (unsigned int)(sizeof(T) == 1   ? ddl_json_block_escapes_1((const Py_UCS1*)b_) \
                            : sizeof(T) == 2 ? ddl_json_block_escapes_2((const Py_UCS2*)b_) \
                                             : ddl_json_block_escapes_4((const Py_UCS4*)b_)); \
} while (0)
#else
/* Whether any of the DDL_JSON_BLOCK characters at u (of type T) is written escaped, or'ed into
   any. Free of branches, over a fixed count, so that the compiler vectorizes it. */
#define DDL_JSON_BLOCK_ESCAPES(T, u, any) do { \
    const T* b_ = (const T*)(u); \
    DDL_KEEP_LOOP \
    for (int j_ = 0; j_ < DDL_JSON_BLOCK; j_++) (any) |= (b_[j_] < 0x20) | (b_[j_] == '"') | (b_[j_] == '\\'); \
} while (0)
#endif

/* Count the escape of u[i] (1 more character for \n, \" and the like, 5 for \u00XX) into
   extra, and remember its index while there is room. */
#define DDL_JSON_MARK(o, u, i, extra, marked) do { \
    Py_UCS4 c_ = (u)[i]; \
    if (DDL_JSON_ESCAPED(c_)) { \
        (extra) += ddl_json_escape[c_] == 'u' ? 5 : 1; \
        if ((o)->nmark < DDL_JMARKS) (o)->marks[(o)->nmark++] = (i); \
        else (marked) = 0; \
    } \
} while (0)

/* Find the escapes of u[:n] (of type T): counted into extra, marked while there is room. Only
   the blocks that have one are looked at one character at a time, and most text has none. A
   macro, so that each width gets its own loop. */
#define DDL_JSON_FIND(T, o, u, n, extra, marked) do { \
    const T* u_ = (const T*)(u); \
    Py_ssize_t i_ = 0; \
    for (; i_ + DDL_JSON_BLOCK <= (n); i_ += DDL_JSON_BLOCK) { \
        unsigned int any_ = 0; \
        DDL_JSON_BLOCK_ESCAPES(T, u_ + i_, any_); \
        if (any_) { \
            for (Py_ssize_t j_ = i_; j_ < i_ + DDL_JSON_BLOCK; j_++) DDL_JSON_MARK(o, u_, j_, extra, marked); \
        } \
    } \
    for (; i_ < (n); i_++) DDL_JSON_MARK(o, u_, i_, extra, marked); \
} while (0)

/* Note that the str s (not ASCII) goes here, between quotes the caller writes: 0, or -1 with
   MemoryError set. */
static int ddl_jout_segment(ddl_jout* o, PyObject* s) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(s), extra = 0, mark = o->nmark;
    const void* data = PyUnicode_DATA(s);
    Py_UCS4 widest = PyUnicode_MAX_CHAR_VALUE(s);
    int marked = 1;
    ddl_jseg* g;
    switch (PyUnicode_KIND(s)) {
        case PyUnicode_1BYTE_KIND: DDL_JSON_FIND(Py_UCS1, o, data, n, extra, marked); break;
        case PyUnicode_2BYTE_KIND: DDL_JSON_FIND(Py_UCS2, o, data, n, extra, marked); break;
        default: DDL_JSON_FIND(Py_UCS4, o, data, n, extra, marked); break;
    }
    if (o->nseg == o->segcap) {
        Py_ssize_t cap = 2 * o->segcap;
        ddl_jseg* segs;
        if (cap > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(ddl_jseg)) {
            PyErr_NoMemory();
            return -1;
        }
        segs = (ddl_jseg*)PyMem_Malloc((size_t)cap * sizeof(ddl_jseg));
        if (segs == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(segs, o->segs, (size_t)o->nseg * sizeof(ddl_jseg));
        if (o->segs != o->segs_inline) PyMem_Free(o->segs);
        o->segs = segs;
        o->segcap = cap;
    }
    g = &o->segs[o->nseg++];
    g->at = o->pos - o->base;
    g->s = s;
    g->chars = n + extra;
    g->mark = mark;
    g->nmarks = o->nmark - mark;
    g->marked = marked;
    if (widest > o->maxchar) o->maxchar = widest;
    return 0;
}

/* Copy n characters from src (of type F) to out (of type T, as wide or wider), and move out
   past them. Between types of one width it is memcpy, which uses the widest moves the machine
   has where the compiler, held to SSE2, copies 16 bytes a step (twice as long, for a str of
   emoji, measured on the benchmark's `text` workload). */
#define DDL_JSON_WIDEN(T, F, out, src, n) do { \
    const F* w_src_ = (const F*)(src); \
    Py_ssize_t w_n_ = (n); \
    if (sizeof(T) == sizeof(F)) { \
        memcpy((out), w_src_, (size_t)w_n_ * sizeof(T)); \
    } else { \
        for (Py_ssize_t w_i_ = 0; w_i_ < w_n_; w_i_++) (out)[w_i_] = (T)w_src_[w_i_]; \
    } \
    (out) += w_n_; \
} while (0)

/* Write the character c (of a str) at out, of type T, escaped if JSON needs it; move out past
   it. */
#define DDL_JSON_PUT(T, out, c) do { \
    Py_UCS4 p_ = (c); \
    if (!DDL_JSON_ESCAPED(p_)) { \
        *(out)++ = (T)p_; \
    } else if (ddl_json_escape[p_] != 'u') { \
        (out)[0] = '\\'; \
        (out)[1] = (T)ddl_json_escape[p_]; \
        (out) += 2; \
    } else { \
        (out)[0] = '\\'; (out)[1] = 'u'; (out)[2] = '0'; (out)[3] = '0'; \
        (out)[4] = (T)"0123456789abcdef"[p_ >> 4]; \
        (out)[5] = (T)"0123456789abcdef"[p_ & 15]; \
        (out) += 6; \
    } \
} while (0)

/* Copy the str data[:n] (of type F) of segment g to out (of type T), with its escapes: the runs
   between the marked escapes copied whole, or, when they were not all marked, blocks with no
   escape copied whole and the others one character at a time. */
#define DDL_JSON_COPY(T, F, o, g, out, data, n) do { \
    const F* e_ = (const F*)(data); \
    Py_ssize_t i_ = 0; \
    if ((g)->chars == (n)) { \
        DDL_JSON_WIDEN(T, F, out, e_, n); \
    } else if ((g)->marked) { \
        const Py_ssize_t* m_ = (o)->marks + (g)->mark; \
        for (Py_ssize_t x_ = 0; x_ < (g)->nmarks; x_++) { \
            DDL_JSON_WIDEN(T, F, out, e_ + i_, m_[x_] - i_); \
            DDL_JSON_PUT(T, out, e_[m_[x_]]); \
            i_ = m_[x_] + 1; \
        } \
        DDL_JSON_WIDEN(T, F, out, e_ + i_, (n) - i_); \
    } else { \
        for (; i_ + DDL_JSON_BLOCK <= (n); i_ += DDL_JSON_BLOCK) { \
            unsigned int any_ = 0; \
            DDL_JSON_BLOCK_ESCAPES(F, e_ + i_, any_); \
            if (!any_) { \
                for (int j_ = 0; j_ < DDL_JSON_BLOCK; j_++) (out)[j_] = (T)e_[i_ + j_]; \
                (out) += DDL_JSON_BLOCK; \
            } else { \
                for (int j_ = 0; j_ < DDL_JSON_BLOCK; j_++) DDL_JSON_PUT(T, out, e_[i_ + j_]); \
            } \
        } \
        for (; i_ < (n); i_++) DDL_JSON_PUT(T, out, e_[i_]); \
    } \
} while (0)

/* Fill data (of type T) with the text: the buffer's bytes, all ASCII, with the segments' strs
   between them. */
#define DDL_JSON_FILL(T, o, data) do { \
    T* out_ = (T*)(data); \
    Py_ssize_t from_ = 0; \
    for (Py_ssize_t k_ = 0; k_ < (o)->nseg; k_++) { \
        const ddl_jseg* g_ = &(o)->segs[k_]; \
        Py_ssize_t n_ = PyUnicode_GET_LENGTH(g_->s); \
        const void* d_ = PyUnicode_DATA(g_->s); \
        DDL_JSON_WIDEN(T, unsigned char, out_, (o)->base + from_, g_->at - from_); \
        from_ = g_->at; \
        switch (PyUnicode_KIND(g_->s)) { \
            case PyUnicode_1BYTE_KIND: DDL_JSON_COPY(T, Py_UCS1, o, g_, out_, d_, n_); break; \
            case PyUnicode_2BYTE_KIND: DDL_JSON_COPY(T, Py_UCS2, o, g_, out_, d_, n_); break; \
            default: DDL_JSON_COPY(T, Py_UCS4, o, g_, out_, d_, n_); break; \
        } \
    } \
    DDL_JSON_WIDEN(T, unsigned char, out_, (o)->base + from_, ((o)->pos - (o)->base) - from_); \
} while (0)

/* Whether b[:n] is all ASCII: an or of every byte, in a loop the compiler vectorizes (texts of
   100 KB and more are common). */
static int ddl_json_ascii(const unsigned char* b, Py_ssize_t n) {
    unsigned char any = 0;
    for (Py_ssize_t i = 0; i < n; i++) any |= b[i];
    return any < 0x80;
}

/* Cut the str *r that o's text was written into to the text's length used: 0, or -1 with
   MemoryError set. When the room past the text is at most an eighth of it (as the hint of
   ddl_jout_init leaves it for a text of the last one's length), the str keeps its allocation,
   its length lowered in place: reallocated to the text's length, it would be freed as a block
   smaller than the next text's request, and glibc, which raises its threshold for mmap to the
   size of a mapping freed, then maps (and faults in) fresh pages for every text of the same
   length: a fifth of the time of writing the `doubles` workload (measured). More room is
   given back, by PyUnicode_Resize. */
static int ddl_jout_cut(PyObject** r, Py_ssize_t used) {
    if (PyUnicode_GET_LENGTH(*r) - used <= used / 8 && ddl_ascii_shorten(*r, used)) return 0;
    return PyUnicode_Resize(r, used);
}

/* The text as a new str, or NULL: with an exception set, or with none when the text cannot be
   made here (the caller bails). A text with no segments is the str it was written into, cut to
   its length, when it is ASCII, or else the str of its UTF-8 (ddl_decode_utf8, which also takes
   texts still in the stack buffer). With segments, when the buffer holds only ASCII, the
   str is filled from it and the segments at its final width. When it holds UTF-8 too (a field or
   enum name that is not ASCII, which the writer copies as UTF-8), it is decoded, after the
   segments are written into a second buffer in UTF-8 by put (which returns 1 for a str with no
   UTF-8 form, such as one with a lone surrogate). */
static PyObject* ddl_jout_text(ddl_jout* o, int (*put)(ddl_jout* out, PyObject* s)) {
    Py_ssize_t used = o->pos - o->base, total = used, k, from = 0;
    PyObject* r;
    int ascii;
    if (o->nseg == 0 && o->str == NULL)  /* a short text: from the stack, ASCII or not */
        return ddl_decode_utf8((const unsigned char*)o->base, used);
    ascii = ddl_json_ascii((const unsigned char*)o->base, used);
    if (o->nseg == 0) {
        if (!ascii) return ddl_decode_utf8((const unsigned char*)o->base, used);
        r = o->str;
        o->str = NULL;
        if (ddl_jout_cut(&r, used) < 0) {
            Py_XDECREF(r);
            return NULL;
        }
        return r;
    }
    if (ascii) {
        for (k = 0; k < o->nseg; k++) total += o->segs[k].chars;
        r = PyUnicode_New(total, o->maxchar);
        if (r == NULL) return NULL;
        switch (PyUnicode_KIND(r)) {
            case PyUnicode_1BYTE_KIND: DDL_JSON_FILL(Py_UCS1, o, PyUnicode_DATA(r)); break;
            case PyUnicode_2BYTE_KIND: DDL_JSON_FILL(Py_UCS2, o, PyUnicode_DATA(r)); break;
            default: DDL_JSON_FILL(Py_UCS4, o, PyUnicode_DATA(r)); break;
        }
        return r;
    }
    {
        char stack[1];
        ddl_jout u;
        int bad = 0;
        if (ddl_jout_init(&u, stack, 0, used + used / 2) < 0) return NULL;
        for (k = 0; k <= o->nseg && !bad; k++) {
            Py_ssize_t at = k < o->nseg ? o->segs[k].at : used;
            if (ddl_jout_room(&u, at - from) < 0) {
                ddl_jout_free(&u);
                return NULL;
            }
            memcpy(u.pos, o->base + from, (size_t)(at - from));
            u.pos += at - from;
            from = at;
            if (k < o->nseg) bad = put(&u, o->segs[k].s);
        }
        r = bad ? NULL : ddl_decode_utf8((const unsigned char*)u.base, u.pos - u.base);
        ddl_jout_free(&u);
        return r;
    }
}

#endif /* DDL_JSON_OUT_H */
