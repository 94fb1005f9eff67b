/* libFuzzer harness for util_argv_split(): no crash or leak; on error an offset inside the input
 * and *out untouched; on success words that fit in the input and that survive re-quoting.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util_argv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each word in single quotes (a quote as '\''), separated by spaces. Caller frees. */
static char *requote(char **argv)
{
    size_t len = 1, k = 0;
    char *line;

    for (size_t i = 0; argv[i]; i++)
        len += 4 * strlen(argv[i]) + 3;
    line = malloc(len);
    if (!line)
        abort();
    for (size_t i = 0; argv[i]; i++) {
        line[k++] = '\'';
        for (const char *c = argv[i]; *c; c++) {
            if (*c == '\'') {
                memcpy(line + k, "'\\''", 4);
                k += 4;
            } else {
                line[k++] = *c;
            }
        }
        line[k++] = '\'';
        line[k++] = ' ';
    }
    line[k] = '\0';
    return line;
}

static void check_words(char **argv, int n, size_t len)
{
    size_t sum = 0;
    char **again = NULL, *line;

    if (argv[n] != NULL)
        abort();
    for (int i = 0; i < n; i++) {
        if (!argv[i])
            abort();
        sum += strlen(argv[i]);
    }
    if (sum > len || (size_t)n > len / 2 + 1)
        abort();
    line = requote(argv);
    if (util_argv_split(line, &again, NULL) != n)
        abort();
    for (int i = 0; i < n; i++) {
        if (strcmp(argv[i], again[i]) != 0)
            abort();
    }
    util_argv_free(again);
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), **argv = NULL;
    int bad = -1, n;
    size_t len;

    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    len = strlen(s);
    n = util_argv_split(s, &argv, &bad);
    if (n < 0) {
        if ((n != -EINVAL && n != -ENOTSUP) || argv != NULL || bad < 0 || (size_t)bad >= len)
            abort();
    } else {
        if (bad != -1)
            abort();
        check_words(argv, n, len);
        util_argv_free(argv);
    }
    free(s);
    return 0;
}
