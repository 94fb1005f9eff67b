/* Top functions by self and total share of samples (with binomial margins) or of another
 * weight, and the split of their time by thread state when stacks end in a state frame.
 * SPDX-License-Identifier: MIT */
#include "out_summary.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agg_func.h"
#include "stats.h"
#include "util_sbuf.h"
#include "util_xalloc.h"

#define MAX_STATES 16 /* state columns shown */

/* The functions (agg_functions: self, total; only Python functions are listed) and their
 * totals by state. */
struct funcs {
    const struct agg_func *v;
    uint32_t n;
    const uint32_t *func_of_frame; /* frame id -> function index */
    uint32_t state[MAX_STATES];    /* leaf state frame ids, ascending */
    uint64_t state_total[MAX_STATES];
    uint32_t nstates;
    uint64_t *by_state; /* [function * MAX_STATES + column]: total weight per state */
};

/* The column of leaf state frame id, made on first sight (ascending ids); -1 when full. */
static int state_col(struct funcs *fs, uint32_t id)
{
    uint32_t k = 0;
    while (k < fs->nstates && fs->state[k] < id)
        k++;
    if (k < fs->nstates && fs->state[k] == id)
        return (int)k;
    if (fs->nstates == MAX_STATES)
        return -1;
    memmove(fs->state + k + 1, fs->state + k, (fs->nstates - k) * sizeof(fs->state[0]));
    fs->state[k] = id;
    fs->nstates++;
    return (int)k;
}

/* The leaf state frame of a stack of n frames, or AGG_NONE. */
static uint32_t leaf_state(const struct agg *a, const uint32_t *st, uint32_t n)
{
    return n >= 2 && agg_frame_get(a, st[n - 1])->kind == AGG_FRAME_STATE ? st[n - 1] : AGG_NONE;
}

/* Find the state columns: the leaf state frames, in id order. */
static void find_states(const struct agg *a, struct funcs *fs)
{
    for (uint32_t s = 0; s < agg_nstacks(a); s++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *st = agg_stack(a, s, &n, &w);
        uint32_t id = leaf_state(a, st, n);
        if (id != AGG_NONE)
            state_col(fs, id);
    }
    if (fs->nstates)
        fs->by_state = xcalloc((size_t)fs->n * MAX_STATES, sizeof(uint64_t));
}

/* The totals of the functions by the state their stacks end in (once per stack, as
 * agg_func.total), and of each state. */
static void count_states(const struct agg *a, struct funcs *fs)
{
    uint32_t *seen = xcalloc(fs->n, sizeof(*seen)); /* stack index + 1 that last counted it */

    for (uint32_t s = 0; s < agg_nstacks(a); s++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *st = agg_stack(a, s, &n, &w);
        uint32_t id = leaf_state(a, st, n);
        int col = id != AGG_NONE ? state_col(fs, id) : -1;
        if (col < 0)
            continue;
        fs->state_total[col] += w;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t fi = fs->func_of_frame[st[k]];
            if (seen[fi] != s + 1) {
                seen[fi] = s + 1;
                fs->by_state[(size_t)fi * MAX_STATES + (uint32_t)col] += w;
            }
        }
    }
    free(seen);
}

static const struct funcs *sort_ctx;
static int by_self(const void *x, const void *y)
{
    const struct agg_func *a = &sort_ctx->v[*(const uint32_t *)x],
                          *b = &sort_ctx->v[*(const uint32_t *)y];
    return a->self != b->self ? (a->self < b->self ? 1 : -1)
                              : (a->total < b->total) - (a->total > b->total);
}
static int by_total(const void *x, const void *y)
{
    const struct agg_func *a = &sort_ctx->v[*(const uint32_t *)x],
                          *b = &sort_ctx->v[*(const uint32_t *)y];
    return a->total != b->total ? (a->total < b->total ? 1 : -1)
                                : (a->self < b->self) - (a->self > b->self);
}

/* str escaped for a terminal (sbuf_add_term): names come from the target or a file. */
static void put_term(FILE *f, const char *str)
{
    struct sbuf b;
    sbuf_init(&b);
    sbuf_add_term(&b, str);
    fputs(sbuf_str(&b), f);
    sbuf_destroy(&b);
}

/* " name (file)" of function fn and a newline. */
static void print_name(FILE *f, const struct agg *a, const struct agg_func *fn)
{
    fputs("  ", f);
    put_term(f, agg_str(a, fn->name));
    if (fn->file != AGG_NONE) {
        fputs(" (", f);
        put_term(f, agg_str(a, fn->file));
        fputc(')', f);
    }
    fputc('\n', f);
}

/* The first n Python functions of order (sorted by self or total) that have weight. */
static uint32_t top(const struct funcs *fs, const uint32_t *order, int n, int self_first,
                    uint32_t *out)
{
    uint32_t shown = 0;
    for (uint32_t i = 0; shown < (uint32_t)n && i < fs->n; i++) {
        const struct agg_func *fn = &fs->v[order[i]];
        if (!(self_first ? fn->self : fn->total))
            break;
        if (fn->kind == AGG_FRAME_PY) /* thread, state and task frames are not functions */
            out[shown++] = order[i];
    }
    return shown;
}

static void print_table(FILE *f, const struct agg *a, const struct funcs *fs, uint32_t *order,
                        int n, int self_first, uint64_t total, int margins)
{
    uint32_t *shown = xcalloc((size_t)n + 1, sizeof(uint32_t));
    sort_ctx = fs;
    qsort(order, fs->n, sizeof(uint32_t), self_first ? by_self : by_total);
    uint32_t m = top(fs, order, n, self_first, shown);
    fprintf(f, margins ? "  %-15s %-15s function (file)\n" : "  %-7s %-7s function (file)\n",
            "self", "total");
    for (uint32_t i = 0; i < m; i++) {
        const struct agg_func *fn = &fs->v[shown[i]];
        double s = 100.0 * (double)fn->self / (double)total;
        double t = 100.0 * (double)fn->total / (double)total;
        if (margins)
            fprintf(f, "  %5.1f%% ±%-5.1f  %5.1f%% ±%-5.1f", s,
                    100 * stats_binomial_margin(fn->self, total), t,
                    100 * stats_binomial_margin(fn->total, total));
        else
            fprintf(f, "  %5.1f%%  %5.1f%% ", s, t);
        print_name(f, a, fn);
    }
    free(shown);
}

/* The name of state column k without the brackets ("<gil>" -> "gil"), escaped for a terminal
 * into head; returns its width. */
static int state_head(const struct agg *a, const struct funcs *fs, uint32_t k, struct sbuf *head)
{
    const char *s = agg_str(a, agg_frame_get(a, fs->state[k])->name);
    size_t len = strlen(s);
    struct sbuf raw;
    if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
        s++;
        len -= 2;
    }
    sbuf_init(&raw);
    sbuf_add(&raw, s, len);
    sbuf_reset(head);
    sbuf_add_term(head, sbuf_str(&raw));
    sbuf_destroy(&raw);
    return (int)head->len;
}

/* The top functions by total, each one's total split by state (as a share of its total); only
 * the states that occur in the profile get a column. */
static void print_states(FILE *f, const struct agg *a, const struct funcs *fs, uint32_t *order,
                         int n)
{
    uint32_t *shown = xcalloc((size_t)n + 1, sizeof(uint32_t));
    int width[MAX_STATES];
    sort_ctx = fs;
    qsort(order, fs->n, sizeof(uint32_t), by_total);
    uint32_t m = top(fs, order, n, 0, shown);
    fprintf(f, "Top functions (total) by thread state, as shares of each one's total:\n ");
    struct sbuf head;
    sbuf_init(&head);
    for (uint32_t k = 0; k < fs->nstates; k++) {
        int len = state_head(a, fs, k, &head);
        width[k] = len > 6 ? len : 6;
        if (fs->state_total[k])
            fprintf(f, " %*s", width[k], sbuf_str(&head));
    }
    sbuf_destroy(&head);
    fprintf(f, "  function (file)\n");
    for (uint32_t i = 0; i < m; i++) {
        const struct agg_func *fn = &fs->v[shown[i]];
        fputc(' ', f);
        for (uint32_t k = 0; k < fs->nstates; k++) {
            uint64_t w = fs->by_state[(size_t)shown[i] * MAX_STATES + k];
            if (fs->state_total[k])
                fprintf(f, " %*.1f%%", width[k] - 1, 100.0 * (double)w / (double)fn->total);
        }
        print_name(f, a, fn);
    }
    free(shown);
}

/* "12.3 MiB" for a byte count. */
static void human_bytes(uint64_t b, char *buf, size_t len)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

int out_summary_write_in(FILE *f, const struct agg *a, int n, const char *unit)
{
    struct funcs fs;
    struct agg_funcs *q;
    uint64_t total = agg_total(a);
    char amount[64];

    if (!total) {
        if (unit) {
            fputs("spyglass: no ", f);
            put_term(f, unit);
            fputs(" were attributed to a Python stack\n", f);
        } else {
            fprintf(f, "spyglass: no Python stacks were sampled\n");
        }
        return ferror(f) ? -EIO : 0;
    }
    memset(&fs, 0, sizeof(fs));
    q = agg_functions(a);
    fs.v = q->v;
    fs.n = q->n;
    fs.func_of_frame = q->of_frame;
    find_states(a, &fs);
    if (fs.nstates)
        count_states(a, &fs);
    uint32_t *order = xcalloc(fs.n ? fs.n : 1, sizeof(uint32_t));
    for (uint32_t i = 0; i < fs.n; i++)
        order[i] = i;
    if (unit && strcmp(unit, "bytes") == 0)
        human_bytes(total, amount, sizeof(amount));
    else
        snprintf(amount, sizeof(amount), "%llu", (unsigned long long)total);
    if (unit) {
        fputs("Top functions by own ", f);
        put_term(f, unit);
        fprintf(f, " (self) of %s", amount);
        if (strcmp(unit, "bytes") != 0) {
            fputc(' ', f);
            put_term(f, unit);
        }
        fputs(":\n", f);
    } else
        fprintf(f, "Top functions by own time (self) of %llu stacks, with 95%% margins:\n",
                (unsigned long long)total);
    print_table(f, a, &fs, order, n, 1, total, !unit);
    fprintf(f, "Top functions including callees (total):\n");
    print_table(f, a, &fs, order, n, 0, total, !unit);
    if (fs.nstates)
        print_states(f, a, &fs, order, n);
    free(order);
    agg_funcs_free(q);
    free(fs.by_state);
    return ferror(f) ? -EIO : 0;
}

int out_summary_write(FILE *f, const struct agg *a, int n)
{
    return out_summary_write_in(f, a, n, NULL);
}
