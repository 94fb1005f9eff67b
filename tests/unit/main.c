/* Unit-test runner: a table of suites, each a function; ends with "N passed, N failed".
 * SPDX-License-Identifier: MIT */
#include "test.h"

#include <stdlib.h>

#include "suites.h"

int test_passed, test_failed;

static const struct {
    const char *name;
    void (*fn)(void);
} suites[] = {
#define SUITE(name) {#name, test_##name},
#include "suites.def"
#undef SUITE
};

char *test_read_fixture(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto out;
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
        goto out;
    }
    buf[n] = '\0';
    if (len)
        *len = (size_t)n;
out:
    if (f)
        fclose(f);
    if (!buf) {
        test_failed++;
        fprintf(stderr, "FAIL cannot read fixture %s\n", path);
    }
    return buf;
}

int main(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        if (argc > 1 && strcmp(argv[1], suites[i].name) != 0)
            continue;
        int f0 = test_failed;
        suites[i].fn();
        fprintf(stderr, "%-24s %s\n", suites[i].name, test_failed == f0 ? "ok" : "FAILED");
    }
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}
