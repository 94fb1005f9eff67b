/* Interactive SVG flame graph writer (root at the bottom, the conventions of docs/formats.md
 * §3): hover details, click to zoom, search.
 * SPDX-License-Identifier: MIT */
#include "out_flame.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util_file.h"
#include "util_sbuf.h"
#include "util_xalloc.h"

#define SVG_W      1200  /* px */
#define PAD_X      10    /* px left and right of the frames */
#define PAD_TOP    60    /* px above the deepest box: title, subtitle, controls */
#define PAD_BOTTOM 30    /* px below the root box: status line */
#define FRAME_H    16    /* px per stack level */
#define CHAR_W     7.2   /* px per character of 12px monospace */
#define MIN_SHARE  0.001 /* boxes narrower than this share of the width are not drawn */

/* The writer's state. Names reach the SVG only as XML-escaped text and attribute values. */
struct svg {
    struct file_w w; /* the output; w.err: the first write error */
    const struct agg *a;
    struct sbuf tmp;    /* scratch */
    struct sbuf labels; /* every frame's cleaned label, NUL-terminated */
    size_t *label_off;  /* frame id -> offset of its label in labels */
    uint32_t *rank;     /* frame id -> position in label order */
    uint64_t total;     /* weight of all drawn stacks: the root box */
    uint32_t max_depth; /* deepest box drawn; the root is depth 0 */
    int height;         /* px */
    int emit;           /* 0 while measuring, 1 while writing */
    const char *unit;   /* of the weights: "samples", "bytes" */

    const struct out_svg_paint *paint; /* or NULL: the default palette and tooltip */
    const uint32_t *order;             /* the stacks drawn, in drawing order */
};

static const char svg_style[] =
    "<defs><linearGradient id=\"bg\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
    "<stop stop-color=\"#eeeeee\" offset=\"5%\"/><stop stop-color=\"#eeeeb0\" offset=\"95%\"/>"
    "</linearGradient></defs>\n"
    "<style type=\"text/css\">\n"
    "text { font-family: monospace; font-size: 12px; fill: rgb(0,0,0); }\n"
    "#title { font-size: 17px; text-anchor: middle; }\n"
    "#subtitle { fill: rgb(90,90,90); text-anchor: middle; }\n"
    "#search, #matched { text-anchor: end; }\n"
    "#unzoom, #search { cursor: pointer; fill: rgb(0,0,160); }\n"
    "#unzoom { opacity: 0; }\n"
    "g.f { cursor: pointer; }\n"
    "g.f:hover rect { stroke: rgb(0,0,0); stroke-width: 0.5; }\n"
    "</style>\n";

/* Each box is <g class="f" data-x data-w> (x and width in samples) holding <title> ("label\n
 * N samples (P%)"), <rect> and <text>. The script reads labels from the titles only. */
static const char svg_js[] =
    "'use strict';\n"
    "var W = 1200, PAD = 10, CW = 7.2, HL = 'rgb(230,0,230)';\n"
    "var frames, details, unzoomBtn, searchBtn, matched, total, term = null;\n"
    "function byId(id) { return document.getElementById(id); }\n"
    "function init() {\n"
    "  frames = byId('frames'); details = byId('details'); unzoomBtn = byId('unzoom');\n"
    "  searchBtn = byId('search'); matched = byId('matched');\n"
    "  total = +frames.getAttribute('data-total') || 1;\n"
    "  frames.addEventListener('mouseover', function (e) {\n"
    "    var g = box(e.target);\n"
    "    if (g) details.textContent = g.firstChild.textContent.replace('\\n', ' - ');\n"
    "  });\n"
    "  frames.addEventListener('mouseout', function () { details.textContent = ' '; });\n"
    "  frames.addEventListener('click', function (e) {\n"
    "    var g = box(e.target);\n"
    "    if (g) zoom(num(g, 'data-x'), num(g, 'data-w'), num(g.children[1], 'y'));\n"
    "  });\n"
    "  unzoomBtn.addEventListener('click', function () { zoom(0, total, Infinity); });\n"
    "  searchBtn.addEventListener('click', function () {\n"
    "    if (term === null) search(); else clearSearch();\n"
    "  });\n"
    "  window.addEventListener('keydown', function (e) {\n"
    "    if ((e.ctrlKey || e.metaKey) && e.key === 'f') { e.preventDefault(); search(); }\n"
    "    else if (e.key === 'Escape') clearSearch();\n"
    "  });\n"
    "  zoom(0, total, Infinity);\n"
    "}\n"
    "function num(el, a) { return +el.getAttribute(a); }\n"
    "function box(n) {\n"
    "  for (; n && n !== frames; n = n.parentNode)\n"
    "    if (n.classList && n.classList.contains('f')) return n;\n"
    "  return null;\n"
    "}\n"
    "function label(g) {\n"
    "  var t = g.firstChild.textContent;\n"
    "  return t.substring(0, t.lastIndexOf('\\n'));\n"
    "}\n"
    "function boxes() { return frames.querySelectorAll('g.f'); }\n"
    "/* Show samples [x0, x0 + w0) over the full width from the box at height y0 up; its\n"
    "   ancestors (below it) stay, full width and faded; everything else is hidden. */\n"
    "function zoom(x0, w0, y0) {\n"
    "  var gs = boxes(), k = (W - 2 * PAD) / w0;\n"
    "  unzoomBtn.style.opacity = y0 === Infinity ? 0 : 1;\n"
    "  for (var i = 0; i < gs.length; i++) {\n"
    "    var g = gs[i], r = g.children[1], x = num(g, 'data-x'), w = num(g, 'data-w');\n"
    "    var y = num(r, 'y'), anc = y > y0 && x <= x0 && x + w >= x0 + w0;\n"
    "    if (anc) { x = x0; w = w0; }\n"
    "    if (!anc && (y > y0 || x < x0 || x + w > x0 + w0)) {\n"
    "      g.style.display = 'none';\n"
    "      continue;\n"
    "    }\n"
    "    g.style.display = ''; g.style.opacity = anc ? 0.5 : '';\n"
    "    r.setAttribute('x', (PAD + (x - x0) * k).toFixed(2));\n"
    "    r.setAttribute('width', (w * k).toFixed(2));\n"
    "    fit(g, r);\n"
    "  }\n"
    "}\n"
    "/* The label cut to the box width with '..', as the writer does. */\n"
    "function fit(g, r) {\n"
    "  var t = g.children[2], s = Array.from(label(g));\n"
    "  var n = Math.floor((num(r, 'width') - 6) / CW);\n"
    "  t.setAttribute('x', (num(r, 'x') + 3).toFixed(2));\n"
    "  if (n < 3) s = [];\n"
    "  else if (s.length > n) s = s.slice(0, n - 2).concat('..');\n"
    "  t.textContent = s.join('');\n"
    "}\n"
    "/* Highlight boxes whose label matches a regular expression (or, if invalid, contains the\n"
    "   text); the matched share counts nested matches once. */\n"
    "function search() {\n"
    "  var s = prompt('Search (regular expression or text):', term || '');\n"
    "  if (s === null) return;\n"
    "  if (s === '') { clearSearch(); return; }\n"
    "  var re = null, gs = boxes(), hits = [], sum = 0, end = -1, i;\n"
    "  try { re = new RegExp(s); } catch (e) { re = null; }\n"
    "  for (i = 0; i < gs.length; i++) {\n"
    "    var g = gs[i], r = g.children[1], l = label(g), m = re ? re.test(l) : l.indexOf(s) >= 0;\n"
    "    if (!r.hasAttribute('data-fill')) r.setAttribute('data-fill', r.getAttribute('fill'));\n"
    "    r.setAttribute('fill', m ? HL : r.getAttribute('data-fill'));\n"
    "    if (m) hits.push({ x: num(g, 'data-x'), w: num(g, 'data-w') });\n"
    "  }\n"
    "  hits.sort(function (a, b) { return a.x - b.x || b.w - a.w; });\n"
    "  for (i = 0; i < hits.length; i++)\n"
    "    if (hits[i].x >= end) { sum += hits[i].w; end = hits[i].x + hits[i].w; }\n"
    "  term = s;\n"
    "  searchBtn.textContent = 'Reset search';\n"
    "  matched.textContent = 'Matched: ' + (100 * sum / total).toFixed(1) + '%';\n"
    "}\n"
    "function clearSearch() {\n"
    "  var gs = boxes();\n"
    "  for (var i = 0; i < gs.length; i++) {\n"
    "    var r = gs[i].children[1];\n"
    "    if (r.hasAttribute('data-fill')) r.setAttribute('fill', r.getAttribute('data-fill'));\n"
    "  }\n"
    "  term = null; searchBtn.textContent = 'Search'; matched.textContent = ' ';\n"
    "}\n";

/* Append str (from the profile or its metadata) as XML text. */
static void add_text(struct svg *s, const char *str)
{
    sbuf_add_xml(&s->w.b, str);
}

static const char *label(const struct svg *s, uint32_t id)
{
    return id == AGG_NONE ? "all" : s->labels.buf + s->label_off[id];
}

static void build_labels(struct svg *s)
{
    uint32_t n = agg_nframes(s->a);

    s->label_off = xcalloc(n + 1, sizeof(size_t));
    for (uint32_t id = 0; id < n; id++) {
        sbuf_reset(&s->tmp);
        agg_frame_label(s->a, id, &s->tmp);
        s->label_off[id] = s->labels.len;
        sbuf_add_xml_chars(&s->labels, sbuf_str(&s->tmp)); /* escaped when written */
        sbuf_addc(&s->labels, '\0');
    }
}

static int cmp_label(const void *pa, const void *pb, void *ctx)
{
    const struct svg *s = ctx;
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    int c = strcmp(label(s, a), label(s, b));
    return c ? c : (a > b) - (a < b);
}

/* Rank frames by label, so that sibling boxes come out in alphabetical order. */
static void rank_frames(struct svg *s)
{
    uint32_t n = agg_nframes(s->a);
    uint32_t *ids = xcalloc(n + 1, sizeof(uint32_t));

    s->rank = xcalloc(n + 1, sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++)
        ids[i] = i;
    qsort_r(ids, n, sizeof(uint32_t), cmp_label, s);
    for (uint32_t i = 0; i < n; i++)
        s->rank[ids[i]] = i;
    free(ids);
}

static int cmp_stack(const void *pa, const void *pb, void *ctx)
{
    const struct svg *s = ctx;
    uint32_t na, nb;
    uint64_t w;
    const uint32_t *a = agg_stack(s->a, *(const uint32_t *)pa, &na, &w);
    const uint32_t *b = agg_stack(s->a, *(const uint32_t *)pb, &nb, &w);

    for (uint32_t i = 0; i < na && i < nb; i++) {
        if (a[i] != b[i])
            return s->rank[a[i]] < s->rank[b[i]] ? -1 : 1;
    }
    return (na > nb) - (na < nb);
}

/* The stacks with a positive weight in label order, so that stacks sharing a prefix are
 * adjacent; sets s->total and *maxn (the most frames in one stack). Caller frees. */
static uint32_t *sort_stacks(struct svg *s, uint32_t *count, uint32_t *maxn)
{
    uint32_t *order = xcalloc((size_t)agg_nstacks(s->a) + 1, sizeof(uint32_t));

    *count = *maxn = 0;
    for (uint32_t i = 0; i < agg_nstacks(s->a); i++) {
        uint32_t n;
        uint64_t w;
        agg_stack(s->a, i, &n, &w);
        if (w == 0 && !(s->paint && s->paint->zero_stacks))
            continue;
        order[(*count)++] = i;
        s->total += w;
        if (n > *maxn)
            *maxn = n;
    }
    qsort_r(order, *count, sizeof(uint32_t), cmp_stack, s);
    return order;
}

/* FNV-1a of str as UTF-8 with each byte of an invalid sequence as U+FFFD (the name as the HTML
 * page receives it, sbuf_add_json: web/model.js hashes that for the same colours). */
static uint32_t hash_str(const char *str)
{
    static const unsigned char fffd[] = {0xef, 0xbf, 0xbd};
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)str; *p;) {
        size_t n = utf8_seq_len(p);
        const unsigned char *b = n ? p : fffd;
        for (size_t i = 0; i < (n ? n : sizeof(fffd)); i++)
            h = (h ^ b[i]) * 16777619u;
        p += n ? n : 1;
    }
    return h ^ h >> 15;
}

/* A colour that depends only on the function name: warm for Python frames, blue for threads,
 * green for thread states, violet for asyncio tasks. The HTML page colours by the same rule
 * (web/model.js, frameColour; tests/web/ compares the two). */
static void add_colour(struct svg *s, uint32_t id)
{
    const struct agg_frame *fr = id == AGG_NONE ? NULL : agg_frame_get(s->a, id);
    uint32_t h = hash_str(fr ? agg_str(s->a, fr->name) : "all");
    unsigned v1 = h & 0xff, v2 = h >> 8 & 0xff, v3 = h >> 16 & 0xff;

    if (fr && fr->kind == AGG_FRAME_THREAD)
        sbuf_printf(&s->w.b, "rgb(%u,%u,%u)", 70 + v1 * 50 / 255, 130 + v2 * 50 / 255,
                    210 + v3 * 45 / 255);
    else if (fr && fr->kind == AGG_FRAME_STATE)
        sbuf_printf(&s->w.b, "rgb(%u,%u,%u)", 70 + v1 * 50 / 255, 185 + v2 * 50 / 255,
                    110 + v3 * 50 / 255);
    else if (fr && fr->kind == AGG_FRAME_TASK)
        sbuf_printf(&s->w.b, "rgb(%u,%u,%u)", 165 + v1 * 40 / 255, 130 + v2 * 40 / 255,
                    215 + v3 * 40 / 255);
    else
        sbuf_printf(&s->w.b, "rgb(%u,%u,%u)", 205 + v1 * 50 / 255, v2 * 230 / 255, v3 * 55 / 255);
}

/* Append label l cut to fit a box pw px wide: "" below 3 characters, else ending in "..". */
static void add_fitted(struct svg *s, const char *l, double pw)
{
    double fit = (pw - 6) / CHAR_W;
    size_t max = fit < 3 ? 0 : (size_t)fit, n = 0, cut = 0;

    if (max == 0)
        return;
    for (size_t i = 0; l[i]; i++) {
        if (((unsigned char)l[i] & 0xc0) == 0x80) /* a continuation byte */
            continue;
        if (n++ == max - 2)
            cut = i;
    }
    if (n <= max) {
        sbuf_add_xml(&s->w.b, l);
        return;
    }
    sbuf_reset(&s->tmp);
    sbuf_add(&s->tmp, l, cut);
    sbuf_add_xml(&s->w.b, sbuf_str(&s->tmp));
    sbuf_adds(&s->w.b, "..");
}

/* "N samples (P%)": the default tooltip line of box b (the unit is the profile's: escaped). */
static void default_detail(struct svg *s, const struct out_svg_box *b)
{
    sbuf_printf(&s->w.b, "%" PRIu64 " ", b->weight);
    add_text(s, s->unit);
    sbuf_printf(&s->w.b, " (%.2f%%)",
                s->total ? 100.0 * (double)b->weight / (double)s->total : 0.0);
}

/* The tooltip's second line and the fill of box b: the painter's, else the defaults. */
static void add_paint(struct svg *s, const struct out_svg_box *b, int fill)
{
    if (!s->paint) {
        if (fill)
            add_colour(s, b->frame);
        else
            default_detail(s, b);
        return;
    }
    if (fill) {
        s->paint->colour(s->paint->ctx, b, &s->w.b);
        return;
    }
    sbuf_reset(&s->tmp);
    s->paint->detail(s->paint->ctx, b, &s->tmp);
    add_text(s, sbuf_str(&s->tmp));
}

/* One box: frame id (AGG_NONE for the root) at depth, over samples [x, x + w), holding the
 * sorted stacks [first, end). */
static void box(struct svg *s, uint32_t id, uint32_t depth, uint64_t x, uint64_t w, uint32_t first,
                uint32_t end)
{
    struct out_svg_box b = {id, depth, w, s->order + first, end - first};

    if (depth > 0 && (double)w < MIN_SHARE * (double)s->total)
        return; /* too narrow; still counted in its parents */
    if (!s->emit) {
        if (depth > s->max_depth)
            s->max_depth = depth;
        return;
    }
    if (s->w.err)
        return;
    double k = (SVG_W - 2.0 * PAD_X) / (double)(s->total ? s->total : 1);
    double px = PAD_X + (double)x * k, pw = (double)w * k;
    int y = s->height - PAD_BOTTOM - (int)(depth + 1) * FRAME_H;
    const char *l = label(s, id);

    sbuf_printf(&s->w.b, "<g class=\"f\" data-x=\"%" PRIu64 "\" data-w=\"%" PRIu64 "\"><title>", x,
                w);
    sbuf_add_xml(&s->w.b, l);
    sbuf_addc(&s->w.b, '\n');
    add_paint(s, &b, 0);
    sbuf_adds(&s->w.b, "</title>");
    sbuf_printf(&s->w.b, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" rx=\"2\" fill=\"",
                px, y, pw, FRAME_H - 1);
    add_paint(s, &b, 1);
    sbuf_printf(&s->w.b, "\"/><text x=\"%.2f\" y=\"%d\">", px + 3, y + 11);
    add_fitted(s, l, pw);
    sbuf_adds(&s->w.b, "</text></g>\n");
    file_w_spill(&s->w);
}

/* Merge the sorted stacks into a tree (docs/formats.md §3): a box opens where a stack's frames
 * first differ from the previous stack's, and closes where the next stack's frames differ from
 * it, so children of a node are merged by frame id. */
static void flow(struct svg *s, const uint32_t *order, uint32_t count, uint32_t maxn)
{
    uint32_t *open = xcalloc((size_t)maxn + 1, sizeof(uint32_t));  /* frames of open boxes */
    uint64_t *start = xcalloc((size_t)maxn + 1, sizeof(uint64_t)); /* and their x */
    uint32_t *first = xcalloc((size_t)maxn + 1, sizeof(uint32_t)); /* and first stack */
    uint32_t depth = 0;                                            /* boxes open */
    uint64_t x = 0;

    for (uint32_t i = 0; i <= count; i++) {
        uint32_t n = 0, k = 0;
        uint64_t w = 0;
        const uint32_t *cur = i < count ? agg_stack(s->a, order[i], &n, &w) : open;
        while (k < depth && k < n && open[k] == cur[k])
            k++;
        for (uint32_t d = depth; d > k; d--)
            box(s, open[d - 1], d, start[d - 1], x - start[d - 1], first[d - 1], i);
        for (uint32_t d = k; d < n; d++) {
            open[d] = cur[d];
            start[d] = x;
            first[d] = i;
        }
        depth = n;
        x += w;
    }
    box(s, AGG_NONE, 0, 0, x, 0, count);
    free(open);
    free(start);
    free(first);
}

/* "wall mode | 1200 samples | 12.00 s | 99.8 Hz | ...": the facts m knows. */
static void add_subtitle(struct svg *s, const struct agg_meta *m)
{
    struct sbuf t;

    sbuf_init(&t);
    if (m->mode)
        sbuf_printf(&t, " | %s mode", m->mode);
    if (m->samples)
        sbuf_printf(&t, " | %" PRIu64 " samples", m->samples);
    if (m->duration > 0)
        sbuf_printf(&t, " | %.2f s", m->duration);
    if (m->rate_effective > 0)
        sbuf_printf(&t, " | %.1f Hz effective", m->rate_effective);
    if (m->invalid)
        sbuf_printf(&t, " | %" PRIu64 " invalid samples", m->invalid);
    if (m->missed)
        sbuf_printf(&t, " | %" PRIu64 " ticks missed", m->missed);
    if (m->overhead > 0)
        sbuf_printf(&t, " | %.2f%% overhead", 100.0 * m->overhead);
    if (t.len) {
        sbuf_printf(&s->w.b, "<text id=\"subtitle\" x=\"%d\" y=\"44\">", SVG_W / 2);
        add_text(s, sbuf_str(&t) + 3);
        sbuf_adds(&s->w.b, "</text>\n");
    }
    sbuf_destroy(&t);
}

static void add_header(struct svg *s, const struct agg_meta *m)
{
    const char *title = m && m->title ? m->title : "Flame Graph";
    int h = s->height;

    sbuf_printf(&s->w.b,
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                "xmlns=\"http://www.w3.org/2000/svg\" onload=\"init()\">\n",
                SVG_W, h, SVG_W, h);
    sbuf_adds(&s->w.b, svg_style);
    sbuf_adds(&s->w.b, "<script type=\"text/ecmascript\"><![CDATA[\n");
    sbuf_adds(&s->w.b, svg_js);
    sbuf_adds(&s->w.b, "]]></script>\n");
    sbuf_printf(&s->w.b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"url(#bg)\"/>\n",
                SVG_W, h);
    sbuf_printf(&s->w.b, "<text id=\"title\" x=\"%d\" y=\"24\">", SVG_W / 2);
    add_text(s, title);
    sbuf_adds(&s->w.b, "</text>\n");
    if (m)
        add_subtitle(s, m);
    sbuf_printf(&s->w.b,
                "<text id=\"unzoom\" x=\"%d\" y=\"24\">Reset zoom</text>\n"
                "<text id=\"search\" x=\"%d\" y=\"24\">Search</text>\n"
                "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n"
                "<text id=\"matched\" x=\"%d\" y=\"%d\"> </text>\n"
                "<g id=\"frames\" data-total=\"%" PRIu64 "\">\n",
                PAD_X, SVG_W - PAD_X, PAD_X, h - 10, SVG_W - PAD_X, h - 10, s->total);
}

int out_svg_write(FILE *f, const struct agg *a, const struct agg_meta *m)
{
    return out_svg_paint_write(f, a, m, NULL);
}

int out_svg_paint_write(FILE *f, const struct agg *a, const struct agg_meta *m,
                        const struct out_svg_paint *p)
{
    struct svg s = {.a = a, .unit = m && m->unit ? m->unit : "samples", .paint = p};
    uint32_t count, maxn;
    uint32_t *order;

    file_w_init(&s.w, f);
    sbuf_init(&s.tmp);
    sbuf_init(&s.labels);
    build_labels(&s);
    rank_frames(&s);
    order = sort_stacks(&s, &count, &maxn);
    s.order = order;
    flow(&s, order, count, maxn); /* measure the height */
    s.height = PAD_TOP + (int)(s.max_depth + 1) * FRAME_H + PAD_BOTTOM;
    add_header(&s, m);
    s.emit = 1;
    flow(&s, order, count, maxn);
    sbuf_adds(&s.w.b, "</g>\n</svg>\n");
    free(order);
    free(s.label_off);
    free(s.rank);
    sbuf_destroy(&s.tmp);
    sbuf_destroy(&s.labels);
    return file_w_finish(&s.w);
}
