/* Unit tests for py_proc_read_runtime and unwind against real memory: each fixture in
 * fixtures/unwind/ holds the ranges that attaching to and sampling a real CPython process read
 * (3.8 to 3.15, a 3.15 debug build, Debian's 3.11), written by fixtures/gen_unwind.sh while
 * fixtures/unwind_target.py was stopped at a known point, with that program's own report of its
 * stacks. They are replayed through a snapshot target: the offsets are chosen from the bytes as
 * when attaching (built-in table by version, or the target's _Py_DebugOffsets), and every
 * thread's stack (function names, files, lines), its TID, GIL and name must equal the report.
 * A wrong offset in a table reads other bytes, or bytes that were never captured, and fails.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "py_elf.h"
#include "py_proc.h"
#include "suites.h"
#include "target.h"
#include "test.h"
#include "unwind.h"
#include "util_xalloc.h"

#define MAX_THREADS 8
#define MAX_FRAMES  512

/* What the target reported of one thread (fixtures/unwind_target.py). */
struct want_thread {
    int tid, is_main, holds_gil;
    char name[256]; /* empty for the main thread */
    uint32_t first; /* its frames in fixture.frames, innermost first */
    uint32_t nframes;
};

struct want_frame {
    int line;
    char name[256];
    char file[1024];
};

struct fixture {
    int pid, py_debug;
    char path[PATH_MAX];
    uint64_t runtime, code_type;
    struct py_elf elf;
    char version[64]; /* the target's platform.python_version() */
    int debug;        /* a Py_DEBUG build, as the target says */
    struct want_thread threads[MAX_THREADS];
    int nthreads;
    struct want_frame frames[MAX_FRAMES];
    uint32_t nframes;
    struct target *t; /* the captured ranges */
    size_t nranges, bytes;
};

/* Read a gzip-compressed file whole (NUL-terminated); NULL when it cannot be read. */
static unsigned char *read_gz(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    unsigned char *buf = NULL;
    size_t used = 0, cap = 0;
    int n;

    if (!f)
        return NULL;
    do {
        if (cap - used < 65536) {
            cap = cap ? 2 * cap : 262144;
            buf = xrealloc(buf, cap + 1);
        }
        n = gzread(f, buf + used, (unsigned)(cap - used));
        if (n > 0)
            used += (size_t)n;
    } while (n > 0);
    gzclose(f);
    if (n < 0) {
        free(buf);
        return NULL;
    }
    buf[used] = '\0';
    *len = used;
    return buf;
}

/* One line of the report: thread and frame lines in order, innermost frame first. */
static int parse_report(struct fixture *fx, const char *line)
{
    struct want_thread *th = &fx->threads[fx->nthreads];
    struct want_frame *fr = &fx->frames[fx->nframes];

    if (sscanf(line, "python\t%63[^\t]\t%d", fx->version, &fx->debug) == 2)
        return 0;
    if (sscanf(line, "thread\t%d\t%d\t%d\t%255[^\n]", &th->tid, &th->is_main, &th->holds_gil,
               th->name) >= 3) {
        if (fx->nthreads == MAX_THREADS)
            return -1;
        th->first = fx->nframes;
        fx->nthreads++;
        return 0;
    }
    if (sscanf(line, "frame\t%d\t%255[^\t]\t%1023[^\n]", &fr->line, fr->name, fr->file) == 3) {
        if (!fx->nthreads || fx->nframes == MAX_FRAMES)
            return -1;
        fx->nframes++;
        fx->threads[fx->nthreads - 1].nframes++;
        return 0;
    }
    return strcmp(line, "stop") == 0 ? 0 : -1;
}

/* One header line: the facts py_proc_open found (ELF addresses at link time, load bias
 * applied to runtime and code_type). */
static int parse_header(struct fixture *fx, const char *line)
{
    struct py_elf *e = &fx->elf;

    if (sscanf(line, "pid %d", &fx->pid) == 1 || sscanf(line, "py_debug %d", &fx->py_debug) == 1 ||
        sscanf(line, "runtime 0x%" SCNx64, &fx->runtime) == 1 ||
        sscanf(line, "code_type 0x%" SCNx64, &fx->code_type) == 1 ||
        sscanf(line, "elf_runtime 0x%" SCNx64, &e->runtime) == 1 ||
        sscanf(line, "elf_runtime_size %" SCNu64, &e->runtime_size) == 1 ||
        sscanf(line, "elf_py_version 0x%" SCNx64, &e->py_version) == 1 ||
        sscanf(line, "elf_version %15s", e->version) == 1 ||
        sscanf(line, "path %4095[^\n]", fx->path) == 1 ||
        strcmp(line, "spyglass-unwind-fixture 1") == 0)
        return 0;
    return parse_report(fx, line);
}

/* Load fixtures/unwind/LABEL.fix.gz (format: fixtures/unwind_capture.c). 0 or -1. */
static int load(const char *label, struct fixture *fx)
{
    char path[256], line[4096];
    size_t len = 0, at = 0;
    unsigned char *b;
    int err = -1;

    memset(fx, 0, sizeof(*fx));
    snprintf(path, sizeof(path), "fixtures/unwind/%s.fix.gz", label);
    b = read_gz(path, &len);
    if (!b)
        return -1;
    fx->t = target_snapshot_new();
    while (at < len) {
        const unsigned char *nl = memchr(b + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (b + at)) : len - at;
        uint64_t addr, size;
        if (n >= sizeof(line))
            goto out;
        memcpy(line, b + at, n);
        line[n] = '\0';
        at += n + 1;
        if (strcmp(line, "end") == 0) {
            err = 0;
            break;
        }
        if (sscanf(line, "range 0x%" SCNx64 " %" SCNu64, &addr, &size) == 2) {
            if (size > len - at)
                goto out;
            target_snapshot_add(fx->t, addr, b + at, (size_t)size);
            at += (size_t)size + 1;
            fx->nranges++;
            fx->bytes += (size_t)size;
        } else if (parse_header(fx, line) != 0) {
            goto out;
        }
    }
out:
    free(b);
    return err || !fx->nthreads || !fx->runtime ? -1 : 0;
}

/* A py_proc over the fixture's memory, as py_proc_open leaves it, or NULL (counted a failure)
 * when attaching fails. The fixture keeps its target. */
static struct py_proc *attach(struct fixture *fx)
{
    struct py_proc *p = xcalloc(1, sizeof(*p));
    char detail[256] = "", want[80];

    p->pid = fx->pid;
    p->t = fx->t;
    p->runtime = fx->runtime;
    p->code_type = fx->code_type;
    p->py_debug = fx->py_debug;
    p->pthread_tid_off = -1;
    p->image.fd = -1;
    snprintf(p->path, sizeof(p->path), "%s", fx->path);
    int err = py_proc_read_runtime(p, &fx->elf, detail, sizeof(detail));
    TEST_EQ_INT(err, 0);
    if (err) {
        fprintf(stderr, "  py_proc_read_runtime: %s\n", detail);
        free(p);
        return NULL;
    }
    py_proc_calibrate_tid(p);
    snprintf(want, sizeof(want), "%s%s", fx->version, fx->debug ? " (debug)" : "");
    TEST_EQ_STR(p->version, want);
    return p;
}

static void detach(struct py_proc *p)
{
    free(p); /* not py_proc_free: the target belongs to the fixture */
}

/* Differences between thread th of sample s and the report of wt; the first is described in
 * why (may be NULL). */
static int thread_diffs(struct unwinder *u, const struct unwind_sample *s,
                        const struct unwind_thread *th, const struct fixture *fx,
                        const struct want_thread *wt, char *why, size_t len)
{
    int bad = 0;
    char name[256] = "";

    if (th->status != UNWIND_OK || th->nframes != wt->nframes || th->is_main != wt->is_main ||
        th->holds_gil != wt->holds_gil || th->interp_id != 0) { /* 0: the main interpreter */
        if (why)
            snprintf(why, len, "status %d, %u frames (want %u), main %d, GIL %d, interp %lld",
                     (int)th->status, th->nframes, wt->nframes, th->is_main, th->holds_gil,
                     (long long)th->interp_id);
        return 1;
    }
    for (uint32_t k = 0; k < wt->nframes; k++) {
        const struct unwind_frame *fr = &s->frames[th->first + k];
        const struct unwind_code *c = unwinder_code(u, fr->code);
        const struct want_frame *w = &fx->frames[wt->first + k];
        if (c && fr->line == w->line && strcmp(c->name, w->name) == 0 &&
            strcmp(c->file, w->file) == 0)
            continue;
        if (why && !bad)
            snprintf(why, len, "frame %u: %s:%d %s, want %s:%d %s", k, c ? c->file : "?", fr->line,
                     c ? c->name : "?", w->file, w->line, w->name);
        bad++;
    }
    /* Only a thread started by threading has a name (the root frame is Thread._bootstrap). */
    int err = unwinder_thread_name(u, s, th, name, sizeof(name));
    if (wt->is_main ? err != -ENOENT : (err != 0 || strcmp(name, wt->name) != 0)) {
        if (why && !bad)
            snprintf(why, len, "thread name '%s' (%d), want '%s'", name, err, wt->name);
        bad++;
    }
    return bad;
}

/* Differences between one sample and the report (threads found by TID); the first one is
 * printed when loud. */
static int sample_diffs(struct unwinder *u, const struct fixture *fx, int loud)
{
    static struct unwind_sample s;
    char why[1024];
    int bad = 0;

    int err = unwinder_sample(u, &s, NULL, NULL);
    if (err || (int)s.nthreads != fx->nthreads) {
        if (loud)
            fprintf(stderr, "  sample: %d, %u threads (want %d)\n", err, s.nthreads, fx->nthreads);
        return 1;
    }
    for (int i = 0; i < fx->nthreads; i++) {
        const struct want_thread *wt = &fx->threads[i];
        const struct unwind_thread *th = NULL;
        for (uint32_t j = 0; j < s.nthreads; j++)
            if (s.threads[j].tid == wt->tid)
                th = &s.threads[j];
        if (!th) {
            if (loud)
                fprintf(stderr, "  thread %d not found\n", wt->tid);
            bad++;
            continue;
        }
        int d = thread_diffs(u, &s, th, fx, wt, why, sizeof(why));
        if (d && loud)
            fprintf(stderr, "  thread %d (%s): %s\n", wt->tid, wt->is_main ? "main" : wt->name,
                    why);
        bad += d;
    }
    return bad;
}

/* Offsets that a walk of this version reads, each moved by one field (a str's length by 8
 * bytes, the first line number by 4): the fixture must tell every one of them. */
static void check_mutants(struct fixture *fx, struct py_proc *p)
{
    const struct py_offsets good = p->off;
    struct py_offsets *o = &p->off;
    uint32_t *fields[] = {
        &o->rt_interp_head,
        &o->is_threads_head,
        &o->ts_next,
        &o->ts_frame,
        &o->ts_cframe,
        &o->ts_base_frame,
        &o->fr_back,
        &o->fr_code,
        &o->fr_instr,
        &o->fr_owner,
        &o->co_filename,
        &o->co_linetable,
        &o->co_firstlineno,
        &o->co_qualname,
        &o->u_length,
        &o->ts_datastack_chunk,
        /* names come from co_qualname when there is one, TIDs from native_thread_id */
        o->co_qualname ? NULL : &o->co_name,
        o->ts_native_thread_id ? &o->ts_native_thread_id : &o->ts_thread_id,
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (!fields[i] || *fields[i] < 8)
            continue; /* not read in this version (0), or no earlier field */
        *fields[i] -= fields[i] == &o->co_firstlineno ? 4 : 8;
        struct unwinder *u = unwinder_new(p, UNWIND_GIL);
        int bad = sample_diffs(u, fx, 0);
        TEST_CHECK(bad > 0);
        if (!bad)
            fprintf(stderr, "  mutant %zu: an offset moved, yet the stacks match\n", i);
        unwinder_free(u);
        p->off = good;
    }
}

static void replay(const char *label)
{
    static struct fixture fx;
    int failed = test_failed;

    TEST_EQ_INT(load(label, &fx), 0);
    if (!fx.t || !fx.nthreads) {
        fprintf(stderr, "  fixture %s: cannot be read (tests/fixtures/gen_unwind.sh)\n", label);
        target_free(fx.t);
        return;
    }
    /* The program's shape: a worker and the main thread, which holds the GIL, 120 frames of
     * down() deep. */
    TEST_EQ_INT(fx.nthreads, 2);
    TEST_CHECK(fx.nframes > 130);
    struct py_proc *p = attach(&fx);
    if (p) {
        /* Twice: the second sample is served from the prefetched ranges of the first. */
        struct unwinder *u = unwinder_new(p, UNWIND_GIL);
        for (int i = 0; i < 2; i++)
            TEST_EQ_INT(sample_diffs(u, &fx, 1), 0);
        unwinder_free(u);
        check_mutants(&fx, p);
        detach(p);
    }
    if (test_failed != failed)
        fprintf(stderr, "  in fixture %s (%zu ranges, %zu bytes)\n", label, fx.nranges, fx.bytes);
    target_free(fx.t);
}

void test_unwind_real(void)
{
    /* Every interpreter the tests run (tests/functional/lib.sh): a missing fixture fails. */
    static const char *const labels[] = {"3.8.18",       "3.9.18",       "3.10.13", "3.11.7",
                                         "3.12.1",       "3.13.0",       "3.14.10", "3.15.2",
                                         "3.15.2-debug", "system-3.11.2"};
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        replay(labels[i]);
}
