/* Tests for py_linetable.c: real tables from CPython 3.8-3.13 (tests/fixtures/linetable_3.*.txt,
 * written by tests/fixtures/gen_linetables.py) and hand-made edge cases.
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "py_linetable.h"
#include "suites.h"

#define MAX_REPORTED 5 /* mismatches printed per fixture file */

/* The code object a fixture is currently describing. */
struct fixture_code {
    enum py_linetable_kind kind;
    int firstlineno;
    char name[128];
    uint8_t *tab; /* malloc'd */
    size_t len;
};

/* Per-file totals. */
struct fixture_stats {
    long pairs;      /* (addr, line) pairs checked */
    long mismatches; /* pairs where the decoder disagreed */
    long codes;      /* code objects */
    long bad_lines;  /* lines that did not parse */
};

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decode the hex string s into a malloc'd buffer. Returns 0, or -1 on bad hex. */
static int hex_decode(const char *s, uint8_t **out, size_t *len)
{
    size_t n = strcspn(s, " \t\r");
    uint8_t *buf;

    *out = NULL;
    *len = 0;
    if (strncmp(s, "-", n) == 0 && n == 1)
        return 0;
    if (n % 2)
        return -1;
    buf = malloc(n / 2 + 1);
    if (!buf)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(buf);
            return -1;
        }
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    *out = buf;
    *len = n / 2;
    return 0;
}

/* Parse "code KIND FIRSTLINENO NAME HEX" into c. Returns 0, or -1 when malformed. */
static int parse_code(const char *line, struct fixture_code *c)
{
    char kind[16];
    int off = 0;

    free(c->tab);
    c->tab = NULL;
    if (sscanf(line, "code %15s %d %127s %n", kind, &c->firstlineno, c->name, &off) != 3 || !off)
        return -1;
    if (strcmp(kind, "lnotab") == 0)
        c->kind = PY_LINETABLE_LNOTAB;
    else if (strcmp(kind, "310") == 0)
        c->kind = PY_LINETABLE_310;
    else if (strcmp(kind, "311") == 0)
        c->kind = PY_LINETABLE_311;
    else
        return -1;
    return hex_decode(line + off, &c->tab, &c->len);
}

/* Check "r START END LINE" against the decoder. Returns 0, or -1 when malformed. */
static int check_range(const char *line, const struct fixture_code *c, const char *path,
                       struct fixture_stats *st)
{
    int start, end, want;

    if (sscanf(line, "r %d %d %d", &start, &end, &want) != 3 || start < 0 || end < start)
        return -1;
    for (int addr = start; addr < end; addr++) {
        int got = py_linetable_line(c->kind, c->tab, c->len, c->firstlineno, addr);
        st->pairs++;
        if (got == want)
            continue;
        if (st->mismatches++ < MAX_REPORTED)
            fprintf(stderr, "MISMATCH %s: %s firstlineno %d addr %d: got %d, want %d\n", path,
                    c->name, c->firstlineno, addr, got, want);
    }
    return 0;
}

static void check_fixture(const char *path)
{
    struct fixture_code c = {0};
    struct fixture_stats st = {0};
    size_t len;
    char *buf = test_read_fixture(path, &len);
    int have_code = 0;

    if (!buf)
        return;
    for (char *line = buf, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == 'c') {
            have_code = parse_code(line, &c) == 0;
            st.codes++;
            st.bad_lines += !have_code;
        } else if (line[0] == 'r') {
            st.bad_lines += !have_code || check_range(line, &c, path, &st) < 0;
        }
    }
    free(c.tab);
    free(buf);
    TEST_EQ_INT(st.bad_lines, 0);
    TEST_EQ_INT(st.mismatches, 0);
    TEST_CHECK(st.pairs > 1000);
    TEST_CHECK(st.codes > 100);
}

/* Hand-made tables, one format at a time. */
static void test_lnotab_cases(void)
{
    /* +6 bytes +1 line, +255 bytes +0, +10 bytes -3 lines, +0 bytes +127 lines */
    static const uint8_t t[] = {6, 1, 255, 0, 10, 0xfd, 0, 127};

    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_LNOTAB, t, sizeof(t), 50, -1), 50);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_LNOTAB, t, sizeof(t), 50, 0), 50);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_LNOTAB, t, sizeof(t), 50, 5), 50);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_LNOTAB, t, sizeof(t), 50, 6), 51);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_LNOTAB, t, sizeof(t), 50, 270), 51);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_LNOTAB, t, sizeof(t), 50, 271), 175);
    /* co_lnotab has no end: addresses after the last pair keep the last line */
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_LNOTAB, t, sizeof(t), 50, 100000), 175);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_LNOTAB, NULL, 0, 7, 4), 7);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_LNOTAB, t, 1, 7, 4), 7);       /* odd byte ignored */
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_LNOTAB, t + 4, 2, 2, 10), -1); /* line < 0 */
}

static void test_310_cases(void)
{
    /* 4 bytes +0, 0 bytes +2, 6 bytes no line, 2 bytes -1 (from 52, not from "no line") */
    static const uint8_t t[] = {4, 0, 0, 2, 6, 0x80, 2, 0xff};

    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_310, t, sizeof(t), 50, -2), 50);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_310, t, sizeof(t), 50, 3), 50);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_310, t, sizeof(t), 50, 4), -1);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_310, t, sizeof(t), 50, 9), -1);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_310, t, sizeof(t), 50, 10), 51);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_310, t, sizeof(t), 50, 11), 51);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_310, t, sizeof(t), 50, 12), -1); /* past end */
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_310, NULL, 0, 50, 0), -1);
    TEST_EQ_INT(py_linetable_line(PY_LINETABLE_310, t, sizeof(t) - 1, 50, 10), -1); /* cut */
}

static void test_311_cases(void)
{
    /* clang-format off */
    static const uint8_t t[] = {
        0x80 | 0 << 3 | 1,  0x12,          /* [0,2) short form: line +0 */
        0x80 | 11 << 3 | 0, 4, 9,          /* [2,3) one-line form: line +1 */
        0x80 | 15 << 3 | 3,                /* [3,7) no location */
        0x80 | 13 << 3 | 0, 0x45, 1,       /* [7,8) no column: svarint 5 | 1 << 6 = 69: -34 */
        0x80 | 14 << 3 | 7, 0x48, 4,       /* [8,16) long form: svarint 8 | 4 << 6 = 264: +132 */
        2, 0x41, 0, 3,                     /* end line delta, column + 1 (2 bytes), end column + 1 */
    };
    /* clang-format on */
    const enum py_linetable_kind k = PY_LINETABLE_311;

    TEST_EQ_INT(py_linetable_line(k, t, sizeof(t), 100, -1), 100);
    TEST_EQ_INT(py_linetable_line(k, t, sizeof(t), 100, 0), 100);
    TEST_EQ_INT(py_linetable_line(k, t, sizeof(t), 100, 1), 100);
    TEST_EQ_INT(py_linetable_line(k, t, sizeof(t), 100, 2), 101);
    TEST_EQ_INT(py_linetable_line(k, t, sizeof(t), 100, 3), -1);
    TEST_EQ_INT(py_linetable_line(k, t, sizeof(t), 100, 6), -1);
    TEST_EQ_INT(py_linetable_line(k, t, sizeof(t), 100, 7), 101 - 34);       /* varint 69 */
    TEST_EQ_INT(py_linetable_line(k, t, sizeof(t), 100, 8), 101 - 34 + 132); /* varint 264 */
    TEST_EQ_INT(py_linetable_line(k, t, sizeof(t), 100, 15), 101 - 34 + 132);
    TEST_EQ_INT(py_linetable_line(k, t, sizeof(t), 100, 16), -1); /* past the end */
    TEST_EQ_INT(py_linetable_line(k, NULL, 0, 100, 0), -1);
    TEST_EQ_INT(py_linetable_line(k, t, 0, 100, 0), -1);
    /* truncated: varint cut after a continuation byte, entry header only, columns missing */
    TEST_EQ_INT(py_linetable_line(k, t, 8, 100, 7), -1);
    TEST_EQ_INT(py_linetable_line(k, t, 8, 100, 2), 101); /* earlier entries still decode */
    TEST_EQ_INT(py_linetable_line(k, t, 9, 100, 7), 67);
    TEST_EQ_INT(py_linetable_line(k, t, 10, 100, 8), -1);
    TEST_EQ_INT(py_linetable_line(k, t, sizeof(t) - 1, 100, 8), -1);
    TEST_EQ_INT(py_linetable_line(k, t, 1, 100, 0), -1); /* short form without its byte */
    TEST_EQ_INT(py_linetable_line(k, t + 1, sizeof(t) - 1, 100, 0), -1); /* no start bit */
}

void test_py_linetable(void)
{
    static const char *const versions[] = {"3.8", "3.9", "3.10", "3.11", "3.12", "3.13"};
    char path[64];

    test_lnotab_cases();
    test_310_cases();
    test_311_cases();
    TEST_EQ_INT(py_linetable_line((enum py_linetable_kind)7, NULL, 0, 3, 0), -1);
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        snprintf(path, sizeof(path), "fixtures/linetable_%s.txt", versions[i]);
        check_fixture(path);
    }
}
