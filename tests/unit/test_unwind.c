/* Unit tests for unwind: synthetic CPython memory images (runtime, interpreter, thread states,
 * frames, code objects, str and bytes objects laid out with the offsets of 3.8-3.13) served by
 * a snapshot target, walked by the real unwinder. Line tables are CPython's own (3.8.18, 3.10.13,
 * 3.11.7, 3.12.1) for the small program below. See docs/cpython.md §5-§7.
 * SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_py.h"
#include "py_offsets.h"
#include "py_proc.h"
#include "suites.h"
#include "target.h"
#include "test.h"
#include "unwind.h"
#include "util_xalloc.h"

#define IMG_BASE   0x10000000ULL     /* remote address of the image's first byte */
#define UNMAPPED   0x7f0000000000ULL /* plausible, but outside the image */
#define MAIN_TID   0x7f1234560700ULL /* pthread_t of the main thread */
#define OTHER_TID  0x7f1234000700ULL
#define CHUNK_SIZE 16384
#define FRAME_GAP  128           /* bytes between frames in a chunk (header + locals) */
#define FAKE_BASE  0x20000000ULL /* objects made by fake_py (thread names) */

/* The program whose code objects the images hold (line numbers as in this text):
 *  1
 *  2 def leaf():
 *  3     x = 1
 *  4     y = x + 2
 *  5     return y
 *  6
 *  7 def middle():
 *  8     a = 0
 *  9     return leaf()
 * 10
 * 11 def main():
 * 12     middle()
 * 13     return 0
 * Each frame is stopped at lines 4 (leaf), 9 (middle) and 12 (main). */
struct version_data {
    const char *linetable[3]; /* hex of co_lnotab / co_linetable: leaf, middle, main */
    int ncodeunits[3];        /* 3.11+: len(co_code) // 2 */
    int pos[3];               /* f_lasti (3.8-3.10) or code-unit offset of the instruction */
};

static const struct version_data data_lnotab = {
    {"000104010801", "00010401", "00010601"}, {0, 0, 0}, {6, 4, 0}};
static const struct version_data data_310 = {
    {"040108010401", "04010601", "06010401"}, {0, 0, 0}, {3, 2, 0}};
static const struct version_data data_311 = {{"8000d808098041d80809884189058041d80b0c8048",
                                              "8000d808098041dd0b0f89368c36804d",
                                              "8000dd040a814884488048d80b0c8831"},
                                             {10, 17, 17},
                                             {4, 5, 2}};
static const struct version_data data_312 = {{"8000d808098041d80809884189058041d80b0c8048",
                                              "8000d808098041dc0b0f8b36804d",
                                              "8000dc040a8448d80b0c"},
                                             {10, 13, 12},
                                             {4, 5, 2}};

static const int want_lines[3] = {4, 9, 12};
static const char *const want_files[3] = {"app.py", "/srv/caf\xc3\xa9/lib.py", "app.py"};
static const char *const names_old[3] = {"leaf", "middle", "main"};
static const char *const names_new[3] = {"leaf", "Klass.\xe5\x87\xbd\xe6\x95\xb0", "main"};

/* ---- image builder: fake remote addresses in one local buffer ---- */

struct world {
    struct py_offsets o;
    const struct version_data *data;
    unsigned char *buf; /* the image; remote address IMG_BASE + i */
    size_t used, cap;
    uint64_t runtime, interp, code_type;
    uint64_t code[3]; /* leaf, middle, main */
};

static uint64_t img_alloc(struct world *w, size_t size)
{
    size_t at = (w->used + 63) & ~(size_t)63;

    assert(at + size <= w->cap);
    w->used = at + size;
    return IMG_BASE + at;
}

static unsigned char *img_at(struct world *w, uint64_t addr)
{
    assert(addr >= IMG_BASE && addr - IMG_BASE + 8 <= w->cap); /* room for any field */
    return w->buf + (addr - IMG_BASE);
}

static void put_u64(struct world *w, uint64_t addr, uint64_t v)
{
    memcpy(img_at(w, addr), &v, sizeof(v));
}

static void put_i32(struct world *w, uint64_t addr, int32_t v)
{
    memcpy(img_at(w, addr), &v, sizeof(v));
}

/* A str object holding utf8 in the narrowest kind, as CPython stores it. */
static uint64_t mk_str(struct world *w, const char *utf8)
{
    const unsigned char *s = (const unsigned char *)utf8;
    uint32_t cp[256], max = 0, n = 0;

    while (*s && n < 256) {
        unsigned len = *s < 0x80 ? 1 : *s < 0xe0 ? 2 : *s < 0xf0 ? 3 : 4;
        uint32_t c = len == 1 ? *s : *s & (0x3fu >> (len - 1));
        for (unsigned i = 1; i < len; i++)
            c = c << 6 | (s[i] & 0x3f);
        cp[n++] = c;
        max = c > max ? c : max;
        s += len;
    }
    unsigned kind = max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
    int ascii = max < 0x80;
    uint32_t off = ascii ? w->o.u_ascii_size : w->o.u_compact_size;
    uint64_t a = img_alloc(w, w->o.u_compact_size + (n + 1) * kind);
    uint32_t state =
        kind << w->o.u_kind_shift | 1u << w->o.u_compact_bit | (uint32_t)ascii << w->o.u_ascii_bit;

    put_u64(w, a + w->o.u_length, n);
    memcpy(img_at(w, a + w->o.u_state), &state, sizeof(state));
    for (uint32_t i = 0; i < n; i++)
        memcpy(img_at(w, a + off + i * kind), &cp[i], kind); /* little endian */
    return a;
}

/* A bytes object holding the hex string's bytes. */
static uint64_t mk_bytes_hex(struct world *w, const char *hex)
{
    size_t n = strlen(hex) / 2;
    uint64_t a = img_alloc(w, w->o.bytes_sval + n + 1);

    put_u64(w, a + w->o.ob_size, n);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            v = 0;
        *img_at(w, a + w->o.bytes_sval + i) = (unsigned char)v;
    }
    return a;
}

/* A code object (ob_type = the fake PyCode_Type) with ncodeunits of inline bytecode (3.11+). */
static uint64_t mk_code(struct world *w, const char *name, const char *qualname, const char *file,
                        int firstlineno, const char *linetable_hex, int ncodeunits)
{
    const struct py_offsets *o = &w->o;
    uint64_t a = img_alloc(w, o->co_size + 2 * (size_t)ncodeunits + 8);

    put_u64(w, a + o->ob_type, w->code_type);
    put_u64(w, a + o->co_name, mk_str(w, name));
    if (o->co_qualname)
        put_u64(w, a + o->co_qualname, mk_str(w, qualname));
    put_u64(w, a + o->co_filename, mk_str(w, file));
    put_u64(w, a + o->co_linetable, mk_bytes_hex(w, linetable_hex));
    put_i32(w, a + o->co_firstlineno, firstlineno);
    if (o->frames == PY_FRAMES_INTERP)
        put_u64(w, a + o->ob_size, (uint64_t)ncodeunits);
    return a;
}

/* _PyRuntime, one interpreter, PyCode_Type and the three code objects of the program. debug (may
 * be NULL) is copied to the start of _PyRuntime, as _Py_DebugOffsets is in 3.13+. */
static void world_init(struct world *w, const struct py_offsets *o, size_t cap, const void *debug,
                       size_t debug_len)
{
    static const int firstlineno[3] = {2, 7, 11};

    memset(w, 0, sizeof(*w));
    w->o = *o;
    w->data = o->linetable == PY_LINETABLE_LNOTAB ? &data_lnotab
              : o->linetable == PY_LINETABLE_310  ? &data_310
              : o->minor == 11                    ? &data_311
                                                  : &data_312;
    w->cap = cap;
    w->buf = xcalloc(1, cap);
    w->runtime = img_alloc(w, 4096);
    if (debug)
        memcpy(img_at(w, w->runtime), debug, debug_len);
    w->interp = img_alloc(w, 16384);
    w->code_type = img_alloc(w, 416);
    put_u64(w, w->runtime + o->rt_interp_head, w->interp);
    if (o->rt_main_thread)
        put_u64(w, w->runtime + o->rt_main_thread, MAIN_TID);
    for (int i = 0; i < 3; i++) {
        const char *const *names = o->co_qualname ? names_new : names_old;
        const char *name = i == 1 && o->co_qualname ? "\xe5\x87\xbd\xe6\x95\xb0" : names[i];
        w->code[i] = mk_code(w, name, names[i], want_files[i], firstlineno[i],
                             w->data->linetable[i], w->data->ncodeunits[i]);
    }
}

static void world_free(struct world *w)
{
    free(w->buf);
}

/* A thread state linked to w's interpreter (not yet into its list). tid is the kernel TID
 * (3.11+). */
static uint64_t mk_tstate(struct world *w, uint64_t thread_id, int tid)
{
    const struct py_offsets *o = &w->o;
    uint64_t ts = img_alloc(w, 1024);

    put_u64(w, ts + o->ts_interp, w->interp);
    put_u64(w, ts + o->ts_thread_id, thread_id);
    if (o->ts_native_thread_id)
        put_u64(w, ts + o->ts_native_thread_id, (uint64_t)tid);
    return ts;
}

/* Make top the thread's current frame: tstate->frame / current_frame, or through a _PyCFrame
 * (3.11, 3.12) that lives on the target's C stack. */
static void set_top(struct world *w, uint64_t ts, uint64_t top)
{
    const struct py_offsets *o = &w->o;

    if (o->ts_cframe) {
        uint64_t cframe = img_alloc(w, 32);
        put_u64(w, ts + o->ts_cframe, cframe);
        put_u64(w, cframe + o->cf_current_frame, top);
    } else {
        put_u64(w, ts + o->ts_frame, top);
    }
}

/* 3.11+: the thread's data stack: chunk is its newest chunk (0: none) and live the end of its
 * live frames there (tstate->datastack_chunk, datastack_top). */
static void set_datastack(struct world *w, uint64_t ts, uint64_t chunk, uint64_t live)
{
    put_u64(w, ts + w->o.ts_datastack_chunk, chunk);
    put_u64(w, ts + w->o.ts_datastack_top, live);
}

/* The top saved in an older chunk's header when a newer one is pushed: its live frames end at
 * live. An index in pointers from the first frame slot, not an address. */
static void set_chunk_top(struct world *w, uint64_t chunk, uint64_t live)
{
    put_u64(w, chunk + 16, (live - chunk - 24) / 8);
}

/* 3.8-3.10: the state byte of a frame being executed: f_executing 1 (3.8, 3.9), f_state
 * FRAME_EXECUTING 0 (3.10). */
static unsigned char running(const struct world *w)
{
    return w->o.minor == 10 ? 0 : 1;
}

/* 3.8-3.10: a heap PyFrameObject being executed (not a generator's: f_gen NULL). */
static uint64_t mk_pyframe(struct world *w, uint64_t back, uint64_t code, int lasti)
{
    uint64_t f = img_alloc(w, 384);

    put_u64(w, f + w->o.fr_back, back);
    put_u64(w, f + w->o.fr_code, code);
    put_i32(w, f + w->o.fr_instr, lasti);
    *img_at(w, f + w->o.fr_state) = running(w);
    return f;
}

/* 3.11+: an _PyInterpreterFrame at f stopped at code unit addrq of code. */
static void put_iframe(struct world *w, uint64_t f, uint64_t back, uint64_t code, int addrq,
                       unsigned owner)
{
    const struct py_offsets *o = &w->o;

    put_u64(w, f + o->fr_back, back);
    put_u64(w, f + o->fr_code, code);
    put_u64(w, f + o->fr_instr, code + o->co_code_adaptive + 2 * (int64_t)addrq);
    *img_at(w, f + o->fr_owner) = (unsigned char)owner;
}

/* A _PyStackChunk {previous, size, top} with room for frames after its 24-byte header; its top
 * is 0, as in a chunk just pushed (only a newer chunk's push saves it). */
static uint64_t mk_chunk(struct world *w, uint64_t previous)
{
    uint64_t c = img_alloc(w, CHUNK_SIZE);

    put_u64(w, c, previous);
    put_u64(w, c + 8, CHUNK_SIZE);
    return c;
}

/* A C-stack entry frame (owner CSTACK, 3.12+; INTERPRETER in 3.15) outside every chunk. */
static uint64_t mk_shim(struct world *w, uint64_t back)
{
    uint64_t f = img_alloc(w, FRAME_GAP); /* room for any frame size (3.14+: 88 bytes) */

    put_iframe(w, f, back, 0, 0, 3);
    put_u64(w, f + w->o.fr_instr, 0);
    return f;
}

/* The bottom of a whole 3.11+ chain of thread ts: NULL (3.11), or the entry frame of the
 * thread's first call into the interpreter (3.12-3.14), which 3.15's thread state names as its
 * base frame. */
static uint64_t mk_bottom(struct world *w, uint64_t ts)
{
    uint64_t f = w->o.minor >= 12 ? mk_shim(w, 0) : 0;
    if (w->o.ts_base_frame)
        put_u64(w, ts + w->o.ts_base_frame, f);
    return f;
}

/* A three-frame stack of code[0] (leaf) <- code[1] <- code[2] (root) for thread ts, stopped at
 * the positions of leaf, middle and main. 3.11+: frames in one data-stack chunk, FRAME_GAP
 * apart, live up to the leaf's end, on an entry frame (3.12+). Returns the leaf frame. */
static uint64_t mk_stack_of(struct world *w, uint64_t ts, const uint64_t *code)
{
    const int *pos = w->data->pos;
    uint64_t f = 0;

    if (w->o.frames == PY_FRAMES_OBJECT) {
        for (int i = 2; i >= 0; i--)
            f = mk_pyframe(w, f, code[i], pos[i]);
    } else {
        uint64_t chunk = mk_chunk(w, 0);
        f = mk_bottom(w, ts);
        for (int i = 2; i >= 0; i--) {
            uint64_t at = chunk + 24 + (uint64_t)(2 - i) * FRAME_GAP;
            put_iframe(w, at, f, code[i], pos[i], 0);
            f = at;
        }
        set_datastack(w, ts, chunk, f + FRAME_GAP);
    }
    set_top(w, ts, f);
    return f;
}

/* The leaf -> middle -> main stack for thread ts. Returns the leaf frame. */
static uint64_t mk_stack(struct world *w, uint64_t ts)
{
    return mk_stack_of(w, ts, w->code);
}

/* n frames of leaf, each the caller of the next, as thread ts's whole stack: heap frames
 * (3.8-3.10), or at most per_chunk frames in each of as many linked data-stack chunks as they
 * need, on an entry frame (3.12+). Returns the top. */
static uint64_t mk_chain(struct world *w, uint64_t ts, int n, int per_chunk)
{
    const int fit = (CHUNK_SIZE - 24) / FRAME_GAP;
    uint64_t f = 0, chunk = 0, at = 0;

    if (per_chunk > fit)
        per_chunk = fit;
    for (int i = 0; i < n; i++) {
        if (w->o.frames == PY_FRAMES_OBJECT) {
            f = mk_pyframe(w, f, w->code[0], w->data->pos[0]);
            continue;
        }
        if (!i) {
            f = mk_bottom(w, ts);
        } else if (i % per_chunk == 0) { /* the chunk is full: push a new one */
            set_chunk_top(w, chunk, at);
        }
        if (i % per_chunk == 0) {
            chunk = mk_chunk(w, chunk);
            at = chunk + 24;
        }
        put_iframe(w, at, f, w->code[0], w->data->pos[0], 0);
        f = at;
        at += FRAME_GAP;
    }
    if (w->o.frames == PY_FRAMES_INTERP)
        set_datastack(w, ts, chunk, at);
    set_top(w, ts, f);
    return f;
}

/* ---- running the unwinder on a world ---- */

struct run {
    struct py_proc *p;
    struct unwinder *u;
    struct unwind_sample *s;
    int err;
};

/* A snapshot of w's image as it is now. */
static struct target *snapshot(const struct world *w)
{
    struct target *t = target_snapshot_new();

    target_snapshot_add(t, IMG_BASE, w->buf, w->used);
    return t;
}

/* Take one sample of target t (owned by r from now on), laid out like w. */
static void run_target(struct run *r, const struct world *w, struct target *t, unsigned flags,
                       unwind_filter_fn filter, void *ctx)
{
    struct py_proc *p = xcalloc(1, sizeof(*p));

    p->pid = getpid();
    p->t = t;
    p->off = w->o;
    p->runtime = w->runtime;
    p->code_type = w->code_type;
    p->pthread_tid_off = -1;
    p->image.fd = -1; /* no live image: py_proc_free must not close fd 0 */
    r->p = p;
    r->u = unwinder_new(p, flags);
    r->s = xcalloc(1, sizeof(*r->s));
    r->err = unwinder_sample(r->u, r->s, filter, ctx);
}

/* Snapshot w into a py_proc and take one sample. */
static void run_start(struct run *r, struct world *w, unsigned flags, unwind_filter_fn filter,
                      void *ctx)
{
    run_target(r, w, snapshot(w), flags, filter, ctx);
}

static void run_end(struct run *r)
{
    unwinder_free(r->u);
    py_proc_free(r->p);
    free(r->s);
}

/* The sample's thread i holds leaf (line 4) <- middle (9) <- main (12), leaf first. */
static void check_stack(const struct run *r, uint32_t i)
{
    const struct unwind_thread *th = &r->s->threads[i];
    const char *const *names = r->p->off.co_qualname ? names_new : names_old;

    TEST_CHECK(i < r->s->nthreads);
    if (i >= r->s->nthreads)
        return;
    TEST_EQ_INT(th->status, UNWIND_OK);
    TEST_EQ_INT(th->nframes, 3);
    if (th->nframes != 3)
        return;
    for (uint32_t k = 0; k < 3; k++) {
        const struct unwind_frame *f = &r->s->frames[th->first + k];
        const struct unwind_code *c = unwinder_code(r->u, f->code);
        TEST_CHECK(c != NULL);
        if (!c)
            continue;
        TEST_EQ_STR(c->name, names[k]);
        TEST_EQ_STR(c->file, want_files[k]);
        TEST_EQ_INT(c->firstlineno, k == 0 ? 2 : k == 1 ? 7 : 11);
        TEST_EQ_INT(f->line, want_lines[k]);
    }
}

/* Two samples agree on every thread and frame. */
static int same_sample(const struct unwind_sample *a, const struct unwind_sample *b)
{
    if (a->nthreads != b->nthreads || a->nframes != b->nframes)
        return 0;
    for (uint32_t i = 0; i < a->nthreads; i++) {
        const struct unwind_thread *x = &a->threads[i], *y = &b->threads[i];
        if (x->tstate != y->tstate || x->thread_id != y->thread_id || x->tid != y->tid ||
            x->holds_gil != y->holds_gil || x->is_main != y->is_main || x->status != y->status ||
            x->first != y->first || x->nframes != y->nframes)
            return 0;
    }
    for (uint32_t i = 0; i < a->nframes; i++)
        if (a->frames[i].code != b->frames[i].code || a->frames[i].line != b->frames[i].line)
            return 0;
    return 1;
}

/* Sample again (served from the previous sample's read plan): the same result, in fewer reads,
 * with no new code objects. */
static void check_resample(struct run *r)
{
    struct unwind_sample *again = xcalloc(1, sizeof(*again));
    unsigned long n0 = r->p->t->nreads, ncodes = unwinder_ncodes(r->u);

    TEST_EQ_INT(unwinder_sample(r->u, again, NULL, NULL), 0);
    TEST_CHECK(same_sample(r->s, again));
    TEST_EQ_INT(unwinder_ncodes(r->u), ncodes);
    unsigned long n1 = r->p->t->nreads;
    TEST_CHECK(n1 - n0 < n0); /* n0 counts the first sample's reads, code objects included */
    TEST_EQ_INT(unwinder_sample(r->u, again, NULL, NULL), 0);
    TEST_CHECK(same_sample(r->s, again));
    TEST_CHECK(r->p->t->nreads - n1 <= n1 - n0);
    free(again);
}

/* One thread with the standard stack, for offsets o. */
static void check_version(const struct py_offsets *o, const void *debug, size_t debug_len)
{
    struct world w;
    struct run r;

    world_init(&w, o, 1 << 20, debug, debug_len);
    uint64_t ts = mk_tstate(&w, MAIN_TID, getpid());
    put_u64(&w, w.interp + o->is_threads_head, ts);
    mk_stack(&w, ts);
    run_start(&r, &w, 0, NULL, NULL);
    TEST_EQ_INT(r.err, 0);
    TEST_EQ_INT(r.s->nthreads, 1);
    check_stack(&r, 0);
    if (r.s->nthreads == 1) {
        TEST_CHECK(r.s->threads[0].tstate == ts);
        TEST_CHECK(r.s->threads[0].thread_id == MAIN_TID);
        TEST_EQ_INT(r.s->threads[0].tid, o->ts_native_thread_id ? getpid() : 0);
        TEST_EQ_INT(r.s->threads[0].is_main, 1);
        TEST_EQ_INT(r.s->threads[0].holds_gil, 0);
    }
    TEST_EQ_INT(r.s->retries, 0);
    TEST_EQ_INT(unwinder_ncodes(r.u), 3);
    TEST_CHECK(unwinder_code(r.u, 3) == NULL);
    check_resample(&r);
    run_end(&r);
    world_free(&w);
}

/* a. and every built-in table: 3.8, 3.9 and 3.10 PyFrameObject chains, 3.11 and 3.12
 * _PyInterpreterFrame chains in a data-stack chunk (3.12 with a C-stack entry frame). */
static void test_builtin_versions(void)
{
    static const unsigned versions[] = {0x030812f0, 0x030912f0, 0x030a0df0, 0x030b07f0, 0x030c01f0};
    struct py_offsets o;

    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        TEST_EQ_INT(py_offsets_for_version(versions[i], &o), 0);
        check_version(&o, NULL, 0);
    }
}

/* The offsets decoded from the real _Py_DebugOffsets of a version (fixtures/debug_offsets_V.bin),
 * or 0 with a failure counted. */
static int offsets_of(const char *fixture, struct py_offsets *o, unsigned char *debug)
{
    size_t len;
    char *b = test_read_fixture(fixture, &len);
    int ok = b && len == 1024 && py_offsets_from_debug(b, len, o) == 0;

    if (ok)
        memcpy(debug, b, 1024);
    TEST_CHECK(ok);
    free(b);
    return ok;
}

/* The 3.13 offsets decoded from the real _Py_DebugOffsets, or 0 with a failure counted. */
static int offsets_313(struct py_offsets *o, unsigned char *debug)
{
    return offsets_of("fixtures/debug_offsets_3.13.0.bin", o, debug);
}

/* c. 3.13: current_frame in the thread state, offsets from the real 3.13.0 debug offsets. */
static void test_313(void)
{
    unsigned char debug[1024];
    struct py_offsets o;

    if (offsets_313(&o, debug))
        check_version(&o, debug, sizeof(debug));
}

/* 3.14 and 3.15 (tagged code references, 3.15's layout) from their real debug offsets. */
static void test_314_315(void)
{
    unsigned char debug[1024];
    struct py_offsets o;

    if (offsets_of("fixtures/debug_offsets_3.14.10.bin", &o, debug))
        check_version(&o, debug, sizeof(debug));
    if (offsets_of("fixtures/debug_offsets_3.15.2.bin", &o, debug))
        check_version(&o, debug, sizeof(debug));
}

/* b. 3.12 details: an entry frame between two Python frames, and on top a frame before its
 * first traceable instruction, owned by the thread (an incomplete frame: a call being set
 * up) or by a generator: both shown, so the set-up cost goes to the callee. */
static void test_312_frames(void)
{
    struct py_offsets o;
    struct world w;
    struct run r;

    TEST_EQ_INT(py_offsets_for_version(0x030c01f0, &o), 0);
    for (unsigned owner = 0; owner <= 1; owner++) {
        world_init(&w, &o, 1 << 20, NULL, 0);
        uint64_t ts = mk_tstate(&w, MAIN_TID, getpid());
        put_u64(&w, w.interp + o.is_threads_head, ts);
        uint64_t leaf = mk_stack(&w, ts), middle = leaf - FRAME_GAP, main = middle - FRAME_GAP;
        put_u64(&w, middle + o.fr_back, mk_shim(&w, main)); /* a call through C */
        uint64_t code = mk_code(&w, "init", "init", "app.py", 2, data_312.linetable[0], 10);
        put_i32(&w, code + o.co_firsttraceable, 2);
        /* THREAD-owned: in the chunk, above leaf. GENERATOR-owned: in the generator object. */
        uint64_t chunk = leaf - 2 * FRAME_GAP - 24;
        uint64_t top = owner ? img_alloc(&w, 80) : leaf + FRAME_GAP;
        put_iframe(&w, top, leaf, code, 1, owner);
        set_top(&w, ts, top);
        if (owner == 0)
            set_datastack(&w, ts, chunk, top + FRAME_GAP);
        run_start(&r, &w, 0, NULL, NULL);
        TEST_EQ_INT(r.err, 0);
        TEST_EQ_INT(r.s->nthreads, 1);
        if (r.s->nthreads == 1 && r.s->threads[0].nframes == 4) {
            const struct unwind_code *c = unwinder_code(r.u, r.s->frames[0].code);
            TEST_EQ_STR(c ? c->name : NULL, "init");
            TEST_EQ_INT(r.s->frames[0].line, 3);
            TEST_EQ_INT(r.s->frames[3].line, 12);
        } else {
            TEST_CHECK(!"frame before its first traceable instruction not shown");
        }
        check_resample(&r);
        run_end(&r);
        if (owner == 0) {
            /* The same incomplete frame with a callee above it: a torn copy. */
            put_iframe(&w, top + FRAME_GAP, top, w.code[0], w.data->pos[0], 0);
            set_top(&w, ts, top + FRAME_GAP);
            set_datastack(&w, ts, chunk, top + 2 * FRAME_GAP);
            run_start(&r, &w, 0, NULL, NULL);
            TEST_EQ_INT(r.err, 0);
            TEST_CHECK(r.s->nthreads == 1 && r.s->threads[0].status == UNWIND_TORN);
            run_end(&r);
        }
        world_free(&w);
    }
}

/* One thread with the standard stack; returns its thread state. */
static uint64_t one_thread(struct world *w, const struct py_offsets *o, size_t cap)
{
    world_init(w, o, cap, NULL, 0);
    uint64_t ts = mk_tstate(w, MAIN_TID, getpid());
    put_u64(w, w->interp + o->is_threads_head, ts);
    mk_stack(w, ts);
    return ts;
}

/* Sample w's single thread and expect status with nframes frames. */
static void expect_thread(struct world *w, enum unwind_status status, uint32_t nframes)
{
    struct run r;

    run_start(&r, w, 0, NULL, NULL);
    TEST_EQ_INT(r.err, 0);
    TEST_EQ_INT(r.s->nthreads, 1);
    TEST_EQ_INT(r.s->threads[0].status, status);
    TEST_EQ_INT(r.s->threads[0].nframes, nframes);
    TEST_CHECK(r.s->nframes == r.s->threads[0].first + r.s->threads[0].nframes);
    /* A static image reads the same at every retry: retried to the end of the budget of the
     * status's kind, which for a cut chain is also bounded in time (fewer retries when this
     * process does not get the CPU). */
    if (status == UNWIND_CUT)
        TEST_CHECK(r.s->retries >= 1 && r.s->retries <= UNWIND_CUT_RETRIES);
    else
        TEST_EQ_INT(r.s->retries, status == UNWIND_TORN ? UNWIND_RETRIES : 0);
    /* Only a whole stack has a root frame. */
    TEST_EQ_INT(r.s->threads[0].root_frame != 0, status == UNWIND_OK && nframes > 0);
    run_end(&r);
}

/* d. A code pointer to something that is not a code object; an unmapped or misaligned frame;
 * an unmapped _PyCFrame. */
static void test_torn(void)
{
    static const unsigned versions[] = {0x030a0df0, 0x030c01f0};
    struct py_offsets o;
    struct world w;

    for (size_t i = 0; i < 2; i++) {
        TEST_EQ_INT(py_offsets_for_version(versions[i], &o), 0);
        one_thread(&w, &o, 1 << 20);
        put_u64(&w, w.code[1] + o.ob_type, w.code_type + 8);
        expect_thread(&w, UNWIND_TORN, 0);
        world_free(&w);

        uint64_t ts = one_thread(&w, &o, 1 << 20);
        set_top(&w, ts, UNMAPPED);
        expect_thread(&w, UNWIND_TORN, 0);
        set_top(&w, ts, w.code[0] + 4);
        expect_thread(&w, UNWIND_TORN, 0);
        world_free(&w);
    }
    TEST_EQ_INT(py_offsets_for_version(0x030c01f0, &o), 0); /* _PyCFrame: 3.11, 3.12 */
    uint64_t ts = one_thread(&w, &o, 1 << 20);
    put_u64(&w, ts + o.ts_cframe, UNMAPPED);
    expect_thread(&w, UNWIND_TORN, 0);
    world_free(&w);
}

static uint64_t get_u64(struct world *w, uint64_t addr)
{
    uint64_t v;

    memcpy(&v, img_at(w, addr), sizeof(v));
    return v;
}

/* The root frame of a three-frame stack whose leaf is leaf. */
static uint64_t root_of(struct world *w, uint64_t leaf)
{
    return get_u64(w, get_u64(w, leaf + w->o.fr_back) + w->o.fr_back);
}

/* d. Cycles end (torn, or truncated at UNWIND_MAX_DEPTH); so do chains that are too deep. */
static void test_cycles_and_depth(void)
{
    static const unsigned versions[] = {0x030a0df0, 0x030c01f0};
    struct py_offsets o;
    struct world w;

    for (size_t i = 0; i < 2; i++) {
        TEST_EQ_INT(py_offsets_for_version(versions[i], &o), 0);
        uint64_t ts = one_thread(&w, &o, 1 << 20);
        uint64_t top = o.ts_cframe ? get_u64(&w, get_u64(&w, ts + o.ts_cframe)) : 0;
        uint64_t leaf = top ? top : get_u64(&w, ts + o.ts_frame);
        uint64_t main = root_of(&w, leaf);
        put_u64(&w, main + o.fr_back, leaf);
        if (o.frames == PY_FRAMES_OBJECT)
            expect_thread(&w, UNWIND_TRUNCATED, UNWIND_MAX_DEPTH);
        else
            expect_thread(&w, UNWIND_TORN, 0); /* a caller above its callee in the chunk */
        /* A self-loop: torn in a chunk (a frame cannot call itself in place), else truncated. */
        put_u64(&w, leaf + o.fr_back, leaf);
        if (o.frames == PY_FRAMES_OBJECT)
            expect_thread(&w, UNWIND_TRUNCATED, UNWIND_MAX_DEPTH);
        else
            expect_thread(&w, UNWIND_TORN, 0);
        if (o.frames == PY_FRAMES_INTERP) {
            /* Frames of two chunks, each the other's caller: no order between them to break,
             * truncated. */
            uint64_t old = mk_chunk(&w, 0), fresh = mk_chunk(&w, old);
            put_iframe(&w, old + 24, fresh + 24, w.code[1], w.data->pos[1], 0);
            set_chunk_top(&w, old, old + 24 + FRAME_GAP);
            put_iframe(&w, fresh + 24, old + 24, w.code[0], w.data->pos[0], 0);
            set_top(&w, ts, fresh + 24);
            set_datastack(&w, ts, fresh, fresh + 24 + FRAME_GAP);
            expect_thread(&w, UNWIND_TRUNCATED, UNWIND_MAX_DEPTH);
            /* A generator's frame (read on its own) resuming itself: truncated. */
            uint64_t gen = img_alloc(&w, 80);
            put_iframe(&w, gen, gen, w.code[0], w.data->pos[0], 1);
            set_top(&w, ts, gen);
            expect_thread(&w, UNWIND_TRUNCATED, UNWIND_MAX_DEPTH);
        }
        world_free(&w);

        /* Deep stacks (3.11+: over linked chunks, on an entry frame): truncated past the limit,
         * whole up to it, the entry frame below the outermost not counted. */
        for (int extra = 100; extra >= 0; extra = extra > 1 ? 1 : extra - 1) {
            ts = one_thread(&w, &o, 4 << 20);
            mk_chain(&w, ts, UNWIND_MAX_DEPTH + extra, CHUNK_SIZE);
            expect_thread(&w, extra ? UNWIND_TRUNCATED : UNWIND_OK, UNWIND_MAX_DEPTH);
            world_free(&w);
        }
    }
}

/* d. The thread list ends where a thread state does not point back to the interpreter; the
 * runtime says "not initialised", "finalising", or cannot be read. */
static void test_lists_and_runtime(void)
{
    struct py_offsets o;
    struct world w;
    struct run r;

    TEST_EQ_INT(py_offsets_for_version(0x030c01f0, &o), 0);
    uint64_t ts = one_thread(&w, &o, 1 << 20);
    uint64_t ts2 = mk_tstate(&w, OTHER_TID, getpid() + 1), ts3 = mk_tstate(&w, 0x1000, 3);
    put_u64(&w, ts + o.ts_next, ts2);
    put_u64(&w, ts2 + 0, ts); /* PyThreadState.prev */
    put_u64(&w, ts2 + o.ts_next, ts3);
    put_u64(&w, ts2 + o.ts_interp, w.interp + 8);
    run_start(&r, &w, 0, NULL, NULL);
    TEST_EQ_INT(r.err, 0);
    TEST_EQ_INT(r.s->nthreads, 1);
    check_stack(&r, 0);
    run_end(&r);
    put_u64(&w, w.interp + o.is_threads_head, ts2);
    run_start(&r, &w, 0, NULL, NULL);
    TEST_EQ_INT(r.err, 0);
    TEST_EQ_INT(r.s->nthreads, 0);
    run_end(&r);
    put_u64(&w, w.interp + o.is_threads_head, 0);
    run_start(&r, &w, 0, NULL, NULL);
    TEST_EQ_INT(r.err, 0);
    TEST_EQ_INT(r.s->nthreads, 0);
    run_end(&r);

    put_u64(&w, w.runtime + o.rt_finalizing, ts);
    run_start(&r, &w, 0, NULL, NULL);
    TEST_EQ_INT(r.err, -EAGAIN);
    run_end(&r);
    put_u64(&w, w.runtime + o.rt_finalizing, 0);
    put_u64(&w, w.runtime + o.rt_interp_head, 0);
    run_start(&r, &w, 0, NULL, NULL);
    TEST_EQ_INT(r.err, -EAGAIN);
    TEST_EQ_INT(r.s->nthreads, 0);
    run_end(&r);
    w.runtime = UNMAPPED;
    run_start(&r, &w, 0, NULL, NULL);
    TEST_EQ_INT(r.err, -EAGAIN);
    run_end(&r);
    world_free(&w);
}

/* e. Thread filter and GIL holder: two threads, newest first; the second holds the GIL. */
static int only_main(void *ctx, const struct unwind_thread *th)
{
    (*(int *)ctx)++;
    return th->thread_id == MAIN_TID;
}

static int only_gil(void *ctx, const struct unwind_thread *th)
{
    (void)ctx;
    return th->holds_gil;
}

/* Two threads: ts_other (head, holds the GIL) then ts_main. */
static void two_threads(struct world *w, const struct py_offsets *o, const void *debug)
{
    world_init(w, o, 1 << 20, debug, debug ? 1024 : 0);
    uint64_t ts_main = mk_tstate(w, MAIN_TID, getpid());
    uint64_t ts_other = mk_tstate(w, OTHER_TID, getpid() + 1);
    put_u64(w, w->interp + o->is_threads_head, ts_other);
    put_u64(w, ts_other + o->ts_next, ts_main);
    put_u64(w, ts_main + 0, ts_other); /* PyThreadState.prev */
    mk_stack(w, ts_main);
    mk_stack(w, ts_other);
    if (o->gil == PY_GIL_TSTATE_CURRENT) {
        put_u64(w, w->runtime + o->rt_tstate_current, ts_other);
    } else if (o->ts_holds_gil_bit >= 0) {
        put_i32(w, ts_other + o->ts_status, 1 << o->ts_holds_gil_bit);
        put_u64(w, w->interp + o->is_gil_ptr, img_alloc(w, 256)); /* unlocked */
    } else {
        uint64_t gil = img_alloc(w, 256);
        put_u64(w, w->interp + o->is_gil_ptr, gil);
        put_u64(w, gil + o->gil_last_holder, ts_other);
        put_i32(w, gil + o->gil_locked, 1);
    }
}

static void check_threads(const struct py_offsets *o, const void *debug)
{
    struct world w;
    struct run r;
    int calls = 0;

    two_threads(&w, o, debug);
    run_start(&r, &w, UNWIND_GIL, NULL, NULL);
    TEST_EQ_INT(r.err, 0);
    TEST_EQ_INT(r.s->nthreads, 2);
    check_stack(&r, 0);
    check_stack(&r, 1);
    TEST_CHECK(r.s->threads[0].thread_id == OTHER_TID && r.s->threads[0].holds_gil == 1);
    TEST_CHECK(r.s->threads[1].thread_id == MAIN_TID && r.s->threads[1].holds_gil == 0);
    TEST_CHECK(r.s->threads[0].is_main == 0 && r.s->threads[1].is_main == 1);
    TEST_CHECK(r.s->threads[1].first == r.s->threads[0].first + 3);
    check_resample(&r);
    run_end(&r);

    run_start(&r, &w, UNWIND_GIL, only_main, &calls);
    TEST_EQ_INT(r.err, 0);
    TEST_EQ_INT(calls, 2);
    TEST_EQ_INT(r.s->nthreads, 1);
    TEST_CHECK(r.s->threads[0].thread_id == MAIN_TID && r.s->threads[0].first == 0);
    check_stack(&r, 0);
    TEST_EQ_INT(r.s->nframes, 3);
    run_end(&r);

    run_start(&r, &w, UNWIND_GIL, only_gil, NULL);
    TEST_EQ_INT(r.s->nthreads, 1);
    TEST_CHECK(r.s->threads[0].thread_id == OTHER_TID);
    run_end(&r);
    /* Without UNWIND_GIL nobody is reported as holding it. */
    run_start(&r, &w, 0, only_gil, NULL);
    TEST_EQ_INT(r.s->nthreads, 0);
    run_end(&r);
    /* UNWIND_GIL_ADDR: the GIL struct's address, embedded in _PyRuntime (3.8-3.11) or pointed
     * to by interp->ceval.gil (3.12+). */
    uint64_t gil =
        o->gil == PY_GIL_STRUCT ? get_u64(&w, w.interp + o->is_gil_ptr) : w.runtime + o->rt_gil;
    run_start(&r, &w, UNWIND_GIL_ADDR, NULL, NULL);
    TEST_EQ_INT(r.s->nthreads, 2);
    TEST_CHECK(gil && r.s->threads[0].gil == gil && r.s->threads[1].gil == gil);
    run_end(&r);
    world_free(&w);
}

static void test_threads(void)
{
    static const unsigned versions[] = {0x030a0df0, 0x030b07f0, 0x030c01f0};
    unsigned char debug[1024];
    struct py_offsets o;

    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        TEST_EQ_INT(py_offsets_for_version(versions[i], &o), 0);
        check_threads(&o, NULL);
    }
    if (offsets_313(&o, debug))
        check_threads(&o, debug);
}

/* ---- hostile offsets: refused before any reader can index its buffers with them ---- */

/* The real 3.13 debug offsets with one field changed must be refused. */
static void expect_refused_313(size_t off, uint64_t v)
{
    unsigned char debug[1024];
    struct py_offsets o;

    if (!offsets_313(&o, debug))
        return;
    memcpy(debug + off, &v, 8);
    TEST_EQ_INT(py_offsets_from_debug(debug, sizeof(debug), &o), -EINVAL);
}

static void test_hostile_offsets(void)
{
    /* pyobject.ob_type 4096: code_resolve() would read its hdr[PY_CODE_MAX] at 4096. */
    expect_refused_313(360, 4096);
    /* thread_state.interp 8192: sample_interp() would read its ts[PY_TSTATE_MAX] at 8192. */
    expect_refused_313(176, 8192);
}

/* ---- a target that changes while it is read ---- */

/* Serves image img[cur], except that a range starting at trigger comes from the other image
 * (shots times): a read that sees the target in another state. Remembers the ranges of its
 * latest vectored read of more than one range. */
struct flip {
    struct target base;
    struct target *img[2];
    int cur;
    uint64_t trigger;
    int shots;
    uint64_t vec[64]; /* addresses, in the order asked for */
    int nvec;
};

static long flip_readv(struct target *t, const struct target_iov *iov, int n)
{
    struct flip *f = (struct flip *)t;
    long total = 0;

    t->nreads++;
    if (n > 1) {
        f->nvec = 0;
        for (int i = 0; i < n && i < 64; i++)
            f->vec[f->nvec++] = iov[i].addr;
    }
    for (int i = 0; i < n; i++) {
        int which = f->cur;
        if (f->shots && iov[i].addr == f->trigger) {
            f->shots--;
            which ^= 1;
        }
        long got = f->img[which]->ops->readv(f->img[which], &iov[i], 1);
        if (got < 0)
            return got;
        total += got;
        if ((size_t)got < iov[i].len)
            break;
    }
    return total;
}

static void flip_free(struct target *t)
{
    struct flip *f = (struct flip *)t;

    target_free(f->img[0]);
    target_free(f->img[1]);
    free(f);
}

static const struct target_ops flip_ops = {flip_readv, flip_free};

static struct flip *flip_new(struct target *a, struct target *b, uint64_t trigger, int shots)
{
    struct flip *f = xcalloc(1, sizeof(*f));

    f->base.ops = &flip_ops;
    f->img[0] = a;
    f->img[1] = b;
    f->trigger = trigger;
    f->shots = shots;
    return f;
}

/* The frame called by main's caller chain: leaf's caller is middle, whose caller is main. */
static uint64_t caller(struct world *w, uint64_t f)
{
    return get_u64(w, f + w->o.fr_back);
}

/* 3.10: middle's frame is recycled for another call between the walk and the re-check of its
 * links: retried, and right, even at the last retry; or the re-check keeps seeing it recycled:
 * torn after UNWIND_RETRIES retries. */
static void test_torn_retry(void)
{
    static const int runs[] = {1, UNWIND_RETRIES, UNWIND_RETRIES + 1};
    struct py_offsets o;
    struct world w;
    struct run r;

    TEST_EQ_INT(py_offsets_for_version(0x030a0df0, &o), 0);
    for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
        int shots = runs[k];
        uint64_t ts = one_thread(&w, &o, 1 << 20);
        uint64_t middle = caller(&w, get_u64(&w, ts + o.ts_frame));
        struct target *a = snapshot(&w);
        put_u64(&w, middle + o.fr_code, w.code[2]);
        struct flip *f = flip_new(a, snapshot(&w), middle + o.fr_back, shots);
        run_target(&r, &w, &f->base, 0, NULL, NULL);
        TEST_EQ_INT(r.err, 0);
        TEST_EQ_INT(r.s->nthreads, 1);
        TEST_EQ_INT(r.s->retries, shots <= UNWIND_RETRIES ? shots : UNWIND_RETRIES);
        if (shots <= UNWIND_RETRIES) {
            check_stack(&r, 0);
        } else {
            TEST_EQ_INT(r.s->threads[0].status, UNWIND_TORN);
            TEST_EQ_INT(r.s->threads[0].nframes, 0);
        }
        TEST_EQ_INT(f->shots, 0);
        run_end(&r);
        world_free(&w);
    }
}

static int reject_all(void *ctx, const struct unwind_thread *th)
{
    (void)ctx;
    (void)th;
    return 0;
}

/* 3.12: a code object freed and another one allocated at its address between two samples.
 * Found when the instruction pointer falls outside the cached bytecode (variant 0); when the
 * entry, used in every sample, is checked again after CODE_CHECK_NS (100 ms: variant 1); at
 * once when the entry was not used in the previous sample (variant 2: start-up code whose
 * address a later function reuses). */
static void test_code_reuse(void)
{
    struct py_offsets o;
    struct world w;
    struct run r;

    TEST_EQ_INT(py_offsets_for_version(0x030c01f0, &o), 0);
    for (int variant = 0; variant <= 2; variant++) {
        uint64_t ts = one_thread(&w, &o, 1 << 20);
        uint64_t leaf = get_u64(&w, get_u64(&w, ts + o.ts_cframe)), code = w.code[0];
        struct target *a = snapshot(&w);
        put_u64(&w, code + o.co_qualname, mk_str(&w, "leaf2"));
        put_u64(&w, code + o.co_filename, mk_str(&w, "new.py"));
        if (variant == 0) { /* now main's bytecode (12 code units) */
            put_u64(&w, code + o.co_linetable, mk_bytes_hex(&w, data_312.linetable[2]));
            put_i32(&w, code + o.co_firstlineno, 11);
            put_u64(&w, code + o.ob_size, 12);
            put_iframe(&w, leaf, caller(&w, leaf), code, 11, 0);
        }
        struct flip *f = flip_new(a, snapshot(&w), 0, 0);
        run_target(&r, &w, &f->base, 0, NULL, NULL);
        check_stack(&r, 0);
        if (variant == 2) { /* a sample that does not use the entry */
            TEST_EQ_INT(unwinder_sample(r.u, r.s, reject_all, NULL), 0);
            TEST_EQ_INT(r.s->nthreads, 0);
        }
        f->cur = 1;
        if (variant == 1) {
            TEST_EQ_INT(unwinder_sample(r.u, r.s, NULL, NULL), 0); /* used in every sample */
            usleep(110000);                                        /* past the re-check period */
        }
        TEST_EQ_INT(unwinder_sample(r.u, r.s, NULL, NULL), 0);
        TEST_EQ_INT(r.s->nthreads, 1);
        TEST_EQ_INT(r.s->threads[0].nframes, 3);
        TEST_EQ_INT(unwinder_ncodes(r.u), 4);
        const struct unwind_code *c = unwinder_code(r.u, r.s->frames[0].code);
        TEST_EQ_STR(c ? c->name : NULL, "leaf2");
        TEST_EQ_STR(c ? c->file : NULL, "new.py");
        TEST_EQ_INT(r.s->frames[0].line, variant ? 4 : 13);
        c = unwinder_code(r.u, 0); /* the old entry is still there for indexes handed out */
        TEST_EQ_STR(c ? c->name : NULL, "leaf");
        run_end(&r);
        world_free(&w);
    }
}

/* A thread list that loops back on itself ends where its back link (prev) breaks. */
static void test_thread_cycle(void)
{
    struct py_offsets o;
    struct world w;
    struct run r;

    TEST_EQ_INT(py_offsets_for_version(0x030c01f0, &o), 0);
    uint64_t ts = one_thread(&w, &o, 1 << 20);
    put_u64(&w, ts + o.ts_next, ts);
    run_start(&r, &w, 0, NULL, NULL);
    TEST_EQ_INT(r.err, 0);
    TEST_CHECK(r.s->nthreads >= 1 && r.s->nthreads <= UNWIND_MAX_THREADS);
    check_stack(&r, 0);
    TEST_EQ_INT(r.s->nthreads, 1); /* the broken back link ends the list */
    run_end(&r);
    world_free(&w);
}

/* Take a new snapshot of w and f for r's unwinder (what a live target would show now). */
static void resnapshot(struct run *r, const struct world *w, const struct fake *f)
{
    target_free(r->p->t);
    r->p->t = snapshot(w);
    fake_snapshot(f, r->p->t);
}

/* e. Thread names: a thread started by threading has Thread._bootstrap at the root of its stack,
 * whose first local is the Thread; its name is its _name attribute. The main thread's root is
 * <module> (no name); a root frame that moved on to other code, an unreadable self, a
 * _bootstrap from another file give no name either. */
static void check_thread_name(const struct py_offsets *o, const void *debug, size_t debug_len)
{
    static const char *const attrs[] = {"_target", "_name", "_daemonic"};
    const char *file = "/usr/lib/python3/threading.py";
    struct world w;
    struct fake f;
    struct run r;
    char name[64];

    world_init(&w, o, 1 << 20, debug, debug_len);
    fake_init(&f, o, FAKE_BASE, 1 << 16);
    uint64_t vals[3] = {fake_str(&f, "t"), fake_str(&f, "w\xc3\xb6rker-\xc3\xbc"), 0};
    vals[2] = vals[0];
    uint64_t self = fake_instance(&f, attrs, vals, 3, FAKE_FRESH, NULL);
    const struct version_data *d = w.data;
    uint64_t code[3] = {
        w.code[0], mk_code(&w, "run", "Thread.run", file, 7, d->linetable[1], d->ncodeunits[1]),
        mk_code(&w, "_bootstrap", "Thread._bootstrap", file, 11, d->linetable[2],
                d->ncodeunits[2])};
    uint64_t ts = mk_tstate(&w, MAIN_TID, getpid()), ts2 = mk_tstate(&w, OTHER_TID, getpid() + 1);
    put_u64(&w, w.interp + o->is_threads_head, ts2);
    put_u64(&w, ts2 + o->ts_next, ts);
    put_u64(&w, ts + 0, ts2); /* PyThreadState.prev */
    uint64_t main_root = root_of(&w, mk_stack(&w, ts));
    uint64_t root = root_of(&w, mk_stack_of(&w, ts2, code));
    put_u64(&w, root + o->fr_localsplus, self);
    struct target *t = snapshot(&w);
    fake_snapshot(&f, t);
    run_target(&r, &w, t, 0, NULL, NULL);
    TEST_EQ_INT(r.err, 0);
    TEST_EQ_INT(r.s->nthreads, 2);
    if (r.s->nthreads == 2) {
        const struct unwind_thread *other = &r.s->threads[0], *main = &r.s->threads[1];
        TEST_CHECK(other->root_frame == root && main->root_frame == main_root);
        TEST_EQ_INT(unwinder_thread_name(r.u, r.s, other, name, sizeof(name)), 0);
        TEST_EQ_STR(name, "w\xc3\xb6rker-\xc3\xbc");
        TEST_EQ_INT(unwinder_thread_name(r.u, r.s, other, name, 5), 0); /* cut whole */
        TEST_EQ_STR(name, "w\xc3\xb6r");
        TEST_EQ_INT(unwinder_thread_name(r.u, r.s, main, name, sizeof(name)), -ENOENT);
        TEST_EQ_STR(name, "");
        /* The thread moved on: its root frame now runs other code. */
        put_u64(&w, root + o->fr_code, code[1]);
        resnapshot(&r, &w, &f);
        TEST_EQ_INT(unwinder_thread_name(r.u, r.s, other, name, sizeof(name)), -ENOENT);
        put_u64(&w, root + o->fr_code, code[2]);
        put_u64(&w, root + o->fr_localsplus, UNMAPPED);
        resnapshot(&r, &w, &f);
        TEST_EQ_INT(unwinder_thread_name(r.u, r.s, other, name, sizeof(name)), -EFAULT);
        put_u64(&w, root + o->fr_localsplus, self);
        resnapshot(&r, &w, &f);
        TEST_EQ_INT(unwinder_thread_name(r.u, r.s, other, name, sizeof(name)), 0);
    }
    run_end(&r);
    /* The same stack rooted in a _bootstrap of another module. */
    put_u64(&w, root + o->fr_code,
            mk_code(&w, "_bootstrap", "Thread._bootstrap", "/srv/mythreading.py", 11,
                    d->linetable[2], d->ncodeunits[2]));
    t = snapshot(&w);
    fake_snapshot(&f, t);
    run_target(&r, &w, t, 0, NULL, NULL);
    TEST_EQ_INT(r.s->nthreads, 2);
    if (r.s->nthreads == 2)
        TEST_EQ_INT(unwinder_thread_name(r.u, r.s, &r.s->threads[0], name, sizeof(name)), -ENOENT);
    run_end(&r);
    fake_free(&f);
    world_free(&w);
}

static void test_thread_names(void)
{
    static const unsigned versions[] = {0x030812f0, 0x030912f0, 0x030a0df0, 0x030b07f0, 0x030c01f0};
    unsigned char debug[1024];
    struct py_offsets o;

    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        TEST_EQ_INT(py_offsets_for_version(versions[i], &o), 0);
        check_thread_name(&o, NULL, 0);
    }
    if (offsets_313(&o, debug))
        check_thread_name(&o, debug, sizeof(debug));
    /* Free-threaded builds: not read. */
    TEST_EQ_INT(py_offsets_for_version(0x030c01f0, &o), 0);
    o.dict_layout = PY_DICT_NONE;
    struct world w;
    struct run r;
    char name[8];
    one_thread(&w, &o, 1 << 20);
    run_start(&r, &w, 0, NULL, NULL);
    TEST_EQ_INT(unwinder_thread_name(r.u, r.s, &r.s->threads[0], name, sizeof(name)), -ENOTSUP);
    run_end(&r);
    world_free(&w);
}

/* ---- whole stacks: the rules of docs/frame-wholeness.md ---- */

#define OWNER_THREAD       0
#define OWNER_GENERATOR    1
#define OWNER_FRAME_OBJECT 2
#define OWNER_CSTACK       3

/* The thread's current frame. */
static uint64_t current_frame(struct world *w, uint64_t ts)
{
    const struct py_offsets *o = &w->o;

    return o->ts_cframe ? get_u64(w, get_u64(w, ts + o->ts_cframe) + o->cf_current_frame)
                        : get_u64(w, ts + o->ts_frame);
}

/* Sample w's single thread and expect the whole leaf <- middle <- main stack, read at the first
 * try. */
static void expect_whole(struct world *w)
{
    struct run r;

    run_start(&r, w, 0, NULL, NULL);
    TEST_EQ_INT(r.err, 0);
    TEST_EQ_INT(r.s->nthreads, 1);
    check_stack(&r, 0);
    TEST_EQ_INT(r.s->retries, 0);
    TEST_CHECK(r.s->nthreads == 1 && r.s->threads[0].root_frame != 0);
    run_end(&r);
}

typedef void layout_check_fn(const struct py_offsets *o);

/* check on every 3.11+ layout: the 3.11 and 3.12 tables, the real 3.13 debug offsets. */
static void on_interp_layouts(layout_check_fn *check)
{
    static const unsigned versions[] = {0x030b07f0, 0x030c01f0};
    unsigned char debug[1024];
    struct py_offsets o;

    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        TEST_EQ_INT(py_offsets_for_version(versions[i], &o), 0);
        check(&o);
    }
    if (offsets_313(&o, debug))
        check(&o);
}

/* The standard stack of one thread, with a generator's frame for leaf: in its generator object,
 * outside the data stack, resumed by middle (the newest frame of the chunk). Returns the
 * thread state; *gen receives the generator's frame. */
static uint64_t gen_thread(struct world *w, const struct py_offsets *o, uint64_t *gen)
{
    uint64_t ts = one_thread(w, o, 1 << 20), leaf = current_frame(w, ts);

    *gen = img_alloc(w, 80);
    put_iframe(w, *gen, leaf - FRAME_GAP, w->code[0], w->data->pos[0], OWNER_GENERATOR);
    set_top(w, ts, *gen);
    set_datastack(w, ts, leaf - 2 * FRAME_GAP - 24, leaf); /* leaf's slot is free again */
    return ts;
}

/* Rules 2 and 3 (3.11+): a generator's frame resumed from Python, or (3.12+) from C through an
 * entry frame, is whole. Cut: a generator as the outermost Python frame (a yield cleared its
 * link after the thread's current frame was read), on an entry frame or not; a frame lying where
 * its owner never puts one (a generator's in a chunk, the thread's outside every chunk: memory
 * reused since its link was read); a frame object's copy of a finished frame (owner 2: in no
 * live chain); thread frames with no data stack at all. A C-stack frame
 * (owner 3, 3.12+) may lie anywhere, in a chunk too. */
static void check_generators(const struct py_offsets *o)
{
    struct world w;
    uint64_t gen, ts = gen_thread(&w, o, &gen);
    uint64_t middle = get_u64(&w, gen + o->fr_back), leaf = middle + FRAME_GAP;
    uint64_t chunk = middle - FRAME_GAP - 24;

    expect_whole(&w);
    if (o->minor >= 12) {
        put_u64(&w, gen + o->fr_back, mk_shim(&w, middle)); /* next(gen) called from C */
        expect_whole(&w);
        put_u64(&w, gen + o->fr_back, mk_shim(&w, 0));
        expect_thread(&w, UNWIND_CUT, 0);
    }
    put_u64(&w, gen + o->fr_back, 0);
    expect_thread(&w, UNWIND_CUT, 0);
    put_u64(&w, gen + o->fr_back, middle);
    *img_at(&w, gen + o->fr_owner) = OWNER_THREAD;
    expect_thread(&w, UNWIND_CUT, 0);
    *img_at(&w, gen + o->fr_owner) = OWNER_FRAME_OBJECT;
    expect_thread(&w, UNWIND_CUT, 0);

    set_top(&w, ts, leaf); /* back to the thread's own leaf in the chunk */
    set_datastack(&w, ts, chunk, leaf + FRAME_GAP);
    expect_whole(&w);
    *img_at(&w, leaf + o->fr_owner) = OWNER_GENERATOR;
    expect_thread(&w, UNWIND_CUT, 0);
    *img_at(&w, leaf + o->fr_owner) = OWNER_THREAD;
    set_datastack(&w, ts, 0, 0);
    expect_thread(&w, UNWIND_CUT, 0);
    if (o->minor >= 12) {
        /* leaf one slot up, called through an owner-3 frame in leaf's old slot. */
        put_iframe(&w, leaf, middle, 0, 0, OWNER_CSTACK);
        put_iframe(&w, leaf + FRAME_GAP, leaf, w.code[0], w.data->pos[0], OWNER_THREAD);
        set_top(&w, ts, leaf + FRAME_GAP);
        set_datastack(&w, ts, chunk, leaf + 2 * FRAME_GAP);
        expect_whole(&w);
    }
    world_free(&w);
}

static void test_generators(void)
{
    on_interp_layouts(check_generators);
}

/* Rule 1 (3.11+), the newest chunk: its live part ends at the thread's datastack_top. A frame
 * ending there is whole; one above it, or not whole below it, or in the chunk's header, was
 * popped since the pointer to it was read (cut). A datastack_top outside its chunk means the
 * thread state and chunk were read at different moments (torn). */
static void check_datastack_top(const struct py_offsets *o)
{
    struct world w;
    uint64_t ts = one_thread(&w, o, 1 << 20), leaf = current_frame(&w, ts);
    uint64_t chunk = leaf - 2 * FRAME_GAP - 24;

    set_datastack(&w, ts, chunk, leaf + o->fr_size);
    expect_whole(&w);
    set_datastack(&w, ts, chunk, leaf + o->fr_size - 8);
    expect_thread(&w, UNWIND_CUT, 0);
    set_datastack(&w, ts, chunk, leaf);
    expect_thread(&w, UNWIND_CUT, 0);
    set_datastack(&w, ts, chunk, leaf + FRAME_GAP);
    set_top(&w, ts, chunk + 8);
    expect_thread(&w, UNWIND_CUT, 0);
    set_top(&w, ts, leaf);
    expect_whole(&w);
    set_datastack(&w, ts, chunk, chunk + CHUNK_SIZE + 8);
    expect_thread(&w, UNWIND_TORN, 0);
    set_datastack(&w, ts, chunk, 0);
    expect_thread(&w, UNWIND_TORN, 0);
    world_free(&w);
}

static void test_datastack_top(void)
{
    on_interp_layouts(check_datastack_top);
}

/* Rule 1 (3.11+), older chunks: the stack spread over two chunks, main in the older one, is
 * whole. The older chunk's live part ends at the top saved in its header (an index): main above
 * it, or not whole below it, was popped since (cut); a saved top that is not an index (an
 * address) means the header is not a chunk's (torn). */
static void check_two_chunks(const struct py_offsets *o)
{
    struct world w;
    struct run r;
    uint64_t ts = one_thread(&w, o, 1 << 20), leaf = current_frame(&w, ts);
    uint64_t old = mk_chunk(&w, 0), fresh = mk_chunk(&w, old);
    uint64_t main = old + 24 + 4 * FRAME_GAP;

    put_iframe(&w, main, mk_bottom(&w, ts), w.code[2], w.data->pos[2], OWNER_THREAD);
    set_chunk_top(&w, old, main + FRAME_GAP);
    put_iframe(&w, fresh + 24, main, w.code[1], w.data->pos[1], OWNER_THREAD);
    put_iframe(&w, fresh + 24 + FRAME_GAP, fresh + 24, w.code[0], w.data->pos[0], OWNER_THREAD);
    put_u64(&w, leaf - FRAME_GAP + o->fr_back, 0); /* the first stack is garbage now */
    set_top(&w, ts, fresh + 24 + FRAME_GAP);
    set_datastack(&w, ts, fresh, fresh + 24 + 2 * FRAME_GAP);
    run_start(&r, &w, 0, NULL, NULL);
    TEST_EQ_INT(r.err, 0);
    TEST_EQ_INT(r.s->nthreads, 1);
    check_stack(&r, 0);
    TEST_EQ_INT(r.s->retries, 0);
    check_resample(&r);
    run_end(&r);
    set_chunk_top(&w, old, main + o->fr_size);
    expect_whole(&w);
    set_chunk_top(&w, old, main + o->fr_size - 8);
    expect_thread(&w, UNWIND_CUT, 0);
    set_chunk_top(&w, old, main);
    expect_thread(&w, UNWIND_CUT, 0);
    put_u64(&w, old + 16, main + FRAME_GAP);
    expect_thread(&w, UNWIND_TORN, 0);
    world_free(&w);
}

static void test_two_chunks(void)
{
    on_interp_layouts(check_two_chunks);
}

/* Rule 2 past NREGIONS chunks: the frames in chunks beyond those copied are read on their own,
 * and a stack over 60 chunks is whole; placement is still checked in the copied ones. */
static void check_many_chunks(const struct py_offsets *o)
{
    struct world w;
    uint64_t ts = one_thread(&w, o, 4 << 20), top = mk_chain(&w, ts, 60, 1);

    expect_thread(&w, UNWIND_OK, 60);
    uint64_t f = top;
    for (int i = 0; i < 10; i++)
        f = get_u64(&w, f + o->fr_back);
    *img_at(&w, f + o->fr_owner) = OWNER_GENERATOR;
    expect_thread(&w, UNWIND_CUT, 0);
    world_free(&w);
}

static void test_many_chunks(void)
{
    on_interp_layouts(check_many_chunks);
}

/* Rule 3, 3.12+: the last frame of a whole chain is the C entry frame of the thread's first
 * call into the interpreter; a chain that stops at a Python frame is cut. 3.11 has no such
 * frame: its chains end at the outermost Python frame. */
static void check_entry_bottom(const struct py_offsets *o)
{
    struct world w;
    uint64_t ts = one_thread(&w, o, 1 << 20);
    uint64_t main = root_of(&w, current_frame(&w, ts));

    put_u64(&w, main + o->fr_back, 0);
    if (o->minor >= 12)
        expect_thread(&w, UNWIND_CUT, 0);
    else
        expect_whole(&w);
    world_free(&w);
}

static void test_entry_bottom(void)
{
    on_interp_layouts(check_entry_bottom);
}

/* 3.11, 3.12: a thread state whose cframe holds no frame has no Python code running when the
 * cframe is its own root_cframe (inside the thread state); a cframe on the C stack with no
 * frame yet is a call into the interpreter half set up: torn, retried. */
static void test_cframe_no_frame(void)
{
    static const unsigned versions[] = {0x030b07f0, 0x030c01f0};
    struct py_offsets o;
    struct world w;

    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        TEST_EQ_INT(py_offsets_for_version(versions[i], &o), 0);
        uint64_t ts = one_thread(&w, &o, 1 << 20);
        uint64_t cframe = get_u64(&w, ts + o.ts_cframe);

        TEST_CHECK(o.ts_cframe && (cframe < ts || cframe >= ts + o.ts_size));
        put_u64(&w, cframe + o.cf_current_frame, 0);
        expect_thread(&w, UNWIND_TORN, 0);
        cframe = ts + o.ts_size - 32; /* where a root_cframe would be: inside the thread state */
        put_u64(&w, ts + o.ts_cframe, cframe);
        put_u64(&w, cframe + o.cf_current_frame, 0);
        expect_thread(&w, UNWIND_OK, 0);
        world_free(&w);
    }
}

/* One sample of run r from image `cur` of flip f: whole (the standard stack) or cut. */
static void sample_flip(struct run *r, struct flip *f, int cur, int whole)
{
    f->cur = cur;
    TEST_EQ_INT(unwinder_sample(r->u, r->s, NULL, NULL), 0);
    TEST_EQ_INT(r->s->nthreads, 1);
    if (whole)
        check_stack(r, 0);
    else
        TEST_EQ_INT(r->s->threads[0].status, UNWIND_CUT);
}

/* Rule 3 (3.12-3.14): a chain may end at an entry frame deeper in the thread's C stack (lower)
 * than the bottom last accepted only after 3 samples in a row end there: that is what a
 * returned C function's entry frame, read as the next call reuses its memory, looks like. A
 * shallower bottom is taken at once; a deeper one between whole samples never is. */
static void check_deeper_bottom(const struct py_offsets *o)
{
    struct world w;
    struct run r;
    uint64_t ts = one_thread(&w, o, 1 << 20);
    uint64_t main = root_of(&w, current_frame(&w, ts));
    uint64_t deep = caller(&w, main), base = mk_shim(&w, 0); /* allocated later: higher */

    if (o->minor < 12 || o->ts_base_frame) {
        world_free(&w);
        return;
    }
    TEST_CHECK(deep && deep < base);
    put_u64(&w, main + o->fr_back, base);
    struct target *a = snapshot(&w);
    put_u64(&w, main + o->fr_back, deep);
    struct flip *f = flip_new(a, snapshot(&w), 0, 0);
    run_target(&r, &w, &f->base, 0, NULL, NULL);
    check_stack(&r, 0);           /* image a: base */
    for (int i = 0; i < 3; i++) { /* a deeper bottom once between whole samples: never */
        sample_flip(&r, f, 1, 0);
        sample_flip(&r, f, 0, 1);
    }
    sample_flip(&r, f, 1, 0); /* three in a row: the third is believed, then kept */
    sample_flip(&r, f, 1, 0);
    sample_flip(&r, f, 1, 1);
    sample_flip(&r, f, 1, 1);
    sample_flip(&r, f, 0, 1); /* shallower: at once */
    sample_flip(&r, f, 1, 0);
    run_end(&r);
    world_free(&w);
}

static void test_deeper_bottom(void)
{
    unsigned char debug[1024];
    struct py_offsets o;

    on_interp_layouts(check_deeper_bottom);
    if (offsets_of("fixtures/debug_offsets_3.14.10.bin", &o, debug)) /* 3.14: tagged code */
        check_deeper_bottom(&o);
}

/* Rule 3, 3.15: the last frame is the one tstate->base_frame points to (a sentinel inside the
 * thread state); an entry frame elsewhere, or a Python frame, at the end is cut. The 3.13
 * layout with the offset set by hand, after the thread state's fields. */
static void test_base_frame(void)
{
    unsigned char debug[1024];
    struct py_offsets o;
    struct world w;

    if (!offsets_313(&o, debug))
        return;
    o.ts_base_frame = o.ts_size;
    o.ts_size += 8;
    uint64_t ts = one_thread(&w, &o, 1 << 20);
    uint64_t main = root_of(&w, current_frame(&w, ts)), base = ts + 512;
    assert(o.ts_size <= 512);

    put_iframe(&w, base, 0, 0, 0, OWNER_CSTACK);
    put_u64(&w, base + o.fr_instr, 0);
    put_u64(&w, ts + o.ts_base_frame, base);
    put_u64(&w, main + o.fr_back, base);
    expect_whole(&w);
    put_u64(&w, main + o.fr_back, mk_shim(&w, 0));
    expect_thread(&w, UNWIND_CUT, 0);
    put_u64(&w, main + o.fr_back, 0);
    expect_thread(&w, UNWIND_CUT, 0);
    world_free(&w);
}

/* Rules 3 and 4, 3.8-3.10: every frame of the chain is being executed, or it returned or
 * yielded since its callee's link was read (cut): f_executing 0 (3.8, 3.9), an f_state other
 * than EXECUTING or UNWINDING (3.10: an exception passing through a frame still runs it). The
 * outermost frame is never a generator's (f_gen set: a yield cleared its f_back); one above it
 * is a generator called by its caller. */
static void check_object_frames(const struct py_offsets *o)
{
    /* 3.10's frame states: CREATED, SUSPENDED, RETURNED, RAISED, CLEARED. */
    static const signed char stopped_310[] = {-2, -1, 1, 3, 4};
    struct world w;
    uint64_t ts = one_thread(&w, o, 1 << 20), f[3];

    f[0] = current_frame(&w, ts);
    f[1] = caller(&w, f[0]);
    f[2] = caller(&w, f[1]);
    expect_whole(&w);
    for (int k = 0; k < 3; k++) {
        unsigned char *state = img_at(&w, f[k] + o->fr_state);
        if (o->minor == 10) {
            for (size_t i = 0; i < sizeof(stopped_310); i++) {
                *state = (unsigned char)stopped_310[i];
                expect_thread(&w, UNWIND_CUT, 0);
            }
            *state = 2; /* FRAME_UNWINDING */
            expect_whole(&w);
        } else {
            *state = 0;
            expect_thread(&w, UNWIND_CUT, 0);
        }
        *state = running(&w);
    }
    uint64_t gen = img_alloc(&w, 64);
    put_u64(&w, f[0] + o->fr_gen, gen);
    put_u64(&w, f[1] + o->fr_gen, gen);
    expect_whole(&w);
    put_u64(&w, f[2] + o->fr_gen, gen);
    expect_thread(&w, UNWIND_CUT, 0);
    world_free(&w);
}

static void test_object_frames(void)
{
    static const unsigned versions[] = {0x030812f0, 0x030912f0, 0x030a0df0};
    struct py_offsets o;

    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        TEST_EQ_INT(py_offsets_for_version(versions[i], &o), 0);
        check_object_frames(&o);
    }
}

#define CUT_RUNS 50 /* runs of a cut-retry test until one ends within the retries' time bound */

/* Sample w's single thread, laid out as it is now, from a flip target that serves image a
 * except for the range at trigger, served from w shots times. */
static struct flip *run_flip(struct run *r, const struct world *w, struct target *a,
                             uint64_t trigger, int shots)
{
    struct flip *f = flip_new(a, snapshot(w), trigger, shots);

    run_target(r, w, &f->base, 0, NULL, NULL);
    TEST_EQ_INT(r->err, 0);
    TEST_EQ_INT(r->s->nthreads, 1);
    return f;
}

/* Rule 5: a walk that meets a change half-way (3.10: middle returned, its state SUSPENDED, when
 * read; 3.12: the leaf generator yielded, its link cleared) is cut and retried, each attempt
 * reading the changed range once: whole as soon as a retry reads the stack whole again, even at
 * the last of UNWIND_CUT_RETRIES; cut after them when none does. Retries are also bounded in
 * time (100 us), so a run slowed down by the machine's load may end cut with fewer retries than
 * shots: that is the only other outcome allowed, and runs are repeated until one ends without
 * running out of time. */
static void test_cut_retry(void)
{
    static const unsigned versions[] = {0x030a0df0, 0x030c01f0};
    static const int runs[] = {1, 3, UNWIND_CUT_RETRIES, UNWIND_CUT_RETRIES + 1};
    struct py_offsets o;
    struct world w;
    struct run r;

    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        TEST_EQ_INT(py_offsets_for_version(versions[i], &o), 0);
        for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
            int shots = runs[k], done = 0;
            for (int n = 0; n < CUT_RUNS && !done; n++) {
                uint64_t trigger = 0;
                struct target *a;
                if (o.frames == PY_FRAMES_OBJECT) {
                    uint64_t ts = one_thread(&w, &o, 1 << 20);
                    trigger = caller(&w, current_frame(&w, ts));
                    a = snapshot(&w);
                    *img_at(&w, trigger + o.fr_state) = 0xff; /* FRAME_SUSPENDED */
                } else {
                    gen_thread(&w, &o, &trigger);
                    a = snapshot(&w);
                    put_u64(&w, trigger + o.fr_back, 0);
                }
                struct flip *f = run_flip(&r, &w, a, trigger, shots);
                const struct unwind_thread *th = &r.s->threads[0];
                int retries = (int)r.s->retries, read = retries + 1 < shots ? retries + 1 : shots;
                TEST_EQ_INT(f->shots, shots - read);
                if (th->status == UNWIND_OK) {
                    check_stack(&r, 0);
                    TEST_EQ_INT(retries, shots);
                    done = 1;
                } else {
                    TEST_EQ_INT(th->status, UNWIND_CUT);
                    TEST_CHECK(th->nframes == 0 && th->root_frame == 0);
                    TEST_CHECK(retries >= 1 && retries <= UNWIND_CUT_RETRIES && retries < shots);
                    done = retries == UNWIND_CUT_RETRIES;
                }
                run_end(&r);
                world_free(&w);
            }
            TEST_CHECK(done);
        }
    }
}

/* Where addr is in the flip's latest vectored read: its index, -1 when absent, -2 when read
 * twice. */
static int vec_index(const struct flip *f, uint64_t addr)
{
    int at = -1;

    for (int i = 0; i < f->nvec; i++)
        if (f->vec[i] == addr)
            at = at == -1 ? i : -2;
    return at;
}

/* Rule 5, the re-read after a cut chain (3.12): one vectored read of every range the failed
 * attempts asked for, each once although two attempts asked for them, in the reverse of the
 * order they were first asked for: the generator's frame (asked for last), then the chunk, the
 * _PyCFrame, the thread state. */
static void test_cut_reread(void)
{
    struct py_offsets o;
    struct world w;
    struct run r;
    int done = 0;

    TEST_EQ_INT(py_offsets_for_version(0x030c01f0, &o), 0);
    for (int n = 0; n < CUT_RUNS && !done; n++) {
        uint64_t gen, ts = gen_thread(&w, &o, &gen);
        uint64_t chunk = get_u64(&w, ts + o.ts_datastack_chunk);
        uint64_t cframe = get_u64(&w, ts + o.ts_cframe);
        struct target *a = snapshot(&w);
        put_u64(&w, gen + o.fr_back, 0);
        struct flip *f = run_flip(&r, &w, a, gen, 2);
        done = r.s->threads[0].status == UNWIND_OK; /* else out of time after one retry */
        if (done) {
            check_stack(&r, 0);
            TEST_EQ_INT(r.s->retries, 2);
            for (int i = 0; i < f->nvec; i++)
                TEST_CHECK(vec_index(f, f->vec[i]) == i);
            int at_gen = vec_index(f, gen), at_chunk = vec_index(f, chunk);
            int at_cframe = vec_index(f, cframe + o.cf_current_frame), at_ts = vec_index(f, ts);
            TEST_CHECK(at_gen >= 0 && at_gen < at_chunk && at_chunk < at_cframe &&
                       at_cframe < at_ts);
        }
        run_end(&r);
        world_free(&w);
    }
    TEST_CHECK(done);
}

void test_unwind(void)
{
    test_builtin_versions();
    test_313();
    test_314_315();
    test_312_frames();
    test_torn();
    test_cycles_and_depth();
    test_lists_and_runtime();
    test_threads();
    test_torn_retry();
    test_code_reuse();
    test_thread_cycle();
    test_hostile_offsets();
    test_thread_names();
    test_generators();
    test_datastack_top();
    test_two_chunks();
    test_many_chunks();
    test_entry_bottom();
    test_deeper_bottom();
    test_cframe_no_frame();
    test_base_frame();
    test_object_frames();
    test_cut_retry();
    test_cut_reread();
}
