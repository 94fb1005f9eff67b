/* Unit tests for py_str: str headers built by hand for the 3.8 layout (data at 48 / 72), the
 * 3.12+ layout (40 / 56) and the 3.14t state bits; UTF-8 conversion; reads through a snapshot.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "py_offsets.h"
#include "py_str.h"
#include "suites.h"
#include "target.h"
#include "test.h"

#define V38  0x030812f0u
#define V312 0x030c01f0u

/* Build a str object into buf (zeroed first): header of layout o, then nbytes of data. kind is
 * 1, 2 or 4; ascii and compact are the state bits. Returns the object's size. */
static size_t make_str(const struct py_offsets *o, unsigned char *buf, unsigned kind, int ascii,
                       int compact, int64_t length, const void *data, size_t nbytes)
{
    uint32_t state = kind << o->u_kind_shift | (uint32_t)compact << o->u_compact_bit |
                     (uint32_t)ascii << o->u_ascii_bit;
    uint32_t off = ascii ? o->u_ascii_size : o->u_compact_size;

    memset(buf, 0, off);
    memcpy(buf + o->u_length, &length, sizeof(length));
    memcpy(buf + o->u_state, &state, sizeof(state));
    if (nbytes)
        memcpy(buf + off, data, nbytes);
    memset(buf + off + nbytes, 0, 4); /* the terminating NUL CPython stores */
    return off + nbytes + kind;
}

/* Layout and conversion of one hand-built string; returns the UTF-8 in out. */
static int decode(const struct py_offsets *o, const unsigned char *obj, char *out, size_t cap)
{
    uint32_t off, length;
    unsigned kind;
    int err = py_str_layout(o, obj, o->u_compact_size, &off, &kind, &length);

    if (err)
        return err;
    py_str_to_utf8(obj + off, kind, length, out, cap);
    return 0;
}

static void check_layouts(const struct py_offsets *o)
{
    static const uint16_t ucs2[] = {0x51fd, 0x6570};          /* 函数 */
    static const uint32_t ucs4[] = {0x1f600, 0x41, 0x10ffff}; /* 😀 A U+10FFFF */
    unsigned char obj[256];
    char out[64];
    uint32_t off, length;
    unsigned kind;

    make_str(o, obj, 1, 1, 1, 5, "hello", 5);
    TEST_EQ_INT(py_str_layout(o, obj, o->u_compact_size, &off, &kind, &length), 0);
    TEST_EQ_INT(off, o->u_ascii_size);
    TEST_EQ_INT(kind, 1);
    TEST_EQ_INT(length, 5);
    TEST_EQ_INT(decode(o, obj, out, sizeof(out)), 0);
    TEST_EQ_STR(out, "hello");

    make_str(o, obj, 1, 0, 1, 4, "caf\xe9", 4); /* Latin-1 */
    TEST_EQ_INT(py_str_layout(o, obj, o->u_compact_size, &off, &kind, &length), 0);
    TEST_EQ_INT(off, o->u_compact_size);
    TEST_EQ_INT(kind, 1);
    TEST_EQ_INT(decode(o, obj, out, sizeof(out)), 0);
    TEST_EQ_STR(out, "caf\xc3\xa9");

    make_str(o, obj, 2, 0, 1, 2, ucs2, sizeof(ucs2));
    TEST_EQ_INT(py_str_layout(o, obj, o->u_compact_size, &off, &kind, &length), 0);
    TEST_EQ_INT(off, o->u_compact_size);
    TEST_EQ_INT(kind, 2);
    TEST_EQ_INT(length, 2);
    TEST_EQ_INT(decode(o, obj, out, sizeof(out)), 0);
    TEST_EQ_STR(out, "\xe5\x87\xbd\xe6\x95\xb0");

    make_str(o, obj, 4, 0, 1, 3, ucs4, sizeof(ucs4));
    TEST_EQ_INT(decode(o, obj, out, sizeof(out)), 0);
    TEST_EQ_STR(out, "\xf0\x9f\x98\x80"
                     "A\xf4\x8f\xbf\xbf");

    make_str(o, obj, 1, 1, 1, 0, "", 0); /* empty */
    TEST_EQ_INT(decode(o, obj, out, sizeof(out)), 0);
    TEST_EQ_STR(out, "");
}

static void check_bad_headers(const struct py_offsets *o)
{
    unsigned char obj[256];
    uint32_t off = 77, length = 77;
    unsigned kind = 77;

    make_str(o, obj, 1, 1, 0, 5, "hello", 5); /* not compact (legacy) */
    TEST_EQ_INT(py_str_layout(o, obj, o->u_compact_size, &off, &kind, &length), -EINVAL);
    make_str(o, obj, 2, 1, 1, 1, "ab", 2); /* ascii but 2 bytes per char */
    TEST_EQ_INT(py_str_layout(o, obj, o->u_compact_size, &off, &kind, &length), -EINVAL);
    for (unsigned k = 0; k < 8; k++) {
        if (k == 1 || k == 2 || k == 4)
            continue;
        make_str(o, obj, k, 0, 1, 1, "abcd", 4);
        TEST_EQ_INT(py_str_layout(o, obj, o->u_compact_size, &off, &kind, &length), -EINVAL);
    }
    make_str(o, obj, 1, 1, 1, -1, "", 0);
    TEST_EQ_INT(py_str_layout(o, obj, o->u_compact_size, &off, &kind, &length), -EINVAL);
    make_str(o, obj, 1, 1, 1, INT64_MIN, "", 0);
    TEST_EQ_INT(py_str_layout(o, obj, o->u_compact_size, &off, &kind, &length), -EINVAL);
    /* A header shorter than sizeof(PyCompactUnicodeObject). */
    make_str(o, obj, 1, 1, 1, 2, "ab", 2);
    TEST_EQ_INT(py_str_layout(o, obj, o->u_compact_size - 1, &off, &kind, &length), -EINVAL);
    TEST_EQ_INT(py_str_layout(o, obj, 0, &off, &kind, &length), -EINVAL);
    /* Out-parameters are written only on success. */
    TEST_CHECK(off == 77 && kind == 77 && length == 77);
    /* A huge length is capped. */
    make_str(o, obj, 4, 0, 1, INT64_MAX, "", 0);
    TEST_EQ_INT(py_str_layout(o, obj, o->u_compact_size, &off, &kind, &length), 0);
    TEST_EQ_INT(length, PY_STR_MAX_CHARS);
    make_str(o, obj, 1, 1, 1, PY_STR_MAX_CHARS + 1, "", 0);
    TEST_EQ_INT(py_str_layout(o, obj, o->u_compact_size, &off, &kind, &length), 0);
    TEST_EQ_INT(length, PY_STR_MAX_CHARS);
    make_str(o, obj, 1, 1, 1, PY_STR_MAX_CHARS, "", 0);
    TEST_EQ_INT(py_str_layout(o, obj, o->u_compact_size, &off, &kind, &length), 0);
    TEST_EQ_INT(length, PY_STR_MAX_CHARS);
}

static void test_layout_38(void)
{
    struct py_offsets o;

    TEST_EQ_INT(py_offsets_for_version(V38, &o), 0);
    TEST_EQ_INT(o.u_ascii_size, 48);
    TEST_EQ_INT(o.u_compact_size, 72);
    check_layouts(&o);
    check_bad_headers(&o);
}

static void test_layout_312(void)
{
    struct py_offsets o;

    TEST_EQ_INT(py_offsets_for_version(V312, &o), 0);
    TEST_EQ_INT(o.u_ascii_size, 40);
    TEST_EQ_INT(o.u_compact_size, 56);
    check_layouts(&o);
    check_bad_headers(&o);
}

/* 3.14t: a 32-byte object header and a whole byte for "interned" (docs/cpython.md §8, §13). */
static void test_layout_314t(void)
{
    struct py_offsets o;
    unsigned char obj[256];
    uint32_t off, length, state;
    unsigned kind;

    TEST_EQ_INT(py_offsets_for_version(V312, &o), 0);
    o.u_length = 32;
    o.u_state = 48;
    o.u_ascii_size = 56;
    o.u_compact_size = 72;
    o.u_kind_shift = 8;
    o.u_compact_bit = 11;
    o.u_ascii_bit = 12;
    check_layouts(&o);
    check_bad_headers(&o);
    /* The 3.12 bit positions read as garbage here: an interned (0xff) statically allocated
     * ASCII str has kind 1, compact and ascii only in the 3.14t positions. */
    make_str(&o, obj, 1, 1, 1, 3, "abc", 3);
    memcpy(&state, obj + 48, 4);
    state |= 0xff | 1u << 13;
    memcpy(obj + 48, &state, 4);
    TEST_EQ_INT(py_str_layout(&o, obj, 72, &off, &kind, &length), 0);
    TEST_CHECK(off == 56 && kind == 1 && length == 3);
}

static void test_utf8(void)
{
    static const uint16_t surr[] = {'a', 0xd800, 'b', 0xdfff, 0xfffd};
    static const uint32_t wide[] = {0xd83d, 0xde00, 0x110000, 0xffffffff, 0x7f, 0x80, 0x7ff, 0x800};
    static const uint16_t han[] = {0x51fd, 0x6570};
    char out[64];

    /* Lone surrogates and code points past U+10FFFF become U+FFFD. */
    TEST_EQ_INT(py_str_to_utf8((const unsigned char *)surr, 2, 5, out, sizeof(out)), 11);
    TEST_EQ_STR(out, "a\xef\xbf\xbd"
                     "b\xef\xbf\xbd\xef\xbf\xbd");
    TEST_EQ_INT(py_str_to_utf8((const unsigned char *)wide, 4, 8, out, sizeof(out)), 20);
    TEST_EQ_STR(out, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                     "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80");
    /* Latin-1 above 0x7f takes two bytes. */
    TEST_EQ_INT(py_str_to_utf8((const unsigned char *)"\xff\xa0", 1, 2, out, sizeof(out)), 4);
    TEST_EQ_STR(out, "\xc3\xbf\xc2\xa0");

    /* Too small a buffer: cut at a character boundary, always NUL-terminated. */
    memset(out, 'x', sizeof(out));
    TEST_EQ_INT(py_str_to_utf8((const unsigned char *)han, 2, 2, out, 7), 6);
    TEST_EQ_STR(out, "\xe5\x87\xbd\xe6\x95\xb0");
    TEST_EQ_INT(py_str_to_utf8((const unsigned char *)han, 2, 2, out, 6), 3);
    TEST_EQ_STR(out, "\xe5\x87\xbd");
    TEST_EQ_INT(py_str_to_utf8((const unsigned char *)han, 2, 2, out, 4), 3);
    TEST_EQ_STR(out, "\xe5\x87\xbd");
    TEST_EQ_INT(py_str_to_utf8((const unsigned char *)han, 2, 2, out, 3), 0);
    TEST_EQ_STR(out, "");
    TEST_EQ_INT(py_str_to_utf8((const unsigned char *)"abc", 1, 3, out, 1), 0);
    TEST_EQ_STR(out, "");
    TEST_EQ_INT(py_str_to_utf8((const unsigned char *)"abc", 1, 3, out, 3), 2);
    TEST_EQ_STR(out, "ab");
    out[0] = 'x';
    TEST_EQ_INT(py_str_to_utf8((const unsigned char *)"abc", 1, 3, out, 0), 0);
    TEST_CHECK(out[0] == 'x'); /* cap 0: nothing written */
    TEST_EQ_INT(py_str_to_utf8((const unsigned char *)"", 1, 0, out, 8), 0);
    TEST_EQ_STR(out, "");
}

/* py_str_read: str objects placed in a snapshot target. */
static void test_read_snapshot(void)
{
    static const uint16_t ucs2[] = {'K', '.', 0x51fd, 0x6570};
    struct py_offsets o;
    struct target *t = target_snapshot_new();
    unsigned char obj[8192];
    size_t n;
    char *s;

    TEST_EQ_INT(py_offsets_for_version(V312, &o), 0);
    n = make_str(&o, obj, 1, 1, 1, 6, "app.py", 6);
    target_snapshot_add(t, 0x10000, obj, n + 16);
    n = make_str(&o, obj, 2, 0, 1, 4, ucs2, sizeof(ucs2));
    target_snapshot_add(t, 0x20000, obj, n);
    n = make_str(&o, obj, 1, 1, 1, 0, "", 0);
    target_snapshot_add(t, 0x30000, obj, n + 16);
    n = make_str(&o, obj, 3, 0, 1, 1, "abcd", 4); /* kind 3: not a str */
    target_snapshot_add(t, 0x40000, obj, n);
    n = make_str(&o, obj, 1, 1, 1, 100, "short", 5); /* data cut short by the mapping */
    target_snapshot_add(t, 0x50000, obj, o.u_ascii_size + 50);
    make_str(&o, obj, 1, 1, 1, 5000, NULL, 0); /* longer than PY_STR_MAX_CHARS */
    memset(obj + o.u_ascii_size, 'z', sizeof(obj) - o.u_ascii_size);
    target_snapshot_add(t, 0x60000, obj, sizeof(obj));

    s = py_str_read(t, &o, 0x10000);
    TEST_EQ_STR(s, "app.py");
    free(s);
    s = py_str_read(t, &o, 0x20000);
    TEST_EQ_STR(s, "K.\xe5\x87\xbd\xe6\x95\xb0");
    free(s);
    s = py_str_read(t, &o, 0x30000);
    TEST_EQ_STR(s, "");
    free(s);
    s = py_str_read(t, &o, 0x60000);
    TEST_CHECK(s && strlen(s) == PY_STR_MAX_CHARS && s[0] == 'z');
    free(s);
    TEST_CHECK(py_str_read(t, &o, 0x40000) == NULL);
    TEST_CHECK(py_str_read(t, &o, 0x50000) == NULL);
    TEST_CHECK(py_str_read(t, &o, 0) == NULL);
    TEST_CHECK(py_str_read(t, &o, 0x70000) == NULL); /* unmapped */
    target_free(t);
}

/* py_str_read_buf: the same reads into a caller's buffer, cut at a character boundary, with the
 * object's type checked when asked. */
static void test_read_buf(void)
{
    static const uint16_t ucs2[] = {'K', '.', 0x51fd, 0x6570};
    struct py_offsets o;
    struct target *t = target_snapshot_new();
    unsigned char obj[8192];
    uint64_t type = 0x7f00001000;
    char buf[16];
    size_t n;

    TEST_EQ_INT(py_offsets_for_version(V38, &o), 0);
    n = make_str(&o, obj, 2, 0, 1, 4, ucs2, sizeof(ucs2));
    memcpy(obj + o.ob_type, &type, 8);
    target_snapshot_add(t, 0x10000, obj, n);
    make_str(&o, obj, 1, 1, 1, 5000, NULL, 0);
    memset(obj + o.u_ascii_size, 'z', sizeof(obj) - o.u_ascii_size);
    target_snapshot_add(t, 0x20000, obj, sizeof(obj));
    n = make_str(&o, obj, 1, 1, 1, 100, "short", 5); /* data cut short by the mapping */
    target_snapshot_add(t, 0x30000, obj, o.u_ascii_size + 50);

    TEST_EQ_INT(py_str_read_buf(t, &o, 0x10000, 0, buf, sizeof(buf)), 0);
    TEST_EQ_STR(buf, "K.\xe5\x87\xbd\xe6\x95\xb0");
    TEST_EQ_INT(py_str_read_buf(t, &o, 0x10000, type, buf, sizeof(buf)), 0);
    TEST_EQ_INT(py_str_read_buf(t, &o, 0x10000, type + 8, buf, sizeof(buf)), -EINVAL);
    TEST_EQ_STR(buf, "");
    /* 7 bytes of room: "K." and one 3-byte character; never half of one. */
    TEST_EQ_INT(py_str_read_buf(t, &o, 0x10000, 0, buf, 7), 0);
    TEST_EQ_STR(buf, "K.\xe5\x87\xbd");
    TEST_EQ_INT(py_str_read_buf(t, &o, 0x10000, 0, buf, 1), 0);
    TEST_EQ_STR(buf, "");
    TEST_EQ_INT(py_str_read_buf(t, &o, 0x10000, 0, buf, 0), -EINVAL);
    TEST_EQ_INT(py_str_read_buf(t, &o, 0x20000, 0, buf, sizeof(buf)), 0);
    TEST_CHECK(strlen(buf) == sizeof(buf) - 1 && buf[0] == 'z');
    TEST_EQ_INT(py_str_read_buf(t, &o, 0x30000, 0, buf, sizeof(buf)), 0); /* only 15 needed */
    TEST_EQ_INT(py_str_read_buf(t, &o, 0x30000, 0, buf, 128), -EFAULT);
    TEST_EQ_INT(py_str_read_buf(t, &o, 0x70000, 0, buf, sizeof(buf)), -EFAULT);
    TEST_EQ_INT(py_str_read_buf(t, &o, 0, 0, buf, sizeof(buf)), -EINVAL);
    target_free(t);
}

/* A target whose _Py_DebugOffsets give unicode_object.length = 0xfffffffc is refused (once,
 * the 32-bit bound check "o->u_length + 8 > hdr_len" wrapped and read 4 GiB past hdr[128]);
 * and py_str_layout itself bounds such an offset. */
static void test_hostile(void)
{
    struct py_offsets o;
    unsigned char hdr[128];
    uint64_t bad = 0xfffffffc;
    uint32_t off, length;
    unsigned kind;
    size_t len;
    char *debug = test_read_fixture("fixtures/debug_offsets_3.13.0.bin", &len);

    if (!debug || len < 584) {
        free(debug);
        return;
    }
    memcpy(debug + 552, &bad, sizeof(bad));
    TEST_EQ_INT(py_offsets_from_debug(debug, len, &o), -EINVAL);
    TEST_EQ_INT(py_offsets_for_version(0x030c01f0, &o), 0);
    o.u_length = 0xfffffffc;
    memset(hdr, 0, sizeof(hdr));
    TEST_EQ_INT(py_str_layout(&o, hdr, sizeof(hdr), &off, &kind, &length), -EINVAL);
    free(debug);
}

void test_py_str(void)
{
    test_layout_38();
    test_layout_312();
    test_layout_314t();
    test_utf8();
    test_read_snapshot();
    test_read_buf();
    test_hostile();
}
