/* Unit tests for the marshal encoder: bytes compared with CPython 3.12's marshal.dumps(x, 2).
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <stdint.h>

#include "suites.h"
#include "util_marshal.h"

static int same(const struct sbuf *b, const char *want, size_t n)
{
    return b->len == n && memcmp(b->buf, want, n) == 0;
}

#define SAME(b, lit) same(b, lit, sizeof(lit) - 1)

static void test_ints(void)
{
    static const struct {
        int64_t v;
        const char *bytes;
        size_t n;
    } cases[] = {
        {1, "\x69\x01\x00\x00\x00", 5},
        {-1, "\x69\xff\xff\xff\xff", 5},
        {INT32_MAX, "\x69\xff\xff\xff\x7f", 5},
        {INT32_MIN, "\x69\x00\x00\x00\x80", 5},
        {(int64_t)INT32_MAX + 1, "\x6c\x03\x00\x00\x00\x00\x00\x00\x00\x02\x00", 11},
        {-((int64_t)1 << 40), "\x6c\xfd\xff\xff\xff\x00\x00\x00\x00\x00\x04", 11},
        {INT64_MAX, "\x6c\x05\x00\x00\x00\xff\x7f\xff\x7f\xff\x7f\xff\x7f\x07\x00", 15},
        {INT64_MIN, "\x6c\xfb\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00", 15},
    };
    struct sbuf b;

    sbuf_init(&b);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sbuf_reset(&b);
        marshal_int(&b, cases[i].v);
        TEST_CHECK(same(&b, cases[i].bytes, cases[i].n));
    }
    sbuf_destroy(&b);
}

static void test_floats_strings(void)
{
    struct sbuf b;

    sbuf_init(&b);
    marshal_float(&b, 0.5);
    TEST_CHECK(SAME(&b, "\x67\x00\x00\x00\x00\x00\x00\xe0\x3f"));
    sbuf_reset(&b);
    marshal_float(&b, -1e300);
    TEST_CHECK(SAME(&b, "\x67\x9c\x75\x00\x88\x3c\xe4\x37\xfe"));
    sbuf_reset(&b);
    marshal_str(&b, "naïve_函数");
    TEST_CHECK(
        SAME(&b, "\x75\x0d\x00\x00\x00\x6e\x61\xc3\xaf\x76\x65\x5f\xe5\x87\xbd\xe6\x95\xb0"));
    /* invalid UTF-8: each bad byte becomes U+FFFD, as 'bad\ufffd\ufffdname' */
    sbuf_reset(&b);
    marshal_str(&b, "bad\xff\xc0name");
    TEST_CHECK(
        SAME(&b, "\x75\x0d\x00\x00\x00\x62\x61\x64\xef\xbf\xbd\xef\xbf\xbd\x6e\x61\x6d\x65"));
    sbuf_reset(&b);
    marshal_str(&b, "");
    TEST_CHECK(SAME(&b, "\x75\x00\x00\x00\x00"));
    sbuf_reset(&b);
    marshal_tuple(&b, 0);
    TEST_CHECK(SAME(&b, "\x28\x00\x00\x00\x00"));
    sbuf_destroy(&b);
}

/* {('a.py', 3, 'f'): (1, 2, 0.5, 1.5, {('~', 0, '<sleep>'): (1, 1, 0.25, 0.75)})} */
static void test_stats_shape(void)
{
    static const char want[] =
        "\x7b\x28\x03\x00\x00\x00\x75\x04\x00\x00\x00\x61\x2e\x70\x79\x69\x03\x00\x00\x00\x75\x01"
        "\x00\x00\x00\x66\x28\x05\x00\x00\x00\x69\x01\x00\x00\x00\x69\x02\x00\x00\x00\x67\x00\x00"
        "\x00\x00\x00\x00\xe0\x3f\x67\x00\x00\x00\x00\x00\x00\xf8\x3f\x7b\x28\x03\x00\x00\x00\x75"
        "\x01\x00\x00\x00\x7e\x69\x00\x00\x00\x00\x75\x07\x00\x00\x00\x3c\x73\x6c\x65\x65\x70\x3e"
        "\x28\x04\x00\x00\x00\x69\x01\x00\x00\x00\x69\x01\x00\x00\x00\x67\x00\x00\x00\x00\x00\x00"
        "\xd0\x3f\x67\x00\x00\x00\x00\x00\x00\xe8\x3f\x30\x30";
    struct sbuf b;

    sbuf_init(&b);
    marshal_dict_begin(&b);
    marshal_tuple(&b, 3);
    marshal_str(&b, "a.py");
    marshal_int(&b, 3);
    marshal_str(&b, "f");
    marshal_tuple(&b, 5);
    marshal_int(&b, 1);
    marshal_int(&b, 2);
    marshal_float(&b, 0.5);
    marshal_float(&b, 1.5);
    marshal_dict_begin(&b);
    marshal_tuple(&b, 3);
    marshal_str(&b, "~");
    marshal_int(&b, 0);
    marshal_str(&b, "<sleep>");
    marshal_tuple(&b, 4);
    marshal_int(&b, 1);
    marshal_int(&b, 1);
    marshal_float(&b, 0.25);
    marshal_float(&b, 0.75);
    marshal_dict_end(&b);
    marshal_dict_end(&b);
    TEST_CHECK(same(&b, want, sizeof(want) - 1));
    sbuf_destroy(&b);
}

void test_util_marshal(void)
{
    test_ints();
    test_floats_strings();
    test_stats_shape();
}
