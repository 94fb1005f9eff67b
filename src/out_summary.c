/* Top functions by self and total share of samples, with binomial margins.
 * SPDX-License-Identifier: MIT */
#include "out_summary.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "util_xalloc.h"

struct func {
    uint32_t name, file;
    uint64_t self, total;
    uint64_t seen; /* last stack index that counted this function in total */
    uint32_t kind; /* enum agg_frame_kind: only Python functions are listed */
};

struct funcs {
    struct func *v;
    uint32_t n;
    uint32_t *func_of_frame; /* frame id -> function index */
};

/* Group the profile's frames into functions (same name and file), through a hash table. */
static void group_frames(const struct agg *a, struct funcs *fs)
{
    uint32_t nf = agg_nframes(a), cap = 64;
    while (cap < 2 * nf)
        cap *= 2;
    uint32_t *tab = xcalloc(cap, sizeof(uint32_t)); /* function index + 1 */
    fs->v = xcalloc(nf ? nf : 1, sizeof(*fs->v));
    fs->func_of_frame = xcalloc(nf ? nf : 1, sizeof(uint32_t));
    fs->n = 0;
    for (uint32_t i = 0; i < nf; i++) {
        const struct agg_frame *fr = agg_frame_get(a, i);
        uint64_t h =
            ((uint64_t)fr->name * 0x9e3779b97f4a7c15ULL) ^ (fr->file * 0xc2b2ae3d27d4eb4fULL);
        uint32_t j = (uint32_t)(h >> 32) & (cap - 1);
        while (tab[j] &&
               !(fs->v[tab[j] - 1].name == fr->name && fs->v[tab[j] - 1].file == fr->file))
            j = (j + 1) & (cap - 1);
        if (!tab[j]) {
            struct func *f = &fs->v[fs->n++];
            f->name = fr->name;
            f->file = fr->file;
            f->seen = UINT64_MAX;
            f->kind = fr->kind;
            tab[j] = fs->n;
        }
        fs->func_of_frame[i] = tab[j] - 1;
    }
    free(tab);
}

static void count(const struct agg *a, struct funcs *fs)
{
    for (uint32_t s = 0; s < agg_nstacks(a); s++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *st = agg_stack(a, s, &n, &w);
        if (!n)
            continue;
        for (uint32_t k = 0; k < n; k++) {
            struct func *f = &fs->v[fs->func_of_frame[st[k]]];
            if (f->seen != s) {
                f->seen = s;
                f->total += w;
            }
        }
        fs->v[fs->func_of_frame[st[n - 1]]].self += w;
    }
}

static const struct funcs *sort_ctx;
static int by_self(const void *x, const void *y)
{
    const struct func *a = &sort_ctx->v[*(const uint32_t *)x],
                      *b = &sort_ctx->v[*(const uint32_t *)y];
    return a->self != b->self ? (a->self < b->self ? 1 : -1)
                              : (a->total < b->total) - (a->total > b->total);
}
static int by_total(const void *x, const void *y)
{
    const struct func *a = &sort_ctx->v[*(const uint32_t *)x],
                      *b = &sort_ctx->v[*(const uint32_t *)y];
    return a->total != b->total ? (a->total < b->total ? 1 : -1)
                                : (a->self < b->self) - (a->self > b->self);
}

static void print_table(FILE *f, const struct agg *a, const struct funcs *fs, uint32_t *order,
                        int n, int self_first, uint64_t total)
{
    sort_ctx = fs;
    qsort(order, fs->n, sizeof(uint32_t), self_first ? by_self : by_total);
    fprintf(f, "  %-15s %-15s function (file)\n", "self", "total");
    for (uint32_t i = 0, shown = 0; shown < (uint32_t)n && i < fs->n; i++) {
        const struct func *fn = &fs->v[order[i]];
        if (!(self_first ? fn->self : fn->total))
            break;
        if (fn->kind != AGG_FRAME_PY)
            continue; /* thread and state frames are not functions */
        shown++;
        double s = 100.0 * (double)fn->self / (double)total;
        double t = 100.0 * (double)fn->total / (double)total;
        fprintf(f, "  %5.1f%% ±%-5.1f  %5.1f%% ±%-5.1f  %s", s,
                100 * stats_binomial_margin(fn->self, total), t,
                100 * stats_binomial_margin(fn->total, total), agg_str(a, fn->name));
        if (fn->file != AGG_NONE)
            fprintf(f, " (%s)", agg_str(a, fn->file));
        fputc('\n', f);
    }
}

int out_summary_write(FILE *f, const struct agg *a, int n)
{
    struct funcs fs;
    uint64_t total = agg_total(a);

    if (!total) {
        fprintf(f, "spyglass: no Python stacks were sampled\n");
        return ferror(f) ? -EIO : 0;
    }
    group_frames(a, &fs);
    count(a, &fs);
    uint32_t *order = xcalloc(fs.n ? fs.n : 1, sizeof(uint32_t));
    for (uint32_t i = 0; i < fs.n; i++)
        order[i] = i;
    fprintf(f, "Top functions by own time (self) of %llu stacks, with 95%% margins:\n",
            (unsigned long long)total);
    print_table(f, a, &fs, order, n, 1, total);
    fprintf(f, "Top functions including callees (total):\n");
    print_table(f, a, &fs, order, n, 0, total);
    free(order);
    free(fs.v);
    free(fs.func_of_frame);
    return ferror(f) ? -EIO : 0;
}
