/* Python stacks of a live CPython process: thread list, frame chains (PyFrameObject for
 * 3.8-3.10, _PyInterpreterFrame in data-stack chunks for 3.11+), code-object cache, GIL holder.
 * See docs/cpython.md §5 (interpreters, threads, GIL), §6 (frames), §10 (generator frames) and
 * docs/frame-wholeness.md.
 * SPDX-License-Identifier: MIT */
#include "unwind.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "py_dict.h"
#include "py_linetable.h"
#include "py_str.h"
#include "util_clock.h"
#include "util_xalloc.h"

#define NREGIONS   48           /* chunks copied per walk: enough for UNWIND_MAX_DEPTH frames */
#define CHUNK_READ 16384        /* default _PyStackChunk size */
#define CHUNK_MAX  (256 * 1024) /* most bytes of one prefetched range */
#define CHUNK_LIMIT                                                                       \
    (64ULL << 20)                 /* a larger chunk size is not a chunk's (one frame of a \
                                   * function with millions of locals could need one) */
#define LINETABLE_MAX   (1 << 20) /* bytes */
#define MAX_RETRIES     UNWIND_RETRIES
#define MAX_CUT_RETRIES UNWIND_CUT_RETRIES
/* _PyStackChunk: a 24-byte header {previous, size, top}, then the frames (docs/cpython.md §6.4).
 * top is saved when a newer chunk is pushed: the index, in pointers from the first frame slot,
 * of the end of the chunk's live frames. */
#define CHUNK_PREVIOUS 0  /* struct _PyStackChunk *: the next older chunk */
#define CHUNK_SIZE     8  /* size_t: bytes of the chunk, header included */
#define CHUNK_TOP      16 /* int64: saved top, in 8-byte slots */
#define CHUNK_HDR      24 /* bytes before the first frame */
#define CHUNK_SLOT     8  /* bytes per slot of top */
static_assert(CHUNK_TOP + 8 == CHUNK_HDR && CHUNK_SIZE + 8 == CHUNK_TOP && CHUNK_PREVIOUS == 0,
              "the chunk header is three 8-byte words");
/* PyThreadState.prev is its first field in every version (3.8-3.15, docs/cpython.md §5.2): the
 * back link of the interpreter's doubly linked list of thread states. */
#define TS_PREV 0
/* _Py_CODEUNIT: instruction pointers (3.11+) and 3.10's f_lasti count 2-byte code units. */
#define CODE_UNIT 2
/* A code object with more code units than this is not one (its ob_size is garbage). */
#define CODE_UNITS_MAX (1 << 24)
/* 3.8-3.10 frame states of a frame being executed: f_executing 1 (3.8, 3.9); f_state
 * FRAME_EXECUTING 0 or FRAME_UNWINDING 2 (an exception) in 3.10 (docs/cpython.md §6.1). */
#define F_EXECUTING       1
#define F_STATE_EXECUTING 0
#define F_STATE_UNWINDING 2
/* Remote pointers: x86_64 user space is below 2^47, nothing is mapped in the first page, and
 * every object and frame is 8-byte aligned. */
#define ADDR_MIN   4096
#define ADDR_LIMIT (1ULL << 47)
#define ADDR_ALIGN 8
#define PAGE       4096 /* the kernel pins remote memory by pages (pf_merge) */
#define OBJ_BATCH  64   /* 3.8-3.10 frames re-read per vectored read */
/* Cut walks are retried for at most this long: a target preempted half-way through a yield
 * keeps its stack cut for as long as it waits for a CPU, and retries cannot help then. */
#define CUT_RETRY_NS       100000LL
#define MAX_INTERPS        16
#define OWNER_THREAD       0
#define OWNER_GENERATOR    1
#define OWNER_FRAME_OBJECT 2
#define OWNER_C            3 /* 3.12+: CSTACK (3.12, 3.13), INTERPRETER and CSTACK (3.14, 3.15) */
/* A cached code object is read again (its filename and name pointers) before it is used in a
 * sample when it was not used in the previous one, and at least this often while it is. */
#define CODE_CHECK_NS 100000000LL
#define BASE_SLOTS    2048       /* threads whose bottom entry frame is remembered (3.12-3.14) */
#define BASE_CONFIRM  3          /* samples in a row that move a thread's bottom deeper */
#define RUNTIME_NS    10000000LL /* re-read interpreters.head and finalizing every 10 ms */
/* Lines remembered per code object: a recursive function is sampled at its call site and at its
 * current line. */
#define LINE_MEMO 4

struct code_entry {
    struct unwind_code pub;
    uint64_t filename_ptr, name_ptr, linetable_ptr; /* to detect address reuse */
    uint8_t *linetable;
    uint32_t linetable_len;
    uint32_t ncodeunits; /* 3.11+: bytecode size in code units; 0 unknown */
    int firsttraceable;  /* 3.11+, code units */
    int memo_addr[LINE_MEMO], memo_line[LINE_MEMO]; /* recent instruction -> line lookups */
    unsigned memo_next;
    uint64_t seen_seq;  /* the last sample that used it (unwinder.seq) */
    uint64_t seen_at;   /* the frame of its first use in that sample (0: none known) */
    int64_t checked_at; /* when it was last found to describe the object at its address */
};

/* A local copy of the live part of a data-stack chunk: its header and the frames below its top
 * (the thread's datastack_top for the newest chunk, the saved top for older ones). */
struct region {
    uint64_t addr;
    uint64_t size; /* the chunk's size: [addr, addr + size) is the chunk */
    uint32_t len;  /* bytes held from addr: header and live frames */
    uint32_t cap;
    unsigned char *buf;        /* own copy, when not served from the prefetch */
    const unsigned char *data; /* the bytes: buf, or inside the prefetch buffer */
};

/* Read plan replay: the ranges read during one sample are fetched for the next one in a single
 * vectored read at its start; reads of the walk are then served from that copy when it holds
 * them. In the steady state a sample costs one process_vm_readv. */
#define PF_MAX_RANGES  1024
#define PF_MAX_BYTES   (1024 * 1024)
#define PF_CHUNK_SLACK 2048 /* room for the stack to grow between two samples */

struct pf_range {
    uint64_t addr;
    uint32_t len;
    uint32_t off; /* in prefetch.buf */
};

struct prefetch {
    struct pf_range plan[PF_MAX_RANGES]; /* recorded during this sample, for the next */
    uint32_t nplan;
    struct pf_range have[PF_MAX_RANGES]; /* fetched at the start of this sample */
    uint32_t nhave;
    int enabled;
    unsigned char *buf;
};

/* 3.12-3.14: the C entry frame at the bottom of a thread's chain (its outermost evaluation)
 * as last accepted, and a deeper one seen since, not yet believed (see base_ok). */
struct base_slot {
    uint64_t tstate, thread_id;
    uint64_t base;     /* remote address of the bottom entry frame; 0 none yet */
    uint64_t cand;     /* a deeper bottom seen in the last samples, 0 none */
    uint64_t cand_seq; /* the last sample that saw it (unwinder.seq) */
    uint32_t cand_n;   /* samples in a row that saw it */
};

struct unwinder {
    struct py_proc *p;
    struct prefetch pf;
    const struct py_offsets *o;
    struct code_entry *codes;
    uint32_t ncodes, codes_cap;
    uint32_t *code_tab; /* open addressing: code index + 1, 0 empty */
    uint32_t code_tab_cap, code_tab_used;
    struct region regions[NREGIONS];
    int nregions;
    uint64_t chunk_next;    /* the next older chunk to copy (0: none left), and the newest's live */
    uint64_t chunk_live;    /* end, both from the thread state, for the walk in progress */
    enum unwind_status why; /* the walk's verdict when it returns -EAGAIN: torn or cut */
    uint64_t main_thread;   /* pthread_t of the main thread, 0 unknown */
    unsigned flags;         /* UNWIND_* */
    uint64_t interp;        /* interpreters.head as last read; 0 = read it */
    int64_t runtime_at;     /* when to re-read the _PyRuntime fields */
    uint64_t code_generation;
    uint64_t seq; /* samples taken */
    int64_t now;  /* CLOCK_MONOTONIC ns at the start of the current sample */
    uint64_t frame_addrs[UNWIND_MAX_DEPTH]; /* 3.8-3.10: frames of the current walk */
    unsigned char frame_bytes[UNWIND_MAX_DEPTH][PY_FRAME_MAX];
    unsigned char tmp[PY_FRAME_MAX]; /* a frame read outside the copied chunks */
    struct py_dict_cache name_cache; /* for unwinder_thread_name */
    struct base_slot bases[BASE_SLOTS];
};

static uint64_t u64_at(const unsigned char *b, uint32_t off)
{
    uint64_t v;
    memcpy(&v, b + off, sizeof(v));
    return v;
}

static int32_t i32_at(const unsigned char *b, uint32_t off)
{
    int32_t v;
    memcpy(&v, b + off, sizeof(v));
    return v;
}

static int plausible_ptr(uint64_t a)
{
    return a >= ADDR_MIN && a < ADDR_LIMIT && (a & (ADDR_ALIGN - 1)) == 0;
}

struct unwinder *unwinder_new(struct py_proc *p, unsigned flags)
{
    struct unwinder *u = xcalloc(1, sizeof(*u));
    u->p = p;
    u->flags = flags;
    u->o = &p->off;
    u->code_tab_cap = 1024;
    u->code_tab = xcalloc(u->code_tab_cap, sizeof(uint32_t));
    u->pf.buf = xmalloc(PF_MAX_BYTES);
    return u;
}

void unwinder_free(struct unwinder *u)
{
    if (!u)
        return;
    for (uint32_t i = 0; i < u->ncodes; i++) {
        free(u->codes[i].pub.name);
        free(u->codes[i].pub.file);
        free(u->codes[i].linetable);
    }
    free(u->codes);
    free(u->code_tab);
    for (int i = 0; i < NREGIONS; i++)
        free(u->regions[i].buf);
    free(u->pf.buf);
    free(u);
}

const struct unwind_code *unwinder_code(const struct unwinder *u, uint32_t i)
{
    return i < u->ncodes ? &u->codes[i].pub : NULL;
}

uint32_t unwinder_ncodes(const struct unwinder *u)
{
    return u->ncodes;
}

/* ---- prefetch ---- */

static int pf_cmp(const void *x, const void *y)
{
    const struct pf_range *a = x, *b = y;
    return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/* Sort the planned ranges and merge those whose pages touch: each remote range costs the
 * kernel a page-pinning walk, while copying a few more bytes of an already pinned page is
 * nearly free. A merged range never covers a page that no planned range touches, so it cannot
 * fault where the plan would not. */
static uint32_t pf_merge(struct prefetch *pf)
{
    uint32_t n = 0;
    if (pf->nplan > 16) {
        qsort(pf->plan, pf->nplan, sizeof(pf->plan[0]), pf_cmp);
    } else { /* the usual few ranges: insertion sort beats qsort's set-up */
        for (uint32_t i = 1; i < pf->nplan; i++) {
            struct pf_range r = pf->plan[i];
            uint32_t j = i;
            for (; j && pf->plan[j - 1].addr > r.addr; j--)
                pf->plan[j] = pf->plan[j - 1];
            pf->plan[j] = r;
        }
    }
    for (uint32_t i = 0; i < pf->nplan; i++) {
        const struct pf_range *r = &pf->plan[i];
        if (n) {
            struct pf_range *m = &pf->have[n - 1];
            uint64_t end = m->addr + m->len;
            if (r->addr / PAGE <= (end - 1) / PAGE + 1 && r->addr + r->len - m->addr <= CHUNK_MAX) {
                if (r->addr + r->len > end)
                    m->len = (uint32_t)(r->addr + r->len - m->addr);
                continue;
            }
        }
        pf->have[n++] = *r;
    }
    return n;
}

/* Read the n ranges of pf->have (iov: where each goes in pf->buf) in one vectored read and keep
 * those read whole: a read stops at the first range that faults. */
static void pf_read(struct unwinder *u, const struct target_iov *iov, uint32_t n)
{
    struct prefetch *pf = &u->pf;

    pf->nhave = 0;
    pf->enabled = 1;
    if (!n)
        return;
    long got = u->p->t->ops->readv(u->p->t, iov, (int)n);
    while (got > 0 && pf->nhave < n && pf->have[pf->nhave].off + pf->have[pf->nhave].len <= got)
        pf->nhave++;
}

/* Fetch the ranges planned by the previous sample in one vectored read. */
static void pf_begin(struct unwinder *u)
{
    struct prefetch *pf = &u->pf;
    struct target_iov iov[PF_MAX_RANGES];
    uint32_t off = 0, n = 0, m = pf_merge(pf);

    for (; n < m && off + pf->have[n].len <= PF_MAX_BYTES; n++) {
        pf->have[n].off = off;
        iov[n] = (struct target_iov){pf->have[n].addr, pf->buf + off, pf->have[n].len};
        off += pf->have[n].len;
    }
    pf->nplan = 0;
    pf_read(u, iov, n);
}

/* For a walk retried after a cut chain: fetch again, in one vectored read, every range the
 * failed attempts of this walk asked for, in the reverse of the order they were first asked
 * for: the frames nearest the leaf, of every attempt, are copied last but one and the thread's
 * current-frame pointer (asked for first) last, nanoseconds apart. The sorted order of
 * pf_begin reads a generator's frame and the pointer to it a whole copy apart, and a frame
 * missing from the copy is read a system call later: long enough for a generator to be
 * resumed or to yield in between, over and over (docs/frame-wholeness.md). The plan is kept
 * (without repeats) for the next attempt; ranges are sorted for pf_find after the read. */
static void pf_begin_ordered(struct unwinder *u)
{
    struct prefetch *pf = &u->pf;
    struct target_iov iov[PF_MAX_RANGES];
    uint32_t off = 0, n = 0, kept = 0;

    for (uint32_t i = 0; i < pf->nplan; i++) { /* drop repeats, keeping first requests */
        uint32_t j = 0;
        while (j < kept &&
               (pf->plan[j].addr != pf->plan[i].addr || pf->plan[j].len != pf->plan[i].len))
            j++;
        if (j == kept)
            pf->plan[kept++] = pf->plan[i];
    }
    pf->nplan = kept;
    for (uint32_t i = kept; i-- > 0 && off + pf->plan[i].len <= PF_MAX_BYTES;) {
        pf->have[n] = pf->plan[i];
        pf->have[n].off = off;
        iov[n] = (struct target_iov){pf->have[n].addr, pf->buf + off, pf->have[n].len};
        off += pf->have[n].len;
        n++;
    }
    pf_read(u, iov, n);
    qsort(pf->have, pf->nhave, sizeof(pf->have[0]), pf_cmp);
}

static void pf_record(struct unwinder *u, uint64_t addr, uint32_t len)
{
    struct prefetch *pf = &u->pf;
    if (pf->nplan < PF_MAX_RANGES && len <= PF_MAX_BYTES)
        pf->plan[pf->nplan++] = (struct pf_range){addr, len, 0};
}

/* Where [addr, addr+len) lies in the prefetched ranges (sorted, disjoint), or NULL. Valid
 * until the next pf_begin(). */
static const unsigned char *pf_find(struct unwinder *u, uint64_t addr, uint32_t len)
{
    struct prefetch *pf = &u->pf;
    uint32_t lo = 0, hi = pf->nhave;
    if (!pf->enabled)
        return NULL;
    while (lo < hi) { /* the last range starting at or before addr */
        uint32_t mid = (lo + hi) / 2;
        if (pf->have[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return NULL;
    const struct pf_range *r = &pf->have[lo - 1];
    if (addr + len > r->addr + r->len)
        return NULL;
    return pf->buf + r->off + (addr - r->addr);
}

/* Copy [addr, addr+len) from the prefetched ranges; returns 1 when they held it. */
static int pf_serve(struct unwinder *u, uint64_t addr, void *buf, uint32_t len)
{
    const unsigned char *p = pf_find(u, addr, len);
    if (!p)
        return 0;
    memcpy(buf, p, len);
    return 1;
}

/* Read for the walk: recorded in the plan, served from the prefetch when possible. */
static int uread(struct unwinder *u, uint64_t addr, void *buf, uint32_t len)
{
    pf_record(u, addr, len);
    if (pf_serve(u, addr, buf, len))
        return 0;
    return target_read(u->p->t, addr, buf, len);
}

static int ureadv(struct unwinder *u, const struct target_iov *iov, int n)
{
    int all = 1;
    for (int i = 0; i < n; i++)
        pf_record(u, iov[i].addr, (uint32_t)iov[i].len);
    for (int i = 0; i < n && all; i++)
        all = pf_serve(u, iov[i].addr, iov[i].buf, (uint32_t)iov[i].len);
    return all ? 0 : target_readv(u->p->t, iov, n);
}

/* ---- code-object cache ---- */

static uint32_t addr_hash(uint64_t a)
{
    a ^= a >> 29;
    a *= 0xbf58476d1ce4e5b9ULL;
    a ^= a >> 32;
    return (uint32_t)a;
}

/* Slot of addr in the table (its entry, or the empty slot where it would go). */
static uint32_t code_slot(const struct unwinder *u, uint64_t addr)
{
    uint32_t j = addr_hash(addr) & (u->code_tab_cap - 1);
    while (u->code_tab[j] && u->codes[u->code_tab[j] - 1].pub.addr != addr)
        j = (j + 1) & (u->code_tab_cap - 1);
    return j;
}

static void code_tab_grow(struct unwinder *u)
{
    uint32_t *old = u->code_tab, oldcap = u->code_tab_cap;
    u->code_tab_cap *= 2;
    u->code_tab = xcalloc(u->code_tab_cap, sizeof(uint32_t));
    for (uint32_t i = 0; i < oldcap; i++)
        if (old[i])
            u->code_tab[code_slot(u, u->codes[old[i] - 1].pub.addr)] = old[i];
    free(old);
}

/* Forget the mapping addr -> entry (the entry itself stays for indexes already handed out). */
static void code_forget(struct unwinder *u, uint64_t addr)
{
    uint32_t j = code_slot(u, addr);
    if (!u->code_tab[j])
        return;
    /* Backward-shift deletion for linear probing. */
    u->code_tab[j] = 0;
    u->code_tab_used--;
    for (uint32_t k = (j + 1) & (u->code_tab_cap - 1); u->code_tab[k];
         k = (k + 1) & (u->code_tab_cap - 1)) {
        uint32_t v = u->code_tab[k];
        u->code_tab[k] = 0;
        u->code_tab[code_slot(u, u->codes[v - 1].pub.addr)] = v;
    }
}

static uint8_t *read_bytes_obj(struct unwinder *u, uint64_t addr, uint32_t *len)
{
    const struct py_offsets *o = u->o;
    int64_t n = 0;
    uint8_t *buf;

    if (!plausible_ptr(addr) || target_read(u->p->t, addr + o->ob_size, &n, sizeof(n)) || n < 0 ||
        n > LINETABLE_MAX)
        return NULL;
    buf = xmalloc((size_t)n + 1);
    if (n && target_read(u->p->t, addr + o->bytes_sval, buf, (size_t)n)) {
        free(buf);
        return NULL;
    }
    *len = (uint32_t)n;
    return buf;
}

/* Read the code object at addr into a new cache entry. Returns its index, or -1 when addr is
 * not a readable code object (a torn read, most likely). */
static int code_resolve(struct unwinder *u, uint64_t addr)
{
    const struct py_offsets *o = u->o;
    unsigned char hdr[PY_CODE_MAX];
    struct code_entry e;

    if (!plausible_ptr(addr) || o->co_size > sizeof(hdr) ||
        target_read(u->p->t, addr, hdr, o->co_size))
        return -1;
    if (u->p->code_type && u64_at(hdr, o->ob_type) != u->p->code_type)
        return -1;
    memset(&e, 0, sizeof(e));
    e.pub.addr = addr;
    e.filename_ptr = u64_at(hdr, o->co_filename);
    e.name_ptr = u64_at(hdr, o->co_qualname ? o->co_qualname : o->co_name);
    e.linetable_ptr = u64_at(hdr, o->co_linetable);
    e.pub.firstlineno = i32_at(hdr, o->co_firstlineno);
    if (o->frames == PY_FRAMES_INTERP) {
        int64_t n = (int64_t)u64_at(hdr, o->ob_size);
        e.ncodeunits = n > 0 && n < CODE_UNITS_MAX ? (uint32_t)n : 0;
        e.firsttraceable = i32_at(hdr, o->co_firsttraceable);
    }
    e.pub.name = py_str_read(u->p->t, o, e.name_ptr);
    e.pub.file = py_str_read(u->p->t, o, e.filename_ptr);
    e.linetable = read_bytes_obj(u, e.linetable_ptr, &e.linetable_len);
    if (!e.pub.name || !e.pub.file) {
        free(e.pub.name);
        free(e.pub.file);
        free(e.linetable);
        return -1;
    }
    for (int i = 0; i < LINE_MEMO; i++)
        e.memo_addr[i] = -2;
    e.seen_seq = u->seq;
    e.checked_at = u->now;
    if (u->ncodes == u->codes_cap) {
        u->codes_cap = u->codes_cap ? u->codes_cap * 2 : 256;
        u->codes = xreallocarray(u->codes, u->codes_cap, sizeof(*u->codes));
    }
    u->codes[u->ncodes] = e;
    u->code_tab[code_slot(u, addr)] = u->ncodes + 1;
    if (++u->code_tab_used * 2 > u->code_tab_cap)
        code_tab_grow(u);
    return (int)u->ncodes++;
}

/* Whether the cached entry still describes the code object at its address: one read of the
 * object's filename and name pointers, compared with those the entry was made from. */
static int code_still(struct unwinder *u, const struct code_entry *e)
{
    const struct py_offsets *o = u->o;
    uint64_t file = 0, name = 0;
    struct target_iov iov[2] = {
        {e->pub.addr + o->co_filename, &file, 8},
        {e->pub.addr + (o->co_qualname ? o->co_qualname : o->co_name), &name, 8}};
    return target_readv(u->p->t, iov, 2) == 0 && file == e->filename_ptr && name == e->name_ptr;
}

/* The cache entry of the code object at addr, first used in this sample by the frame at frame
 * (0: a frame not known), made when missing. A code object can be freed and another one made at
 * its address (module code after its import, exec'd code), even between two samples a few ms
 * apart while modules are imported: an entry is taken as it is only when the same frame used it
 * first in the previous sample (the same call, still running) and it was checked less than
 * CODE_CHECK_NS ago; else it is checked before it is used (a name from start-up code must never
 * land in a live stack: docs/frame-wholeness.md). Later uses in the same sample follow the
 * first. */
static int code_lookup(struct unwinder *u, uint64_t addr, uint64_t frame)
{
    uint32_t j = code_slot(u, addr);
    if (u->code_tab[j]) {
        struct code_entry *e = &u->codes[u->code_tab[j] - 1];
        if (e->seen_seq == u->seq)
            return (int)u->code_tab[j] - 1;
        int same = e->seen_seq + 1 == u->seq && e->seen_at == frame &&
                   u->now - e->checked_at < CODE_CHECK_NS;
        if (same || code_still(u, e)) {
            if (!same)
                e->checked_at = u->now;
            e->seen_seq = u->seq;
            e->seen_at = frame;
            return (int)u->code_tab[j] - 1;
        }
        code_forget(u, addr);
    }
    int c = code_resolve(u, addr);
    if (c >= 0)
        u->codes[c].seen_at = frame;
    return c;
}

static int code_line(struct code_entry *e, enum py_linetable_kind kind, int addr)
{
    for (int i = 0; i < LINE_MEMO; i++)
        if (e->memo_addr[i] == addr)
            return e->memo_line[i];
    int line = py_linetable_line(kind, e->linetable, e->linetable ? e->linetable_len : 0,
                                 e->pub.firstlineno, addr);
    e->memo_addr[e->memo_next] = addr;
    e->memo_line[e->memo_next] = line;
    e->memo_next = (e->memo_next + 1) % LINE_MEMO;
    return line;
}

static void code_flush(struct unwinder *u)
{
    memset(u->code_tab, 0, u->code_tab_cap * sizeof(uint32_t));
    u->code_tab_used = 0;
}

/* ---- frames ---- */

static void push_frame(struct unwind_sample *s, struct unwind_thread *th, uint32_t code, int line,
                       uint64_t addr)
{
    if (s->nframes >= sizeof(s->frames) / sizeof(s->frames[0])) {
        th->status = UNWIND_TRUNCATED;
        return;
    }
    s->frames[s->nframes].code = code;
    s->frames[s->nframes].line = line;
    s->frames[s->nframes].addr = addr;
    s->nframes++;
    th->nframes++;
}

/* 3.8-3.10: whether the state byte of a frame (f_executing, 3.10's f_state) says it runs. */
static int frame_running(const struct py_offsets *o, unsigned char state)
{
    if (o->minor == 10)
        return state == F_STATE_EXECUTING || state == F_STATE_UNWINDING;
    return state == F_EXECUTING;
}

/* 3.8-3.10: read the PyFrameObject chain, then re-read the links of every frame in one batch;
 * any difference means the stack changed under the walk. Returns 0, -EAGAIN (torn) or
 * -ESRCH. */
static int walk_object(struct unwinder *u, uint64_t top, struct unwind_sample *s,
                       struct unwind_thread *th)
{
    const struct py_offsets *o = u->o;
    struct target_iov iov[OBJ_BATCH];
    unsigned char check[OBJ_BATCH][PY_FRAME_MAX];
    uint32_t n = 0, span = o->fr_code + 8 - o->fr_back; /* f_back and f_code */
    int err;

    u->why = UNWIND_TORN;
    for (uint64_t f = top; f; n++) {
        if (n == UNWIND_MAX_DEPTH) {
            th->status = UNWIND_TRUNCATED;
            break;
        }
        if (!plausible_ptr(f))
            return -EAGAIN;
        err = uread(u, f, u->frame_bytes[n], o->fr_size);
        if (err)
            return err == -ESRCH ? err : -EAGAIN;
        u->frame_addrs[n] = f;
        /* Every frame of a live chain is being executed; one that is not has returned, or is
         * a generator's that yielded, since its callee's link was read. */
        if (o->fr_state && !frame_running(o, u->frame_bytes[n][o->fr_state])) {
            u->why = UNWIND_CUT;
            return -EAGAIN;
        }
        f = u64_at(u->frame_bytes[n], o->fr_back);
    }
    for (uint32_t i = 0; i < n; i += OBJ_BATCH) {
        uint32_t m = n - i < OBJ_BATCH ? n - i : OBJ_BATCH;
        for (uint32_t k = 0; k < m; k++) {
            iov[k].addr = u->frame_addrs[i + k] + o->fr_back;
            iov[k].buf = check[k];
            iov[k].len = span;
        }
        if (target_readv(u->p->t, iov, (int)m) != 0)
            return -EAGAIN;
        for (uint32_t k = 0; k < m; k++) {
            /* A frame recycled for another call changes its f_back or f_code; a caller's
             * f_lasti moving on (its callee returned) does not make what was read torn. */
            if (memcmp(check[k], u->frame_bytes[i + k] + o->fr_back, span) != 0)
                return -EAGAIN;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        int c = code_lookup(u, u64_at(u->frame_bytes[i], o->fr_code), u->frame_addrs[i]);
        if (c < 0)
            return -EAGAIN;
        /* f_lasti is -1 before the first instruction; one past any code's size is garbage
         * (a torn read), which has no line either. */
        int lasti = i32_at(u->frame_bytes[i], o->fr_instr);
        int addr = lasti < 0 || lasti > CODE_UNITS_MAX
                       ? -1
                       : (o->linetable == PY_LINETABLE_310 ? lasti * CODE_UNIT : lasti);
        push_frame(s, th, (uint32_t)c, code_line(&u->codes[c], o->linetable, addr),
                   u->frame_addrs[i]);
    }
    /* The outermost frame is a generator's only when a yield cleared its f_back after the
     * thread state was read: the chain is cut (docs/frame-wholeness.md). */
    if (n && th->status == UNWIND_OK && o->fr_gen && u64_at(u->frame_bytes[n - 1], o->fr_gen)) {
        u->why = UNWIND_CUT;
        return -EAGAIN;
    }
    th->root_frame = n ? u->frame_addrs[n - 1] : 0;
    return 0;
}

/* Fill region slot i with [addr, addr+len): in place in the prefetch when it holds the range,
 * else copied into the slot's buffer (grown outside the steady state). */
static int region_fill(struct unwinder *u, int i, uint64_t addr, uint32_t len)
{
    struct region *r = &u->regions[i];
    const unsigned char *p = pf_find(u, addr, len);
    if (p) {
        r->data = p;
        r->addr = addr;
        r->len = len;
        return 0;
    }
    if (r->cap < len) {
        free(r->buf);
        r->cap = len < CHUNK_READ ? CHUNK_READ : len;
        r->buf = xmalloc(r->cap);
    }
    long got = target_read_some(u->p->t, addr, r->buf, len);
    if (got < 0)
        return (int)got;
    r->data = r->buf;
    r->addr = addr;
    r->len = (uint32_t)got;
    return 0;
}

/* Copy the live part of the next chunk of the walk (u->chunk_next) into a new region: its
 * header and the frames below its top, which is the thread's datastack_top for the newest chunk
 * and the top saved in the header for older ones. Returns 0, -ENOENT when no chunk is left,
 * -EAGAIN when the chunk does not look like one (the thread changed it meanwhile). */
static int region_add_chunk(struct unwinder *u)
{
    uint64_t chunk = u->chunk_next;
    int newest = u->nregions == 0;

    if (!chunk || u->nregions == NREGIONS)
        return -ENOENT;
    u->chunk_next = 0;
    if (!plausible_ptr(chunk))
        return -EAGAIN;
    uint32_t want = CHUNK_READ;
    if (newest && u->chunk_live > chunk && u->chunk_live - chunk <= CHUNK_MAX)
        want = (uint32_t)(u->chunk_live - chunk);
    struct region *r = &u->regions[u->nregions];
    if (want < CHUNK_HDR)
        want = CHUNK_HDR;
    if (region_fill(u, u->nregions, chunk, want) != 0 || r->len < CHUNK_HDR)
        return -EAGAIN;
    uint64_t size = u64_at(r->data, CHUNK_SIZE), top = u64_at(r->data, CHUNK_TOP);
    uint64_t live = newest ? u->chunk_live : chunk + CHUNK_HDR + CHUNK_SLOT * top;
    if (size < CHUNK_HDR || size > CHUNK_LIMIT || top > size / CHUNK_SLOT ||
        live < chunk + CHUNK_HDR || live > chunk + size)
        return -EAGAIN;
    uint32_t len = (uint32_t)(live - chunk);
    if (len > r->len && region_fill(u, u->nregions, chunk, len) != 0)
        return -EAGAIN;
    if (r->len < len)
        return -EAGAIN;
    r->len = len;
    r->size = size;
    /* Plan the next sample's read with room for the stack to grow, within the chunk. */
    uint64_t plan = newest ? (uint64_t)len + PF_CHUNK_SLACK : len;
    pf_record(u, chunk, (uint32_t)(plan < size ? plan : size));
    u->chunk_next = u64_at(r->data, CHUNK_PREVIOUS);
    u->nregions++;
    return 0;
}

/* The frame at f. A frame inside a chunk of the thread's data stack is served from the copy of
 * the chunk's live part (*in_region: its region), and a pointer into a chunk's dead part (above
 * its top: a frame popped since) is stale. Any other frame (a generator's, embedded in the
 * generator object; an entry frame on the C stack; 3.15's base frame in the thread state) is
 * read on its own into u->tmp (*in_region -1, or -2 when chunks past the NREGIONS copied
 * may hold it). NULL when stale, unreadable, or when the next chunk to copy does not look like
 * one: u->why says. */
static const unsigned char *frame_at(struct unwinder *u, uint64_t f, int *in_region)
{
    const struct py_offsets *o = u->o;
    for (int i = 0;; i++) {
        if (i == u->nregions) {
            int err = region_add_chunk(u);
            if (err == -EAGAIN)
                return NULL; /* not a chunk (read apart from the thread state): torn */
            if (err)
                break; /* every chunk of the thread is copied: f is in none */
        }
        const struct region *r = &u->regions[i];
        if (f < r->addr || f >= r->addr + r->size)
            continue;
        if (f < r->addr + CHUNK_HDR || f + o->fr_size > r->addr + r->len) {
            u->why = UNWIND_CUT; /* a frame popped since its callee's link was read */
            return NULL;
        }
        *in_region = i;
        return r->data + (f - r->addr);
    }
    /* -1: in no chunk of the thread; -2: perhaps in one past the NREGIONS copied. */
    *in_region = u->chunk_next ? -2 : -1;
    if (uread(u, f, u->tmp, o->fr_size) != 0)
        return NULL;
    return u->tmp;
}

/* Resolve the code object of a 3.11+ frame (at frame; 0 unknown) whose instruction pointer is
 * ip, checking that ip lies inside its bytecode: if not, the cached entry is stale (address
 * reused) and is re-read once. Returns the index, or -1 (torn). */
static int code_for_ip(struct unwinder *u, uint64_t code, uint64_t ip, uint64_t frame)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int c = code_lookup(u, code, frame);
        if (c < 0)
            return -1;
        const struct code_entry *e = &u->codes[c];
        uint64_t base = code + u->o->co_code_adaptive;
        if (ip + CODE_UNIT >= base &&
            (!e->ncodeunits || ip < base + (uint64_t)CODE_UNIT * e->ncodeunits))
            return c;
        code_forget(u, code);
    }
    return -1;
}

/* 3.12-3.14: whether a chain that ends at the C entry frame e (its link to an older frame
 * empty) reached the thread's true bottom. An entry frame lives in a C function's stack frame:
 * one that returned leaves its bytes behind, and the next C call at that depth overwrites them
 * while it sets up its own; a walk that reads such memory a moment after the link to it was
 * read sees an entry frame with no older frame, deep inside the thread's stack (0.1-0.6% of the
 * samples of an asyncio program on 3.13, whose `call_soon` is called from C). The outermost
 * evaluation of a thread stays put while everything runs inside it, so a bottom deeper in the
 * C stack (lower: the stack grows down on every platform spyglass reads) than the one last
 * accepted is believed only when BASE_CONFIRM samples in a row end there: a thread whose
 * outermost call returned and was replaced by a deeper one loses that many samples; a
 * shallower bottom is believed at once. See docs/frame-wholeness.md. */
static int base_ok(struct unwinder *u, const struct unwind_thread *th, uint64_t e)
{
    struct base_slot *b = &u->bases[(th->tstate >> 4) % BASE_SLOTS];

    if (b->tstate != th->tstate || b->thread_id != th->thread_id) {
        memset(b, 0, sizeof(*b));
        b->tstate = th->tstate;
        b->thread_id = th->thread_id;
    }
    if (b->base && e < b->base) {
        if (b->cand != e) {
            b->cand = e;
            b->cand_n = 1;
            b->cand_seq = u->seq;
        } else if (b->cand_seq != u->seq) { /* once per sample, whatever its retries */
            b->cand_n++;
            b->cand_seq = u->seq;
        }
        if (b->cand_n < BASE_CONFIRM)
            return 0;
    }
    b->base = e;
    b->cand = 0;
    b->cand_n = 0;
    return 1;
}

/* 3.11+: walk the _PyInterpreterFrame chain from top, reading frames out of copies of the
 * thread's data-stack chunks, and accept it only when it is whole: see docs/frame-wholeness.md.
 * Returns 0, -EAGAIN (u->why: torn or cut) or -ESRCH. */
static int walk_interp(struct unwinder *u, uint64_t top, const unsigned char *ts,
                       struct unwind_sample *s, struct unwind_thread *th)
{
    const struct py_offsets *o = u->o;
    uint64_t f = top, prev_f = 0, last = 0, bottom = 0;
    unsigned bottom_owner = 0, outer_owner = 0;
    int prev_region = -1;

    u->nregions = 0;
    u->chunk_next = u64_at(ts, o->ts_datastack_chunk);
    u->chunk_live = u64_at(ts, o->ts_datastack_top);
    u->why = UNWIND_TORN;
    for (int steps = 0; f; steps++) {
        int region;
        if (steps == 2 * UNWIND_MAX_DEPTH) {
            th->status = UNWIND_TRUNCATED;
            return 0;
        }
        if (!plausible_ptr(f))
            return -EAGAIN;
        const unsigned char *fb = frame_at(u, f, &region);
        if (!fb)
            return -EAGAIN;
        /* Within one chunk, callers live below their callees. */
        if (region >= 0 && region == prev_region && f >= prev_f)
            return -EAGAIN;
        prev_f = f;
        prev_region = region;
        uint64_t next = u64_at(fb, o->fr_back);
        unsigned owner = fb[o->fr_owner];
        uint64_t code = u64_at(fb, o->fr_code) & o->code_tag_mask;
        if (owner > o->fr_owner_max)
            return -EAGAIN;
        /* Where each owner's frames live: a function's on the data stack, a generator's in its
         * generator object; a frame object's copy (owner 2) is in no live chain. Anything else
         * is memory reused since its link was read. */
        if (owner == OWNER_FRAME_OBJECT ||
            (owner < OWNER_C && region != -2 && (owner == OWNER_THREAD) != (region >= 0))) {
            u->why = UNWIND_CUT;
            return -EAGAIN;
        }
        bottom = f;
        bottom_owner = owner;
        if (owner >= OWNER_C) {
            f = next; /* a C-stack entry/shim frame (3.12+) */
            continue;
        }
        /* Deeper than the limit only when a Python frame is left: not for the entry frame
         * below the outermost one (3.12+). */
        if (th->nframes == UNWIND_MAX_DEPTH) {
            th->status = UNWIND_TRUNCATED;
            return 0;
        }
        uint64_t ip = u64_at(fb, o->fr_instr);
        int c = code_for_ip(u, code, ip, f);
        if (c < 0)
            return -EAGAIN;
        int addr = (int)(((int64_t)ip - (int64_t)(code + o->co_code_adaptive)) / CODE_UNIT);
        last = f;
        outer_owner = owner;
        f = next;
        /* An incomplete frame (before its RESUME: the call is being set up) has called
         * nothing yet, so only the newest frame can be one. It is kept, so that the cost of
         * a call's set-up goes to the callee (CPython's tracebacks hide such frames; py-spy
         * keeps them). Below a callee it means the copy mixes two moments of the stack. */
        if (owner != OWNER_GENERATOR && addr < u->codes[c].firsttraceable && th->nframes)
            return -EAGAIN;
        push_frame(s, th, (uint32_t)c, code_line(&u->codes[c], o->linetable, addr), last);
    }
    /* Whole means the chain ends where the thread's frames begin: a generator is never the
     * outermost Python frame (its caller's link was cleared by a yield read half-way), and
     * the last frame is 3.15's base frame, or (3.12-3.14) a C entry frame. */
    if (last && (outer_owner == OWNER_GENERATOR ||
                 (o->ts_base_frame ? bottom != u64_at(ts, o->ts_base_frame)
                                   : o->minor >= 12 && bottom_owner < OWNER_C))) {
        u->why = UNWIND_CUT;
        return -EAGAIN;
    }
    if (last && !o->ts_base_frame && o->minor >= 12 && !base_ok(u, th, bottom)) {
        u->why = UNWIND_CUT;
        return -EAGAIN;
    }
    th->root_frame = last;
    return 0;
}

/* ---- threads ---- */

/* The top frame of thread state tstate, read into ts; 3.11/3.12 go through tstate->cframe.
 * There, a call into the interpreter from C first points tstate->cframe at a _PyCFrame on its
 * C stack and only then stores the frame in it: a cframe outside the thread state (not its
 * root_cframe) with no frame is half set up (torn, -EAGAIN), not a thread without Python code
 * (1.3% of the samples of an asyncio program on 3.12 were lost that way). */
static int top_frame(struct unwinder *u, uint64_t tstate, const unsigned char *ts, uint64_t *top)
{
    const struct py_offsets *o = u->o;
    if (!o->ts_cframe) {
        *top = u64_at(ts, o->ts_frame);
        return 0;
    }
    uint64_t cframe = u64_at(ts, o->ts_cframe);
    if (!cframe) {
        *top = 0;
        return 0;
    }
    if (!plausible_ptr(cframe))
        return -EAGAIN;
    int err = uread(u, cframe + o->cf_current_frame, top, sizeof(*top));
    if (!err && !*top && (cframe < tstate || cframe >= tstate + o->ts_size))
        return -EAGAIN;
    return err;
}

static int thread_tid(struct unwinder *u, const unsigned char *ts, uint64_t thread_id)
{
    const struct py_offsets *o = u->o;
    uint32_t tid = 0;
    if (o->ts_native_thread_id)
        return (int)u64_at(ts, o->ts_native_thread_id);
    if (u->p->pthread_tid_off < 0 || !plausible_ptr(thread_id))
        return 0;
    if (uread(u, thread_id + (uint64_t)u->p->pthread_tid_off, &tid, sizeof(tid)))
        return 0;
    return (int)tid;
}

static int holds_gil(struct unwinder *u, const unsigned char *ts, uint64_t tstate, uint64_t holder)
{
    const struct py_offsets *o = u->o;
    if (!(u->flags & UNWIND_GIL))
        return 0;
    if (o->ts_holds_gil)
        return i32_at(ts, o->ts_holds_gil) != 0;
    if (o->ts_holds_gil_bit >= 0)
        return (i32_at(ts, o->ts_status) >> o->ts_holds_gil_bit) & 1;
    return holder && holder == tstate;
}

/* Walk one thread, re-reading its thread state and retrying when the walk looks torn or cut
 * (up to MAX_RETRIES and MAX_CUT_RETRIES times: a cut chain is a race with a generator that
 * switches every few hundred nanoseconds, which a fresh read most often wins). */
static int walk_thread(struct unwinder *u, unsigned char *ts, struct unwind_sample *s,
                       struct unwind_thread *th)
{
    const struct py_offsets *o = u->o;
    int err = 0, torn = 0, cut = 0;
    int64_t cut_until = 0;

    for (int attempt = 0;; attempt++) {
        uint64_t top;
        s->nframes = th->first;
        th->nframes = 0;
        th->root_frame = 0;
        th->status = UNWIND_OK;
        if (attempt) {
            s->retries++;
            /* Fetch again, in one read, everything the failed attempt needed (the plan so far
             * includes the ranges it asked for, the thread state first): a fresh and nearly
             * simultaneous copy. */
            if (cut) {
                pf_begin_ordered(u);
            } else {
                pf_record(u, th->tstate, o->ts_size);
                pf_begin(u);
            }
            err = uread(u, th->tstate, ts, o->ts_size);
            if (err)
                break;
        }
        u->why = UNWIND_TORN;
        err = top_frame(u, th->tstate, ts, &top);
        if (!err && top && o->frames == PY_FRAMES_OBJECT)
            err = walk_object(u, top, s, th);
        else if (!err && top)
            err = walk_interp(u, top, ts, s, th);
        if (err != -EAGAIN && err != -EFAULT)
            break;
        if (u->why == UNWIND_CUT && !cut_until)
            cut_until = util_clock_mono_ns() + CUT_RETRY_NS;
        if (u->why == UNWIND_CUT ? ++cut > MAX_CUT_RETRIES || util_clock_mono_ns() > cut_until
                                 : ++torn > MAX_RETRIES)
            break;
    }
    if (err == -ESRCH)
        return err;
    if (err) {
        s->nframes = th->first;
        th->nframes = 0;
        th->status = u->why;
    }
    if (th->status != UNWIND_OK)
        th->root_frame = 0;
    return 0;
}

struct interp_fields {
    uint64_t threads_head, next, gil_ptr, code_generation;
    int64_t id;
};

static int read_interp(struct unwinder *u, uint64_t interp, struct interp_fields *f,
                       uint64_t *holder)
{
    const struct py_offsets *o = u->o;
    struct target_iov iov[5];
    int n = 0, err;

    memset(f, 0, sizeof(*f));
    iov[n++] = (struct target_iov){interp + o->is_threads_head, &f->threads_head, 8};
    iov[n++] = (struct target_iov){interp + o->is_next, &f->next, 8};
    if (o->gil == PY_GIL_STRUCT && u->flags & (UNWIND_GIL | UNWIND_GIL_ADDR))
        iov[n++] = (struct target_iov){interp + o->is_gil_ptr, &f->gil_ptr, 8};
    if (o->is_code_generation)
        iov[n++] = (struct target_iov){interp + o->is_code_generation, &f->code_generation, 8};
    f->id = -1;
    if (o->is_id)
        iov[n++] = (struct target_iov){interp + o->is_id, &f->id, 8};
    err = ureadv(u, iov, n);
    if (err)
        return err;
    if (o->is_code_generation && f->code_generation != u->code_generation) {
        code_flush(u);
        u->code_generation = f->code_generation;
    }
    if (o->gil == PY_GIL_STRUCT && u->flags & UNWIND_GIL && plausible_ptr(f->gil_ptr)) {
        uint64_t last_holder = 0;
        int32_t locked = 0;
        struct target_iov g[2] = {{f->gil_ptr + o->gil_last_holder, &last_holder, 8},
                                  {f->gil_ptr + o->gil_locked, &locked, 4}};
        if (ureadv(u, g, 2) == 0)
            *holder = locked ? last_holder : 0;
    }
    return 0;
}

/* Read and walk every thread of one interpreter. */
static int sample_interp(struct unwinder *u, uint64_t interp, uint32_t pos, uint64_t holder,
                         struct unwind_sample *s, unwind_filter_fn filter, void *ctx,
                         uint64_t *next_interp)
{
    const struct py_offsets *o = u->o;
    struct interp_fields f;
    unsigned char ts[PY_TSTATE_MAX];
    int err = read_interp(u, interp, &f, &holder);

    if (err)
        return err;
    *next_interp = f.next;
    uint64_t gil = 0, prev = 0;
    if (u->flags & UNWIND_GIL_ADDR)
        gil = o->gil == PY_GIL_STRUCT ? (plausible_ptr(f.gil_ptr) ? f.gil_ptr : 0)
                                      : u->p->runtime + o->rt_gil;
    for (uint64_t tstate = f.threads_head; tstate && s->nthreads < UNWIND_MAX_THREADS;) {
        if (!plausible_ptr(tstate) || o->ts_size > sizeof(ts))
            break;
        err = uread(u, tstate, ts, o->ts_size);
        if (err == -ESRCH)
            return err;
        /* The list is doubly linked (TS_PREV): a broken back link means it changed under us,
         * or loops. Keep what was read. */
        if (err || u64_at(ts, o->ts_interp) != interp || u64_at(ts, TS_PREV) != prev)
            break;
        prev = tstate;
        struct unwind_thread *th = &s->threads[s->nthreads];
        memset(th, 0, sizeof(*th));
        th->tstate = tstate;
        th->thread_id = u64_at(ts, o->ts_thread_id);
        th->tid = thread_tid(u, ts, th->thread_id);
        th->holds_gil = holds_gil(u, ts, tstate, holder);
        th->gil = gil;
        th->interp_id = f.id;
        th->interp_pos = pos;
        th->under = -1;
        /* 3.11+ know the kernel TID (0 while a new thread starts: not the main one); before,
         * the main thread is the one whose pthread_t is _PyRuntime.main_thread. */
        th->is_main = o->ts_native_thread_id ? th->tid == u->p->pid
                                             : u->main_thread && th->thread_id == u->main_thread;
        th->first = s->nframes;
        tstate = u64_at(ts, o->ts_next);
        if (filter && !filter(ctx, th))
            continue;
        err = walk_thread(u, ts, s, th);
        if (err)
            return err;
        s->nthreads++;
    }
    return 0;
}

/* Subinterpreters: a kernel thread that called into another interpreter (interp.exec(),
 * _interpreters.run_string) has a thread state in each, and both hold frames: the caller's stop
 * at the call, the callee's run on top of them. Link them so that the thread is written once, as
 * one stack: the thread states of one kernel thread, ordered by their interpreter's age (the
 * runtime's list is newest first; an interpreter calls into a newer one in all but contrived
 * programs), each under the next; one that could not be read whole spoils the whole stack
 * (sampler). Thread states without frames and unknown TIDs are left alone.
 * No allocation: an open-addressing table of TIDs on the stack. */
static void stack_interps(struct unwind_sample *s)
{
    int32_t slot[2 * UNWIND_MAX_THREADS];
    const uint32_t cap = 2 * UNWIND_MAX_THREADS;

    memset(slot, 0xff, sizeof(slot)); /* -1: empty */
    for (uint32_t i = 0; i < s->nthreads; i++) {
        struct unwind_thread *th = &s->threads[i];
        if (th->tid <= 0 || (!th->nframes && !unwind_invalid(th->status)))
            continue;
        uint32_t h = (uint32_t)th->tid * 2654435761u % cap;
        while (slot[h] >= 0 && s->threads[slot[h]].tid != th->tid)
            h = (h + 1) % cap;
        if (slot[h] < 0) {
            slot[h] = (int32_t)i;
            continue;
        }
        /* slot[h] is the innermost (newest interpreter) state of this TID seen so far: its chain
         * goes down through `under`. Insert th where its interpreter's age puts it. */
        int32_t *link = &slot[h];
        while (*link >= 0 && s->threads[*link].interp_pos < th->interp_pos)
            link = &s->threads[*link].under;
        th->under = *link;
        *link = (int32_t)i;
    }
    for (uint32_t i = 0; i < s->nthreads; i++)
        if (s->threads[i].under >= 0)
            s->threads[s->threads[i].under].nested = 1;
}

/* Read the _PyRuntime fields: the interpreter list head and the finalizing flag at most every
 * RUNTIME_NS (they change about never), the GIL holder (3.8-3.11) at every sample that needs it. */
static int read_runtime(struct unwinder *u, uint64_t *holder)
{
    const struct py_offsets *o = u->o;
    struct target_iov iov[3];
    uint64_t finalizing = 0;
    int n = 0, err;

    int64_t now = util_clock_mono_ns();
    int refresh = !u->interp || now >= u->runtime_at;
    if (refresh) {
        iov[n++] = (struct target_iov){u->p->runtime + o->rt_interp_head, &u->interp, 8};
        iov[n++] = (struct target_iov){u->p->runtime + o->rt_finalizing, &finalizing, 8};
    }
    if (u->flags & UNWIND_GIL && o->gil == PY_GIL_TSTATE_CURRENT)
        iov[n++] = (struct target_iov){u->p->runtime + o->rt_tstate_current, holder, 8};
    err = n ? ureadv(u, iov, n) : 0;
    if (err)
        return err == -ESRCH ? err : -EAGAIN;
    if (refresh) {
        u->runtime_at = now + RUNTIME_NS;
        if (finalizing)
            u->interp = 0;
        if (u->p->pthread_tid_off < 0) /* attached before the runtime knew its main thread */
            py_proc_calibrate_tid(u->p);
    }
    return u->interp ? 0 : -EAGAIN;
}

int unwinder_sample(struct unwinder *u, struct unwind_sample *s, unwind_filter_fn filter, void *ctx)
{
    const struct py_offsets *o = u->o;
    uint64_t interp, holder = 0;
    int err;

    s->nthreads = 0;
    s->nframes = 0;
    s->retries = 0;
    u->seq++;
    u->now = util_clock_mono_ns();
    if (!u->main_thread && o->rt_main_thread)
        target_read_u64(u->p->t, u->p->runtime + o->rt_main_thread, &u->main_thread);
    pf_begin(u);
    err = read_runtime(u, &holder);
    if (err)
        return err;
    interp = u->interp;
    int ninterps = 0;
    for (int i = 0; i < MAX_INTERPS && plausible_ptr(interp); i++) {
        uint64_t next = 0;
        uint32_t before = s->nthreads;
        err = sample_interp(u, interp, (uint32_t)i, holder, s, filter, ctx, &next);
        if (err == -ESRCH)
            return err;
        ninterps += s->nthreads > before;
        interp = next;
    }
    if (ninterps > 1)
        stack_interps(s);
    return 0;
}

/* ---- thread names ---- */

/* threading.Thread._bootstrap: "Thread._bootstrap" (3.11+ qualname) or "_bootstrap", in a file
 * named threading.py. */
static int is_bootstrap(const struct unwind_code *c)
{
    const char *base = strrchr(c->file, '/');
    base = base ? base + 1 : c->file;
    return strcmp(base, "threading.py") == 0 &&
           (strcmp(c->name, "_bootstrap") == 0 || strcmp(c->name, "Thread._bootstrap") == 0);
}

int unwinder_thread_name(struct unwinder *u, const struct unwind_sample *s,
                         const struct unwind_thread *th, char *buf, size_t len)
{
    const struct py_offsets *o = u->o;
    uint64_t code = 0, self = 0, name = 0;

    if (!len)
        return -EINVAL;
    buf[0] = '\0';
    if (o->dict_layout == PY_DICT_NONE)
        return -ENOTSUP;
    if (!th->root_frame || !th->nframes || th->first + th->nframes > s->nframes)
        return -ENOENT;
    uint32_t c = s->frames[th->first + th->nframes - 1].code;
    if (c >= u->ncodes || !is_bootstrap(&u->codes[c].pub))
        return -ENOENT;
    /* The frame is read again: it must still run the same code (the thread may have ended). */
    struct target_iov iov[2] = {{th->root_frame + o->fr_code, &code, 8},
                                {th->root_frame + o->fr_localsplus, &self, 8}};
    int err = target_readv(u->p->t, iov, 2);
    if (err)
        return err;
    if ((code & o->code_tag_mask) != u->codes[c].pub.addr)
        return -ENOENT;
    err = py_dict_attr(u->p->t, o, self & o->local_tag_mask, "_name", &u->name_cache, &name);
    if (err)
        return err;
    return py_str_read_buf(u->p->t, o, name, u->name_cache.str_type, buf, len);
}

/* ---- frames read by others ---- */

int unwinder_resolve(struct unwinder *u, uint64_t code, uint64_t ip, struct unwind_frame *out)
{
    const struct py_offsets *o = u->o;
    if (o->frames != PY_FRAMES_INTERP)
        return -ENOTSUP;
    int c = code_for_ip(u, code, ip, 0);
    if (c < 0)
        return -EAGAIN;
    int addr = (int)(((int64_t)ip - (int64_t)(code + o->co_code_adaptive)) / CODE_UNIT);
    out->code = (uint32_t)c;
    out->line = code_line(&u->codes[c], o->linetable, addr);
    out->addr = 0;
    return 0;
}
