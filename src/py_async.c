/* asyncio tasks of a CPython 3.14+ process: find the .AsyncioDebug section in the mapped
 * objects, then per sample walk the lists of pending tasks and each task's suspended coroutine
 * chain. What differs between versions (positions in _Py_DebugOffsets, gi_frame_state values,
 * the awaited object's stack slot) is data: struct layout. See docs/async.md.
 * SPDX-License-Identifier: MIT */
#include "py_async.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc_maps.h"
#include "py_elf.h"
#include "py_str.h"
#include "util_clock.h"
#include "util_xalloc.h"

#define GEN_READ        512   /* bytes read at a coroutine: header, frame, locals and stack */
#define TASK_MAX        4096  /* largest TaskObj accepted */
#define TS_MAX          65536 /* largest _PyThreadStateImpl accepted (free-threaded: ~19 KiB) */
#define SET_MASK_MAX    4095  /* awaited_by sets read up to 4096 slots */
#define NAME_CACHE      4096  /* task names remembered (open addressing, power of two) */
#define LOOK_FIRST_NS   10000000LL   /* look at the maps again after 10 ms while not found, */
#define LOOK_MAX_NS     1000000000LL /* doubling the wait up to a second */
#define INTERP_NS       1000000000LL /* re-read the interpreter's address this often */
#define OWNER_GENERATOR 1
#define TPFLAGS_LONG    (1UL << 24) /* Py_TPFLAGS_LONG_SUBCLASS */
#define TPFLAGS_UNICODE (1UL << 28) /* Py_TPFLAGS_UNICODE_SUBCLASS */
#define MAPS_CHUNK      4096

/* Where a minor version keeps what py_async reads, beyond the section: positions of fields in
 * _Py_DebugOffsets (groups and their starts: docs/cpython.md §3.1, checked against the bytes of
 * 3.14.10 and 3.15.2), and the values that are not published (gi_frame_state; where the
 * SEND/YIELD_VALUE sequence leaves the awaited object: docs/cpython.md §10). */
struct layout {
    unsigned minor;
    size_t dbg_size; /* bytes of _Py_DebugOffsets */
    size_t is_size, fr_stackpointer, tp_size, tp_flags, set_size, set_used, set_table, set_mask,
        long_size, long_tag, long_digit, gen_size, gi_iframe, gi_state, llist_next, llist_prev;
    int8_t created, suspended, yield_from, executing;
    uint8_t awaitee_slot;
};

static const struct layout layouts[] = {
    {.minor = 14,
     .dbg_size = 760,
     .is_size = 48,
     .fr_stackpointer = 296,
     .tp_size = 416,
     .tp_flags = 440,
     .set_size = 496,
     .set_used = 504,
     .set_table = 512,
     .set_mask = 520,
     .long_size = 568,
     .long_tag = 576,
     .long_digit = 584,
     .gen_size = 664,
     .gi_iframe = 680,
     .gi_state = 688,
     .llist_next = 696,
     .llist_prev = 704,
     .created = -3,
     .suspended = -2,
     .yield_from = -1,
     .executing = 0,
     .awaitee_slot = 1},
    {.minor = 15,
     .dbg_size = 888,
     .is_size = 48,
     .fr_stackpointer = 360,
     .tp_size = 480,
     .tp_flags = 504,
     .set_size = 592,
     .set_used = 600,
     .set_table = 608,
     .set_mask = 616,
     .long_size = 664,
     .long_tag = 672,
     .long_digit = 680,
     .gen_size = 792,
     .gi_iframe = 808,
     .gi_state = 816,
     .llist_next = 824,
     .llist_prev = 832,
     .created = 0,
     .suspended = 1,
     .yield_from = 2,
     .executing = 4,
     .awaitee_slot = 2},
};

/* The fields of the .AsyncioDebug section, in order (Py_AsyncioModuleDebugOffsets). */
enum {
    SEC_TASK_SIZE,
    SEC_TASK_NAME,
    SEC_TASK_AWAITED_BY,
    SEC_TASK_IS_TASK,
    SEC_TASK_IS_SET,
    SEC_TASK_CORO,
    SEC_TASK_NODE,
    SEC_INTERP_SIZE,
    SEC_INTERP_TASKS_HEAD,
    SEC_TS_SIZE,
    SEC_TS_LOOP,
    SEC_TS_TASK,
    SEC_TS_TASKS_HEAD,
    SEC_N
};

/* The innermost coroutine of a chain as it was read: read again once every chain is read, it must
 * not have moved (a chain is read level by level, and the task may resume meanwhile: an awaitee
 * then finishes, and its memory may hold something else when read, which would end the chain
 * early). */
struct chain_end {
    uint64_t state_at; /* remote address of its gi_frame_state */
    uint64_t ip_at;    /* of its frame's instruction pointer */
    uint64_t slot_at;  /* of the slot holding what it awaits; 0: awaits nothing */
    uint64_t ip, slot; /* the values read */
    int8_t state;
};

struct name_entry {
    uint64_t task, name_ptr; /* task 0: empty */
    char name[PY_ASYNC_NAME_MAX];
};

struct py_async {
    struct py_proc *p;
    struct unwinder *u;
    int state;         /* 1 found, 0 not yet, -1 implausible */
    int looked;        /* the maps were read whole once */
    int64_t next_look; /* CLOCK_MONOTONIC ns */
    int64_t look_wait; /* ns until the look after next_look */
    struct py_async_offsets off;
    uint32_t llist_next, llist_prev; /* struct llist_node */
    uint64_t interp;
    int64_t interp_at;
    unsigned char gen[GEN_READ];
    unsigned char task[TASK_MAX];
    unsigned char set[(SET_MASK_MAX + 1) * 16];
    char maps[MAPS_CHUNK + 64];
    struct name_entry *names;
    uint32_t nnames;
    uint64_t awaited_by[PY_ASYNC_MAX_TASKS]; /* of the tasks of the sample being read */
    uint8_t awaited_is_set[PY_ASYNC_MAX_TASKS];
    struct chain_end ends[PY_ASYNC_MAX_TASKS];
    int pending;       /* the task whose chain end is to be read again, -1 none */
    uint64_t again[3]; /* its chain end as read again */
    struct py_async_slot by_addr[PY_ASYNC_MAX_TASKS * 2];
    uint32_t stamp;
};

static uint64_t u64_at(const unsigned char *b, size_t off)
{
    uint64_t v;
    memcpy(&v, b + off, sizeof(v));
    return v;
}

static int plausible_ptr(uint64_t a)
{
    return a >= 4096 && a < (1ULL << 47) && (a & 7) == 0;
}

/* A field of width bytes at off lies inside a struct of size bytes. */
static int fits(uint64_t off, uint64_t width, uint64_t size)
{
    return off <= size && width <= size - off;
}

static const struct layout *layout_of(unsigned minor)
{
    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
        if (layouts[i].minor == minor)
            return &layouts[i];
    return NULL;
}

int py_async_supported(const struct py_proc *p, char *why, size_t len)
{
    unsigned minor = p->off.minor;
    if (minor < 14) {
        snprintf(why, len,
                 "Python 3.%u publishes no asyncio debug offsets (3.14 and later do), so tasks "
                 "cannot be told apart; stacks are recorded without Task frames",
                 minor);
        return -ENOTSUP;
    }
    if (!layout_of(minor)) {
        snprintf(why, len,
                 "the asyncio layout of Python 3.%u is not known; stacks are recorded without "
                 "Task frames",
                 minor);
        return -ENOTSUP;
    }
    return 0;
}

/* The _Py_DebugOffsets fields (positions from l), checked against the structs' sizes. */
static int parse_dbg(const struct py_offsets *o, const struct layout *l, const unsigned char *b,
                     struct py_async_offsets *out)
{
    uint64_t gen_size = u64_at(b, l->gen_size), set_size = u64_at(b, l->set_size);
    uint64_t long_size = u64_at(b, l->long_size), tp_size = u64_at(b, l->tp_size);
    uint64_t stackpointer = u64_at(b, l->fr_stackpointer), flags = u64_at(b, l->tp_flags);
    uint64_t used = u64_at(b, l->set_used), mask = u64_at(b, l->set_mask);
    uint64_t table = u64_at(b, l->set_table), tag = u64_at(b, l->long_tag);
    uint64_t digit = u64_at(b, l->long_digit), iframe = u64_at(b, l->gi_iframe);
    uint64_t state = u64_at(b, l->gi_state);
    if (!fits(stackpointer, 8, o->fr_size) || tp_size > 4096 || !fits(flags, 8, tp_size) ||
        set_size > 512 || !fits(used, 8, set_size) || !fits(mask, 8, set_size) ||
        !fits(table, 8, set_size) || long_size > 64 || !fits(tag, 8, long_size) ||
        !fits(digit, 8, long_size + 8) || gen_size > GEN_READ || !fits(state, 1, gen_size) ||
        !fits(iframe, o->fr_size, GEN_READ) || !fits(o->fr_owner, 1, o->fr_size) ||
        !fits(o->fr_code, 8, o->fr_size) || !fits(o->fr_instr, 8, o->fr_size))
        return -EINVAL;
    out->fr_stackpointer = (uint32_t)stackpointer;
    out->tp_flags = (uint32_t)flags;
    out->set_used = (uint32_t)used;
    out->set_mask = (uint32_t)mask;
    out->set_table = (uint32_t)table;
    out->long_tag = (uint32_t)tag;
    out->long_digit = (uint32_t)digit;
    out->gi_iframe = (uint32_t)iframe;
    out->gi_state = (uint32_t)state;
    return 0;
}

int py_async_parse(const struct py_offsets *o, const void *dbg, size_t dbg_len, const void *sec,
                   size_t sec_len, struct py_async_offsets *out)
{
    const struct layout *l = layout_of(o->minor);
    const unsigned char *b = dbg;
    uint64_t s[SEC_N];
    struct py_async_offsets r;

    if (!l || o->frames != PY_FRAMES_INTERP)
        return -ENOTSUP;
    if (dbg_len < l->dbg_size || sec_len < PY_ASYNC_DEBUG_SIZE || memcmp(b, "xdebugpy", 8) != 0 ||
        ((u64_at(b, 8) >> 16) & 0xff) != o->minor)
        return -EINVAL;
    for (int i = 0; i < SEC_N; i++)
        s[i] = u64_at(sec, 8 * (size_t)i);
    /* Both tables must describe this interpreter: the interpreter sizes agree. */
    if (s[SEC_INTERP_SIZE] != u64_at(b, l->is_size) || s[SEC_TASK_SIZE] < 64 ||
        s[SEC_TASK_SIZE] > TASK_MAX || !fits(s[SEC_TASK_NAME], 8, s[SEC_TASK_SIZE]) ||
        !fits(s[SEC_TASK_AWAITED_BY], 8, s[SEC_TASK_SIZE]) ||
        !fits(s[SEC_TASK_IS_TASK], 1, s[SEC_TASK_SIZE]) ||
        !fits(s[SEC_TASK_IS_SET], 1, s[SEC_TASK_SIZE]) ||
        !fits(s[SEC_TASK_CORO], 8, s[SEC_TASK_SIZE]) ||
        !fits(s[SEC_TASK_NODE], 16, s[SEC_TASK_SIZE]) ||
        !fits(s[SEC_INTERP_TASKS_HEAD], 16, s[SEC_INTERP_SIZE]) || s[SEC_TS_SIZE] > TS_MAX ||
        !fits(s[SEC_TS_TASKS_HEAD], 16, s[SEC_TS_SIZE]) ||
        !fits(s[SEC_TS_LOOP], 8, s[SEC_TS_SIZE]) || !fits(s[SEC_TS_TASK], 8, s[SEC_TS_SIZE]))
        return -EINVAL;
    memset(&r, 0, sizeof(r));
    if (parse_dbg(o, l, b, &r) != 0)
        return -EINVAL;
    r.minor = o->minor;
    r.task_size = (uint32_t)s[SEC_TASK_SIZE];
    r.task_name = (uint32_t)s[SEC_TASK_NAME];
    r.task_awaited_by = (uint32_t)s[SEC_TASK_AWAITED_BY];
    r.task_is_task = (uint32_t)s[SEC_TASK_IS_TASK];
    r.task_is_set = (uint32_t)s[SEC_TASK_IS_SET];
    r.task_coro = (uint32_t)s[SEC_TASK_CORO];
    r.task_node = (uint32_t)s[SEC_TASK_NODE];
    r.interp_tasks_head = (uint32_t)s[SEC_INTERP_TASKS_HEAD];
    r.ts_tasks_head = (uint32_t)s[SEC_TS_TASKS_HEAD];
    r.st_created = l->created;
    r.st_suspended = l->suspended;
    r.st_yield_from = l->yield_from;
    r.st_executing = l->executing;
    r.awaitee_slot = l->awaitee_slot;
    *out = r;
    return 0;
}

struct py_async *py_async_new(struct py_proc *p, struct unwinder *u)
{
    struct py_async *a = xcalloc(1, sizeof(*a));
    a->p = p;
    a->u = u;
    a->names = xcalloc(NAME_CACHE, sizeof(*a->names));
    a->pending = -1;
    return a;
}

void py_async_free(struct py_async *a)
{
    if (!a)
        return;
    free(a->names);
    free(a);
}

int py_async_found(const struct py_async *a)
{
    return a->state;
}

/* ---- finding the section ---- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Objects that may hold the section: the interpreter's own (3.15 builds _asyncio in), the
 * _asyncio extension module (3.14), any other python executable or library. */
static int may_hold(const struct py_proc *p, const char *path)
{
    const char *b = base_name(path);
    if (path[0] != '/')
        return 0;
    return strcmp(path, p->path) == 0 || strncmp(b, "_asyncio.", 9) == 0 ||
           (strstr(b, "python3") && !strstr(b, ".cpython-"));
}

/* The section's address in the target for the object at path (maps m), or 0. */
static uint64_t section_of(const struct py_async *a, const struct proc_maps *m, const char *path)
{
    char full[PATH_MAX + 32];
    struct py_elf e;
    snprintf(full, sizeof(full), "/proc/%d/root%s", a->p->pid, path);
    if (py_elf_read(full, &e) != 0 || !e.asyncio_debug ||
        e.asyncio_debug_size < PY_ASYNC_DEBUG_SIZE)
        return 0;
    if (!e.is_dyn)
        return e.asyncio_debug;
    for (size_t i = 0; i < m->n; i++)
        if (m->v[i].offset == 0 && strcmp(m->v[i].path, path) == 0)
            return m->v[i].start - e.load_vaddr + e.asyncio_debug;
    return 0;
}

int py_async_use_section(struct py_async *a, uint64_t addr)
{
    unsigned char sec[PY_ASYNC_DEBUG_SIZE], dbg[PY_DEBUG_OFFSETS_MAX];
    const struct layout *l = layout_of(a->p->off.minor);
    struct py_async_offsets off;
    if (!l || l->dbg_size > sizeof(dbg) || target_read(a->p->t, addr, sec, sizeof(sec)) != 0 ||
        target_read(a->p->t, a->p->runtime, dbg, l->dbg_size) != 0 ||
        py_async_parse(&a->p->off, dbg, l->dbg_size, sec, sizeof(sec), &off) != 0)
        return -EINVAL;
    uint64_t next = u64_at(dbg, l->llist_next), prev = u64_at(dbg, l->llist_prev);
    if (next > 8 || prev > 8 || next == prev)
        return -EINVAL;
    a->off = off;
    a->llist_next = (uint32_t)next;
    a->llist_prev = (uint32_t)prev;
    a->state = 1;
    return 0;
}

/* Look for the section in every object that may hold it. Allocates (maps, ELF). */
static void locate(struct py_async *a)
{
    struct proc_maps m = {NULL, 0};
    int bad = 0;
    if (proc_maps_read(a->p->pid, &m) != 0)
        return;
    for (size_t i = 0; i < m.n && a->state != 1; i++) {
        const char *path = m.v[i].path;
        int seen = 0;
        if (!may_hold(a->p, path))
            continue;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(m.v[j].path, path) == 0;
        uint64_t addr = seen ? 0 : section_of(a, &m, path);
        if (!addr)
            continue;
        if (py_async_use_section(a, addr) != 0)
            bad = 1;
    }
    if (a->state != 1 && bad)
        a->state = -1;
    proc_maps_destroy(&m);
}

/* Whether /proc/PID/maps names an _asyncio module now: read through a fixed buffer, so that
 * looking costs no allocation. */
static int maps_mention_asyncio(const struct py_async *a)
{
    static const char needle[] = "/_asyncio.";
    char path[64];
    size_t keep = 0, nl = sizeof(needle) - 1;
    int found = 0;
    snprintf(path, sizeof(path), "/proc/%d/maps", a->p->pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char *buf = (char *)a->maps;
    for (;;) {
        ssize_t n = read(fd, buf + keep, MAPS_CHUNK);
        if (n <= 0)
            break;
        size_t len = keep + (size_t)n;
        if (memmem(buf, len, needle, nl)) {
            found = 1;
            break;
        }
        keep = len < nl ? len : nl - 1;
        memmove(buf, buf + len - keep, keep);
    }
    close(fd);
    return found;
}

/* ---- task names ---- */

/* "Task-N" from the int at addr (PyLongObject, 3.12+ layout: lv_tag = ndigits << 3 | sign). */
static int long_name(struct py_async *a, uint64_t addr, char *out, size_t len)
{
    const struct py_async_offsets *f = &a->off;
    uint64_t tag, d[2] = {0, 0};
    uint32_t digits[2];
    if (target_read_u64(a->p->t, addr + f->long_tag, &tag) != 0)
        return -EFAULT;
    uint64_t ndigits = tag >> 3, sign = tag & 3;
    if (sign == 2 || ndigits > 2)
        return -EINVAL;
    if (ndigits && target_read(a->p->t, addr + f->long_digit, digits, 4 * ndigits) != 0)
        return -EFAULT;
    for (uint64_t i = 0; i < ndigits; i++)
        d[i] = digits[i] & 0x3fffffff; /* 30-bit digits */
    snprintf(out, len, "Task-%llu", (unsigned long long)(d[0] | d[1] << 30));
    return 0;
}

/* Read the name object at addr (a str, or an int N: "Task-N") into out. */
static void read_name(struct py_async *a, uint64_t addr, char *out, size_t len)
{
    uint64_t type = 0, flags = 0;
    int err = -EINVAL;
    if (plausible_ptr(addr) && target_read_u64(a->p->t, addr + a->p->off.ob_type, &type) == 0 &&
        plausible_ptr(type) && target_read_u64(a->p->t, type + a->off.tp_flags, &flags) == 0) {
        if (flags & TPFLAGS_UNICODE)
            err = py_str_read_buf(a->p->t, &a->p->off, addr, 0, out, len);
        else if (flags & TPFLAGS_LONG)
            err = long_name(a, addr, out, len);
    }
    if (err)
        snprintf(out, len, "?");
}

static uint32_t hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (uint32_t)k;
}

/* The name of task (whose name object is name_ptr), from the cache or read. */
static void task_name(struct py_async *a, uint64_t task, uint64_t name_ptr, char *out)
{
    uint32_t j = hash64(task) & (NAME_CACHE - 1);
    while (a->names[j].task && a->names[j].task != task)
        j = (j + 1) & (NAME_CACHE - 1);
    struct name_entry *e = &a->names[j];
    if (e->task == task && e->name_ptr == name_ptr) {
        memcpy(out, e->name, PY_ASYNC_NAME_MAX);
        return;
    }
    read_name(a, name_ptr, out, PY_ASYNC_NAME_MAX);
    if (!e->task && ++a->nnames > NAME_CACHE * 3 / 4) { /* full: start again */
        memset(a->names, 0, NAME_CACHE * sizeof(*a->names));
        a->nnames = 1;
        j = hash64(task) & (NAME_CACHE - 1);
        e = &a->names[j];
    }
    e->task = task;
    e->name_ptr = name_ptr;
    memcpy(e->name, out, PY_ASYNC_NAME_MAX);
}

/* ---- coroutine chains ---- */

static int is_suspended(const struct py_async_offsets *f, int8_t st)
{
    return st == f->st_suspended || st == f->st_yield_from;
}

/* The object awaited by the coroutine at c (read into a->gen, got bytes) suspended in an await,
 * or 0; the slot and its raw value go to e. The slot lies in the coroutine's own frame, usually
 * inside what was read. */
static uint64_t awaitee_of(struct py_async *a, uint64_t c, long got, struct chain_end *e)
{
    const struct py_async_offsets *f = &a->off;
    uint64_t sp = u64_at(a->gen + f->gi_iframe, f->fr_stackpointer), v = 0;
    uint64_t frame = c + f->gi_iframe, slot = sp - 8ULL * f->awaitee_slot;
    if (!plausible_ptr(sp) || slot < frame + a->p->off.fr_size || slot - frame > (1u << 20))
        return 0;
    if (slot + 8 <= c + (uint64_t)got)
        v = u64_at(a->gen, slot - c);
    else if (target_read_u64(a->p->t, slot, &v) != 0)
        return 0;
    e->slot_at = slot;
    e->slot = v;
    v &= ~(uint64_t)7; /* a _PyStackRef: tag bits */
    return plausible_ptr(v) ? v : 0;
}

/* Follow the coroutine chain of task t from its coroutine coro, appending its suspended frames
 * to out; e gets the innermost coroutine as read. Returns 0, 1 when the task is done (not to be
 * shown), -EAGAIN when the chain does not hold together, -ESRCH. */
static int read_chain(struct py_async *a, uint64_t coro, struct py_async_task *t,
                      struct py_async_sample *out, struct chain_end *e)
{
    const struct py_async_offsets *f = &a->off;
    const struct py_offsets *o = &a->p->off;
    uint64_t c = coro, type = 0;

    for (int depth = 0; c && depth < PY_ASYNC_MAX_DEPTH; depth++) {
        long got = target_read_some(a->p->t, c, a->gen, GEN_READ);
        if (got == -ESRCH)
            return -ESRCH;
        if (got < (long)(f->gi_iframe + o->fr_size) || got <= (long)f->gi_state)
            return depth ? -EAGAIN : 1;
        uint64_t ctype = u64_at(a->gen, o->ob_type);
        if (depth && ctype != type)
            break; /* awaiting something else than a coroutine (a future): the chain ends */
        type = ctype;
        int8_t st = (int8_t)a->gen[f->gi_state];
        const unsigned char *fb = a->gen + f->gi_iframe;
        if (!depth && st == f->st_executing) {
            t->running = 1;
            t->coro_frame = c + f->gi_iframe;
            return 0;
        }
        if (!is_suspended(f, st) && !(st == f->st_created && !depth))
            return depth ? -EAGAIN : 1; /* done, or an awaitee no longer suspended */
        if (fb[o->fr_owner] != OWNER_GENERATOR)
            return -EAGAIN;
        struct unwind_frame fr;
        if (unwinder_resolve(a->u, u64_at(fb, o->fr_code) & o->code_tag_mask,
                             u64_at(fb, o->fr_instr), &fr) != 0)
            return -EAGAIN;
        if (out->nframes == PY_ASYNC_MAX_FRAMES) {
            out->over++;
            break;
        }
        fr.addr = c + f->gi_iframe;
        out->frames[out->nframes++] = fr;
        t->nframes++;
        if (!depth)
            t->coro_frame = fr.addr;
        *e = (struct chain_end){
            c + f->gi_state, fr.addr + o->fr_instr, 0, u64_at(fb, o->fr_instr), 0, st};
        c = st == f->st_yield_from ? awaitee_of(a, c, got, e) : 0;
    }
    return 0;
}

/* The three ranges that read task i's chain end again, into iov (and a->again). */
static void check_ranges(struct py_async *a, uint32_t i, struct target_iov *iov)
{
    const struct chain_end *e = &a->ends[i];
    memset(a->again, 0, sizeof(a->again));
    iov[0] = (struct target_iov){e->state_at, &a->again[0], 1};
    iov[1] = (struct target_iov){e->ip_at, &a->again[1], 8};
    iov[2] = (struct target_iov){e->slot_at ? e->slot_at : e->ip_at, &a->again[2], 8};
}

/* Task i's chain end as read again (whole: all three ranges were read): when it moved, the
 * task's frames are left out (they stay in the pool) and it is marked torn. */
static void check_apply(struct py_async *a, struct py_async_sample *out, uint32_t i, int whole)
{
    const struct chain_end *e = &a->ends[i];
    struct py_async_task *t = &out->tasks[i];
    if (!whole || (int8_t)a->again[0] != e->state || a->again[1] != e->ip ||
        (e->slot_at && a->again[2] != e->slot)) {
        t->nframes = 0;
        t->torn = 1;
    }
}

/* Read [addr, addr + len) for the walk, with the check of the chain end of the task read
 * before (a->pending) in the same call: the check comes a read after the chain, at no cost.
 * Returns 0, -EFAULT or -ESRCH. */
static int walk_read(struct py_async *a, struct py_async_sample *out, uint64_t addr, void *buf,
                     size_t len)
{
    struct target_iov iov[4];
    int n = 0;
    if (a->pending >= 0) {
        check_ranges(a, (uint32_t)a->pending, iov);
        n = 3;
    }
    iov[n++] = (struct target_iov){addr, buf, len};
    long got = a->p->t->ops->readv(a->p->t, iov, n);
    if (got == -ESRCH)
        return -ESRCH;
    if (a->pending >= 0) {
        check_apply(a, out, (uint32_t)a->pending, got >= 17);
        a->pending = -1;
        got -= 17;
    }
    return got == (long)len ? 0 : -EFAULT;
}

/* The check of the last task's chain end, when no read followed it. */
static int check_pending(struct py_async *a, struct py_async_sample *out)
{
    struct target_iov iov[3];
    if (a->pending < 0)
        return 0;
    check_ranges(a, (uint32_t)a->pending, iov);
    long got = a->p->t->ops->readv(a->p->t, iov, 3);
    check_apply(a, out, (uint32_t)a->pending, got >= 17);
    a->pending = -1;
    return got == -ESRCH ? -ESRCH : 0;
}

/* ---- indexes ---- */

static void index_put(struct py_async_slot *tab, uint32_t cap, uint32_t stamp, uint64_t key,
                      uint32_t idx)
{
    uint32_t j = hash64(key) & (cap - 1);
    while (tab[j].stamp == stamp && tab[j].key != key)
        j = (j + 1) & (cap - 1);
    tab[j] = (struct py_async_slot){key, idx, stamp};
}

static int index_get(const struct py_async_slot *tab, uint32_t cap, uint32_t stamp, uint64_t key)
{
    uint32_t j = hash64(key) & (cap - 1);
    for (; tab[j].stamp == stamp; j = (j + 1) & (cap - 1))
        if (tab[j].key == key)
            return (int)tab[j].idx;
    return -1;
}

/* ---- task lists ---- */

/* Read the task at addr (its bytes in a->task) into the next slot of out. */
static int add_task(struct py_async *a, uint64_t addr, uint64_t tstate, struct py_async_sample *out)
{
    const struct py_async_offsets *f = &a->off;
    struct py_async_task *t = &out->tasks[out->ntasks];
    uint64_t coro = u64_at(a->task, f->task_coro);

    index_put(a->by_addr, PY_ASYNC_MAX_TASKS * 2, a->stamp, addr, PY_ASYNC_MAX_TASKS); /* seen */
    memset(t, 0, offsetof(struct py_async_task, name));
    t->addr = addr;
    t->coro = coro;
    t->parent = -1;
    t->tstate = tstate;
    t->first = out->nframes;
    if (!plausible_ptr(coro))
        return 0; /* no coroutine (cleared): nothing to show */
    int err = read_chain(a, coro, t, out, &a->ends[out->ntasks]);
    if (err == -ESRCH || err == 1) {
        out->nframes = t->first;
        return err == 1 ? 0 : err; /* done: not a pending task */
    }
    if (err) { /* kept without frames: a thread's stack may still show it running */
        out->nframes = t->first;
        t->nframes = 0;
        t->running = 0;
        t->torn = 1;
        t->coro_frame = coro + f->gi_iframe;
    }
    task_name(a, addr, u64_at(a->task, f->task_name), t->name);
    index_put(a->by_addr, PY_ASYNC_MAX_TASKS * 2, a->stamp, addr, out->ntasks);
    a->awaited_by[out->ntasks] = u64_at(a->task, f->task_awaited_by);
    a->awaited_is_set[out->ntasks] = a->task[f->task_is_set];
    if (t->nframes)
        a->pending = (int)out->ntasks; /* its chain end is read again with the next read */
    out->ntasks++;
    return 0;
}

/* Walk the circular list whose head (a struct llist_node) is at head: each node is a TaskObj's
 * task_node. The back links are checked as the walk goes: a list that changes under it is cut
 * there (and counted torn). */
static int read_list(struct py_async *a, uint64_t head, uint64_t tstate,
                     struct py_async_sample *out)
{
    const struct py_async_offsets *f = &a->off;
    uint64_t node, prev = head;
    int err = walk_read(a, out, head + a->llist_next, &node, 8);

    if (err)
        return err == -ESRCH ? err : 0;
    for (uint32_t n = 0; node != head; n++) {
        if (!plausible_ptr(node) || node < f->task_node || n > 4 * PY_ASYNC_MAX_TASKS) {
            out->torn++;
            return 0;
        }
        if (out->ntasks == PY_ASYNC_MAX_TASKS) {
            out->over++;
            return 0;
        }
        uint64_t task = node - f->task_node;
        if (index_get(a->by_addr, PY_ASYNC_MAX_TASKS * 2, a->stamp, task) >= 0) {
            out->torn++; /* seen before: the list loops (it changed while read) */
            return 0;
        }
        err = walk_read(a, out, task, a->task, f->task_size);
        if (err == -ESRCH)
            return err;
        if (err || a->task[f->task_is_task] != 1 ||
            u64_at(a->task, f->task_node + a->llist_prev) != prev) {
            out->torn++;
            return 0;
        }
        err = add_task(a, task, tstate, out);
        if (err)
            return err;
        prev = node;
        node = u64_at(a->task, f->task_node + a->llist_next);
    }
    return 0;
}

/* The index of the task at addr in this sample (of n tasks), or -1 (a task seen but left out
 * is indexed as PY_ASYNC_MAX_TASKS). */
static int task_index(const struct py_async *a, uint64_t addr, uint32_t n)
{
    int j = index_get(a->by_addr, PY_ASYNC_MAX_TASKS * 2, a->stamp, addr);
    return j >= 0 && (uint32_t)j < n ? j : -1;
}

/* Of the tasks in the set at addr, the one at the lowest address that is in this sample (of n
 * tasks), other than task self. */
static int parent_in_set(struct py_async *a, uint64_t addr, int self, uint32_t n)
{
    const struct py_async_offsets *f = &a->off;
    uint64_t hdr[3] = {0, 0, 0}, best = UINT64_MAX;
    int found = -1;
    struct target_iov iov[3] = {{addr + f->set_used, &hdr[0], 8},
                                {addr + f->set_mask, &hdr[1], 8},
                                {addr + f->set_table, &hdr[2], 8}};
    if (target_readv(a->p->t, iov, 3) != 0 || hdr[1] > SET_MASK_MAX || hdr[0] > hdr[1] + 1 ||
        !plausible_ptr(hdr[2]) || target_read(a->p->t, hdr[2], a->set, (hdr[1] + 1) * 16) != 0)
        return -1;
    for (uint64_t i = 0; i <= hdr[1]; i++) { /* entries {key, hash} */
        uint64_t key = u64_at(a->set, i * 16);
        int j = key ? task_index(a, key, n) : -1;
        if (j >= 0 && j != self && key < best) {
            best = key;
            found = j;
        }
    }
    return found;
}

static void link_parents(struct py_async *a, struct py_async_sample *out)
{
    out->hash_stamp++;
    for (uint32_t i = 0; i < out->ntasks; i++) {
        if (out->tasks[i].coro_frame)
            index_put(out->by_frame, PY_ASYNC_MAX_TASKS * 2, out->hash_stamp,
                      out->tasks[i].coro_frame, i);
    }
    for (uint32_t i = 0; i < out->ntasks; i++) {
        uint64_t by = a->awaited_by[i];
        int j = -1;
        if (!plausible_ptr(by))
            continue;
        if (a->awaited_is_set[i])
            j = parent_in_set(a, by, (int)i, out->ntasks);
        else
            j = task_index(a, by, out->ntasks);
        out->tasks[i].parent = j != (int)i ? j : -1;
    }
}

int py_async_reread(struct py_async *a, struct py_async_sample *out, uint32_t i)
{
    if (i >= out->ntasks || !(out->tasks[i].running || out->tasks[i].torn))
        return -EINVAL;
    struct py_async_task *t = &out->tasks[i];
    t->first = out->nframes;
    t->nframes = 0;
    t->running = 0;
    int err = read_chain(a, t->coro, t, out, &a->ends[i]);
    if (!err && t->nframes && !t->running) {
        t->torn = 0;
        a->pending = (int)i;
        err = check_pending(a, out);
        if (t->torn)
            err = -EAGAIN;
    }
    if (err || t->running || !t->nframes) {
        out->nframes = t->first;
        t->nframes = 0;
        return err == 1 ? -ENOENT : err ? err : -EAGAIN;
    }
    return 0;
}

int py_async_task_of_frame(const struct py_async_sample *out, uint64_t frame)
{
    if (!frame || !out->ntasks)
        return -1;
    return index_get(out->by_frame, PY_ASYNC_MAX_TASKS * 2, out->hash_stamp, frame);
}

/* ---- a sample ---- */

/* Find the section when it may have appeared: at the first call, then when the maps name an
 * _asyncio module, looking 10 ms later, then 20 ms... and at most every second, so that a
 * program that imports asyncio at start loses few samples, and one that never does costs a read
 * of its maps a second. */
static int ensure_found(struct py_async *a)
{
    if (a->state)
        return a->state > 0 ? 0 : -EINVAL;
    int64_t now = util_clock_mono_ns();
    if (a->looked && now < a->next_look)
        return -ENOENT;
    a->look_wait = a->look_wait ? a->look_wait * 2 : LOOK_FIRST_NS;
    if (a->look_wait > LOOK_MAX_NS)
        a->look_wait = LOOK_MAX_NS;
    a->next_look = now + a->look_wait;
    if (!a->looked || maps_mention_asyncio(a)) {
        a->looked = 1;
        locate(a);
    }
    return a->state > 0 ? 0 : a->state < 0 ? -EINVAL : -ENOENT;
}

int py_async_sample(struct py_async *a, const uint64_t *tstates, uint32_t n,
                    struct py_async_sample *out)
{
    int err = ensure_found(a);

    out->ntasks = 0;
    out->nframes = 0;
    out->over = 0;
    out->torn = 0;
    if (err)
        return err;
    a->stamp++; /* a new index of the tasks seen */
    a->pending = -1;
    for (uint32_t i = 0; i < n; i++) {
        err = read_list(a, tstates[i] + a->off.ts_tasks_head, tstates[i], out);
        if (err)
            return err;
    }
    int64_t now = util_clock_mono_ns();
    if (!a->interp || now >= a->interp_at) {
        a->interp_at = now + INTERP_NS;
        if (py_proc_interp_head(a->p, &a->interp) != 0)
            a->interp = 0;
    }
    if (plausible_ptr(a->interp)) {
        err = read_list(a, a->interp + a->off.interp_tasks_head, 0, out);
        if (err)
            return err;
    }
    err = check_pending(a, out);
    if (err)
        return err;
    link_parents(a, out);
    return 0;
}
