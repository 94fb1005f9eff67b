/* libFuzzer harness for py_elf_find_version(): never reads past the buffer or writes past out;
 * a match is a real "3.X.Y[tag]" NUL-terminated literal of the buffer, not preceded by a digit
 * or '.', and no plain "3.X.Y" literal before it was missed.
 * Input: the size of out (1 byte), then the read-only data.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "py_elf.h"

#define OUT_MAX 40

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Digits at s[*i..] (1 or 2 of them, within n); advances *i. */
static int digits(const char *s, size_t n, size_t *i)
{
    size_t k = 0;

    while (*i < n && is_digit(s[*i]) && k < 3) {
        (*i)++;
        k++;
    }
    return k == 1 || k == 2;
}

/* Length of a plain "3.X.Y" literal (with its NUL) at s[i], or 0. */
static size_t plain_at(const char *s, size_t n, size_t i)
{
    size_t j = i + 2;

    if (i + 2 > n || s[i] != '3' || s[i + 1] != '.' ||
        (i > 0 && (is_digit(s[i - 1]) || s[i - 1] == '.')))
        return 0;
    if (!digits(s, n, &j) || j >= n || s[j] != '.')
        return 0;
    j++;
    if (!digits(s, n, &j) || j >= n || s[j] != '\0')
        return 0;
    return j - i + 1;
}

/* Is v the form "3.X.Y" followed only by release-tag characters? */
static int well_formed(const char *v)
{
    size_t n = strlen(v), i = 2;

    if (n < 5 || v[0] != '3' || v[1] != '.' || !digits(v, n, &i) || i >= n || v[i] != '.')
        return 0;
    i++;
    if (!digits(v, n, &i))
        return 0;
    for (; i < n; i++)
        if (!is_digit(v[i]) && !strchr("abrc+", v[i]))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[OUT_MAX + 8];
    size_t first_plain = SIZE_MAX;

    if (size < 1)
        return 0;
    unsigned len_out = 1 + data[0] % OUT_MAX;
    size_t n = size - 1;
    char *buf = malloc(n ? n : 1); /* exact size: ASan sees reads past len */
    if (!buf)
        return 0;
    memcpy(buf, data + 1, n);
    memset(out, 'Z', sizeof(out));
    int err = py_elf_find_version(buf, n, out, len_out);
    for (size_t i = 0; i < n && first_plain == SIZE_MAX; i++) {
        size_t k = plain_at(buf, n, i);
        if (k && k <= len_out)
            first_plain = i;
    }
    for (size_t i = len_out; i < sizeof(out); i++)
        if (out[i] != 'Z') /* nothing past len_out */
            abort();
    if (err == -ENOENT) {
        if (first_plain != SIZE_MAX || out[0] != 'Z')
            abort();
    } else if (err == 0) {
        size_t vlen = strnlen(out, len_out);
        if (vlen >= len_out || !well_formed(out))
            abort();
        /* It is a whole literal of buf that starts no later than the first plain one. */
        const char *at = NULL;
        for (size_t i = 0; i + vlen < n && !at; i++)
            if (memcmp(buf + i, out, vlen) == 0 && buf[i + vlen] == '\0' &&
                (i == 0 || (!is_digit(buf[i - 1]) && buf[i - 1] != '.')))
                at = buf + i;
        if (!at || (first_plain != SIZE_MAX && (size_t)(at - buf) > first_plain))
            abort();
    } else {
        abort();
    }
    free(buf);
    return 0;
}
