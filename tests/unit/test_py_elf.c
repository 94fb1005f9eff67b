/* Unit tests for py_elf: the PY_VERSION string search on buffers, and py_elf_read on the
 * installed interpreters (pyenv shared libpython, Debian's static non-PIE python3.11); a file
 * that is not installed is skipped with a note. Expected sizes: docs/cpython.md §2.2.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "py_elf.h"
#include "suites.h"
#include "test.h"

/* Search a string literal that may contain NULs (all but its final NUL). */
#define FIND_LIT(s, out) py_elf_find_version(s, sizeof(s) - 1, out, sizeof(out))

static void test_find_version(void)
{
    char out[16];

    TEST_EQ_INT(FIND_LIT("\0003.9.18\0", out), 0);
    TEST_EQ_STR(out, "3.9.18");
    TEST_EQ_INT(FIND_LIT("/x/3.8.18\0", out), 0); /* tail-merged into a longer string */
    TEST_EQ_STR(out, "3.8.18");
    TEST_EQ_INT(FIND_LIT("3.10.0rc2\0", out), 0);
    TEST_EQ_STR(out, "3.10.0rc2");
    TEST_EQ_INT(FIND_LIT("x\0003.12.0a7\0", out), 0);
    TEST_EQ_STR(out, "3.12.0a7");
    TEST_EQ_INT(FIND_LIT("3.11.4+\0", out), 0);
    TEST_EQ_STR(out, "3.11.4+");
    TEST_EQ_INT(FIND_LIT("3.8.1\0", out), 0); /* the shortest, at the very start */
    TEST_EQ_STR(out, "3.8.1");
    /* The first candidate fails, a later one matches. */
    TEST_EQ_INT(FIND_LIT("3.9\0libpython3.9.so\0003.9.18 (main)\0003.9.18\0", out), 0);
    TEST_EQ_STR(out, "3.9.18");

    strcpy(out, "untouched");
    TEST_EQ_INT(FIND_LIT("13.8.1\0", out), -ENOENT);             /* preceded by a digit */
    TEST_EQ_INT(FIND_LIT("v1.3.8.1\0", out), -ENOENT);           /* preceded by '.' */
    TEST_EQ_INT(FIND_LIT("3.100.1\0", out), -ENOENT);            /* three-digit minor */
    TEST_EQ_INT(FIND_LIT("3.8.123\0", out), -ENOENT);            /* three-digit micro */
    TEST_EQ_INT(FIND_LIT("3.8\0", out), -ENOENT);                /* no micro */
    TEST_EQ_INT(FIND_LIT("3..8\0", out), -ENOENT);               /* no minor */
    TEST_EQ_INT(FIND_LIT("3.8.18 (main)\0", out), -ENOENT);      /* not the whole literal */
    TEST_EQ_INT(FIND_LIT("3.8.1x\0", out), -ENOENT);             /* bad release tag */
    TEST_EQ_INT(FIND_LIT("3.9.18rc1111111111\0", out), -ENOENT); /* too long for out */
    TEST_EQ_INT(FIND_LIT("", out), -ENOENT);
    /* Truncated by the end of the buffer: no NUL after the digits. */
    TEST_EQ_INT(py_elf_find_version("\0003.9.18\0", 7, out, sizeof(out)), -ENOENT);
    TEST_EQ_INT(py_elf_find_version("3.9.18", 6, out, sizeof(out)), -ENOENT);
    TEST_EQ_INT(py_elf_find_version("3.9.", 4, out, sizeof(out)), -ENOENT);
    TEST_EQ_STR(out, "untouched");
    /* The output must hold the string and its NUL. */
    TEST_EQ_INT(py_elf_find_version("3.9.18", 7, out, 6), -ENOENT);
    TEST_EQ_INT(py_elf_find_version("3.9.18", 7, out, 7), 0);
    TEST_EQ_STR(out, "3.9.18");
}

/* The path of an installed file: rel under $(pyenv root)/versions/ ($PYENV_ROOT, else
 * ~/.pyenv), or rel itself when it is absolute. */
static const char *installed(const char *rel, char *buf, size_t cap)
{
    const char *root = getenv("PYENV_ROOT"), *home = getenv("HOME");

    if (rel[0] == '/')
        return rel;
    if (root && root[0])
        snprintf(buf, cap, "%s/versions/%s", root, rel);
    else
        snprintf(buf, cap, "%s/.pyenv/versions/%s", home ? home : "", rel);
    return buf;
}

/* What one installed object should contain; skipped with a note when absent. */
struct elf_want {
    const char *path; /* for installed() */
    int is_dyn;
    uint64_t runtime_size; /* sizeof(_PyRuntimeState) */
    int has_py_version;    /* 3.11+ */
    const char *version;
};

static void check_elf(const struct elf_want *w)
{
    char buf[4096];
    const char *path = installed(w->path, buf, sizeof(buf));
    struct py_elf e;

    if (access(path, R_OK) != 0) {
        fprintf(stderr, "note: %s is not installed, skipped\n", path);
        return;
    }
    TEST_EQ_INT(py_elf_read(path, &e), 0);
    TEST_CHECK(e.runtime != 0);
    TEST_EQ_INT(e.runtime_size, w->runtime_size);
    TEST_EQ_INT(e.is_dyn, w->is_dyn);
    TEST_CHECK(e.code_type != 0);
    TEST_CHECK((e.py_version != 0) == w->has_py_version);
    TEST_EQ_STR(e.version, w->version);
    /* Non-PIE executables are linked at 0x400000; shared objects at 0. */
    TEST_CHECK(e.load_vaddr == (w->is_dyn ? 0 : 0x400000));
    TEST_CHECK(e.runtime > e.load_vaddr && e.code_type > e.load_vaddr);
    if (e.runtime == 0 || e.runtime_size != w->runtime_size)
        fprintf(stderr, "  in %s\n", path);
}

static void test_read_installed(void)
{
    static const struct elf_want want[] = {
        {"3.8.18/lib/libpython3.8.so.1.0", 1, 1464, 0, "3.8.18"},
        {"3.9.18/lib/libpython3.9.so.1.0", 1, 656, 0, "3.9.18"},
        {"3.10.13/lib/libpython3.10.so.1.0", 1, 672, 0, "3.10.13"},
        {"3.11.7/lib/libpython3.11.so.1.0", 1, 166688, 1, "3.11.7"},
        {"3.12.1/lib/libpython3.12.so.1.0", 1, 459944, 1, "3.12.1"},
        {"3.13.0/lib/libpython3.13.so.1.0", 1, 283320, 1, "3.13.0"},
        {"/usr/bin/python3.11", 0, 166688, 1, "3.11.2"}, /* Debian: static, non-PIE, stripped */
    };

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        check_elf(&want[i]);
}

/* The .AsyncioDebug section (104 bytes) where CPython keeps it: 3.14's _asyncio extension
 * module, Debian's 3.15 executable (which builds _asyncio in); none in 3.13's libpython. The
 * addresses are the ones readelf lists. */
static void test_asyncio_section(void)
{
    static const struct {
        const char *path;
        uint64_t addr, size;
    } want[] = {
        {"3.14.10/lib/python3.14/lib-dynload/_asyncio.cpython-314-x86_64-linux-gnu.so", 0x157c0,
         104},
        {"3.15.2/bin/python3.15", 0xc95280, 104},
        {"3.13.0/lib/libpython3.13.so.1.0", 0, 0},
        {"3.14.10/bin/python3.14", 0, 0},
    };
    char buf[4096];
    struct py_elf e;

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const char *path = installed(want[i].path, buf, sizeof(buf));
        if (access(path, R_OK) != 0) {
            fprintf(stderr, "note: %s is not installed, skipped\n", path);
            continue;
        }
        TEST_EQ_INT(py_elf_read(path, &e), 0);
        TEST_EQ_INT(e.asyncio_debug, want[i].addr);
        TEST_EQ_INT(e.asyncio_debug_size, want[i].size);
    }
}

/* Write len bytes to a new temporary file; returns its path in buf, or "" on failure. */
static void write_tmp(char *path, size_t cap, const void *data, size_t len)
{
    int fd;

    snprintf(path, cap, "/tmp/spyglass-test-elf-XXXXXX");
    fd = mkstemp(path);
    TEST_CHECK(fd >= 0);
    if (fd < 0) {
        path[0] = '\0';
        return;
    }
    TEST_CHECK(write(fd, data, len) == (ssize_t)len);
    close(fd);
}

static void test_read_errors(void)
{
    /* A 32-bit ELF header (class 1), x86, ET_DYN, and nothing else. */
    static const unsigned char elf32[52] = {0x7f, 'E', 'L',      'F',      1,        1,
                                            1,    0,   [16] = 3, [18] = 3, [20] = 1, [40] = 52};
    static const unsigned char elf64_cut[24] = {0x7f, 'E', 'L', 'F',      2,
                                                1,    1,   0,   [16] = 3, [18] = 62};
    char buf[4096];
    const char *lib = installed("3.12.1/lib/libpython3.12.so.1.0", buf, sizeof(buf));
    static unsigned char head[65536];
    struct py_elf e;
    char path[64];
    FILE *f;

    TEST_EQ_INT(py_elf_read("fixtures/stat_python312.txt", &e), -ENOEXEC);
    TEST_EQ_INT(e.runtime, 0);
    TEST_EQ_INT(py_elf_read("fixtures/no-such-file", &e), -ENOENT);
    TEST_EQ_INT(py_elf_read("/dev/null", &e), -ENOEXEC);
    TEST_EQ_INT(py_elf_read("fixtures", &e), -ENOEXEC);
    write_tmp(path, sizeof(path), elf32, sizeof(elf32));
    if (path[0]) {
        TEST_EQ_INT(py_elf_read(path, &e), -ENOEXEC);
        unlink(path);
    }
    write_tmp(path, sizeof(path), elf64_cut, sizeof(elf64_cut));
    if (path[0]) {
        TEST_EQ_INT(py_elf_read(path, &e), -ENOEXEC);
        unlink(path);
    }
    /* An ELF object without CPython in it (this test, whose .rodata does hold version-like
     * literals): fine, no symbols found. */
    TEST_EQ_INT(py_elf_read("/proc/self/exe", &e), 0);
    TEST_CHECK(e.runtime == 0 && e.code_type == 0 && e.py_version == 0 && e.is_dyn == 1);
    /* A truncated libpython (its section headers are at the end): no crash, nothing made up. */
    f = fopen(lib, "rb");
    if (!f) {
        fprintf(stderr, "note: %s is not installed, skipped\n", lib);
        return;
    }
    TEST_EQ_INT(fread(head, 1, sizeof(head), f), sizeof(head));
    fclose(f);
    write_tmp(path, sizeof(path), head, sizeof(head));
    if (path[0]) {
        int err = py_elf_read(path, &e);
        TEST_CHECK(err == 0 || err == -ENOEXEC);
        TEST_CHECK(err || (e.runtime == 0 && e.is_dyn == 1));
        unlink(path);
    }
}

void test_py_elf(void)
{
    test_find_version();
    test_read_installed();
    test_asyncio_section();
    test_read_errors();
}
