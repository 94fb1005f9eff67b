/* Exec detection through /proc/PID/mem: the descriptor holds the address space it was opened
 * on, and a read through it returns end of file once the process has let that address space go
 * (execve past its point of no return, or exit). docs/linux.md §14.
 * SPDX-License-Identifier: MIT */
#include "proc_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/personality.h>
#include <unistd.h>

int proc_image_open(int pid, struct proc_image *img)
{
    char path[64];
    img->fd = -1;
    img->addr = 0;
    snprintf(path, sizeof(path), "/proc/%d/mem", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? -ESRCH : -errno;
    img->fd = fd;
    if (proc_image_gone(img) == 1) { /* opened between exit_mm() and the zombie state */
        proc_image_close(img);
        return -EAGAIN;
    }
    return 0;
}

int proc_image_gone(const struct proc_image *img)
{
    unsigned char c;
    if (img->fd < 0)
        return -EBADF;
    ssize_t n = pread(img->fd, &c, 1, (off_t)img->addr);
    if (n == 0)
        return 1;
    if (n == 1 || (n < 0 && errno == EIO))
        return 0;
    return -errno;
}

void proc_image_close(struct proc_image *img)
{
    if (img->fd >= 0)
        close(img->fd);
    img->fd = -1;
}

int proc_image_parse_personality(const char *text, unsigned long *out)
{
    unsigned long v = 0;
    size_t n = 0;

    for (; n < 16; n++) { /* the kernel writes "%08x\n" */
        char c = text[n];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            break;
        v = v << 4 | d;
    }
    if (n == 0 || (text[n] == '\n' ? text[n + 1] : text[n]) != '\0')
        return -EINVAL;
    *out = v;
    return 0;
}

/* Read a small text file into buf (NUL-terminated). Returns 0 or a negative errno. */
static int read_small(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, buf, len - 1);
    int err = n < 0 ? -errno : 0;
    close(fd);
    if (err)
        return err;
    buf[n] = '\0';
    return 0;
}

int proc_image_fixed_layout(int pid)
{
    char buf[64], path[64];
    unsigned long pers;
    int err = read_small("/proc/sys/kernel/randomize_va_space", buf, sizeof(buf));
    if (err)
        return err;
    if (buf[0] != '2') /* 0: nothing randomised; 1: brk not randomised (a non-PIE heap) */
        return 1;
    snprintf(path, sizeof(path), "/proc/%d/personality", pid);
    if ((err = read_small(path, buf, sizeof(buf))) != 0)
        return err == -ENOENT ? -ESRCH : err;
    if (proc_image_parse_personality(buf, &pers) != 0)
        return -EINVAL;
    return (pers & ADDR_NO_RANDOMIZE) != 0;
}
