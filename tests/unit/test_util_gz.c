/* Unit tests for the gzip stream writer (inflated back with zlib, header checked against
 * docs/formats.md §6, a full disk) and for the id map.
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "suites.h"
#include "util_gz.h"
#include "util_idmap.h"
#include "util_xalloc.h"

/* Gunzip n bytes of in; returns the bytes (caller frees) and their count, or NULL. */
static unsigned char *gunzip(const unsigned char *in, size_t n, size_t *out_len)
{
    z_stream z;
    size_t cap = 1 << 20;
    unsigned char *out = xmalloc(cap);
    int rc;

    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        free(out);
        return NULL;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    do {
        if (z.total_out == cap) {
            cap *= 2;
            out = xrealloc(out, cap);
        }
        z.next_out = out + z.total_out;
        z.avail_out = (uInt)(cap - z.total_out);
        rc = inflate(&z, Z_NO_FLUSH);
    } while (rc == Z_OK);
    *out_len = z.total_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END || z.avail_in != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static void test_roundtrip(void)
{
    char *buf = NULL;
    size_t len = 0, n = 0;
    FILE *f = open_memstream(&buf, &len);
    struct gz g;
    struct sbuf b;
    int err = 0;

    sbuf_init(&b);
    gz_init(&g, f);
    /* 3 MB in pieces, compressible and not: the output is written in many chunks */
    uint64_t x = 88172645463325252ULL;
    size_t most_in = 0, most_out = 0;
    for (int piece = 0; piece < 300 && !err; piece++) {
        /* pieces 3k and 3k+1 appended to g.in and spilled; 3k+2 given whole, after g.in */
        struct sbuf *to = piece % 3 == 2 ? &b : &g.in;
        for (int i = 0; i < 10000; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            sbuf_addc(to, piece % 2 ? (char)(x & 0xff) : (char)('a' + i % 7));
        }
        if (to == &b) {
            err = gz_put(&g, &b);
            TEST_EQ_INT(b.len, 0);
            TEST_EQ_INT(g.in.len, 0);
        } else {
            err = gz_spill(&g);
        }
        most_in = g.in.len > most_in ? g.in.len : most_in;
        most_out = g.out.b.cap > most_out ? g.out.b.cap : most_out;
    }
    TEST_EQ_INT(err, 0);
    TEST_CHECK(most_in < FILE_W_SPILL); /* spilled once it reached the threshold */
    TEST_CHECK(most_out <= 4 * FILE_W_SPILL);
    TEST_EQ_INT(gz_finish(&g), 0);
    gz_destroy(&g);
    fclose(f);
    /* gzip header (docs/formats.md §6): magic, deflate, no flags, mtime 0 */
    TEST_CHECK(len > 10 && memcmp(buf, "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8) == 0);
    unsigned char *plain = gunzip((unsigned char *)buf, len, &n);
    TEST_CHECK(plain != NULL);
    TEST_EQ_INT(n, 3000000);
    x = 88172645463325252ULL;
    int equal = plain != NULL && n == 3000000;
    for (size_t k = 0; equal && k < n; k++) {
        int piece = (int)(k / 10000), i = (int)(k % 10000);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned char want = piece % 2 ? (unsigned char)(x & 0xff) : (unsigned char)('a' + i % 7);
        equal = plain[k] == want;
    }
    TEST_CHECK(equal);
    free(plain);
    free(buf);
    sbuf_destroy(&b);
}

static void test_empty_and_full(void)
{
    char *buf = NULL;
    size_t len = 0, n = 0;
    FILE *f = open_memstream(&buf, &len);
    struct gz g;

    gz_init(&g, f);
    TEST_EQ_INT(gz_finish(&g), 0);
    gz_destroy(&g);
    fclose(f);
    unsigned char *plain = gunzip((unsigned char *)buf, len, &n);
    TEST_CHECK(plain != NULL && n == 0);
    free(plain);
    free(buf);

    /* a full disk: the first failed write is reported, later calls keep it */
    f = fopen("/dev/full", "w");
    TEST_CHECK(f != NULL);
    if (!f)
        return;
    setvbuf(f, NULL, _IONBF, 0);
    struct sbuf b;
    sbuf_init(&b);
    sbuf_adds(&b, "hello");
    gz_init(&g, f);
    int err = gz_put(&g, &b);
    if (!err)
        err = gz_finish(&g);
    TEST_EQ_INT(err, -ENOSPC);
    TEST_EQ_INT(gz_finish(&g), -ENOSPC);
    gz_destroy(&g);
    fclose(f);
    sbuf_destroy(&b);
}

static void test_idmap(void)
{
    struct idmap m;
    int added = -1, ok = 1;

    idmap_init(&m);
    TEST_EQ_INT(idmap_get(&m, 42, &added), 0);
    TEST_EQ_INT(added, 1);
    TEST_EQ_INT(idmap_get(&m, 0, &added), 1);
    TEST_EQ_INT(idmap_get(&m, UINT64_MAX, NULL), 2);
    TEST_EQ_INT(idmap_get(&m, 42, &added), 0);
    TEST_EQ_INT(added, 0);
    /* through several growths: ids stay dense and stable */
    for (uint64_t k = 0; k < 100000; k++)
        idmap_get(&m, k << 32 | 7, NULL);
    TEST_EQ_INT(m.n, 100003);
    for (uint64_t k = 0; k < 100000 && ok; k++)
        ok = idmap_get(&m, k << 32 | 7, &added) == (uint32_t)k + 3 && added == 0;
    TEST_CHECK(ok);
    TEST_EQ_INT(idmap_get(&m, UINT64_MAX, NULL), 2);
    idmap_destroy(&m);
}

void test_util_gz(void)
{
    test_roundtrip();
    test_empty_and_full();
    test_idmap();
}
