/* Unit tests for the protobuf encoder: the standard byte vectors of docs/formats.md §4 and
 * the varint edges.
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <stdint.h>

#include "suites.h"
#include "util_pb.h"

/* 1 when b holds exactly the n bytes of want. */
static int same(const struct sbuf *b, const char *want, size_t n)
{
    return b->len == n && (n == 0 || memcmp(b->buf, want, n) == 0);
}

#define SAME(b, lit) same(b, lit, sizeof(lit) - 1)

static void test_varints(void)
{
    static const struct {
        uint64_t v;
        const char *bytes;
        size_t n;
    } cases[] = {
        {0, "\x00", 1},
        {1, "\x01", 1},
        {127, "\x7f", 1},
        {128, "\x80\x01", 2},
        {150, "\x96\x01", 2},
        {300, "\xac\x02", 2},
        {16383, "\xff\x7f", 2},
        {16384, "\x80\x80\x01", 3},
        {UINT32_MAX, "\xff\xff\xff\xff\x0f", 5},
        {UINT64_MAX, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10},
    };
    struct sbuf b;

    sbuf_init(&b);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sbuf_reset(&b);
        pb_varint(&b, cases[i].v);
        TEST_CHECK(same(&b, cases[i].bytes, cases[i].n));
        TEST_EQ_INT(pb_varint_len(cases[i].v), cases[i].n);
    }
    sbuf_destroy(&b);
}

static void test_fields(void)
{
    struct sbuf b;
    static const uint64_t packed[] = {3, 270, 86942};

    sbuf_init(&b);
    /* message Test1 { int32 a = 1; } with a = 150 */
    pb_uint(&b, 1, 150);
    TEST_CHECK(SAME(&b, "\x08\x96\x01"));
    /* message Test2 { string b = 2; } with b = "testing" */
    sbuf_reset(&b);
    pb_bytes(&b, 2, "testing", 7);
    TEST_CHECK(SAME(&b, "\x12\x07\x74\x65\x73\x74\x69\x6e\x67"));
    /* message Test5 { repeated int32 f = 6 [packed = true]; } with 3, 270, 86942 */
    sbuf_reset(&b);
    pb_packed(&b, 6, packed, 3);
    TEST_CHECK(SAME(&b, "\x32\x06\x03\x8e\x02\x9e\xa7\x05"));
    /* nothing for an empty packed field */
    sbuf_reset(&b);
    pb_packed(&b, 6, packed, 0);
    TEST_EQ_INT(b.len, 0);
    /* int64 -1: ten bytes, two's complement */
    sbuf_reset(&b);
    pb_int(&b, 2, -1);
    TEST_CHECK(SAME(&b, "\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"));
    /* an empty string and a field number that needs a two-byte tag */
    sbuf_reset(&b);
    pb_bytes(&b, 6, "", 0);
    pb_tag(&b, 16, PB_VARINT);
    pb_tag(&b, 1, PB_I64);
    pb_tag(&b, 1, PB_I32);
    TEST_CHECK(SAME(&b, "\x32\x00\x80\x01\x09\x0d"));
    sbuf_destroy(&b);
}

void test_util_pb(void)
{
    test_varints();
    test_fields();
}
