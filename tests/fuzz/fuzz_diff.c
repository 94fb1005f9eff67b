/* libFuzzer harness for `spyglass diff`: two profiles (raw or collapsed) from one input, the
 * normalisation factor, the differential profile and all three of its writers (collapsed-diff,
 * SVG, HTML). It aborts on a crash, on a refusal without a one-line reason, on a factor that is
 * not finite and positive or that makes A weigh more than AGG_DIFF_MAX_WEIGHT, on totals that
 * do not add up (B's exactly, A's normalised within rounding), on a collapsed-diff line whose
 * weights are not the stack's (whole numbers within INT64_MAX), on an SVG box whose numbers are
 * not finite (position, width, colour 0-255, A and B in its tooltip, B equal to its width) and
 * on an HTML page whose data does not parse as JSON (so no inf, nan or integer out of range)
 * or holds a null where a number is known, or whose totals and factor are not the diff's.
 *
 * Input: byte 0 chooses the normalisation (bits 0-2: none, total, time, duration, or 4+: the
 * CLI's default) and whether collapsed inputs get --rate 100 (bit 3); bytes 1-2 (little-endian)
 * are the length of A (cut to what is left); A, then B.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_collapsed.h"
#include "agg_diff.h"
#include "agg_raw.h"
#include "out_diff.h"
#include "out_html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct side {
    struct agg *a;
    struct agg_raw_info info;
    struct agg_meta m;
};

/* abort() when a property does not hold, naming its line. */
static void check_at(int ok, int line)
{
    if (!ok) {
        fprintf(stderr, "fuzz_diff: the check at line %d failed\n", line);
        abort();
    }
}

#define check(ok) check_at((ok), __LINE__)

/* A refusal's reason: one non-empty line. */
static void one_line(const char *why)
{
    check(why[0] && !strchr(why, '\n'));
}

/* Parse buf as cli_profile does (raw by its magic, else collapsed). Returns 0 or -1. */
static int load(struct side *s, const uint8_t *buf, size_t len, double rate)
{
    char why[200] = "";
    int err;

    memset(s, 0, sizeof(*s));
    s->a = agg_new();
    s->m.overhead = -1;
    if (agg_raw_is(buf, len)) {
        err = agg_raw_parse(s->a, NULL, buf, len, &s->info, why, sizeof(why));
        s->m = s->info.meta;
    } else {
        err = agg_collapsed_parse(s->a, (const char *)buf, len, why, sizeof(why));
    }
    if (err) {
        one_line(why);
        return -1;
    }
    if (!(s->m.rate_effective > 0) && !(s->m.rate_requested > 0))
        s->m.rate_requested = rate; /* --rate for an input that does not say */
    return 0;
}

static char *render(const struct out_html_diff *x, const struct agg_meta *m, int fmt, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    int err;

    check(f != NULL);
    if (fmt == 0)
        err = out_diff_collapsed_write(f, x->d);
    else if (fmt == 1)
        err = out_diff_svg_write(f, x->d, m);
    else
        err = out_html_write_diff(f, x, m);
    check(err == 0);
    fclose(f);
    return buf;
}

/* A whole number of digits only at *p, up to INT64_MAX, into *v; *p moved past it. */
static void whole(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;

    check(*s >= '0' && *s <= '9');
    for (; *s >= '0' && *s <= '9'; s++) {
        check(x <= ((uint64_t)INT64_MAX - (uint64_t)(*s - '0')) / 10);
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *v = x;
    *p = s;
}

/* Collapsed-diff: one line per stack with frames and a weight, "LABELS A B", A the stack's
 * normalised weight rounded, B its weight. */
static void check_collapsed(const struct agg_diff *d, const char *text, size_t len)
{
    const struct agg *u = agg_diff_agg(d);
    const char *p = text, *end = text + len;

    for (uint32_t i = 0; i < agg_nstacks(u); i++) {
        uint32_t n;
        uint64_t w, a, b;
        agg_stack(u, i, &n, &w);
        double wa = round(agg_diff_a(d, i));
        if (n == 0 || (wa == 0 && agg_diff_b(d, i) == 0))
            continue;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        check(nl != NULL);
        const char *sp = nl;
        for (int k = 0; k < 2; k++) {
            do
                sp--;
            while (sp > p && *sp != ' ');
            check(*sp == ' ');
        }
        const char *q = sp + 1;
        whole(&q, &a);
        check(*q++ == ' ');
        whole(&q, &b);
        check(q == nl && (double)a == wa && b == agg_diff_b(d, i));
        p = nl + 1;
    }
    check(p == end);
}

/* A finite number at *p (strtod's syntax, which would also take "inf" and "nan"). */
static double number(const char **p)
{
    char *e;
    double v = strtod(*p, &e);

    check(e != *p && isfinite(v));
    *p = e;
    return v;
}

/* The tooltip line of a diff box, "A x -> B y UNIT (+d, +p%)" or "(+d, new)" (as the SVG
 * escapes it), and y against the box's width in weights. */
static void check_detail(const char *s, const char *end, uint64_t width)
{
    const char *p = s;

    check(strncmp(p, "A ", 2) == 0);
    p += 2;
    check(number(&p) >= 0);
    if (strncmp(p, " -&gt; B ", 9) == 0) /* XML-escaped, or not: '>' need not be */
        p += 9;
    else if (strncmp(p, " -> B ", 6) == 0)
        p += 6;
    else
        check(0);
    double b = number(&p);
    check(fabs(b - (double)width) <= 1e-9 * (double)width);
    const char *open = end; /* the last " (": the change, after the unit */
    for (const char *q = p; q + 1 < end; q++)
        if (q[0] == ' ' && q[1] == '(')
            open = q;
    check(open < end);
    p = open + 2;
    number(&p);
    check(strncmp(p, ", ", 2) == 0);
    p += 2;
    if (strncmp(p, "new)", 4) == 0) {
        check(p + 4 == end);
        return;
    }
    number(&p);
    check(strncmp(p, "%)", 2) == 0 && p + 2 == end);
}

/* The SVG's boxes: <g class="f" data-x data-w><title>LABEL\nDETAIL</title><rect x y width
 * height fill="rgb(r,g,b)"/>. */
static void check_svg(const char *svg)
{
    for (const char *p = strstr(svg, "<g class=\"f\""); p; p = strstr(p, "<g class=\"f\"")) {
        uint64_t x, w;
        p += strlen("<g class=\"f\"");
        check(strncmp(p, " data-x=\"", 9) == 0);
        p += 9;
        whole(&p, &x);
        check(strncmp(p, "\" data-w=\"", 10) == 0);
        p += 10;
        whole(&p, &w);
        const char *t = strstr(p, "</title>"), *nl = t;
        check(t != NULL);
        while (nl > p && *nl != '\n')
            nl--;
        check(*nl == '\n');
        check_detail(nl + 1, t, w);
        p = t;
        static const char *const keys[] = {"<rect x=\"", "\" y=\"", "\" width=\"", "\" height=\""};
        for (int k = 0; k < 4; k++) {
            p = strstr(p, keys[k]);
            check(p != NULL);
            p += strlen(keys[k]);
            check(number(&p) >= 0);
        }
        p = strstr(p, "fill=\"rgb(");
        check(p != NULL);
        p += strlen("fill=\"rgb(");
        for (int k = 0; k < 3; k++) {
            uint64_t c;
            whole(&p, &c);
            check(c <= 255 && *p++ == (k < 2 ? ',' : ')'));
        }
    }
}

/* A number member of o equal to want (9 significant digits), or null when want is unknown. */
static void json_fact(json_t *o, const char *key, double want)
{
    json_t *v = json_object_get(o, key);

    if (!(want > 0)) {
        check(json_is_null(v));
        return;
    }
    check(json_is_number(v));
    check(fabs(json_number_value(v) - want) <= 1e-8 * want);
}

static double json_total(json_t *o)
{
    json_t *v = json_object_get(o, "total");
    check(json_is_number(v));
    return json_number_value(v);
}

/* The weights of "self" (B's: whole numbers, summed exactly) with root_self, or of "self2"
 * (A's, normalised) with root_self2, into *whole or *sum. */
static void json_self(json_t *tree, int a2, uint64_t *whole_sum, double *sum)
{
    json_t *arr = json_object_get(tree, a2 ? "self2" : "self"), *v;
    json_t *root = json_object_get(tree, a2 ? "root_self2" : "root_self");
    size_t i;

    *whole_sum = 0;
    *sum = 0;
    check(json_is_array(arr) && json_array_size(arr) % 2 == 0);
    json_array_foreach(arr, i, v)
    {
        check(json_is_number(v) && json_number_value(v) >= 0);
        check(a2 && i % 2 ? json_number_value(v) > 0 : json_is_integer(v));
        if (i % 2 && a2)
            *sum += json_number_value(v);
        else if (i % 2)
            *whole_sum += (uint64_t)json_integer_value(v);
    }
    check(a2 ? json_is_number(root) : json_is_integer(root));
    if (a2)
        *sum += json_number_value(root);
    else
        *whole_sum += (uint64_t)json_integer_value(root);
}

static void check_html(const char *page, const struct out_html_diff *x)
{
    static const char mark[] = "<script type=\"application/json\" id=\"spyglass-data\">";
    const char *p = strstr(page, mark), *end;
    json_error_t jerr;

    check(p != NULL);
    p += strlen(mark);
    end = strstr(p, "</script>");
    check(end != NULL);
    json_t *doc = json_loadb(p, (size_t)(end - p), JSON_REJECT_DUPLICATES, &jerr);
    check(doc != NULL); /* valid JSON: no inf, nan, or integer beyond int64 */
    json_t *diff = json_object_get(doc, "diff"), *tree = json_object_get(doc, "tree");
    double ta = agg_diff_total_a(x->d), tb = (double)agg_diff_total_b(x->d);
    check(json_is_object(diff) && json_is_object(tree));
    check(fabs(json_number_value(json_object_get(diff, "factor")) - x->factor) <= 1e-8 * x->factor);
    const struct out_html_side *sides[] = {&x->a, &x->b};
    static const char *const counts[] = {"samples", "invalid", "missed"};
    json_t *js[] = {json_object_get(diff, "a"), json_object_get(diff, "b")};
    for (int k = 0; k < 2; k++) {
        const struct agg_meta *m = sides[k]->m;
        check(json_is_object(js[k]));
        json_fact(js[k], "duration", m->duration);
        json_fact(js[k], "rate_requested", m->rate_requested);
        json_fact(js[k], "rate_effective", m->rate_effective);
        json_t *o = json_object_get(js[k], "overhead");
        check(m->overhead >= 0 ? json_is_number(o) && json_number_value(o) >= 0 : json_is_null(o));
        for (int c = 0; c < 3; c++)
            check(json_is_integer(json_object_get(js[k], counts[c])));
    }
    uint64_t whole_sum;
    double sum;
    check(fabs(json_total(js[0]) - ta) <= 1e-8 * ta);
    check(json_total(js[1]) == tb);
    check(json_total(json_object_get(doc, "meta")) == tb);
    json_self(tree, 0, &whole_sum, &sum);
    check(whole_sum == agg_diff_total_b(x->d));
    json_self(tree, 1, &whole_sum, &sum);
    check(fabs(sum - ta) <= 1e-6 * ta);
    json_decref(doc);
}

/* The diff's own totals: B's exact, A's the factor times A's total within rounding, every
 * stack's A finite and not negative. */
static void check_totals(const struct agg_diff *d, const struct agg *a, const struct agg *b,
                         double k)
{
    const struct agg *u = agg_diff_agg(d);
    double sum = 0, ta = agg_diff_total_a(d), want = k * (double)agg_total(a);
    uint64_t sumb = 0;

    for (uint32_t i = 0; i < agg_nstacks(u); i++) {
        double wa = agg_diff_a(d, i);
        check(isfinite(wa) && wa >= 0);
        sum += wa;
        sumb += agg_diff_b(d, i);
    }
    check(agg_diff_total_b(d) == agg_total(b) && sumb == agg_total(b));
    check(isfinite(ta) && ta <= AGG_DIFF_MAX_WEIGHT);
    check(fabs(ta - want) <= 1e-9 * want && fabs(sum - ta) <= 1e-9 * ta);
}

static void run(struct side *s, int norm)
{
    struct agg_meta *ma = &s[0].m, *mb = &s[1].m;
    char why[200] = "";
    double k = -1;
    int timed = (ma->rate_effective > 0 || ma->rate_requested > 0) &&
                (mb->rate_effective > 0 || mb->rate_requested > 0);

    if (agg_total(s[0].a) == 0 || agg_total(s[1].a) == 0)
        return;                   /* refused by the CLI: nothing to compare */
    if (norm > AGG_DIFF_DURATION) /* the CLI's default */
        norm = mb->unit ? AGG_DIFF_NONE : timed ? AGG_DIFF_TIME : AGG_DIFF_TOTAL;
    if (agg_diff_factor((enum agg_diff_norm)norm, ma, agg_total(s[0].a), mb, agg_total(s[1].a), &k,
                        why, sizeof(why)) != 0) {
        one_line(why);
        check(k == -1);
        return;
    }
    check(isfinite(k) && k > 0 && (double)agg_total(s[0].a) * k <= AGG_DIFF_MAX_WEIGHT);
    struct agg_diff *d = agg_diff_new(s[0].a, s[1].a, k);
    struct out_html_diff x = {d, {"a.spyraw", ma}, {"b.spyraw", mb}, (enum agg_diff_norm)norm, k};
    struct agg_meta m = {.title = "diff", .unit = mb->unit, .overhead = -1};
    size_t len;
    check_totals(d, s[0].a, s[1].a, k);
    char *out = render(&x, &m, 0, &len);
    check_collapsed(d, out, len);
    free(out);
    out = render(&x, &m, 1, &len);
    check(strlen(out) == len);
    check_svg(out);
    free(out);
    out = render(&x, &m, 2, &len);
    check(strlen(out) == len);
    check_html(out, &x);
    free(out);
    agg_diff_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct side s[2];
    size_t la;

    if (size < 3)
        return 0;
    la = (size_t)(data[1] | data[2] << 8);
    la = la > size - 3 ? size - 3 : la;
    double rate = data[0] & 8 ? 100 : 0;
    int ok = load(&s[0], data + 3, la, rate) == 0;
    ok = load(&s[1], data + 3 + la, size - 3 - la, rate) == 0 && ok;
    if (ok)
        run(s, data[0] & 7);
    for (int i = 0; i < 2; i++) {
        agg_raw_info_destroy(&s[i].info);
        agg_free(s[i].a);
    }
    return 0;
}
