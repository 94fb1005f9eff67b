/* Minimal unit-test helpers (in the spirit of Redis's testhelp.h).
 * SPDX-License-Identifier: MIT */
#ifndef TEST_H
#define TEST_H

#include <stdio.h>
#include <string.h>

extern int test_passed, test_failed;

/* Record one check; print the failing expression with its place. */
#define TEST_CHECK(cond)                                                    \
    do {                                                                    \
        if (cond) {                                                         \
            test_passed++;                                                  \
        } else {                                                            \
            test_failed++;                                                  \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                   \
    } while (0)

/* Compare two integers (as long long) and print both on failure. */
#define TEST_EQ_INT(a, b)                                                                        \
    do {                                                                                         \
        long long ta_ = (long long)(a), tb_ = (long long)(b);                                    \
        if (ta_ == tb_) {                                                                        \
            test_passed++;                                                                       \
        } else {                                                                                 \
            test_failed++;                                                                       \
            fprintf(stderr, "FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, #a, #b, \
                    ta_, tb_);                                                                   \
        }                                                                                        \
    } while (0)

/* Compare two C strings and print both on failure. */
#define TEST_EQ_STR(a, b)                                                                        \
    do {                                                                                         \
        const char *ta_ = (a), *tb_ = (b);                                                       \
        if (ta_ && tb_ && strcmp(ta_, tb_) == 0) {                                               \
            test_passed++;                                                                       \
        } else {                                                                                 \
            test_failed++;                                                                       \
            fprintf(stderr, "FAIL %s:%d: %s == %s (\"%s\" != \"%s\")\n", __FILE__, __LINE__, #a, \
                    #b, ta_ ? ta_ : "(null)", tb_ ? tb_ : "(null)");                             \
        }                                                                                        \
    } while (0)

/* Read a whole fixture file (path relative to tests/) into a malloc'd, NUL-terminated buffer.
 * Returns NULL (and counts a failure) when it cannot be read. Caller frees. */
char *test_read_fixture(const char *path, size_t *len);

#endif
