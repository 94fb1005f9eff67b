/* The HTML report writer: the page of web/ (embedded), with the profile as one JSON document:
 * a string table, a frame table and the call tree as flat preorder arrays (see out_html.h);
 * for a differential profile, A's weights beside B's and both sides' facts.
 * SPDX-License-Identifier: MIT */
#include "out_html.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "out_diff.h"
#include "out_json.h"
#include "util_file.h"
#include "util_idmap.h"
#include "util_sbuf.h"
#include "util_vec.h"
#include "util_xalloc.h"
#include "web_assets.h"

/* The call tree of the stacks: one node per distinct prefix, parents before children. */
struct tree {
    struct idmap ids; /* (parent + 1) << 32 | frame id -> node */
    uint32_t n, cap;
    uint32_t *parent;   /* node, or UINT32_MAX for a root frame */
    uint32_t *frame;    /* agg frame id */
    uint64_t *self;     /* weight of the stacks that end at the node */
    uint64_t root_self; /* weight of empty stacks */
    double *self2;      /* differential: A's weight of those stacks, else NULL */
    double root_self2;
};

/* The writer's state. */
struct html {
    struct file_w w; /* the page; w.err: the first write error */
    const struct agg *a;
    const struct agg_meta *m;
    const struct out_html_res *res;
    const struct out_html_diff *x; /* differential page, else NULL */
    struct idmap strs;             /* agg string id -> index in "strings" */
    struct idmap files;            /* string ids of the frames' files (a set) */
    uint32_t *str_of;              /* index -> agg string id */
};

/* Add a node (frame fr under parent p) as node t->n. */
static void tree_add(struct tree *t, uint32_t p, uint32_t fr)
{
    if (t->n == t->cap) {
        t->cap = (uint32_t)vec_cap(t->cap, (size_t)t->n + 1, 1024, UINT32_MAX);
        t->parent = xreallocarray(t->parent, t->cap, sizeof(uint32_t));
        t->frame = xreallocarray(t->frame, t->cap, sizeof(uint32_t));
        t->self = xreallocarray(t->self, t->cap, sizeof(uint64_t));
        if (t->self2)
            t->self2 = xreallocarray(t->self2, t->cap, sizeof(double));
    }
    t->parent[t->n] = p;
    t->frame[t->n] = fr;
    t->self[t->n] = 0;
    if (t->self2)
        t->self2[t->n] = 0;
    t->n++;
}

/* The tree of a's stacks; with d (a is agg_diff_agg(d)), A's weights in self2. */
static void tree_build(struct tree *t, const struct agg *a, const struct agg_diff *d)
{
    memset(t, 0, sizeof(*t));
    idmap_init(&t->ids);
    if (d)
        t->self2 = xmalloc(sizeof(double));
    for (uint32_t s = 0; s < agg_nstacks(a); s++) {
        uint32_t n, p = UINT32_MAX;
        uint64_t w;
        const uint32_t *fr = agg_stack(a, s, &n, &w);
        double w2 = d ? agg_diff_a(d, s) : 0;
        if (!n) {
            t->root_self += w;
            t->root_self2 += w2;
            continue;
        }
        for (uint32_t k = 0; k < n; k++) {
            int added;
            uint64_t key = (uint64_t)(uint32_t)(p + 1) << 32 | fr[k];
            uint32_t id = idmap_get(&t->ids, key, &added);
            if (added) {
                assert(id == t->n);
                tree_add(t, p, fr[k]);
            }
            p = id;
        }
        t->self[p] += w;
        if (d)
            t->self2[p] += w2;
    }
}

static void tree_destroy(struct tree *t)
{
    idmap_destroy(&t->ids);
    free(t->parent);
    free(t->frame);
    free(t->self);
    free(t->self2);
}

/* The nodes in preorder (children in the order they were first seen) and each node's depth.
 * Caller frees both. */
static uint32_t *tree_preorder(const struct tree *t, uint32_t **depth_out)
{
    uint32_t n = t->n;
    uint32_t *first = xcalloc((size_t)n + 2, sizeof(uint32_t)); /* slot 0: the virtual root */
    uint32_t *kids = xcalloc(n ? n : 1, sizeof(uint32_t));
    uint32_t *order = xcalloc(n ? n : 1, sizeof(uint32_t));
    uint32_t *depth = xcalloc(n ? n : 1, sizeof(uint32_t));
    uint32_t *stack = xcalloc(n ? n : 1, sizeof(uint32_t));
    uint32_t top = 0, k = 0;

    for (uint32_t i = 0; i < n; i++) {
        uint32_t p = t->parent[i];
        first[p == UINT32_MAX ? 1 : p + 2]++;
        depth[i] = p == UINT32_MAX ? 0 : depth[p] + 1; /* parents come first */
    }
    for (uint32_t i = 1; i <= n + 1; i++)
        first[i] += first[i - 1];
    /* Slot 0 is the virtual root, slot v + 1 node v; first[s] starts slot s's children. */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s = t->parent[i] == UINT32_MAX ? 0 : t->parent[i] + 1;
        kids[first[s]++] = i;
    }
    /* Now first[s] ends slot s's children, which start where slot s - 1's end. */
    for (uint32_t j = first[0]; j > 0; j--)
        stack[top++] = kids[j - 1];
    while (top) {
        uint32_t v = stack[--top];
        order[k++] = v;
        for (uint32_t j = first[v + 1]; j > first[v]; j--)
            stack[top++] = kids[j - 1];
    }
    assert(k == n);
    free(first);
    free(kids);
    free(stack);
    *depth_out = depth;
    return order;
}

/* The index of agg string id in "strings", given on first use. */
static uint32_t str_index(struct html *h, uint32_t id)
{
    int added;
    uint32_t i = idmap_get(&h->strs, id, &added);
    if (added) {
        h->str_of = xrealloc(h->str_of, (size_t)h->strs.n * sizeof(uint32_t));
        h->str_of[i] = id;
    }
    return i;
}

/* The facts of a run (m may be NULL), each as ',"key":value'. */
static void write_facts(struct sbuf *b, const struct agg_meta *m)
{
    sbuf_adds(b, ",\"command\":");
    out_json_str_or_null(b, m ? m->command : NULL);
    sbuf_adds(b, ",\"python\":");
    out_json_str_or_null(b, m ? m->python_version : NULL);
    sbuf_adds(b, ",\"mode\":");
    out_json_str_or_null(b, m ? m->mode : NULL);
    out_json_key_num(b, "duration", m && m->duration > 0 ? m->duration : NAN);
    out_json_key_num(b, "rate_requested", m && m->rate_requested > 0 ? m->rate_requested : NAN);
    out_json_key_num(b, "rate_effective", m && m->rate_effective > 0 ? m->rate_effective : NAN);
    out_json_key_num(b, "overhead", m && m->overhead >= 0 ? m->overhead : NAN);
    sbuf_adds(b, ",\"samples\":");
    out_json_u64(b, m ? m->samples : 0);
    sbuf_adds(b, ",\"invalid\":");
    out_json_u64(b, m ? m->invalid : 0);
    sbuf_adds(b, ",\"missed\":");
    out_json_u64(b, m ? m->missed : 0);
}

static void write_meta(struct html *h)
{
    const struct agg_meta *m = h->m;
    struct sbuf *b = &h->w.b;

    sbuf_adds(b, "\"meta\":{\"title\":");
    out_json_str_or_null(b, m ? m->title : NULL);
    sbuf_adds(b, ",\"unit\":");
    out_json_str_or_null(b, m && m->unit ? m->unit : "samples");
    write_facts(b, m);
    sbuf_adds(b, ",\"total\":");
    out_json_u64(b, agg_total(h->a));
    sbuf_addc(b, '}');
}

/* One side of a differential page: its name, facts and total (A's normalised, a double; B's
 * its sum of weights, written as the exact integer at any size). */
static void write_side(struct sbuf *b, const char *key, const struct out_html_side *side,
                       double total, const uint64_t *whole)
{
    sbuf_printf(b, ",\"%s\":{\"name\":", key);
    out_json_str_or_null(b, side->name);
    write_facts(b, side->m);
    sbuf_adds(b, ",\"total\":");
    if (whole)
        out_json_u64(b, *whole);
    else
        out_json_num(b, total);
    sbuf_addc(b, '}');
}

/* "diff": the sides, the normalisation and the colour scale (out_diff.h). */
static void write_diff(struct html *h)
{
    const struct out_html_diff *x = h->x;
    struct sbuf *b = &h->w.b;

    if (!x)
        return;
    sbuf_adds(b, ",\"diff\":{\"norm\":");
    out_json_str_or_null(b, agg_diff_norm_name(x->norm));
    out_json_key_num(b, "factor", x->factor);
    sbuf_printf(b, ",\"counts\":%s", h->m && h->m->unit ? "false" : "true");
    sbuf_printf(b, ",\"scale\":{\"neutral\":%d,\"rise\":%d,\"fade\":%d,\"noise_sd\":%d}",
                OUT_DIFF_NEUTRAL, OUT_DIFF_RISE, OUT_DIFF_FADE, OUT_DIFF_NOISE_SD);
    uint64_t tb = agg_diff_total_b(x->d);

    write_side(b, "a", &x->a, agg_diff_total_a(x->d), NULL);
    write_side(b, "b", &x->b, 0, &tb);
    sbuf_addc(b, '}');
}

/* "frames": 4 integers per frame; the strings they use get their indexes here. */
static void write_frames(struct html *h)
{
    sbuf_adds(&h->w.b, ",\"frames\":[");
    for (uint32_t id = 0; id < agg_nframes(h->a); id++) {
        const struct agg_frame *fr = agg_frame_get(h->a, id);
        if (id)
            sbuf_addc(&h->w.b, ',');
        out_json_u64(&h->w.b, str_index(h, fr->name));
        sbuf_addc(&h->w.b, ',');
        if (fr->file == AGG_NONE) {
            sbuf_adds(&h->w.b, "-1");
        } else {
            out_json_u64(&h->w.b, str_index(h, fr->file));
            idmap_get(&h->files, fr->file, NULL);
        }
        sbuf_addc(&h->w.b, ',');
        out_json_i64(&h->w.b, fr->line);
        sbuf_addc(&h->w.b, ',');
        out_json_u64(&h->w.b, fr->kind);
        file_w_spill(&h->w);
    }
    sbuf_addc(&h->w.b, ']');
}

static void write_strings(struct html *h)
{
    sbuf_adds(&h->w.b, ",\"strings\":[");
    for (uint32_t i = 0; i < h->strs.n; i++) {
        if (i)
            sbuf_addc(&h->w.b, ',');
        out_json_str_or_null(&h->w.b, agg_str(h->a, h->str_of[i]));
        file_w_spill(&h->w);
    }
    sbuf_addc(&h->w.b, ']');
}

/* Base64 (docs/formats.md §10, with padding) of n bytes. */
static void add_b64(struct sbuf *b, const unsigned char *p, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4];

    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        q[0] = abc[v >> 18];
        q[1] = abc[(v >> 12) & 63];
        q[2] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
        q[3] = i + 2 < n ? abc[v & 63] : '=';
        sbuf_add(b, q, 4);
    }
}

#define PACK_CHUNK 49152 /* bytes encoded at a time: a multiple of 3 (no padding) and of 4 */

/* "name":{"bytes":W,"b64":"..."}: vals[order[k]] for k < n, each little-endian in W bytes (1,
 * 2 or 4: the fewest that hold max), base64-encoded. */
static void write_packed(struct html *h, const char *name, const uint32_t *order,
                         const uint32_t *vals, uint32_t n, uint32_t max)
{
    unsigned char *buf = xmalloc(PACK_CHUNK);
    unsigned w = max < 256 ? 1 : max < 65536 ? 2 : 4;
    size_t used = 0;

    sbuf_printf(&h->w.b, ",\"%s\":{\"bytes\":%u,\"b64\":\"", name, w);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t v = vals[order[k]];
        for (unsigned j = 0; j < w; j++)
            buf[used++] = (unsigned char)(v >> (8 * j));
        if (used == PACK_CHUNK) {
            add_b64(&h->w.b, buf, used);
            used = 0;
            file_w_spill(&h->w);
        }
    }
    add_b64(&h->w.b, buf, used);
    sbuf_adds(&h->w.b, "\"}");
    free(buf);
}

/* "self":[d,w,d,w...]: the nodes where stacks end, in preorder, as the distance from the
 * previous such node (the first: its index) and the weight: t->self's, or with a2 set,
 * t->self2's ("self2"). */
static void write_self(struct html *h, const struct tree *t, const uint32_t *order, int a2)
{
    uint32_t prev = 0;
    int first = 1;

    sbuf_adds(&h->w.b, a2 ? ",\"self2\":[" : ",\"self\":[");
    for (uint32_t k = 0; k < t->n; k++) {
        uint64_t w = a2 ? 0 : t->self[order[k]];
        double w2 = a2 ? t->self2[order[k]] : 0;
        if (a2 ? !(w2 > 0) : !w)
            continue;
        if (!first)
            sbuf_addc(&h->w.b, ',');
        first = 0;
        out_json_u64(&h->w.b, k - prev);
        sbuf_addc(&h->w.b, ',');
        if (a2)
            out_json_num(&h->w.b, w2);
        else
            out_json_u64(&h->w.b, w);
        prev = k;
        file_w_spill(&h->w);
    }
    sbuf_addc(&h->w.b, ']');
}

static void write_tree(struct html *h)
{
    struct tree t;
    uint32_t *depth = NULL, max_depth = 0;

    tree_build(&t, h->a, h->x ? h->x->d : NULL);
    uint32_t *order = tree_preorder(&t, &depth);
    for (uint32_t i = 0; i < t.n; i++)
        max_depth = depth[i] > max_depth ? depth[i] : max_depth;
    sbuf_adds(&h->w.b, ",\"tree\":{\"n\":");
    out_json_u64(&h->w.b, t.n);
    write_packed(h, "depth", order, depth, t.n, max_depth);
    write_packed(h, "frame", order, t.frame, t.n, agg_nframes(h->a));
    write_self(h, &t, order, 0);
    sbuf_adds(&h->w.b, ",\"root_self\":");
    out_json_u64(&h->w.b, t.root_self);
    if (t.self2) {
        write_self(h, &t, order, 1);
        out_json_key_num(&h->w.b, "root_self2", t.root_self2);
    }
    sbuf_addc(&h->w.b, '}');
    free(order);
    free(depth);
    tree_destroy(&t);
}

/* The texts of the files that frames name. */
static void write_sources(struct html *h)
{
    int first = 1;

    sbuf_adds(&h->w.b, ",\"sources\":[");
    for (uint32_t i = 0; i < agg_nsources(h->a); i++) {
        uint32_t file = agg_source_file(h->a, i);
        size_t len;
        const char *text = agg_source(h->a, file, &len);
        int added;
        idmap_get(&h->files, file, &added);
        if (added || !text) /* not the file of any frame */
            continue;
        sbuf_adds(&h->w.b, first ? "[" : ",[");
        first = 0;
        out_json_u64(&h->w.b, str_index(h, file));
        sbuf_adds(&h->w.b, ",\"");
        sbuf_add_json_n(&h->w.b, text, len);
        sbuf_adds(&h->w.b, "\"]");
        file_w_spill(&h->w);
    }
    sbuf_addc(&h->w.b, ']');
}

/* What became of the source files (agg_meta.sources): the counts and the rule, in words. The
 * files embedded are those of "sources". */
static void write_source_note(struct html *h)
{
    const struct agg_src_stats *s = h->m ? h->m->sources : NULL;
    const struct {
        const char *key;
        uint64_t v;
    } counts[] = {{"files", s ? s->files : 0},
                  {"embedded", s ? s->read : 0},
                  {"rare", s ? s->rare : 0},
                  {"large", s ? s->large : 0},
                  {"binary", s ? s->binary : 0},
                  {"missing", s ? s->missing : 0},
                  {"special", s ? s->special : 0},
                  {"denied", s ? s->denied : 0},
                  {"unreadable", s ? s->unreadable : 0}};

    if (!s)
        return;
    sbuf_adds(&h->w.b, ",\"source_note\":{");
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        sbuf_adds(&h->w.b, i ? ",\"" : "\"");
        sbuf_adds(&h->w.b, counts[i].key);
        sbuf_adds(&h->w.b, "\":");
        out_json_u64(&h->w.b, counts[i].v);
    }
    sbuf_adds(&h->w.b, s->off ? ",\"off\":true,\"rule\":" : ",\"off\":false,\"rule\":");
    out_json_str_or_null(&h->w.b, s->rule);
    sbuf_addc(&h->w.b, '}');
}

static void write_values(struct html *h, const double *v, size_t n)
{
    sbuf_addc(&h->w.b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            sbuf_addc(&h->w.b, ',');
        out_json_num(&h->w.b, v[i]);
        file_w_spill(&h->w);
    }
    sbuf_addc(&h->w.b, ']');
}

static void write_series(struct html *h)
{
    const struct out_html_res *r = h->res;

    if (!r || !r->n)
        return;
    sbuf_adds(&h->w.b, ",\"series\":{\"t\":");
    write_values(h, r->t, r->n);
    sbuf_adds(&h->w.b, ",\"list\":[");
    for (size_t k = 0; k < r->nseries; k++) {
        const struct out_html_series *s = &r->series[k];
        sbuf_adds(&h->w.b, k ? ",{\"name\":" : "{\"name\":");
        out_json_str_or_null(&h->w.b, s->name);
        sbuf_adds(&h->w.b, ",\"label\":");
        out_json_str_or_null(&h->w.b, s->label);
        sbuf_adds(&h->w.b, ",\"unit\":");
        out_json_str_or_null(&h->w.b, s->unit);
        sbuf_adds(&h->w.b, ",\"chart\":");
        out_json_str_or_null(&h->w.b, s->chart ? s->chart : s->name);
        sbuf_adds(&h->w.b, ",\"v\":");
        write_values(h, s->v, r->n);
        sbuf_addc(&h->w.b, '}');
    }
    sbuf_adds(&h->w.b, "]}");
}

static void write_data(struct html *h)
{
    sbuf_adds(&h->w.b, "{\"format\":\"spyglass-html/1\",");
    write_meta(h);
    write_frames(h);
    write_strings(h);
    write_tree(h);
    write_sources(h);
    write_source_note(h);
    write_series(h);
    write_diff(h);
    sbuf_addc(&h->w.b, '}');
}

/* The page: the skeleton with its markers replaced. */
static void write_page(struct html *h)
{
    const char *p = web_report_html, *end = web_report_html + web_report_html_len;
    const char *title = h->m && h->m->title ? h->m->title : "spyglass profile";

    while (p < end && !h->w.err) {
        const char *q = strstr(p, "@@"), *e = q ? strstr(q + 2, "@@") : NULL;
        if (!q || !e) {
            sbuf_add(&h->w.b, p, (size_t)(end - p));
            break;
        }
        sbuf_add(&h->w.b, p, (size_t)(q - p));
        size_t len = (size_t)(e - q - 2);
        if (len == 5 && memcmp(q + 2, "TITLE", 5) == 0)
            sbuf_add_xml(&h->w.b, title);
        else if (len == 3 && memcmp(q + 2, "CSS", 3) == 0)
            sbuf_add(&h->w.b, web_report_css, web_report_css_len);
        else if (len == 2 && memcmp(q + 2, "JS", 2) == 0)
            sbuf_add(&h->w.b, web_report_js, web_report_js_len);
        else if (len == 4 && memcmp(q + 2, "DATA", 4) == 0)
            write_data(h);
        else
            sbuf_add(&h->w.b, q, (size_t)(e + 2 - q)); /* not a marker: as it is */
        file_w_spill(&h->w);
        p = e + 2;
    }
}

static int write_html(struct html *h, FILE *f)
{
    file_w_init(&h->w, f);
    idmap_init(&h->strs);
    idmap_init(&h->files);
    write_page(h);
    idmap_destroy(&h->strs);
    idmap_destroy(&h->files);
    free(h->str_of);
    return file_w_finish(&h->w);
}

int out_html_write(FILE *f, const struct agg *a, const struct agg_meta *m,
                   const struct out_html_res *res)
{
    struct html h = {.a = a, .m = m, .res = res};
    return write_html(&h, f);
}

int out_html_write_diff(FILE *f, const struct out_html_diff *x, const struct agg_meta *m)
{
    struct html h = {.a = agg_diff_agg(x->d), .m = m, .x = x};
    return write_html(&h, f);
}
