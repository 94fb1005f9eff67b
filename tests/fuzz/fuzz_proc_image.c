/* libFuzzer harness for proc_image_parse_personality: no crash, no read past the NUL (ASan),
 * the out-parameter untouched on error, and a parsed value that prints back as the input.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proc_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), back[32];
    unsigned long v = 7;

    memcpy(text, data, size);
    text[size] = '\0';
    int err = proc_image_parse_personality(text, &v);
    if (err != 0 && (err != -EINVAL || v != 7))
        abort();
    if (err == 0) { /* the digits, read back without leading zeros, give the same number */
        size_t n = strspn(text, "0123456789abcdefABCDEF");
        snprintf(back, sizeof(back), "%lx", v);
        const char *digits = text;
        while (n > 1 && *digits == '0') {
            digits++;
            n--;
        }
        if (n != strlen(back) || strncasecmp(digits, back, n) != 0)
            abort();
    }
    free(text);
    return 0;
}
