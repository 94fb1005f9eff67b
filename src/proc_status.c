/* /proc/PID/status: parse (pure, line by line) and read.
 * SPDX-License-Identifier: MIT */
#include "proc_status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STATUS_MAX 16384

/* The value of line "KEY:\tvalue" when line starts with key (no colon), else NULL. */
static const char *value_of(const char *line, const char *end, const char *key)
{
    size_t k = strlen(key);

    if ((size_t)(end - line) <= k || memcmp(line, key, k) != 0 || line[k] != ':')
        return NULL;
    line += k + 1;
    while (line < end && (*line == ' ' || *line == '\t'))
        line++;
    return line;
}

/* Up to n unsigned decimal numbers separated by blanks. Returns how many were read. */
static int numbers(const char *p, const char *end, uint64_t *v, int n)
{
    int got = 0;

    while (got < n) {
        uint64_t x = 0;
        int digits = 0;

        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        for (; p < end && *p >= '0' && *p <= '9' && digits < 20; p++, digits++)
            x = x * 10 + (uint64_t)(*p - '0');
        if (!digits)
            break;
        v[got++] = x;
    }
    return got;
}

static int hex(const char *p, const char *end, uint64_t *out)
{
    uint64_t x = 0;
    int digits = 0;

    for (; p < end && digits < 16; p++, digits++) {
        int d = *p >= '0' && *p <= '9'   ? *p - '0'
                : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
                : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
                                         : -1;
        if (d < 0)
            break;
        x = x << 4 | (uint64_t)d;
    }
    if (!digits)
        return -EINVAL;
    *out = x;
    return 0;
}

/* One line into *st; sets bits of *seen (1 Name, 2 State, 4 PPid, 8 Uid, 16 Kthread, 32 a
 * Vm line). Returns 0 or -EINVAL for a malformed line it needs. */
static int line(const char *p, const char *end, struct proc_status *st, int *seen)
{
    const char *v;
    uint64_t n[4];

    if ((v = value_of(p, end, "Name"))) {
        size_t len =
            (size_t)(end - v) < sizeof(st->name) - 1 ? (size_t)(end - v) : sizeof(st->name) - 1;
        memcpy(st->name, v, len);
        st->name[len] = '\0';
        *seen |= 1;
    } else if ((v = value_of(p, end, "State"))) {
        if (v == end || *v < 'A' || *v > 'Z')
            return -EINVAL;
        st->state = *v;
        *seen |= 2;
    } else if ((v = value_of(p, end, "PPid"))) {
        if (numbers(v, end, n, 1) != 1 || n[0] > 0x7fffffff)
            return -EINVAL;
        st->ppid = (int)n[0];
        *seen |= 4;
    } else if ((v = value_of(p, end, "Uid"))) {
        if (numbers(v, end, n, 4) != 4)
            return -EINVAL;
        for (int i = 0; i < 4; i++)
            st->uid[i] = (unsigned)n[i];
        *seen |= 8;
    } else if ((v = value_of(p, end, "Kthread"))) {
        if (numbers(v, end, n, 1) != 1)
            return -EINVAL;
        st->kthread = n[0] != 0;
        *seen |= 16;
    } else if ((v = value_of(p, end, "CapPrm"))) {
        return hex(v, end, &st->cap_prm);
    } else if ((v = value_of(p, end, "CapEff"))) {
        return hex(v, end, &st->cap_eff);
    } else if ((v = value_of(p, end, "VmHWM"))) {
        if (numbers(v, end, n, 1) != 1 || n[0] > UINT64_MAX / 1024)
            return -EINVAL;
        st->vm_hwm = n[0] * 1024; /* the kernel writes kB */
        *seen |= 32;
    } else if (value_of(p, end, "VmSize")) {
        *seen |= 32;
    }
    return 0;
}

int proc_status_parse(const char *text, size_t len, struct proc_status *out)
{
    struct proc_status st;
    const char *p = text, *end = text + len;
    int seen = 0;

    memset(&st, 0, sizeof(st));
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;

        if (line(p, e, &st, &seen) < 0)
            return -EINVAL;
        p = nl ? nl + 1 : end;
    }
    if ((seen & 15) != 15)
        return -EINVAL;
    /* Before the Kthread line (Linux 6.x), a live task without memory is a kernel thread. */
    if (!(seen & 16))
        st.kthread = !(seen & 32) && st.state != 'Z' && st.state != 'X';
    *out = st;
    return 0;
}

int proc_status_read(int pid, struct proc_status *out)
{
    char path[64], buf[STATUS_MAX];
    ssize_t n;
    int fd;

    if (pid > 0)
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
    else
        snprintf(path, sizeof(path), "/proc/self/status");
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return errno == ENOENT ? -ESRCH : -errno;
    n = read(fd, buf, sizeof(buf));
    if (n < 0) {
        int err = errno == ESRCH ? -ESRCH : -errno;

        close(fd);
        return err;
    }
    close(fd);
    return proc_status_parse(buf, (size_t)n, out);
}
