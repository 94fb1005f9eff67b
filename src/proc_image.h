/* Which program image a process runs: a /proc/PID/mem descriptor stays bound to the address
 * space it was opened on, so one read through it tells whether the process still runs that
 * image, or has replaced it (execve) or let it go (exit). Also whether a new image of the
 * process could be loaded at this one's addresses (address-space randomisation off).
 * Kernel behaviour relied on: docs/linux.md §14.
 * SPDX-License-Identifier: MIT */
#ifndef PROC_IMAGE_H
#define PROC_IMAGE_H

#include <stdint.h>

struct proc_image {
    int fd;        /* /proc/PID/mem opened on the image; -1: none (proc_image_gone cannot tell) */
    uint64_t addr; /* where proc_image_gone reads: 0 after proc_image_open; the caller may set
                    * an address mapped in the image (a read there costs half of one that
                    * faults: about 1 us against 2 on a 2-CPU VM) */
};

/* Open the image process pid runs now. Returns 0, -ESRCH (no such process), -EPERM or -EACCES
 * (not allowed to read its memory), or -EAGAIN (it has no image: it is exiting). On error
 * img->fd is -1. Needs the same permission as reading the process's memory. */
int proc_image_open(int pid, struct proc_image *img);

/* Whether the image is gone: 0 the process still runs it, 1 it replaced it (exec) or released
 * it (exit, zombie), negative errno when it cannot tell (-EBADF: never opened). One pread(2)
 * of the byte at img->addr: while the image lives the kernel returns it, or EIO when nothing
 * is mapped there; once its memory has no user left, end of file. */
int proc_image_gone(const struct proc_image *img);

/* Close (img->fd becomes -1); fine on a closed or never opened image. */
void proc_image_close(struct proc_image *img);

/* Whether the next exec of pid may load at fixed addresses, so that addresses of its current
 * image could be valid again in the next: 1 when address-space randomisation is off for it
 * (kernel.randomize_va_space not 2, or its personality has ADDR_NO_RANDOMIZE), 0 when it is
 * on, a negative errno when it cannot be read. */
int proc_image_fixed_layout(int pid);

/* Parse the text of /proc/PID/personality (1 to 16 hexadecimal digits, then an optional
 * newline, then the end) into *out. Returns 0, or -EINVAL (*out untouched). Pure. */
int proc_image_parse_personality(const char *text, unsigned long *out);

#endif
