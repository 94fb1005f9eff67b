/* Unit tests for out_json: numbers and strings, the metadata members (exact bytes, as the
 * exports wrote them before this module existed, and the member names and order of both
 * schemas' "metadata"), a long array written out in pieces (and stopped by a full disk), the
 * comparison object read back with jansson.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "meta.h"
#include "out_json.h"
#include "suites.h"
#include "test.h"
#include "util_file.h"
#include "util_sbuf.h"

static const char *num(struct sbuf *b, double v)
{
    sbuf_reset(b);
    out_json_num(b, v);
    return sbuf_str(b);
}

static const char *exact(struct sbuf *b, double v)
{
    sbuf_reset(b);
    out_json_exact(b, v);
    return sbuf_str(b);
}

static const char *known(struct sbuf *b, double v)
{
    sbuf_reset(b);
    out_json_known(b, v);
    return sbuf_str(b);
}

static const char *str(struct sbuf *b, const char *s)
{
    sbuf_reset(b);
    out_json_str(b, s);
    return sbuf_str(b);
}

static void test_scalars(void)
{
    struct sbuf b;

    sbuf_init(&b);
    TEST_EQ_STR(num(&b, 0), "0");
    TEST_EQ_STR(num(&b, 0.1), "0.1");
    TEST_EQ_STR(num(&b, 1.0 / 3), "0.333333333");
    TEST_EQ_STR(num(&b, -2.5e-12), "-2.5e-12");
    TEST_EQ_STR(num(&b, 1e300), "1e+300");
    /* whole numbers exactly below 2^53 (byte counts, totals above 10^9), 9 digits above */
    TEST_EQ_STR(num(&b, 1234567891), "1234567891");
    TEST_EQ_STR(num(&b, -1234567891), "-1234567891");
    TEST_EQ_STR(num(&b, 9007199254740991.0), "9007199254740991");
    TEST_EQ_STR(num(&b, 9007199254740992.0), "9.00719925e+15");
    TEST_EQ_STR(num(&b, 1234567891.5), "1.23456789e+09");
    TEST_EQ_STR(num(&b, -0.0), "-0");
    TEST_EQ_STR(exact(&b, 0.1), "0.10000000000000001");
    TEST_EQ_STR(exact(&b, 1.0 / 3), "0.33333333333333331");
    TEST_EQ_STR(exact(&b, 2), "2");
    TEST_EQ_STR(exact(&b, NAN), "null");
    TEST_EQ_STR(exact(&b, -INFINITY), "null");
    sbuf_reset(&b);
    out_json_u64(&b, 0);
    sbuf_addc(&b, ',');
    out_json_u64(&b, UINT64_MAX);
    sbuf_addc(&b, ',');
    out_json_i64(&b, INT64_MIN);
    sbuf_addc(&b, ',');
    out_json_i64(&b, -7);
    TEST_EQ_STR(sbuf_str(&b), "0,18446744073709551615,-9223372036854775808,-7");
    TEST_EQ_STR(num(&b, NAN), "null");
    TEST_EQ_STR(num(&b, INFINITY), "null");
    TEST_EQ_STR(num(&b, -INFINITY), "null");
    TEST_EQ_STR(known(&b, -1), "null");
    TEST_EQ_STR(known(&b, -1e-300), "null");
    TEST_EQ_STR(known(&b, 0), "0");
    TEST_EQ_STR(known(&b, 0.75), "0.75");
    TEST_EQ_STR(known(&b, NAN), "null");
    sbuf_reset(&b);
    out_json_pair(&b, 0.5, NAN);
    TEST_EQ_STR(sbuf_str(&b), "[0.5,null]");
    TEST_EQ_STR(str(&b, NULL), "\"\"");
    TEST_EQ_STR(str(&b, ""), "\"\"");
    TEST_EQ_STR(str(&b, "a\"b\\c\n\t\x01<é>"), "\"a\\\"b\\\\c\\n\\u0009\\u0001\\u003cé\\u003e\"");
    TEST_EQ_STR(str(&b, "bad \xff utf-8"), "\"bad \\ufffd utf-8\"");
    /* line and paragraph separators: raw, they end a JavaScript string inside <script> */
    TEST_EQ_STR(str(&b, "a\xe2\x80\xa8"
                        "b\xe2\x80\xa9"
                        "c"),
                "\"a\\u2028b\\u2029c\"");
    sbuf_reset(&b);
    out_json_str_or_null(&b, NULL);
    out_json_str_or_null(&b, "&");
    TEST_EQ_STR(sbuf_str(&b), "null\"\\u0026\"");
    sbuf_destroy(&b);
}

static void test_strings(void)
{
    static const char *const v[] = {"a", "say \"hi\"", "", "<tab>\t"};
    struct sbuf b;

    sbuf_init(&b);
    out_json_strings(&b, v, 0);
    TEST_EQ_STR(sbuf_str(&b), "[]");
    sbuf_reset(&b);
    out_json_strings(&b, v, 1);
    TEST_EQ_STR(sbuf_str(&b), "[\"a\"]");
    sbuf_reset(&b);
    out_json_strings(&b, v, 4);
    TEST_EQ_STR(sbuf_str(&b), "[\"a\",\"say \\\"hi\\\"\",\"\",\"\\u003ctab\\u003e\\u0009\"]");
    sbuf_destroy(&b);
}

static void hostile_meta(struct meta *m)
{
    memset(m, 0, sizeof(*m));
    m->version = "0.1.0";
    snprintf(m->date, sizeof(m->date), "2024-01-02T03:04:05Z");
    snprintf(m->cpu_model, sizeof(m->cpu_model), "Intel \"Xeon\"\tCPU é");
    m->cpu_count = 8;
    snprintf(m->kernel, sizeof(m->kernel), "Linux 6.1.0");
    snprintf(m->hostname, sizeof(m->hostname), "host\\name");
    m->mem_total = 16ull << 30;
    m->cpu_freq_visible = 1;
    snprintf(m->governor, sizeof(m->governor), "powersave");
    m->cpu_freq_mhz = 2400.5;
    m->load_before[0] = 0.5;
    m->load_before[1] = 0.25;
    m->load_before[2] = 1.0 / 3;
    m->load_after[0] = 1.5;
    m->load_after[1] = NAN;
    m->load_after[2] = 2;
    m->cpu_pressure_before = -1;
    m->other_cpu_before = 0.123456789012;
    m->other_cpu_during = -1;
    m->elapsed = 12.345678901; /* not written: the callers place "elapsed" themselves */
}

/* The bytes `spyglass bench --export-json` wrote for this machine before out_json existed. */
static const char meta_bytes[] =
    "\"spyglass_version\":\"0.1.0\",\"date\":\"2024-01-02T03:04:05Z\",\"cpu_model\":\"Intel "
    "\\\"Xeon\\\"\\u0009CPU é\",\"cpu_count\":8,\"kernel\":\"Linux 6.1.0\",\"hostname\":"
    "\"host\\\\name\",\"mem_total\":17179869184,\"cpu_freq_visible\":true,\"governor\":"
    "\"powersave\",\"cpu_freq_mhz\":2400.5,\"load_before\":[0.5,0.25,0.333333333],"
    "\"load_after\":[1.5,null,2],\"cpu_pressure_before\":null,\"other_cpu_before\":0.123456789,"
    "\"other_cpu_during\":null";

/* The first n names of the required members of "metadata" in a schema, in order, must be the
 * members out_json_meta() wrote into obj, in order. */
static void check_schema_order(const char *path, json_t *obj, size_t n)
{
    json_error_t err;
    json_t *schema = json_load_file(path, 0, &err);
    json_t *req =
        json_object_get(json_object_get(json_object_get(schema, "$defs"), "metadata"), "required");
    void *it = json_object_iter(obj);

    TEST_CHECK(json_is_array(req) && json_array_size(req) > n);
    TEST_EQ_INT(json_object_size(obj), n);
    for (size_t i = 0; i < n && it; i++, it = json_object_iter_next(obj, it))
        TEST_EQ_STR(json_object_iter_key(it), json_string_value(json_array_get(req, i)));
    json_decref(schema);
}

static void test_meta_members(void)
{
    static const char head[] = "{\"schema\":\"spyglass-test/1\",\"metadata\":{";
    struct meta m;
    struct sbuf b;
    json_error_t err;
    json_t *j;

    hostile_meta(&m);
    sbuf_init(&b);
    out_json_meta(&b, &m);
    TEST_EQ_STR(sbuf_str(&b), meta_bytes);
    /* Inside braces it is an object whose members follow both schemas' order. */
    sbuf_reset(&b);
    sbuf_addc(&b, '{');
    out_json_meta(&b, &m);
    sbuf_addc(&b, '}');
    j = json_loads(sbuf_str(&b), JSON_REJECT_DUPLICATES | JSON_PRESERVE_ORDER, &err);
    TEST_CHECK(j != NULL);
    if (j) {
        check_schema_order("../docs/bench-schema.json", j, 15);
        check_schema_order("../docs/timeit-schema.json", j, 15);
        TEST_EQ_STR(json_string_value(json_object_get(j, "cpu_model")), m.cpu_model);
        TEST_EQ_STR(json_string_value(json_object_get(j, "hostname")), "host\\name");
        TEST_CHECK(json_is_null(json_object_get(j, "other_cpu_during")));
    }
    json_decref(j);
    /* The head of a document: the schema tag, then the metadata object left open. */
    sbuf_reset(&b);
    out_json_head(&b, "spyglass-test/1", &m);
    TEST_CHECK(strncmp(sbuf_str(&b), head, strlen(head)) == 0);
    TEST_EQ_STR(sbuf_str(&b) + strlen(head), meta_bytes);
    /* Empty strings and zeros. */
    memset(&m, 0, sizeof(m));
    sbuf_reset(&b);
    out_json_meta(&b, &m);
    TEST_CHECK(strncmp(sbuf_str(&b), "\"spyglass_version\":\"\",\"date\":\"\",", 31) == 0);
    TEST_CHECK(strstr(sbuf_str(&b), "\"cpu_freq_visible\":false") != NULL);
    sbuf_destroy(&b);
}

static size_t item_calls;

/* Item i: an object of about 100 bytes; counted in item_calls. */
static void item(struct sbuf *b, const void *ctx, size_t i)
{
    (void)ctx;
    item_calls++;
    sbuf_printf(b, "{\"i\":%zu,\"pad\":\"%090d\"}", i, 0);
}

static void test_array(void)
{
    const size_t n = 5000; /* about 500 KB: written out in pieces */
    struct file_w w;
    json_error_t err;
    json_t *j;
    FILE *f = fopen("out/out_json_array.json", "w+");

    TEST_CHECK(f != NULL);
    if (!f)
        return;
    item_calls = 0;
    file_w_init(&w, f);
    sbuf_adds(&w.b, "{\"items\":");
    TEST_EQ_INT(out_json_array(&w, n, item, NULL), 0);
    TEST_CHECK(w.b.len < FILE_W_SPILL); /* the rest was written out already */
    sbuf_addc(&w.b, '}');
    TEST_EQ_INT(file_w_finish(&w), 0);
    TEST_EQ_INT(item_calls, n);
    rewind(f);
    j = json_loadf(f, JSON_REJECT_DUPLICATES, &err);
    fclose(f);
    TEST_EQ_INT(json_array_size(json_object_get(j, "items")), n);
    TEST_EQ_INT(json_integer_value(
                    json_object_get(json_array_get(json_object_get(j, "items"), n - 1), "i")),
                n - 1);
    json_decref(j);

    file_w_init(&w, stdout);
    out_json_array(&w, 0, item, NULL);
    TEST_EQ_STR(sbuf_str(&w.b), "[]");
    file_w_destroy(&w);

    /* A full disk stops the array at the first failed write. */
    f = fopen("/dev/full", "w");
    TEST_CHECK(f != NULL);
    if (f) {
        setvbuf(f, NULL, _IONBF, 0);
        item_calls = 0;
        file_w_init(&w, f);
        TEST_EQ_INT(out_json_array(&w, n, item, NULL), -ENOSPC);
        TEST_CHECK(item_calls > 0 && item_calls < n);
        TEST_EQ_INT(file_w_finish(&w), -ENOSPC);
        fclose(f);
    }
}

static void test_cmp(void)
{
    const struct out_json_ratio r = {1.5, 1.25, NAN, 1e-12, 0.75};
    struct sbuf b;
    json_error_t err;
    json_t *j;

    sbuf_init(&b);
    sbuf_adds(&b, "{\"n\":1");
    out_json_comparison(&b, 3, &r, VERDICT_SLOWER);
    out_json_baseline(&b, &r, VERDICT_REGRESSION);
    sbuf_addc(&b, '}');
    TEST_EQ_STR(sbuf_str(&b),
                "{\"n\":1,\"comparison\":{\"reference\":3,\"vs\":{\"ratio\":1.5,\"ci\":[1.25,null],"
                "\"p\":1e-12,\"auc\":0.75,\"significant\":true}},\"baseline\":{\"ratio\":1.5,"
                "\"ci\":[1.25,null],\"p\":1e-12,\"auc\":0.75,\"significant\":true,"
                "\"regression\":true}}");
    j = json_loads(sbuf_str(&b), JSON_REJECT_DUPLICATES, &err);
    TEST_CHECK(j && json_is_true(json_object_get(json_object_get(j, "baseline"), "regression")));
    json_decref(j);
    sbuf_reset(&b);
    out_json_comparison(&b, 0, NULL, VERDICT_SAME);
    out_json_baseline(&b, NULL, VERDICT_SAME);
    TEST_EQ_STR(sbuf_str(&b), ",\"comparison\":null,\"baseline\":null");
    sbuf_reset(&b);
    out_json_baseline(&b, &r, VERDICT_SAME);
    TEST_CHECK(strstr(sbuf_str(&b), "\"significant\":false,\"regression\":false}") != NULL);
    sbuf_reset(&b);
    out_json_baseline(&b, &r, VERDICT_SLOWER);
    TEST_CHECK(strstr(sbuf_str(&b), "\"significant\":true,\"regression\":false}") != NULL);
    sbuf_destroy(&b);
}

void test_out_json(void)
{
    mkdir("out", 0755);
    test_scalars();
    test_strings();
    test_meta_members();
    test_array();
    test_cmp();
}
