/* libFuzzer harness for proc_status_parse(): no crash; out is written only on success; on
 * success the state is a capital letter, the name a NUL-terminated string that fits, kthread
 * 0 or 1.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proc_status st, before;
    int err;

    memset(&st, 0x5a, sizeof(st));
    before = st;
    err = proc_status_parse((const char *)data, size, &st);
    if (err != 0 && err != -EINVAL)
        abort();
    if (err != 0 && memcmp(&st, &before, sizeof(st)) != 0)
        abort();
    if (err == 0 && (st.state < 'A' || st.state > 'Z' || (st.kthread != 0 && st.kthread != 1) ||
                     memchr(st.name, '\0', sizeof(st.name)) == NULL || st.ppid < 0))
        abort();
    return 0;
}
