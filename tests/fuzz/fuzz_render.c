/* libFuzzer harness for the SVG and HTML writers (`spyglass report -o x.svg|x.html` and `diff`
 * of a hostile profile): the input is read as `report` reads it (a raw profile by its magic,
 * else collapsed text); the profile, and its diff against itself, are written as SVG and HTML
 * and each output must be well formed and inert, else abort():
 *  - SVG: parsed by libxml2 (strict XML: no recovery, no network, no DTD); only the writer's
 *    own elements and attributes, one <script> (the writer's: the same bytes for every
 *    profile), onload="init()" only on the root, no other on* attribute, no URL but url(#bg),
 *    colours as rgb(); every box's <title> starts with the label of a frame of the profile,
 *    the tooltip line holds the unit, the title element holds the title: input bytes stayed
 *    text.
 *  - HTML: byte for byte the page skeleton (web/report.html, .css, .js) outside its two input
 *    slots; the <title> slot holds no markup and decodes to the title; the data slot holds no
 *    '<', '>', '&', control byte, U+2028 or U+2029 and parses as one JSON document whose
 *    strings are the profile's; a tokenizer of the whole page finds only the skeleton's
 *    elements and attributes and as many <script> elements.
 *  - the text summary (record's, with the profile's unit): no byte a terminal acts on (C0 but
 *    '\n', DEL, C1 and bidirectional controls, invalid UTF-8).
 * SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_collapsed.h"
#include "agg_diff.h"
#include "agg_raw.h"
#include "agg_timeline.h"
#include "out_diff.h"
#include "out_flame.h"
#include "out_html.h"
#include "out_summary.h"
#include "util_sbuf.h"
#include "web_assets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(c)                                                                 \
    do {                                                                         \
        if (!(c)) {                                                              \
            fprintf(stderr, "fuzz_render: %s:%d: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                             \
        }                                                                        \
    } while (0)

/* What the outputs of one profile are checked against. */
struct want {
    const struct agg *a;
    const char *title;      /* the title the SVG and the page show */
    const char *meta_title; /* the title the writers were given (NULL: none) */
    const char *unit;       /* the unit ("samples" when none) */
    char **labels;          /* every frame's label as XML characters, sorted */
    uint32_t nlabels;
};

/* ---- helpers ---- */

static char *xml_chars(const char *s)
{
    struct sbuf b;
    sbuf_init(&b);
    sbuf_add_xml_chars(&b, s);
    char *r = strdup(sbuf_str(&b));
    sbuf_destroy(&b);
    CHECK(r);
    return r;
}

static char *utf8(const char *s)
{
    struct sbuf b;
    sbuf_init(&b);
    sbuf_add_utf8(&b, s);
    char *r = strdup(sbuf_str(&b));
    sbuf_destroy(&b);
    CHECK(r);
    return r;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void want_init(struct want *w, const struct agg *a, const char *title, const char *unit)
{
    struct sbuf b;
    w->a = a;
    w->title = title;
    w->meta_title = NULL;
    w->unit = unit ? unit : "samples";
    w->nlabels = agg_nframes(a);
    w->labels = calloc(w->nlabels + 1, sizeof(char *));
    CHECK(w->labels);
    sbuf_init(&b);
    for (uint32_t i = 0; i < w->nlabels; i++) {
        sbuf_reset(&b);
        agg_frame_label(a, i, &b);
        w->labels[i] = xml_chars(sbuf_str(&b));
    }
    sbuf_destroy(&b);
    qsort(w->labels, w->nlabels, sizeof(char *), cmp_str);
}

static void want_destroy(struct want *w)
{
    for (uint32_t i = 0; i < w->nlabels; i++)
        free(w->labels[i]);
    free(w->labels);
}

static int is_label(const struct want *w, const char *s)
{
    return strcmp(s, "all") == 0 ||
           bsearch(&s, w->labels, w->nlabels, sizeof(char *), cmp_str) != NULL;
}

/* ---- SVG ---- */

static const char *const svg_vocab[][8] = {
    {"svg", "version", "width", "height", "viewBox", "xmlns", "onload", NULL},
    {"defs", NULL},
    {"linearGradient", "id", "x1", "y1", "x2", "y2", NULL},
    {"stop", "stop-color", "offset", NULL},
    {"style", "type", NULL},
    {"script", "type", NULL},
    {"rect", "x", "y", "width", "height", "fill", "rx", NULL},
    {"text", "id", "x", "y", NULL},
    {"g", "class", "id", "data-x", "data-w", "data-total", NULL},
    {"title", NULL},
};

static char *svg_script; /* the writer's script, from the first SVG checked */

static const char *const *svg_attrs(const char *name)
{
    for (size_t i = 0; i < sizeof(svg_vocab) / sizeof(svg_vocab[0]); i++) {
        if (strcmp(svg_vocab[i][0], name) == 0)
            return svg_vocab[i] + 1;
    }
    return NULL;
}

/* An attribute value the writer writes: numbers, rgb(), url(#bg), its own ids and words. */
static int svg_value_ok(const char *attr, const char *v)
{
    if (strcmp(attr, "fill") == 0) {
        int r, g, b, n = 0;
        if (strcmp(v, "url(#bg)") == 0)
            return 1;
        return sscanf(v, "rgb(%d,%d,%d)%n", &r, &g, &b, &n) == 3 && v[n] == '\0' && r >= 0 &&
               r <= 255 && g >= 0 && g <= 255 && b >= 0 && b <= 255;
    }
    if (strcmp(attr, "onload") == 0)
        return strcmp(v, "init()") == 0;
    if (strcmp(attr, "xmlns") == 0)
        return strcmp(v, "http://www.w3.org/2000/svg") == 0;
    for (const char *p = v; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr(" .-#%/", *p))
            return 0;
    }
    return strstr(v, "javascript") == NULL;
}

static char *text_of(xmlNode *n)
{
    xmlChar *t = xmlNodeGetContent(n);
    CHECK(t);
    char *r = strdup((const char *)t);
    xmlFree(t);
    CHECK(r);
    return r;
}

/* A box: <g class="f"> holding <title>label\nDETAIL</title>, <rect/>, <text>. */
static void svg_box(const struct want *w, xmlNode *g)
{
    xmlNode *k[3] = {NULL, NULL, NULL};
    int n = 0;
    for (xmlNode *c = g->children; c; c = c->next) {
        CHECK(c->type == XML_ELEMENT_NODE && n < 3);
        k[n++] = c;
    }
    CHECK(n == 3 && strcmp((const char *)k[0]->name, "title") == 0 &&
          strcmp((const char *)k[1]->name, "rect") == 0 &&
          strcmp((const char *)k[2]->name, "text") == 0);
    char *t = text_of(k[0]);
    char *nl = strchr(t, '\n');
    CHECK(nl);
    *nl = '\0';
    CHECK(is_label(w, t));
    char *unit = xml_chars(w->unit);
    CHECK(strstr(nl + 1, unit) != NULL); /* "N unit (P%)" or "A x -> B y unit (...)" */
    free(unit);
    free(t);
}

static void svg_walk(const struct want *w, xmlNode *n, int depth, int *scripts)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
            continue;
        CHECK(n->type == XML_ELEMENT_NODE);
        const char *name = (const char *)n->name;
        const char *const *attrs = svg_attrs(name);
        CHECK(attrs != NULL);
        CHECK(n->ns && strcmp((const char *)n->ns->href, "http://www.w3.org/2000/svg") == 0);
        CHECK((depth == 0) == (strcmp(name, "svg") == 0));
        for (xmlAttr *at = n->properties; at; at = at->next) {
            const char *an = (const char *)at->name;
            const char *const *ok = attrs;
            while (*ok && strcmp(*ok, an) != 0)
                ok++;
            CHECK(*ok != NULL && at->ns == NULL);
            CHECK(strncmp(an, "on", 2) != 0 || depth == 0);
            xmlChar *v = xmlNodeListGetString(n->doc, at->children, 1);
            CHECK(v && svg_value_ok(an, (const char *)v));
            xmlFree(v);
        }
        if (strcmp(name, "script") == 0) {
            char *js = text_of(n);
            (*scripts)++;
            if (!svg_script)
                svg_script = js;
            else {
                CHECK(strcmp(js, svg_script) == 0);
                free(js);
            }
            continue;
        }
        if (strcmp(name, "title") == 0 || strcmp(name, "style") == 0)
            CHECK(n->children == NULL || n->children->next == NULL);
        xmlChar *cls = xmlGetProp(n, (const xmlChar *)"class");
        if (cls && strcmp((const char *)cls, "f") == 0)
            svg_box(w, n);
        xmlChar *id = xmlGetProp(n, (const xmlChar *)"id");
        if (id && strcmp((const char *)id, "title") == 0) {
            char *t = text_of(n), *want = xml_chars(w->title);
            CHECK(strcmp(t, want) == 0);
            free(t);
            free(want);
        }
        xmlFree(cls);
        xmlFree(id);
        svg_walk(w, n->children, depth + 1, scripts);
    }
}

static void check_svg(const struct want *w, const char *svg, size_t len)
{
    int scripts = 0;
    xmlDoc *doc = xmlReadMemory(svg, (int)len, "fuzz.svg", "UTF-8",
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    CHECK(doc != NULL);
    CHECK(doc->intSubset == NULL && doc->extSubset == NULL);
    xmlNode *root = xmlDocGetRootElement(doc);
    CHECK(root && root->next == NULL);
    svg_walk(w, root, 0, &scripts);
    CHECK(scripts == 1);
    xmlFreeDoc(doc);
}

/* ---- HTML ---- */

/* The elements and attributes of a page: "tag" and "tag attr" words, and its <script>s. */
struct vocab {
    char **words;
    size_t n, cap;
    int scripts;
};

static void vocab_add(struct vocab *v, const char *tag, size_t tl, const char *attr, size_t al)
{
    char buf[128];
    if (tl + al + 2 > sizeof(buf)) {
        CHECK(v->cap == 0); /* no name this long in the skeleton: not learning */
        buf[0] = '\0';
    } else {
        snprintf(buf, sizeof(buf), al ? "%.*s %.*s" : "%.*s", (int)tl, tag, (int)al, attr);
    }
    for (size_t i = 0; i < v->n; i++) {
        if (strcmp(v->words[i], buf) == 0)
            return;
    }
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 64;
        v->words = realloc(v->words, v->cap * sizeof(char *));
        CHECK(v->words);
    }
    v->words[v->n++] = strdup(buf);
}

static int vocab_has(const struct vocab *v, const char *tag, size_t tl, const char *attr, size_t al)
{
    char buf[128];
    if (tl + al + 2 > sizeof(buf))
        return 0;
    snprintf(buf, sizeof(buf), al ? "%.*s %.*s" : "%.*s", (int)tl, tag, (int)al, attr);
    for (size_t i = 0; i < v->n; i++) {
        if (strcmp(v->words[i], buf) == 0)
            return 1;
    }
    return 0;
}

/* Skip past the end tag of a raw-text element (script, style): HTML ends it at the first
 * "</name" whatever follows. */
static const char *skip_raw(const char *p, const char *end, const char *name, size_t nl)
{
    for (; p + nl + 2 <= end; p++) {
        if (p[0] == '<' && p[1] == '/' && strncasecmp(p + 2, name, nl) == 0)
            return p;
    }
    return end;
}

/* Tokenize html as a browser would (start and end tags, comments, raw text of script and
 * style); with learn set, add its elements and attributes to v, else abort on any that v does
 * not have, on an on* attribute or a javascript: value it does not have either. Returns the
 * number of <script> elements. */
static int scan_html(struct vocab *v, const char *p, size_t len, int learn)
{
    const char *end = p + len;
    int scripts = 0;

    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt)
            break;
        p = lt + 1;
        if (p < end && *p == '!') {
            const char *e = p + 3 <= end && memcmp(p, "!--", 3) == 0 ? memmem(p, end - p, "-->", 3)
                                                                     : memchr(p, '>', end - p);
            CHECK(e); /* an unclosed comment or doctype would swallow the page */
            p = e + 1;
            continue;
        }
        int closing = p < end && *p == '/';
        p += closing;
        if (p >= end || !isalpha((unsigned char)*p))
            continue; /* text */
        const char *tag = p;
        while (p < end && !isspace((unsigned char)*p) && *p != '>' && *p != '/')
            p++;
        size_t tl = (size_t)(p - tag);
        if (learn)
            vocab_add(v, tag, tl, NULL, 0);
        else
            CHECK(vocab_has(v, tag, tl, NULL, 0));
        while (p < end && *p != '>') { /* attributes */
            while (p < end && (isspace((unsigned char)*p) || *p == '/'))
                p++;
            if (p >= end || *p == '>')
                break;
            const char *an = p;
            while (p < end && !isspace((unsigned char)*p) && *p != '=' && *p != '>')
                p++;
            size_t al = (size_t)(p - an);
            const char *val = p, *vend = p;
            if (p < end && *p == '=') {
                p++;
                char q = p < end && (*p == '"' || *p == '\'') ? *p : 0;
                val = p + (q != 0);
                vend = val;
                while (vend < end &&
                       (q ? *vend != q : !isspace((unsigned char)*vend) && *vend != '>'))
                    vend++;
                p = vend + (q && vend < end);
            }
            if (learn) {
                vocab_add(v, tag, tl, an, al);
            } else {
                CHECK(vocab_has(v, tag, tl, an, al));
                CHECK(!memmem(val, (size_t)(vend - val), "javascript:", 11));
            }
        }
        p += p < end;
        if (!closing && tl == 6 && strncasecmp(tag, "script", 6) == 0) {
            scripts++;
            p = skip_raw(p, end, "script", 6);
        } else if (!closing && tl == 5 && strncasecmp(tag, "style", 5) == 0) {
            p = skip_raw(p, end, "style", 5);
        } else if (!closing && tl == 5 && strncasecmp(tag, "title", 5) == 0) {
            p = skip_raw(p, end, "title", 5); /* RCDATA: only its end tag ends it */
        }
    }
    return scripts;
}

static struct vocab page_vocab; /* of the skeleton with its slots empty */

static void learn_page(void)
{
    struct sbuf b;
    const char *p = web_report_html, *end = p + web_report_html_len;
    sbuf_init(&b);
    while (p < end) { /* the skeleton with every @@MARKER@@ left out, CSS and JS in */
        const char *q = strstr(p, "@@"), *e = q ? strstr(q + 2, "@@") : NULL;
        if (!q || !e) {
            sbuf_add(&b, p, (size_t)(end - p));
            break;
        }
        sbuf_add(&b, p, (size_t)(q - p));
        if (e - q == 5 && memcmp(q, "@@CSS", 5) == 0)
            sbuf_add(&b, web_report_css, web_report_css_len);
        else if (e - q == 4 && memcmp(q, "@@JS", 4) == 0)
            sbuf_add(&b, web_report_js, web_report_js_len);
        p = e + 2;
    }
    page_vocab.scripts = scan_html(&page_vocab, b.buf, b.len, 1);
    sbuf_destroy(&b);
}

/* The <title> slot: text with only the escaper's entities, decoding to the title. */
static void check_title(const struct want *w, const char *t, size_t len)
{
    static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    static const char chars[] = "&<>\"'";
    struct sbuf dec;
    sbuf_init(&dec);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)t[i];
        CHECK(c >= 0x20 && c != 0x7f && c != '<' && c != '>' && c != '"' && c != '\'');
        if (c != '&') {
            sbuf_addc(&dec, (char)c);
            i++;
            continue;
        }
        size_t k = 0;
        while (k < 5 && strncmp(t + i, ents[k], strlen(ents[k])) != 0)
            k++;
        CHECK(k < 5);
        sbuf_addc(&dec, chars[k]);
        i += strlen(ents[k]);
    }
    char *want = xml_chars(w->title);
    CHECK(strcmp(sbuf_str(&dec), want) == 0);
    free(want);
    sbuf_destroy(&dec);
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    CHECK(v && json_is_string(v));
    return json_string_value(v);
}

/* The data slot: inert inside <script>, one JSON document holding the profile's strings. */
static void check_data(const struct want *w, const char *d, size_t len, const char *a_name)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)d[i];
        CHECK(c >= 0x20 && c != 0x7f && c != '<' && c != '>' && c != '&');
        CHECK(!(c == 0xe2 && i + 2 < len && (unsigned char)d[i + 1] == 0x80 &&
                ((unsigned char)d[i + 2] == 0xa8 || (unsigned char)d[i + 2] == 0xa9)));
    }
    json_error_t err;
    json_t *root = json_loadb(d, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    CHECK(root && json_is_object(root));
    CHECK(strcmp(jstr(root, "format"), "spyglass-html/1") == 0);
    json_t *meta = json_object_get(root, "meta");
    char *u = utf8(w->unit);
    CHECK(strcmp(jstr(meta, "unit"), u) == 0);
    free(u);
    if (w->meta_title) {
        char *t = utf8(w->meta_title);
        CHECK(strcmp(jstr(meta, "title"), t) == 0);
        free(t);
    } else {
        CHECK(json_is_null(json_object_get(meta, "title")));
    }
    json_t *strs = json_object_get(root, "strings"), *frames = json_object_get(root, "frames");
    CHECK(json_is_array(strs) && json_is_array(frames));
    CHECK(json_array_size(frames) == 4 * (size_t)agg_nframes(w->a));
    for (uint32_t id = 0; id < agg_nframes(w->a); id++) {
        const struct agg_frame *fr = agg_frame_get(w->a, id);
        json_int_t ni = json_integer_value(json_array_get(frames, 4 * id));
        json_t *s = json_array_get(strs, (size_t)ni);
        char *name = utf8(agg_str(w->a, fr->name));
        CHECK(json_is_string(s) && strcmp(json_string_value(s), name) == 0);
        free(name);
    }
    if (a_name) {
        json_t *diff = json_object_get(root, "diff");
        char *an = utf8(a_name);
        CHECK(diff && strcmp(jstr(json_object_get(diff, "a"), "name"), an) == 0);
        free(an);
    }
    json_decref(root);
}

/* Match the page against the skeleton: literal parts byte for byte, the slots checked. */
static void check_html(const struct want *w, const char *html, size_t len, const char *a_name)
{
    const char *p = web_report_html, *end = p + web_report_html_len;
    const char *o = html, *oend = html + len;
    int data = 0;

    while (p < end) {
        const char *q = strstr(p, "@@"), *e = q ? strstr(q + 2, "@@") : NULL;
        size_t lit = (size_t)((q && e ? q : end) - p);
        CHECK((size_t)(oend - o) >= lit && memcmp(o, p, lit) == 0);
        o += lit;
        if (!q || !e)
            break;
        const char *name = q + 2;
        size_t nl = (size_t)(e - name);
        p = e + 2;
        if (nl == 3 && memcmp(name, "CSS", 3) == 0) {
            CHECK((size_t)(oend - o) >= web_report_css_len &&
                  memcmp(o, web_report_css, web_report_css_len) == 0);
            o += web_report_css_len;
        } else if (nl == 2 && memcmp(name, "JS", 2) == 0) {
            CHECK((size_t)(oend - o) >= web_report_js_len &&
                  memcmp(o, web_report_js, web_report_js_len) == 0);
            o += web_report_js_len;
        } else {
            /* TITLE or DATA: the slot ends at the first '<', which must start the literal
             * after it (neither may hold a '<' of its own) */
            const char *s = memchr(o, '<', (size_t)(oend - o));
            CHECK(s && *p == '<');
            if (nl == 5 && memcmp(name, "TITLE", 5) == 0) {
                check_title(w, o, (size_t)(s - o));
            } else {
                CHECK(nl == 4 && memcmp(name, "DATA", 4) == 0);
                check_data(w, o, (size_t)(s - o), a_name);
                data++;
            }
            o = s;
        }
    }
    CHECK(o == oend && data == 1);
    CHECK(scan_html(&page_vocab, html, len, 0) == page_vocab.scripts);
}

/* ---- terminal ---- */

static void check_terminal(const char *t, size_t len)
{
    for (size_t i = 0; i < len;) {
        const unsigned char *p = (const unsigned char *)t + i;
        size_t n = utf8_seq_len(p);
        CHECK(n && i + n <= len);
        CHECK(n > 1 || *p == '\n' || (*p >= 0x20 && *p != 0x7f));
        CHECK(!(n == 2 && p[0] == 0xc2 && p[1] < 0xa0)); /* C1 */
        CHECK(!(n == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
                (p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xaa && p[2] <= 0xae))));
        CHECK(!(n == 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9));
        i += n;
    }
}

/* ---- driver ---- */

typedef int (*write_fn)(FILE *f, const void *ctx);

static char *render(write_fn fn, const void *ctx, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    CHECK(f && fn(f, ctx) == 0);
    fclose(f);
    return buf;
}

struct one {
    const struct agg *a;
    const struct agg_meta *m;
    const struct out_html_diff *x;
};

static int w_svg(FILE *f, const void *ctx)
{
    const struct one *o = ctx;
    return out_svg_write(f, o->a, o->m);
}

static int w_html(FILE *f, const void *ctx)
{
    const struct one *o = ctx;
    return out_html_write(f, o->a, o->m, NULL);
}

static int w_diff_svg(FILE *f, const void *ctx)
{
    const struct one *o = ctx;
    return out_diff_svg_write(f, o->x->d, o->m);
}

static int w_diff_html(FILE *f, const void *ctx)
{
    const struct one *o = ctx;
    return out_html_write_diff(f, o->x, o->m);
}

static int w_summary(FILE *f, const void *ctx)
{
    const struct one *o = ctx;
    return out_summary_write_in(f, o->a, 10, o->m->unit);
}

static void check_all(const struct agg *a, const struct agg_meta *m)
{
    struct want w;
    struct one o = {a, m, NULL};
    const char *title = m->title ? m->title : "Flame Graph";
    size_t len;
    char *out;

    out = render(w_summary, &o, &len);
    check_terminal(out, len);
    free(out);
    want_init(&w, a, title, m->unit);
    out = render(w_svg, &o, &len);
    check_svg(&w, out, len);
    free(out);
    w.title = m->title ? m->title : "spyglass profile";
    w.meta_title = m->title;
    out = render(w_html, &o, &len);
    check_html(&w, out, len, NULL);
    free(out);
    want_destroy(&w);

    /* the profile against itself, A at half weight; the sides named by input strings */
    struct agg_diff *d = agg_diff_new(a, a, 0.5);
    const char *an = m->command ? m->command : "a",
               *bn = m->python_version ? m->python_version : "b";
    struct out_html_diff x = {d, {an, m}, {bn, m}, AGG_DIFF_NONE, 0.5};
    o.a = agg_diff_agg(d);
    o.x = &x;
    want_init(&w, o.a, title, m->unit);
    out = render(w_diff_svg, &o, &len);
    check_svg(&w, out, len);
    free(out);
    w.title = m->title ? m->title : "spyglass profile";
    w.meta_title = m->title;
    out = render(w_diff_html, &o, &len);
    check_html(&w, out, len, an);
    free(out);
    want_destroy(&w);
    agg_diff_free(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    xmlInitParser();
    learn_page();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct agg *a = agg_new();
    struct agg_timeline *tl = agg_timeline_new();
    struct agg_raw_info info;
    struct agg_meta meta = {.title = "fuzz <&> \"collapsed\"", .overhead = -1};
    char why[200];

    memset(&info, 0, sizeof(info));
    if (agg_raw_is(data, size)) {
        if (agg_raw_parse(a, tl, data, size, &info, why, sizeof(why)) == 0) {
            meta = info.meta;
            meta.timeline = tl;
            check_all(a, &meta);
        }
        agg_raw_info_destroy(&info);
    } else if (agg_collapsed_parse(a, (const char *)data, size, why, sizeof(why)) == 0) {
        check_all(a, &meta);
    }
    agg_timeline_free(tl);
    agg_free(a);
    return 0;
}
