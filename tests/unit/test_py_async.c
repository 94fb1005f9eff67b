/* Unit tests for py_async: the offsets decoded from the real .AsyncioDebug and _Py_DebugOffsets
 * bytes of CPython 3.14.10, 3.15.2 and Debian's 3.15.2 debug build (fixtures/asyncio_debug_*.bin
 * and debug_offsets_*.bin, written by fixtures/gen_asyncio_debug.sh and gen_debug_offsets.sh),
 * corrupt variants, and the task walk on synthetic images laid out with those offsets: thread
 * and interpreter lists, str and int names, coroutine chains (suspended, awaiting, created,
 * running, done), awaiting tasks (one, or a set), lists and chains that change while read.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_py.h"
#include "py_async.h"
#include "py_offsets.h"
#include "py_proc.h"
#include "suites.h"
#include "target.h"
#include "test.h"
#include "unwind.h"
#include "util_xalloc.h"

#define SEC_LEN    104
#define DBG_LEN    1024
#define IMG_BASE   0x30000000ULL
#define IMG_SIZE   (1u << 20)
#define TPF_LONG   (1UL << 24)
#define TPF_STR    (1UL << 28)
#define FIXTURE_14 "3.14.10"
#define FIXTURE_15 "3.15.2"

/* Read fixtures/NAME_VERSION.bin, len bytes, into buf: 0, or -1 (a failed check). */
static int fixture(const char *name, const char *version, unsigned char *buf, size_t len)
{
    char path[128];
    size_t got = 0;
    snprintf(path, sizeof(path), "fixtures/%s_%s.bin", name, version);
    char *b = test_read_fixture(path, &got);
    if (!b)
        return -1;
    TEST_EQ_INT(got, len);
    if (got == len)
        memcpy(buf, b, len);
    free(b);
    return got == len ? 0 : -1;
}

/* The section (sec) and debug offsets (dbg) of CPython version: 0, or -1. */
static int load(const char *version, unsigned char *sec, unsigned char *dbg)
{
    if (fixture("asyncio_debug", version, sec, SEC_LEN) != 0)
        return -1;
    return fixture("debug_offsets", version, dbg, DBG_LEN);
}

/* The interpreter's offsets, as the unwinder decodes them. */
static int interp_offsets(const unsigned char *dbg, struct py_offsets *o)
{
    return py_offsets_from_debug(dbg, DBG_LEN, o);
}

static void put_u64(unsigned char *b, size_t off, uint64_t v)
{
    memcpy(b + off, &v, sizeof(v));
}

/* The interpreter's asyncio task list head: it moves in a Py_DEBUG build (whose interpreter
 * state is 16 bytes larger; docs/cpython.md §3.5). */
static void check_parse(const char *path, unsigned minor, uint32_t interp_head)
{
    unsigned char sec[SEC_LEN], dbg[DBG_LEN], bad[DBG_LEN], sbad[SEC_LEN];
    struct py_offsets o;
    struct py_async_offsets f;
    int is15 = minor == 15;

    if (load(path, sec, dbg) != 0 || interp_offsets(dbg, &o) != 0) {
        TEST_CHECK(!"fixture");
        return;
    }
    TEST_EQ_INT(o.minor, minor);
    TEST_EQ_INT(py_async_parse(&o, dbg, DBG_LEN, sec, SEC_LEN, &f), 0);
    /* docs/cpython.md §11 */
    TEST_EQ_INT(f.minor, minor);
    TEST_EQ_INT(f.task_size, 168);
    TEST_EQ_INT(f.task_name, 136);
    TEST_EQ_INT(f.task_awaited_by, 96);
    TEST_EQ_INT(f.task_is_task, 108);
    TEST_EQ_INT(f.task_is_set, 109);
    TEST_EQ_INT(f.task_coro, 128);
    TEST_EQ_INT(f.task_node, 152);
    TEST_EQ_INT(f.interp_tasks_head, interp_head);
    TEST_EQ_INT(f.ts_tasks_head, is15 ? 1048 : 880);
    TEST_EQ_INT(f.fr_stackpointer, 64);
    TEST_EQ_INT(f.tp_flags, 168);
    TEST_EQ_INT(f.set_used, 24);
    TEST_EQ_INT(f.set_mask, 32);
    TEST_EQ_INT(f.set_table, 40);
    TEST_EQ_INT(f.long_tag, 16);
    TEST_EQ_INT(f.long_digit, 24);
    TEST_EQ_INT(f.gi_iframe, 72);
    TEST_EQ_INT(f.gi_state, 67);
    TEST_EQ_INT(f.st_created, is15 ? 0 : -3);
    TEST_EQ_INT(f.st_suspended, is15 ? 1 : -2);
    TEST_EQ_INT(f.st_yield_from, is15 ? 2 : -1);
    TEST_EQ_INT(f.st_executing, is15 ? 4 : 0);
    TEST_EQ_INT(f.awaitee_slot, is15 ? 2 : 1);

    /* Short inputs, no cookie, another version's table, another interpreter's section. */
    TEST_EQ_INT(py_async_parse(&o, dbg, 700, sec, SEC_LEN, &f), -EINVAL);
    TEST_EQ_INT(py_async_parse(&o, dbg, DBG_LEN, sec, SEC_LEN - 8, &f), -EINVAL);
    memcpy(bad, dbg, DBG_LEN);
    bad[0] = 'X';
    TEST_EQ_INT(py_async_parse(&o, bad, DBG_LEN, sec, SEC_LEN, &f), -EINVAL);
    memcpy(sbad, sec, SEC_LEN);
    put_u64(sbad, 7 * 8, 12345); /* interpreter size */
    TEST_EQ_INT(py_async_parse(&o, dbg, DBG_LEN, sbad, SEC_LEN, &f), -EINVAL);
    /* Fields outside their structs. */
    static const size_t fields[] = {0, 1 * 8, 2 * 8, 5 * 8, 6 * 8, 8 * 8, 12 * 8};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        memcpy(sbad, sec, SEC_LEN);
        put_u64(sbad, fields[i], fields[i] ? 1u << 30 : 1u << 20);
        TEST_EQ_INT(py_async_parse(&o, dbg, DBG_LEN, sbad, SEC_LEN, &f), -EINVAL);
    }
    memcpy(bad, dbg, DBG_LEN);
    put_u64(bad, is15 ? 808 : 680, 4096); /* gi_iframe past what is read of a coroutine */
    TEST_EQ_INT(py_async_parse(&o, bad, DBG_LEN, sec, SEC_LEN, &f), -EINVAL);
    memcpy(bad, dbg, DBG_LEN);
    put_u64(bad, is15 ? 360 : 296, 1000); /* stackpointer outside the frame */
    TEST_EQ_INT(py_async_parse(&o, bad, DBG_LEN, sec, SEC_LEN, &f), -EINVAL);
    /* Versions without the section's layout. */
    struct py_offsets old = o;
    old.minor = 13;
    TEST_EQ_INT(py_async_parse(&old, dbg, DBG_LEN, sec, SEC_LEN, &f), -ENOTSUP);
    old.minor = 16;
    TEST_EQ_INT(py_async_parse(&old, dbg, DBG_LEN, sec, SEC_LEN, &f), -ENOTSUP);
    /* The version in the table must be the interpreter's. */
    old = o;
    old.minor = is15 ? 14 : 15;
    TEST_EQ_INT(py_async_parse(&old, dbg, DBG_LEN, sec, SEC_LEN, &f), -EINVAL);
}

static void test_parse(void)
{
    check_parse(FIXTURE_14, 14, 10880);
    check_parse(FIXTURE_15, 15, 10856);
    check_parse("3.15.2-debug", 15, 10864);
}

static void test_supported(void)
{
    struct py_proc p;
    char why[256] = "";
    memset(&p, 0, sizeof(p));
    for (unsigned minor = 8; minor <= 13; minor++) {
        p.off.minor = minor;
        TEST_EQ_INT(py_async_supported(&p, why, sizeof(why)), -ENOTSUP);
        TEST_CHECK(strstr(why, "publishes no asyncio debug offsets") != NULL);
        TEST_CHECK(strchr(why, '\n') == NULL);
    }
    p.off.minor = 14;
    TEST_EQ_INT(py_async_supported(&p, why, sizeof(why)), 0);
    p.off.minor = 15;
    TEST_EQ_INT(py_async_supported(&p, why, sizeof(why)), 0);
    p.off.minor = 16;
    TEST_EQ_INT(py_async_supported(&p, why, sizeof(why)), -ENOTSUP);
    TEST_CHECK(strstr(why, "3.16") != NULL);
}

/* ---- task walks on synthetic images ---- */

/* Code objects: leaf, middle, main of tests/unit/test_unwind.c's program, with CPython 3.12's
 * line tables (the 3.11+ format), stopped at code units giving lines 4, 9 and 12. */
static const char *const code_names[3] = {"leaf", "middle", "main"};
static const char *const code_tables[3] = {"8000d808098041d80809884189058041d80b0c8048",
                                           "8000d808098041dc0b0f8b36804d", "8000dc040a8448d80b0c"};
static const int code_units[3] = {10, 13, 12}, code_first[3] = {2, 7, 11}, code_pos[3] = {4, 5, 2};
static const int code_line[3] = {4, 9, 12};

struct img {
    struct fake f;
    struct py_async_offsets a;
    uint64_t runtime, section, interp, tstate, coro_type, other_type, long_type;
    uint64_t code[3];
};

static uint64_t mk_bytes(struct img *m, const char *hex)
{
    size_t n = strlen(hex) / 2;
    uint64_t b = fake_alloc(&m->f, m->f.o.bytes_sval + n + 1);
    fake_put(&m->f, b + m->f.o.ob_size, n);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        if (sscanf(hex + 2 * i, "%2x", &v) == 1)
            *fake_at(&m->f, b + m->f.o.bytes_sval + i) = (unsigned char)v;
    }
    return b;
}

static uint64_t mk_code(struct img *m, int i)
{
    const struct py_offsets *o = &m->f.o;
    uint64_t c = fake_alloc(&m->f, o->co_size + 2 * (size_t)code_units[i] + 8);
    fake_put(&m->f, c + o->co_name, fake_str(&m->f, code_names[i]));
    fake_put(&m->f, c + o->co_qualname, fake_str(&m->f, code_names[i]));
    fake_put(&m->f, c + o->co_filename, fake_str(&m->f, "app.py"));
    fake_put(&m->f, c + o->co_linetable, mk_bytes(m, code_tables[i]));
    fake_put(&m->f, c + o->ob_size, (uint64_t)code_units[i]);
    int32_t first = code_first[i];
    memcpy(fake_at(&m->f, c + o->co_firstlineno), &first, 4);
    return c;
}

/* An image for the fixture at path: _PyRuntime (with its _Py_DebugOffsets), the section, an
 * interpreter, a thread state with empty task lists, the code objects, three types. */
static int img_init(struct img *m, const char *path)
{
    unsigned char sec[SEC_LEN], dbg[DBG_LEN];
    struct py_offsets o;
    if (load(path, sec, dbg) != 0 || interp_offsets(dbg, &o) != 0 ||
        py_async_parse(&o, dbg, DBG_LEN, sec, SEC_LEN, &m->a) != 0)
        return -1;
    fake_init(&m->f, &o, IMG_BASE, IMG_SIZE);
    fake_put(&m->f, m->f.str_type + o.tp_flags, TPF_STR);
    m->runtime = fake_alloc(&m->f, 4096);
    memcpy(fake_at(&m->f, m->runtime), dbg, DBG_LEN);
    m->section = fake_alloc(&m->f, SEC_LEN);
    memcpy(fake_at(&m->f, m->section), sec, SEC_LEN);
    m->interp = fake_alloc(&m->f, m->a.interp_tasks_head + 64);
    fake_put(&m->f, m->runtime + o.rt_interp_head, m->interp);
    uint64_t head = m->interp + m->a.interp_tasks_head;
    fake_put(&m->f, head, head);
    fake_put(&m->f, head + 8, head);
    m->tstate = fake_alloc(&m->f, m->a.ts_tasks_head + 64);
    head = m->tstate + m->a.ts_tasks_head;
    fake_put(&m->f, head, head);
    fake_put(&m->f, head + 8, head);
    for (int i = 0; i < 3; i++)
        m->code[i] = mk_code(m, i);
    m->coro_type = fake_alloc(&m->f, 512);
    m->other_type = fake_alloc(&m->f, 512);
    m->long_type = fake_alloc(&m->f, 512);
    fake_put(&m->f, m->long_type + o.tp_flags, TPF_LONG);
    return 0;
}

/* A coroutine running code i, in state st, awaiting awaitee (0: none) at its stack's top. */
static uint64_t mk_coro(struct img *m, int i, int8_t st, uint64_t awaitee)
{
    const struct py_offsets *o = &m->f.o;
    uint64_t c = fake_alloc(&m->f, 512), fr = c + m->a.gi_iframe;
    fake_put(&m->f, c + o->ob_type, m->coro_type);
    *fake_at(&m->f, c + m->a.gi_state) = (unsigned char)st;
    fake_put(&m->f, fr + o->fr_code, m->code[i] | 1); /* a _PyStackRef, tagged */
    fake_put(&m->f, fr + o->fr_instr, m->code[i] + o->co_code_adaptive + 2 * (uint64_t)code_pos[i]);
    *fake_at(&m->f, fr + o->fr_owner) = 1;
    uint64_t sp = fr + o->fr_size + 8 * 4; /* four locals, then the stack */
    fake_put(&m->f, fr + m->a.fr_stackpointer, sp + 8 * (m->a.awaitee_slot - 1) + 8);
    fake_put(&m->f, sp, awaitee ? awaitee | 1 : 0);
    return c;
}

/* Something awaited that is not a coroutine (a future). */
static uint64_t mk_future(struct img *m)
{
    uint64_t x = fake_alloc(&m->f, 512);
    fake_put(&m->f, x + m->f.o.ob_type, m->other_type);
    return x;
}

static uint64_t mk_int(struct img *m, uint32_t v)
{
    uint64_t x = fake_alloc(&m->f, 64);
    fake_put(&m->f, x + m->f.o.ob_type, m->long_type);
    fake_put(&m->f, x + m->a.long_tag, 1u << 3); /* one digit, positive */
    memcpy(fake_at(&m->f, x + m->a.long_digit), &v, 4);
    return x;
}

/* A task named name (a str object, or an int when name is NULL: num) running coro. */
static uint64_t mk_task(struct img *m, const char *name, uint32_t num, uint64_t coro)
{
    uint64_t t = fake_alloc(&m->f, m->a.task_size);
    fake_put(&m->f, t + m->f.o.ob_type, m->other_type);
    *fake_at(&m->f, t + m->a.task_is_task) = 1;
    fake_put(&m->f, t + m->a.task_name, name ? fake_str(&m->f, name) : mk_int(m, num));
    fake_put(&m->f, t + m->a.task_coro, coro);
    return t;
}

static void awaited_by(struct img *m, uint64_t task, uint64_t by, int is_set)
{
    fake_put(&m->f, task + m->a.task_awaited_by, by);
    *fake_at(&m->f, task + m->a.task_is_set) = (unsigned char)is_set;
}

/* A set of n keys (table of 8 slots, keys from the start). */
static uint64_t mk_set(struct img *m, const uint64_t *keys, int n)
{
    uint64_t s = fake_alloc(&m->f, 256), table = fake_alloc(&m->f, 8 * 16);
    for (int i = 0; i < n; i++)
        fake_put(&m->f, table + 16 * (uint64_t)(i + 2), keys[i]);
    fake_put(&m->f, s + m->a.set_used, (uint64_t)n);
    fake_put(&m->f, s + m->a.set_mask, 7);
    fake_put(&m->f, s + m->a.set_table, table);
    return s;
}

/* Link tasks[0..n) into the circular list whose head is at head. */
static void link(struct img *m, uint64_t head, const uint64_t *tasks, int n)
{
    uint64_t prev = head;
    for (int i = 0; i < n; i++) {
        uint64_t node = tasks[i] + m->a.task_node;
        fake_put(&m->f, prev, node);
        fake_put(&m->f, node + 8, prev);
        prev = node;
    }
    fake_put(&m->f, prev, head);
    fake_put(&m->f, head + 8, prev);
}

struct walk {
    struct py_proc p;
    struct unwinder *u;
    struct py_async *a;
    struct py_async_sample *out;
};

/* Sample the image as it is now (one thread: the image's thread state). */
static int walk(struct img *m, struct walk *w)
{
    memset(&w->p, 0, sizeof(w->p));
    w->p.t = target_snapshot_new();
    fake_snapshot(&m->f, w->p.t);
    w->p.off = m->f.o;
    w->p.runtime = m->runtime;
    w->p.pthread_tid_off = -1;
    w->u = unwinder_new(&w->p, 0);
    w->a = py_async_new(&w->p, w->u);
    w->out = xcalloc(1, sizeof(*w->out));
    TEST_EQ_INT(py_async_found(w->a), 0);
    TEST_EQ_INT(py_async_use_section(w->a, m->section), 0);
    TEST_EQ_INT(py_async_found(w->a), 1);
    return py_async_sample(w->a, &m->tstate, 1, w->out);
}

static void walk_free(struct walk *w)
{
    py_async_free(w->a);
    unwinder_free(w->u);
    target_free(w->p.t);
    free(w->out);
}

/* A target reading the image itself (not a copy), which changes one word of it just before a
 * read that checks a chain end at state address when (the first range, one byte): the target
 * changing while it is read. */
struct live {
    struct target t;
    struct fake *f;
    int calls;
    uint64_t when, addr, val;
};

static long live_readv(struct target *t, const struct target_iov *iov, int n)
{
    struct live *l = (struct live *)t;
    long got = 0;
    l->calls++;
    if (l->when && n >= 3 && iov[0].len == 1 && iov[0].addr == l->when)
        fake_put(l->f, l->addr, l->val);
    for (int i = 0; i < n; i++) {
        if (iov[i].addr < l->f->base || iov[i].addr + iov[i].len > l->f->base + l->f->used)
            break;
        memcpy(iov[i].buf, l->f->buf + (iov[i].addr - l->f->base), iov[i].len);
        got += (long)iov[i].len;
    }
    return got;
}

static void live_free(struct target *t)
{
    (void)t;
}

static const struct target_ops live_ops = {live_readv, live_free};

/* Sample the image through a live target l. Returns the read calls. */
static int walk_live(struct img *m, struct live *l, struct walk *w)
{
    memset(&w->p, 0, sizeof(w->p));
    l->t.ops = &live_ops;
    l->f = &m->f;
    l->calls = 0;
    w->p.t = &l->t;
    w->p.off = m->f.o;
    w->p.runtime = m->runtime;
    w->p.pthread_tid_off = -1;
    w->u = unwinder_new(&w->p, 0);
    w->a = py_async_new(&w->p, w->u);
    w->out = xcalloc(1, sizeof(*w->out));
    TEST_EQ_INT(py_async_use_section(w->a, m->section), 0);
    l->calls = 0;
    TEST_EQ_INT(py_async_sample(w->a, &m->tstate, 1, w->out), 0);
    return l->calls;
}

static int find(const struct py_async_sample *out, const char *name)
{
    for (uint32_t i = 0; i < out->ntasks; i++)
        if (strcmp(out->tasks[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Task i's frames are codes[0..n) (indexes into code_names), outermost first. */
static void check_chain(struct walk *w, int i, const int *codes, uint32_t n)
{
    if (i < 0) {
        TEST_CHECK(!"task found");
        return;
    }
    const struct py_async_task *t = &w->out->tasks[i];
    TEST_EQ_INT(t->nframes, n);
    for (uint32_t k = 0; k < n && k < t->nframes; k++) {
        const struct unwind_frame *f = &w->out->frames[t->first + k];
        const struct unwind_code *c = unwinder_code(w->u, f->code);
        TEST_EQ_STR(c ? c->name : NULL, code_names[codes[k]]);
        TEST_EQ_INT(f->line, code_line[codes[k]]);
        TEST_CHECK(f->addr != 0);
    }
    TEST_EQ_INT(w->out->frames[t->first].addr, t->coro_frame);
}

/* main awaits a future; Task-7 (int name) awaited by main: middle -> leaf (which awaits a
 * future); w2, not started yet, awaited by a set of Task-7, main and a stranger; run executing,
 * awaited by Task-7; done finished; orphan in the interpreter's list. */
static void check_walk(const char *path)
{
    struct img m;
    struct walk w;
    const struct py_async_offsets *a = &m.a;

    if (img_init(&m, path) != 0) {
        TEST_CHECK(!"image");
        return;
    }
    uint64_t stranger = mk_future(&m); /* in a set, below every task */
    uint64_t main_c = mk_coro(&m, 2, a->st_yield_from, mk_future(&m));
    uint64_t leaf_c = mk_coro(&m, 0, a->st_yield_from, mk_future(&m));
    uint64_t mid_c = mk_coro(&m, 1, a->st_yield_from, leaf_c);
    uint64_t main_t = mk_task(&m, "main", 0, main_c);
    uint64_t t7 = mk_task(&m, NULL, 7, mid_c);
    uint64_t w2 = mk_task(&m, "w2", 0, mk_coro(&m, 0, a->st_created, 0));
    uint64_t run_c = mk_coro(&m, 1, a->st_executing, 0);
    uint64_t run = mk_task(&m, "run", 0, run_c);
    uint64_t done = mk_task(&m, "done", 0, mk_coro(&m, 1, (int8_t)(a->st_executing + 1), 0));
    uint64_t orphan = mk_task(&m, "orph\xc3\xa4n", 0, mk_coro(&m, 2, a->st_suspended, 0));
    awaited_by(&m, t7, main_t, 0);
    uint64_t keys[3] = {t7, stranger, main_t}; /* of the tasks, main is at the lowest address */
    awaited_by(&m, w2, mk_set(&m, keys, 3), 1);
    awaited_by(&m, run, t7, 0);
    uint64_t list[] = {main_t, t7, w2, run, done};
    link(&m, m.tstate + a->ts_tasks_head, list, 5);
    link(&m, m.interp + a->interp_tasks_head, &orphan, 1);

    TEST_EQ_INT(walk(&m, &w), 0);
    TEST_EQ_INT(w.out->ntasks, 5); /* done is left out */
    TEST_EQ_INT(w.out->torn, 0);
    TEST_EQ_INT(w.out->over, 0);
    int im = find(w.out, "main"), i7 = find(w.out, "Task-7"), i2 = find(w.out, "w2");
    int ir = find(w.out, "run"), io = find(w.out, "orph\xc3\xa4n");
    TEST_CHECK(find(w.out, "done") < 0);
    static const int c_main[] = {2}, c_7[] = {1, 0}, c_w2[] = {0};
    check_chain(&w, im, c_main, 1);
    check_chain(&w, i7, c_7, 2);
    check_chain(&w, i2, c_w2, 1);
    check_chain(&w, io, c_main, 1);
    if (im >= 0 && i7 >= 0 && i2 >= 0 && ir >= 0 && io >= 0) {
        TEST_EQ_INT(w.out->tasks[im].parent, -1);
        TEST_EQ_INT(w.out->tasks[i7].parent, im);
        TEST_EQ_INT(w.out->tasks[i2].parent, im);
        TEST_EQ_INT(w.out->tasks[ir].parent, i7);
        TEST_EQ_INT(w.out->tasks[im].tstate, m.tstate);
        TEST_EQ_INT(w.out->tasks[io].tstate, 0);
        TEST_EQ_INT(w.out->tasks[ir].running, 1);
        TEST_EQ_INT(w.out->tasks[ir].nframes, 0);
        TEST_EQ_INT(w.out->tasks[ir].coro_frame, run_c + a->gi_iframe);
        TEST_EQ_INT(w.out->tasks[im].running, 0);
        TEST_EQ_INT(py_async_task_of_frame(w.out, run_c + a->gi_iframe), ir);
        TEST_EQ_INT(py_async_task_of_frame(w.out, mid_c + a->gi_iframe), i7);
        TEST_EQ_INT(py_async_task_of_frame(w.out, leaf_c + a->gi_iframe), -1);
        TEST_EQ_INT(py_async_task_of_frame(w.out, 0), -1);
        /* run, read again: still running; then suspended (a stack showed it no longer ran). */
        TEST_EQ_INT(py_async_reread(w.a, w.out, (uint32_t)ir), -EAGAIN);
        TEST_EQ_INT(py_async_reread(w.a, w.out, (uint32_t)im), -EINVAL); /* not to be read */
        *fake_at(&m.f, run_c + a->gi_state) = (unsigned char)a->st_suspended;
        target_free(w.p.t);
        w.p.t = target_snapshot_new();
        fake_snapshot(&m.f, w.p.t);
        static const int c_run[] = {1};
        TEST_EQ_INT(py_async_reread(w.a, w.out, (uint32_t)ir), 0);
        TEST_EQ_INT(w.out->tasks[ir].running, 0);
        check_chain(&w, ir, c_run, 1);
        *fake_at(&m.f, run_c + a->gi_state) = (unsigned char)a->st_executing;
    }
    walk_free(&w);

    /* A renamed task: its new name is read (the cache is keyed by the name object too). */
    fake_put(&m.f, main_t + a->task_name, fake_str(&m.f, "renamed"));
    TEST_EQ_INT(walk(&m, &w), 0);
    TEST_CHECK(find(w.out, "renamed") >= 0);
    walk_free(&w);

    /* An awaitee running while its awaiter looks suspended: the chain changed while read. The
     * task is kept without frames (a stack may show it), and read again when asked. */
    *fake_at(&m.f, leaf_c + a->gi_state) = (unsigned char)a->st_executing;
    TEST_EQ_INT(walk(&m, &w), 0);
    TEST_EQ_INT(w.out->torn, 0);
    i7 = find(w.out, "Task-7");
    TEST_CHECK(i7 >= 0 && find(w.out, "renamed") >= 0);
    if (i7 >= 0) {
        TEST_CHECK(w.out->tasks[i7].torn && !w.out->tasks[i7].nframes);
        TEST_EQ_INT(py_async_task_of_frame(w.out, mid_c + a->gi_iframe), i7);
        TEST_EQ_INT(py_async_reread(w.a, w.out, (uint32_t)i7), -EAGAIN);
    }
    walk_free(&w);
    *fake_at(&m.f, leaf_c + a->gi_state) = (unsigned char)a->st_yield_from;

    /* A frame not owned by its generator, a bad code object: kept without frames, marked. */
    *fake_at(&m.f, main_c + a->gi_iframe + m.f.o.fr_owner) = 0;
    fake_put(&m.f, leaf_c + a->gi_iframe + m.f.o.fr_code, m.runtime);
    TEST_EQ_INT(walk(&m, &w), 0);
    TEST_EQ_INT(w.out->ntasks, 5);
    im = find(w.out, "renamed");
    i7 = find(w.out, "Task-7");
    TEST_CHECK(im >= 0 && w.out->tasks[im].torn && !w.out->tasks[im].nframes);
    TEST_CHECK(i7 >= 0 && w.out->tasks[i7].torn && !w.out->tasks[i7].nframes);
    i2 = find(w.out, "w2");
    TEST_CHECK(i2 >= 0 && !w.out->tasks[i2].torn && w.out->tasks[i2].nframes == 1);
    walk_free(&w);
    *fake_at(&m.f, main_c + a->gi_iframe + m.f.o.fr_owner) = 1;
    fake_put(&m.f, leaf_c + a->gi_iframe + m.f.o.fr_code, m.code[0]);

    /* A broken back link cuts the list there; a node that is not a task too. */
    fake_put(&m.f, w2 + a->task_node + 8, main_t + a->task_node);
    TEST_EQ_INT(walk(&m, &w), 0);
    TEST_EQ_INT(w.out->torn, 1);
    TEST_EQ_INT(w.out->ntasks, 3); /* main, Task-7; then the orphan */
    walk_free(&w);
    fake_put(&m.f, w2 + a->task_node + 8, t7 + a->task_node);
    *fake_at(&m.f, t7 + a->task_is_task) = 0;
    TEST_EQ_INT(walk(&m, &w), 0);
    TEST_EQ_INT(w.out->torn, 1);
    TEST_EQ_INT(w.out->ntasks, 2);
    walk_free(&w);
    *fake_at(&m.f, t7 + a->task_is_task) = 1;

    /* The innermost coroutine of Task-7 awaits something else by the time the chains are read
     * again (the last read of a sample): its chain is left out. */
    struct live l;
    memset(&l, 0, sizeof(l));
    int calls = walk_live(&m, &l, &w);
    i7 = find(w.out, "Task-7");
    TEST_CHECK(i7 >= 0 && !w.out->tasks[i7].torn && w.out->tasks[i7].nframes == 2);
    walk_free(&w);
    uint64_t sp_at = leaf_c + a->gi_iframe + a->fr_stackpointer;
    uint64_t slot_at = fake_get(&m.f, sp_at) - 8ULL * a->awaitee_slot;
    uint64_t old = fake_get(&m.f, slot_at);
    l.when = leaf_c + a->gi_state;
    l.addr = slot_at;
    l.val = old + 64;
    TEST_EQ_INT(walk_live(&m, &l, &w), calls);
    i7 = find(w.out, "Task-7");
    TEST_CHECK(i7 >= 0 && w.out->tasks[i7].torn && !w.out->tasks[i7].nframes);
    im = find(w.out, "renamed");
    TEST_CHECK(im >= 0 && !w.out->tasks[im].torn && w.out->tasks[im].nframes == 1);
    walk_free(&w);
    fake_put(&m.f, slot_at, old);

    /* A list that loops on itself (no way back to the head) ends at the bound. */
    fake_put(&m.f, run + a->task_node, t7 + a->task_node);
    fake_put(&m.f, t7 + a->task_node + 8, run + a->task_node);
    TEST_EQ_INT(walk(&m, &w), 0);
    TEST_CHECK(w.out->torn == 1 && w.out->ntasks <= 5);
    walk_free(&w);
    fake_free(&m.f);
}

static void test_walk(void)
{
    check_walk(FIXTURE_14);
    check_walk(FIXTURE_15);
}

/* A section that does not describe the interpreter is refused, and no task is read. */
static void test_wrong_section(void)
{
    struct img m;
    struct walk w;
    if (img_init(&m, FIXTURE_14) != 0) {
        TEST_CHECK(!"image");
        return;
    }
    fake_put(&m.f, m.section + 7 * 8, 1); /* interpreter size */
    memset(&w.p, 0, sizeof(w.p));
    w.p.t = target_snapshot_new();
    fake_snapshot(&m.f, w.p.t);
    w.p.off = m.f.o;
    w.p.runtime = m.runtime;
    w.u = unwinder_new(&w.p, 0);
    w.a = py_async_new(&w.p, w.u);
    TEST_EQ_INT(py_async_use_section(w.a, m.section), -EINVAL);
    TEST_EQ_INT(py_async_use_section(w.a, 0x10), -EINVAL); /* unreadable */
    TEST_EQ_INT(py_async_found(w.a), 0);
    py_async_free(w.a);
    unwinder_free(w.u);
    target_free(w.p.t);
    fake_free(&m.f);
}

void test_py_async(void)
{
    test_parse();
    test_supported();
    test_walk();
    test_wrong_section();
}
