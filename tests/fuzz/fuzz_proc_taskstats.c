/* libFuzzer harness for proc_taskstats_parse(): any datagram is parsed without reading out of
 * bounds, the result is 0 or -EINVAL, the count never exceeds the room given, and every record
 * is sane (comm NUL-terminated, tgid 0 or 1, peak RSS a whole number of KiB). Seeds: real exit
 * records from tests/fixtures/taskstats/ (family 31 when captured).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc_taskstats.h"

#define FAMILY 31
#define ROOM   3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proc_taskstats_rec rec[ROOM + 1];
    size_t n = 99;
    int err;

    memset(rec, 0x5a, sizeof(rec));
    err = proc_taskstats_parse(data, size, FAMILY, rec, ROOM, &n);
    if (err != 0 && err != -EINVAL)
        abort();
    if (n > ROOM || rec[ROOM].pid != 0x5a5a5a5au)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (strnlen(rec[i].comm, sizeof(rec[i].comm)) == sizeof(rec[i].comm))
            abort();
        if ((rec[i].tgid != 0 && rec[i].tgid != 1) || rec[i].hiwater_rss % 1024 != 0)
            abort();
    }
    return 0;
}
