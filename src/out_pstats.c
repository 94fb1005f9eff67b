/* pstats writer: sampled figures in the shape of cProfile's stats dict, marshalled.
 * Format: CPython's Lib/cProfile.py (snapshot_stats) and Lib/pstats.py (load_stats).
 * SPDX-License-Identifier: MIT */
#include "out_pstats.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "agg_func.h"
#include "util_file.h"
#include "util_idmap.h"
#include "util_marshal.h"
#include "util_sbuf.h"
#include "util_vec.h"
#include "util_xalloc.h"

/* What a function adds to agg_functions()'s figures (self: leaf, cum: total, line). */
struct fn {
    uint64_t nc, cc; /* call paths seen: all, outermost only */
    uint64_t stamp;  /* stack index + 1 that last saw it */
};

struct edge {
    uint32_t caller, callee;           /* function ids */
    uint64_t self, cum, nc, cc, stamp; /* as in struct fn, for calls by caller */
};

struct pstats {
    const struct agg *a;
    struct agg_funcs *funcs; /* function id -> its frames' grouping and weights */
    struct idmap edge_ix;    /* (caller, callee) -> edge id */
    struct idmap node_ix;    /* (path node, frame id) -> path node - 1: the tree of call paths */
    struct idmap path_ix;    /* (path node, function id) -> a call path seen */
    const uint32_t *func_of; /* frame id -> function id */
    struct fn *fns;
    struct edge *edges;
    uint32_t edges_cap;
};

static struct edge *edge(struct pstats *s, uint32_t caller, uint32_t callee)
{
    int added;
    uint32_t id = idmap_get(&s->edge_ix, (uint64_t)caller << 32 | callee, &added);
    if (added) {
        if (id == s->edges_cap)
            s->edges = vec_grow32(s->edges, &s->edges_cap, (size_t)id + 1, sizeof(*s->edges), 256);
        s->edges[id] = (struct edge){.caller = caller, .callee = callee};
    }
    return &s->edges[id];
}

/* Count stack i (frames root first, weight w) into the call paths and edges. */
static void count_stack(struct pstats *s, uint64_t i, const uint32_t *frames, uint32_t n,
                        uint64_t w)
{
    uint32_t node = 0; /* the call path above frame j; 0 is the empty path */
    struct edge *e = NULL;

    for (uint32_t j = 0; j < n; j++) {
        uint32_t fid = s->func_of[frames[j]];
        struct fn *f = &s->fns[fid];
        int outer = f->stamp != i + 1, added;
        e = j ? edge(s, s->func_of[frames[j - 1]], fid) : NULL;
        idmap_get(&s->path_ix, (uint64_t)node << 32 | fid, &added);
        if (added) {
            f->nc++;
            f->cc += (uint64_t)outer;
            if (e) {
                e->nc++;
                e->cc += (uint64_t)outer;
            }
        }
        f->stamp = i + 1;
        if (e && e->stamp != i + 1) {
            e->cum += w;
            e->stamp = i + 1;
        }
        node = idmap_get(&s->node_ix, (uint64_t)node << 32 | frames[j], NULL) + 1;
    }
    if (e)
        e->self += w;
}

/* The (file, line, name) key of function fid. */
static void put_key(struct sbuf *b, const struct pstats *s, uint32_t fid)
{
    const struct agg_func *f = &s->funcs->v[fid];
    int py = f->kind == AGG_FRAME_PY && f->file != AGG_NONE;

    marshal_tuple(b, 3);
    marshal_str(b, py ? agg_str(s->a, f->file) : "~");
    marshal_int(b, py ? f->line : 0);
    marshal_str(b, agg_str(s->a, f->name));
}

static int64_t clamp(uint64_t v)
{
    return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* Edge ids grouped by callee: those of function fid are order[start[fid] .. start[fid + 1]). */
static void group_edges(const struct pstats *s, uint32_t nf, uint32_t **start, uint32_t **order)
{
    uint32_t ne = s->edge_ix.n;
    uint32_t *st = xcalloc((size_t)nf + 1, sizeof(*st));
    uint32_t *ord = xcalloc(ne ? ne : 1, sizeof(*ord));

    for (uint32_t e = 0; e < ne; e++)
        st[s->edges[e].callee + 1]++;
    for (uint32_t k = 0; k < nf; k++)
        st[k + 1] += st[k];
    for (uint32_t e = 0; e < ne; e++)
        ord[st[s->edges[e].callee]++] = e; /* st[k] now ends group k */
    for (uint32_t k = nf; k > 0; k--)
        st[k] = st[k - 1];
    st[0] = 0;
    *start = st;
    *order = ord;
}

/* The stats dict of functions that were sampled, each with its callers. */
static int write_stats(FILE *f, const struct pstats *s, double period)
{
    uint32_t nf = s->funcs->n, *start, *order;
    struct file_w w;
    struct sbuf *b = &w.b;

    group_edges(s, nf, &start, &order);
    file_w_init(&w, f);
    marshal_dict_begin(b);
    for (uint32_t fid = 0; fid < nf && !w.err; fid++) {
        const struct fn *fn = &s->fns[fid];
        const struct agg_func *af = &s->funcs->v[fid];
        if (af->total == 0)
            continue; /* a frame of stacks without weight only */
        put_key(b, s, fid);
        marshal_tuple(b, 5);
        marshal_int(b, clamp(fn->cc));
        marshal_int(b, clamp(fn->nc));
        marshal_float(b, (double)af->leaf * period);
        marshal_float(b, (double)af->total * period);
        marshal_dict_begin(b);
        for (uint32_t k = start[fid]; k < start[fid + 1]; k++) {
            const struct edge *e = &s->edges[order[k]];
            put_key(b, s, e->caller);
            marshal_tuple(b, 4);
            marshal_int(b, clamp(e->nc));
            marshal_int(b, clamp(e->cc));
            marshal_float(b, (double)e->self * period);
            marshal_float(b, (double)e->cum * period);
        }
        marshal_dict_end(b);
        file_w_spill(&w);
    }
    marshal_dict_end(b);
    free(start);
    free(order);
    return file_w_finish(&w);
}

int out_pstats_write(FILE *f, const struct agg *a, const struct agg_meta *m)
{
    struct pstats s = {.a = a};
    double rate = !m ? 0 : m->rate_effective > 0 ? m->rate_effective : m->rate_requested;
    int err;

    s.funcs = agg_functions(a);
    s.func_of = s.funcs->of_frame;
    s.fns = xcalloc(s.funcs->n, sizeof(*s.fns));
    idmap_init(&s.edge_ix);
    idmap_init(&s.node_ix);
    idmap_init(&s.path_ix);
    for (uint32_t i = 0; i < agg_nstacks(a); i++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *frames = agg_stack(a, i, &n, &w);
        if (n && w)
            count_stack(&s, i, frames, n, w);
    }
    err = write_stats(f, &s, rate > 0 ? 1.0 / rate : 1.0);
    idmap_destroy(&s.path_ix);
    idmap_destroy(&s.node_ix);
    idmap_destroy(&s.edge_ix);
    agg_funcs_free(s.funcs);
    free(s.fns);
    free(s.edges);
    return err;
}
