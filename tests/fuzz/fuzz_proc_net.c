/* libFuzzer harness for proc_net_parse() and proc_net_fd_link_parse(): any datagram is parsed
 * without reading out of bounds; the result is 0, -EINVAL or a negative errno from an
 * NLMSG_ERROR; the count never exceeds the room given, the bytes used never exceed the input
 * and resuming at buf + used terminates; every record is sane. Seeds: real sock_diag datagrams
 * from tests/fixtures/sockdiag/.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc_net.h"

#define ROOM 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proc_net_sock s[ROOM + 1];
    size_t off = 0, n, used;
    uint64_t ino;
    int done = 0, rc = 0, proto = size ? data[0] % 3 * 6 : 0; /* 0, 6 (TCP), 12 */

    memset(s, 0x5a, sizeof(s));
    while (off < size && !done) {
        rc = proc_net_parse(data + off, size - off, proto, s, ROOM, &n, &used, &done);
        if (rc > 0 || rc < -4095 || n > ROOM || used > size - off)
            abort();
        for (size_t i = 0; i < n; i++) {
            if (s[i].kind > PROC_NET_UNIX || (s[i].kind != PROC_NET_TCP && s[i].has_info))
                abort();
            if (!s[i].has_info && (s[i].rx_bytes || s[i].tx_bytes))
                abort();
        }
        if (rc < 0 || used == 0)
            break;
        off += used;
    }
    if (s[ROOM].cookie != 0x5a5a5a5a5a5a5a5aull)
        abort();
    rc = proc_net_fd_link_parse((const char *)data, size, &ino);
    if (rc != 0 && rc != 1 && rc != -EINVAL)
        abort();
    return 0;
}
