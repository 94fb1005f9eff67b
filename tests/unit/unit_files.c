/* Files read back by the unit tests.
 * SPDX-License-Identifier: MIT */
#include "unit_files.h"

#include <stdio.h>
#include <stdlib.h>

#include "test.h"

char *unit_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 4096);
    size_t n;

    if (f) {
        n = fread(buf, 1, 4095, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

void unit_file_is(const char *path, const char *want)
{
    char *s = unit_slurp(path);

    TEST_EQ_STR(s, want);
    free(s);
}
