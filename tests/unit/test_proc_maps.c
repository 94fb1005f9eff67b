/* Unit tests for proc_maps: the parser on fixtures and hostile text, find, and the live reader.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_maps.h"
#include "suites.h"
#include "test.h"

/* Expect a string literal that may contain NULs (all but its final NUL) to be rejected. */
#define CHECK_INVALID_LIT(s) check_invalid(s, sizeof(s) - 1)

/* Parse a C string. */
static int parse_str(const char *s, struct proc_maps *m)
{
    return proc_maps_parse(s, strlen(s), m);
}

static void check_invalid(const char *s, size_t len)
{
    struct proc_maps m = {NULL, 0};

    TEST_EQ_INT(proc_maps_parse(s, len, &m), -EINVAL);
    TEST_CHECK(m.v == NULL && m.n == 0);
    proc_maps_destroy(&m);
}

/* Captured from CPython 3.12.1 (pyenv, --enable-shared) with a second thread running. */
static void test_python_fixture(void)
{
    struct proc_maps m = {NULL, 0};
    const struct proc_map *e;
    size_t len;
    char *text = test_read_fixture("fixtures/maps_python312.txt", &len);

    if (!text)
        return;
    TEST_EQ_INT(proc_maps_parse(text, len, &m), 0);
    TEST_EQ_INT(m.n, 43);
    TEST_EQ_INT(m.v[0].start, 0x5605a1213000);
    TEST_EQ_INT(m.v[0].end, 0x5605a1214000);
    TEST_EQ_INT(m.v[0].perms, PROC_MAP_R | PROC_MAP_P);
    TEST_EQ_INT(m.v[0].inode, 86389);
    TEST_EQ_STR(m.v[0].path, "/root/.pyenv/versions/3.12.1/bin/python3.12");
    e = proc_maps_find(&m, 0x7fb945706000 + 0x1234);
    TEST_CHECK(e != NULL);
    if (e) {
        TEST_EQ_STR(e->path, "/root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0");
        TEST_EQ_INT(e->perms, PROC_MAP_R | PROC_MAP_X | PROC_MAP_P);
        TEST_EQ_INT(e->offset, 0x106000);
        TEST_EQ_INT(e->deleted, 0);
    }
    e = proc_maps_find(&m, 0x5605c21f9000);
    TEST_CHECK(e && strcmp(e->path, "[heap]") == 0);
    e = proc_maps_find(&m, 0x7fff3997a000 - 1);
    TEST_CHECK(e && strcmp(e->path, "[stack]") == 0);
    e = proc_maps_find(&m, 0xffffffffff600000);
    TEST_CHECK(e && strcmp(e->path, "[vsyscall]") == 0 && e->perms == (PROC_MAP_X | PROC_MAP_P));
    TEST_EQ_STR(m.v[m.n - 1].path, "[vsyscall]");
    /* Everything is sorted and anonymous mappings have an empty, non-NULL path. */
    for (size_t i = 0; i < m.n; i++) {
        TEST_CHECK(m.v[i].path != NULL && m.v[i].start < m.v[i].end);
        TEST_CHECK(i == 0 || m.v[i - 1].end <= m.v[i].start);
    }
    proc_maps_destroy(&m);
    TEST_CHECK(m.v == NULL && m.n == 0);
    free(text);
}

/* Hand-made: paths with spaces, " (deleted)", shared mappings, [anon:...], no path at all. */
static void test_deleted_fixture(void)
{
    struct proc_maps m = {NULL, 0};
    size_t len;
    char *text = test_read_fixture("fixtures/maps_deleted_spaces.txt", &len);

    if (!text)
        return;
    TEST_EQ_INT(proc_maps_parse(text, len, &m), 0);
    TEST_EQ_INT(m.n, 10);
    if (m.n == 10) {
        TEST_EQ_STR(m.v[0].path, "/opt/my app/bin/python3.12");
        TEST_EQ_INT(m.v[1].perms, PROC_MAP_R | PROC_MAP_X | PROC_MAP_P);
        TEST_EQ_INT(m.v[1].offset, 0x1000);
        TEST_EQ_STR(m.v[2].path, "[heap]");
        TEST_EQ_STR(m.v[3].path, "/tmp/lib python (deleted).so");
        TEST_EQ_INT(m.v[3].deleted, 1);
        TEST_EQ_INT(m.v[3].inode, 98765);
        TEST_EQ_STR(m.v[4].path, "/dev/shm/seg");
        TEST_EQ_INT(m.v[4].deleted, 1);
        TEST_EQ_INT(m.v[4].perms, PROC_MAP_R | PROC_MAP_X);
        TEST_CHECK(m.v[4].inode == UINT64_MAX);
        TEST_EQ_STR(m.v[5].path, "");
        TEST_EQ_INT(m.v[5].deleted, 0);
        TEST_EQ_STR(m.v[6].path, "[anon:glibc.malloc arena]");
        TEST_EQ_INT(m.v[6].perms, PROC_MAP_P);
        TEST_EQ_STR(m.v[7].path, "/memfd:spyglass");
        TEST_EQ_INT(m.v[7].perms, PROC_MAP_R | PROC_MAP_W);
        TEST_EQ_STR(m.v[8].path, "[stack]");
        TEST_CHECK(m.v[9].start == 0xffffffffff600000 && m.v[9].end == 0xffffffffff601000);
    }
    proc_maps_destroy(&m);
    free(text);
}

static void test_edge_cases(void)
{
    struct proc_maps m = {NULL, 0};
    /* No final newline, no path and no trailing space, upper-case hex, print()'s extra "\n". */
    TEST_EQ_INT(parse_str("1000-2000 rw-p 00000000 00:00 0\n\n3000-4000 r--s 0 0:0 7", &m), 0);
    TEST_EQ_INT(m.n, 2);
    if (m.n == 2) {
        TEST_EQ_STR(m.v[0].path, "");
        TEST_EQ_STR(m.v[1].path, "");
        TEST_EQ_INT(m.v[1].inode, 7);
    }
    proc_maps_destroy(&m);
    TEST_EQ_INT(parse_str("ABC000-ABD000 r--p 00000000 00:00 0  (deleted)\n", &m), 0);
    TEST_EQ_INT(m.n, 1);
    TEST_CHECK(m.n == 1 && m.v[0].start == 0xabc000 && strcmp(m.v[0].path, "(deleted)") == 0 &&
               m.v[0].deleted == 0);
    proc_maps_destroy(&m);
    /* Only len bytes are read: the second line is outside. */
    TEST_EQ_INT(proc_maps_parse("1000-2000 rw-p 0 0:0 0 /a\nGARBAGE", 26, &m), 0);
    TEST_CHECK(m.n == 1 && strcmp(m.v[0].path, "/a") == 0);
    proc_maps_destroy(&m);
    TEST_EQ_INT(proc_maps_parse("", 0, &m), 0);
    TEST_CHECK(m.n == 0 && m.v == NULL);
    TEST_EQ_INT(parse_str("\n\n", &m), 0);
    TEST_EQ_INT(m.n, 0);
    proc_maps_destroy(&m);
}

static void test_malformed(void)
{
    static const char *bad[] = {
        "1000-2000 rw-q 0 0:0 0\n",                           /* bad private/shared flag */
        "1000-2000 rwx 0 0:0 0\n",                            /* short perms */
        "1000-2000 wr-p 0 0:0 0\n",                           /* perms out of order */
        "1000 2000 rw-p 0 0:0 0\n",                           /* no dash */
        "1000-2000 rw-p 0 00 0\n",                            /* no colon in dev */
        "1000-2000 rw-p 0 0:0\n",                             /* no inode */
        "1000-2000 rw-p 0 0:0 x\n",                           /* inode not a number */
        "1000-2000 rw-p 0 0:0 0/path\n",                      /* no space before the path */
        "1000-2000rw-p 0 0:0 0\n",                            /* no space after the range */
        "2000-1000 rw-p 0 0:0 0\n",                           /* end before start */
        "1000-1000 rw-p 0 0:0 0\n",                           /* empty range */
        "10000000000000000-10000000000000001 r--p 0 0:0 0\n", /* 65-bit address */
        "1000-2000 r--p 0 0:0 18446744073709551616\n",        /* 65-bit inode */
        "1000-2000 r--p 0 0:0 0\n1000-3000 r--p 0 0:0 0\n",   /* not sorted */
        "1000-2000 r--p 0 0:0 0 /ok\n3000-",                  /* truncated last line */
        " 1000-2000 r--p 0 0:0 0\n",                          /* leading space */
        "1000-2000 r--p 0 0:0 0 /a\r\n3000-4000 r--p 0 0:0 0 /b\n\r\n", /* stray CR line */
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        check_invalid(bad[i], strlen(bad[i]));
    /* NULs: in a number, and in the path (a C string cannot hold it). */
    CHECK_INVALID_LIT("1000-20\0"
                      "00 r--p 0 0:0 0\n");
    CHECK_INVALID_LIT("1000-2000 r--p 0 0:0 0 /a\0b\n");
    CHECK_INVALID_LIT("1000-2000 r--p 0 0:0 0 /a\n\0");
}

static void test_find(void)
{
    struct proc_maps m = {NULL, 0};

    TEST_CHECK(proc_maps_find(&m, 0x1000) == NULL);
    TEST_EQ_INT(parse_str("1000-2000 r--p 0 0:0 0 /a\n"
                          "2000-3000 r--p 0 0:0 0 /b\n"
                          "5000-6000 r--p 0 0:0 0 /c\n",
                          &m),
                0);
    TEST_CHECK(proc_maps_find(&m, 0) == NULL);
    TEST_CHECK(proc_maps_find(&m, 0xfff) == NULL);
    TEST_CHECK(proc_maps_find(&m, 0x1000) == &m.v[0]);
    TEST_CHECK(proc_maps_find(&m, 0x1fff) == &m.v[0]);
    TEST_CHECK(proc_maps_find(&m, 0x2000) == &m.v[1]);
    TEST_CHECK(proc_maps_find(&m, 0x3000) == NULL);
    TEST_CHECK(proc_maps_find(&m, 0x4fff) == NULL);
    TEST_CHECK(proc_maps_find(&m, 0x5abc) == &m.v[2]);
    TEST_CHECK(proc_maps_find(&m, 0x6000) == NULL);
    TEST_CHECK(proc_maps_find(&m, UINT64_MAX) == NULL);
    proc_maps_destroy(&m);
}

static void test_live(void)
{
    struct proc_maps m = {NULL, 0};
    const struct proc_map *e;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    int have_stack = 0;

    TEST_CHECK(n > 0);
    exe[n > 0 ? n : 0] = '\0';
    TEST_EQ_INT(proc_maps_read(getpid(), &m), 0);
    TEST_CHECK(m.n > 5);
    /* This code is in an executable mapping of the test binary. */
    e = proc_maps_find(&m, (uint64_t)(uintptr_t)&proc_maps_find);
    TEST_CHECK(e && (e->perms & PROC_MAP_X) && strcmp(e->path, exe) == 0);
    e = proc_maps_find(&m, (uint64_t)(uintptr_t)&m);
    TEST_CHECK(e && (e->perms & (PROC_MAP_R | PROC_MAP_W)) == (PROC_MAP_R | PROC_MAP_W));
    for (size_t i = 0; i < m.n; i++)
        have_stack |= strcmp(m.v[i].path, "[stack]") == 0;
    TEST_CHECK(have_stack);
    proc_maps_destroy(&m);
    TEST_EQ_INT(proc_maps_read(0x3fffffff, &m), -ESRCH);
    TEST_CHECK(m.v == NULL && m.n == 0);
    TEST_EQ_INT(proc_maps_read(-1, &m), -ESRCH);
}

/* 1000 alternating mappings make a maps file well beyond the reader's first 16 KiB chunk. */
static void test_live_large(void)
{
    struct proc_maps m = {NULL, 0};
    const struct proc_map *e;
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), npages = 1000, ok = 0;
    char *base = mmap(NULL, npages * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    TEST_CHECK(base != MAP_FAILED);
    if (base == MAP_FAILED)
        return;
    for (size_t i = 1; i < npages; i += 2)
        mprotect(base + i * pg, pg, PROT_NONE);
    TEST_EQ_INT(proc_maps_read(getpid(), &m), 0);
    TEST_CHECK(m.n > npages);
    for (size_t i = 0; i < npages; i++) {
        e = proc_maps_find(&m, (uint64_t)(uintptr_t)(base + i * pg + 1));
        ok += e && e->start == (uint64_t)(uintptr_t)(base + i * pg) && e->end == e->start + pg &&
              e->perms == ((i % 2 ? 0u : PROC_MAP_R) | PROC_MAP_P);
    }
    TEST_EQ_INT(ok, npages);
    proc_maps_destroy(&m);
    munmap(base, npages * pg);
}

/* A zombie has no address space: its maps file is empty. Once reaped, it is gone. */
static void test_zombie(void)
{
    struct proc_maps m = {NULL, 0};
    siginfo_t si;
    pid_t pid = fork();

    if (pid == 0)
        _exit(0);
    TEST_CHECK(pid > 0);
    if (pid <= 0)
        return;
    TEST_EQ_INT(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
    TEST_EQ_INT(proc_maps_read(pid, &m), 0);
    TEST_EQ_INT(m.n, 0);
    proc_maps_destroy(&m);
    TEST_EQ_INT(waitpid(pid, NULL, 0), pid);
    TEST_EQ_INT(proc_maps_read(pid, &m), -ESRCH);
}

void test_proc_maps(void)
{
    test_python_fixture();
    test_deleted_fixture();
    test_edge_cases();
    test_malformed();
    test_find();
    test_live();
    test_live_large();
    test_zombie();
}
