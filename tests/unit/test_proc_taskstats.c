/* Unit tests for proc_taskstats: the datagram parser on real exit records captured from this
 * kernel (tests/fixtures/taskstats/NOTES.txt) and on truncated and corrupted copies, and the
 * live listener (as root; without CAP_NET_ADMIN it must fail with -EPERM).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_taskstats.h"
#include "suites.h"
#include "test.h"

#define FAMILY 31 /* "TASKSTATS" generic netlink id when the fixtures were captured */
#define KIB    1024ull
#define MIB    (1024ull * 1024)
/* Offsets in a one-record datagram: nlmsghdr 16, genlmsghdr 4, then the AGGR_PID nest. */
#define OFF_AGGR  20
#define OFF_ID    24
#define OFF_STATS 32

extern char **environ;

static int parse(const void *buf, size_t len, struct proc_taskstats_rec *out, size_t max, size_t *n)
{
    return proc_taskstats_parse(buf, len, FAMILY, out, max, n);
}

static void put16(unsigned char *p, uint16_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void test_fixture_python(void)
{
    struct proc_taskstats_rec rec[4];
    size_t len, n = 99;
    char *buf = test_read_fixture("fixtures/taskstats/python_50mib-0.bin", &len);

    if (!buf)
        return;
    TEST_EQ_INT(parse(buf, len, rec, 4, &n), 0);
    TEST_EQ_INT(n, 1);
    TEST_EQ_INT(rec[0].pid, 6406);
    TEST_EQ_INT(rec[0].ppid, 6405);
    TEST_EQ_INT(rec[0].tgid, 0);
    TEST_EQ_STR(rec[0].comm, "python3.11");
    TEST_EQ_INT(rec[0].hiwater_rss, 64640 * KIB);
    /* 50 MiB bytearray plus the interpreter's own 5-30 MiB */
    TEST_CHECK(rec[0].hiwater_rss > 55 * MIB && rec[0].hiwater_rss < 80 * MIB);
    TEST_EQ_INT(rec[0].utime_us, 48000);
    TEST_EQ_INT(rec[0].stime_us, 88000);
    TEST_EQ_INT(rec[0].nivcsw, 1);
    TEST_EQ_INT(rec[0].cpu_delay_ns, 18054);
    /* another family's messages are skipped */
    TEST_EQ_INT(proc_taskstats_parse(buf, len, FAMILY + 1, rec, 4, &n), 0);
    TEST_EQ_INT(n, 0);
    free(buf);
}

/* The last thread's datagram carries its own record and the group's. */
static void test_fixture_thread(void)
{
    struct proc_taskstats_rec rec[4];
    size_t len, main_len, n;
    char *main_thr = test_read_fixture("fixtures/taskstats/python_thread-0.bin", &main_len);
    char *buf = test_read_fixture("fixtures/taskstats/python_thread-1.bin", &len);

    if (!buf || !main_thr)
        goto out;
    TEST_EQ_INT(parse(buf, len, rec, 4, &n), 0);
    TEST_EQ_INT(n, 2);
    TEST_EQ_INT(rec[0].pid, 6409);
    TEST_EQ_INT(rec[0].tgid, 0);
    TEST_EQ_INT(rec[0].ppid, 6407); /* a thread's parent is its process's parent */
    TEST_EQ_INT(rec[0].hiwater_rss, 33920 * KIB);
    TEST_EQ_INT(rec[1].pid, 6408);
    TEST_EQ_INT(rec[1].tgid, 1);
    TEST_EQ_INT(rec[1].hiwater_rss, 0);
    TEST_EQ_INT(rec[1].utime_us, 35979);
    TEST_EQ_INT(rec[1].nvcsw, 2);
    TEST_EQ_STR(rec[1].comm, "");
    /* room for one: the rest is not parsed */
    TEST_EQ_INT(parse(buf, len, rec, 1, &n), 0);
    TEST_EQ_INT(n, 1);
    TEST_EQ_INT(rec[0].pid, 6409);
    TEST_EQ_INT(parse(buf, len, rec, 0, &n), 0);
    TEST_EQ_INT(n, 0);
    TEST_EQ_INT(parse(main_thr, main_len, rec, 4, &n), 0);
    TEST_EQ_INT(n, 1);
    TEST_EQ_INT(rec[0].pid, 6408);
    TEST_EQ_INT(rec[0].hiwater_rss, 33920 * KIB);
    TEST_EQ_INT(rec[0].utime_us, 35979);
out:
    free(buf);
    free(main_thr);
}

/* Three datagrams glued together parse as one stream; children came before their parent. */
static void test_fixture_pipe(void)
{
    static const char *names[] = {"fixtures/taskstats/sh_pipe-0.bin",
                                  "fixtures/taskstats/sh_pipe-1.bin",
                                  "fixtures/taskstats/sh_pipe-2.bin"};
    unsigned char all[4096];
    struct proc_taskstats_rec rec[4];
    size_t total = 0, n;

    for (int i = 0; i < 3; i++) {
        size_t len;
        char *buf = test_read_fixture(names[i], &len);

        if (!buf || len % 4 != 0 || total + len > sizeof(all)) {
            free(buf);
            TEST_CHECK(0);
            return;
        }
        memcpy(all + total, buf, len);
        total += len;
        free(buf);
    }
    TEST_EQ_INT(parse(all, total, rec, 4, &n), 0);
    TEST_EQ_INT(n, 3);
    TEST_EQ_STR(rec[0].comm, "head");
    TEST_EQ_STR(rec[1].comm, "cat");
    TEST_EQ_STR(rec[2].comm, "sh");
    TEST_EQ_INT(rec[0].ppid, rec[2].pid);
    TEST_EQ_INT(rec[1].ppid, rec[2].pid);
    TEST_EQ_INT(rec[2].pid, 6411);
    TEST_EQ_INT(rec[1].hiwater_rss, 1556 * KIB);
    TEST_EQ_INT(rec[1].nvcsw, 3);
}

/* Every truncation of a real datagram is rejected without reading past the end. */
static void test_truncated(void)
{
    struct proc_taskstats_rec rec[4];
    size_t len, n;
    char *buf = test_read_fixture("fixtures/taskstats/python_thread-1.bin", &len);
    int bad = 0;

    if (!buf)
        return;
    for (size_t cut = 1; cut < len; cut++) {
        char *copy = malloc(cut); /* exact size, so ASan sees any overread */

        memcpy(copy, buf, cut);
        if (parse(copy, cut, rec, 4, &n) != -EINVAL || n != 0)
            bad++;
        free(copy);
    }
    TEST_EQ_INT(bad, 0);
    TEST_EQ_INT(parse(buf, 0, rec, 4, &n), 0);
    TEST_EQ_INT(n, 0);
    free(buf);
}

/* Corrupt one field of a copy of the two-record datagram; expect rc and the count kept. */
static void check_corrupt(const char *buf, size_t len, size_t off, uint16_t v, int rc, size_t want)
{
    struct proc_taskstats_rec rec[4];
    unsigned char *copy = malloc(len);
    size_t n = 99;

    memcpy(copy, buf, len);
    put16(copy + off, v);
    TEST_EQ_INT(parse(copy, len, rec, 4, &n), rc);
    TEST_EQ_INT(n, want);
    free(copy);
}

static void test_corrupt(void)
{
    size_t len, second;
    uint16_t aggr_len;
    char *buf = test_read_fixture("fixtures/taskstats/python_thread-1.bin", &len);

    if (!buf)
        return;
    memcpy(&aggr_len, buf + OFF_AGGR, sizeof(aggr_len));
    second = OFF_AGGR + NLA_ALIGN(aggr_len);                 /* the AGGR_TGID nest */
    check_corrupt(buf, len, 0, 8, -EINVAL, 0);               /* nlmsg_len < header */
    check_corrupt(buf, len, 0, 17, -EINVAL, 0);              /* no room for genl */
    check_corrupt(buf, len, OFF_AGGR, 3, -EINVAL, 0);        /* nla_len < header */
    check_corrupt(buf, len, OFF_AGGR, 0xfff0, -EINVAL, 0);   /* nest past the end */
    check_corrupt(buf, len, OFF_ID, 6, -EINVAL, 0);          /* pid of 2 bytes */
    check_corrupt(buf, len, OFF_STATS, 4 + 100, -EINVAL, 0); /* stats too short */
    check_corrupt(buf, len, OFF_STATS + 2, TASKSTATS_TYPE_NULL, -EINVAL, 0); /* no stats */
    check_corrupt(buf, len, OFF_AGGR + 2, TASKSTATS_TYPE_NULL, 0, 1);        /* unknown: skipped */
    check_corrupt(buf, len, second, 0xfff0, -EINVAL, 1);                     /* first kept */
    check_corrupt(buf, len, 16, 0x0100, 0, 0); /* genl cmd 0: not an exit record */
    free(buf);
}

/* A message of another type (an error reply) before the record is skipped. */
static void test_other_messages(void)
{
    unsigned char all[2048];
    struct nlmsghdr h = {.nlmsg_len = NLMSG_HDRLEN + sizeof(struct nlmsgerr),
                         .nlmsg_type = NLMSG_ERROR};
    struct proc_taskstats_rec rec[2];
    size_t len, n;
    char *buf = test_read_fixture("fixtures/taskstats/python_50mib-0.bin", &len);

    if (!buf)
        return;
    memset(all, 0, sizeof(all));
    memcpy(all, &h, sizeof(h));
    memcpy(all + h.nlmsg_len, buf, len);
    TEST_EQ_INT(parse(all, h.nlmsg_len + len, rec, 2, &n), 0);
    TEST_EQ_INT(n, 1);
    TEST_EQ_INT(rec[0].pid, 6406);
    free(buf);
}

/* Drop CAP_NET_ADMIN from this (forked) process's effective set. */
static int drop_net_admin(void)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct data[2];

    if (syscall(SYS_capget, &hdr, data) != 0)
        return -1;
    data[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
    return (int)syscall(SYS_capset, &hdr, data);
}

/* Without CAP_NET_ADMIN, registering must fail with -EPERM (checked in a child process). */
static void test_eperm(void)
{
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        struct proc_taskstats *ts = NULL;
        int rc = drop_net_admin() == 0 ? proc_taskstats_open(&ts) : 1;

        proc_taskstats_free(ts);
        _exit(rc == -EPERM ? 0 : 1);
    }
    TEST_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Wait up to 200 ms for pid's exit record. */
static int find_record(struct proc_taskstats *ts, pid_t pid, struct proc_taskstats_rec *found)
{
    struct proc_taskstats_rec rec[64];

    for (int tries = 0; tries < 200; tries++) {
        size_t n = 0;
        int rc = proc_taskstats_poll(ts, rec, 64, &n);

        if (rc < 0 && rc != -ENOBUFS)
            return rc;
        for (size_t i = 0; i < n; i++)
            if (rec[i].pid == (uint32_t)pid) {
                *found = rec[i];
                return 0;
            }
        if (n == 0)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    return -ETIMEDOUT;
}

static void test_live(void)
{
    struct proc_taskstats *ts = NULL;
    struct proc_taskstats_rec rec;
    char *argv[] = {"head", "-c", "1000000", "/dev/zero", NULL};
    int rc = proc_taskstats_open(&ts), status;
    pid_t pid;

    proc_taskstats_free(NULL);
    if (geteuid() != 0) {
        printf("note: proc_taskstats live test skipped: not root (open gave %d)\n", rc);
        return;
    }
    TEST_EQ_INT(rc, 0);
    if (rc != 0)
        return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    TEST_EQ_INT(posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    TEST_CHECK(waitpid(pid, &status, 0) == pid);
    TEST_EQ_INT(find_record(ts, pid, &rec), 0);
    TEST_EQ_INT(rec.ppid, getpid());
    TEST_EQ_STR(rec.comm, "head");
    TEST_EQ_INT(rec.tgid, 0);
    /* head's own peak, not ours (wait4 would report at least our RSS) */
    TEST_CHECK(rec.hiwater_rss > 100 * KIB && rec.hiwater_rss < 16 * MIB);
    proc_taskstats_free(ts);
}

void test_proc_taskstats(void)
{
    test_fixture_python();
    test_fixture_thread();
    test_fixture_pipe();
    test_truncated();
    test_corrupt();
    test_other_messages();
    test_eperm();
    test_live();
}
