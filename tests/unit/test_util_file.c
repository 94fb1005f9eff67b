/* Unit tests for util_file: the buffered writer (file_w: spilled at FILE_W_SPILL bytes and not
 * before, its memory bounded however much goes through it, the first write error kept and what
 * follows dropped, a failed flush of the FILE seen at the end), and the output files: a new file
 * (0666 & ~umask), an earlier file replaced only when whole (its mode and owner kept, never cut by
 * a failed or abandoned write), no temporary file left, streams written in place, standard output,
 * devices and /proc links written in place, symlinks followed (chains, relative, through
 * directories, loops) except those fs.protected_symlinks' rule refuses, directories and impossible
 * paths refused. SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"
#include "test.h"
#include "unit_files.h"
#include "util_file.h"

#define TDIR "out/util_file"

static void put(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    TEST_CHECK(f && fputs(text, f) >= 0);
    if (f)
        fclose(f);
    chmod(path, mode);
}

/* Entries of dir whose name ends in ".part" (temporary files left behind). */
static int leftovers(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        n += len > 5 && strcmp(e->d_name + len - 5, ".part") == 0;
    }
    if (d)
        closedir(d);
    return n;
}

/* Write text to path through file_out; returns file_out_close's result. */
static int write_via(const char *path, const char *text, int flags)
{
    struct file_out o;
    int err = file_out_open(&o, path, flags);

    if (err)
        return err;
    return file_out_close(&o, fputs(text, o.f) < 0 ? -EIO : 0);
}

static void test_new_and_replace(void)
{
    struct stat st, st2;
    struct file_out o;
    mode_t old = umask(027);

    unlink(TDIR "/new");
    TEST_EQ_INT(write_via(TDIR "/new", "one\n", 0), 0);
    unit_file_is(TDIR "/new", "one\n");
    TEST_CHECK(stat(TDIR "/new", &st) == 0 && (st.st_mode & 0777) == 0640);
    umask(old);

    /* An earlier file: untouched while the new one is written, replaced (a new inode) with
     * its mode when whole. */
    put(TDIR "/old", "earlier\n", 0604);
    TEST_CHECK(stat(TDIR "/old", &st) == 0);
    TEST_EQ_INT(file_out_open(&o, TDIR "/old", 0), 0);
    TEST_CHECK(o.tmp != NULL && o.replace == 1);
    TEST_CHECK(fputs("later\n", o.f) >= 0 && fflush(o.f) == 0);
    unit_file_is(TDIR "/old", "earlier\n");
    TEST_EQ_INT(leftovers(TDIR), 1);
    TEST_EQ_INT(file_out_close(&o, 0), 0);
    unit_file_is(TDIR "/old", "later\n");
    TEST_CHECK(stat(TDIR "/old", &st2) == 0 && st2.st_ino != st.st_ino &&
               (st2.st_mode & 07777) == 0604);
    TEST_EQ_INT(leftovers(TDIR), 0);
    TEST_CHECK(o.f == NULL && o.dir == -1 && o.tmp == NULL);

    /* Root replacing another user's file keeps its owner. */
    if (geteuid() == 0) {
        TEST_CHECK(chown(TDIR "/old", 65534, 65534) == 0);
        TEST_EQ_INT(write_via(TDIR "/old", "theirs\n", 0), 0);
        TEST_CHECK(stat(TDIR "/old", &st) == 0 && st.st_uid == 65534 && st.st_gid == 65534 &&
                   (st.st_mode & 07777) == 0604);
    }
}

static void test_failures_keep(void)
{
    struct file_out o;

    /* The writer's error (a full disk, say), an abandoned write: the earlier file as it was,
     * no temporary file left. */
    put(TDIR "/keep", "precious\n", 0644);
    TEST_EQ_INT(file_out_open(&o, TDIR "/keep", 0), 0);
    TEST_CHECK(fputs("half", o.f) >= 0);
    TEST_EQ_INT(file_out_close(&o, -ENOSPC), -ENOSPC);
    unit_file_is(TDIR "/keep", "precious\n");
    TEST_EQ_INT(file_out_open(&o, TDIR "/keep", 0), 0);
    TEST_CHECK(fputs("half", o.f) >= 0);
    file_out_abort(&o);
    file_out_abort(&o); /* twice: nothing */
    unit_file_is(TDIR "/keep", "precious\n");
    TEST_EQ_INT(leftovers(TDIR), 0);

    /* A new file that is never completed is never created. */
    unlink(TDIR "/never");
    TEST_EQ_INT(file_out_open(&o, TDIR "/never", 0), 0);
    file_out_abort(&o);
    TEST_CHECK(access(TDIR "/never", F_OK) != 0);
    TEST_EQ_INT(file_out_open(&o, TDIR "/never", 0), 0);
    TEST_EQ_INT(file_out_close(&o, -EDOM), -EDOM);
    TEST_CHECK(access(TDIR "/never", F_OK) != 0);
    TEST_EQ_INT(leftovers(TDIR), 0);

    /* A device is written in place: /dev/full fails as a disk would; /dev/null stays. */
    TEST_EQ_INT(file_out_open(&o, "/dev/full", 0), 0);
    TEST_CHECK(o.tmp == NULL);
    (void)fputs("x", o.f);
    TEST_EQ_INT(file_out_close(&o, 0), -ENOSPC);
    TEST_EQ_INT(write_via("/dev/null", "x", 0), 0);
    struct stat st;
    TEST_CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
}

static void test_stream(void)
{
    struct file_out o;
    struct stat st;

    /* A new stream is the target from the start (a killed writer leaves it readable). */
    unlink(TDIR "/s.raw");
    TEST_EQ_INT(file_out_open(&o, TDIR "/s.raw", FILE_OUT_STREAM), 0);
    TEST_CHECK(o.tmp == NULL && o.created == 1);
    TEST_CHECK(fputs("rec", o.f) >= 0 && fflush(o.f) == 0);
    unit_file_is(TDIR "/s.raw", "rec");
    TEST_EQ_INT(file_out_close(&o, -ENOSPC), -ENOSPC); /* what was written is kept */
    unit_file_is(TDIR "/s.raw", "rec");
    unlink(TDIR "/s.raw");
    TEST_EQ_INT(file_out_open(&o, TDIR "/s.raw", FILE_OUT_STREAM), 0);
    file_out_abort(&o); /* nothing recorded: no file */
    TEST_CHECK(stat(TDIR "/s.raw", &st) != 0);

    /* An existing one is replaced whole, as any output. */
    put(TDIR "/s.raw", "earlier", 0644);
    TEST_EQ_INT(file_out_open(&o, TDIR "/s.raw", FILE_OUT_STREAM), 0);
    TEST_CHECK(o.tmp != NULL && o.created == 0);
    TEST_CHECK(fputs("later", o.f) >= 0 && fflush(o.f) == 0);
    unit_file_is(TDIR "/s.raw", "earlier");
    TEST_EQ_INT(file_out_close(&o, 0), 0);
    unit_file_is(TDIR "/s.raw", "later");
}

static void test_stdout_and_proc(void)
{
    struct file_out o;
    char path[64], got[16] = "";
    int p[2];

    TEST_EQ_INT(file_out_open(&o, "-", 0), 0);
    TEST_CHECK(o.f == stdout);
    TEST_EQ_INT(file_out_close(&o, 0), 0);
    TEST_EQ_INT(file_out_open(&o, NULL, 0), 0);
    TEST_CHECK(o.f == stdout);
    file_out_abort(&o);
    TEST_CHECK(fflush(stdout) == 0); /* not closed */

    /* /proc/self/fd/N and /dev/fd/N reach the descriptor itself (here a pipe). */
    TEST_CHECK(pipe(p) == 0);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
    TEST_EQ_INT(write_via(path, "ab", 0), 0);
    snprintf(path, sizeof(path), "/dev/fd/%d", p[1]);
    TEST_EQ_INT(write_via(path, "cd", 0), 0);
    close(p[1]);
    TEST_EQ_INT(read(p[0], got, sizeof(got) - 1), 4);
    TEST_EQ_STR(got, "abcd");
    close(p[0]);
}

static void test_links(void)
{
    char abs[PATH_MAX + 64], cwd[PATH_MAX];

    /* Followed: relative, absolute, a chain, through a directory link, "..". */
    put(TDIR "/target", "t0", 0640);
    unlink(TDIR "/l1");
    unlink(TDIR "/l2");
    unlink(TDIR "/dl");
    TEST_CHECK(symlink("target", TDIR "/l1") == 0 && symlink("l1", TDIR "/l2") == 0);
    TEST_EQ_INT(write_via(TDIR "/l2", "t1", 0), 0);
    unit_file_is(TDIR "/target", "t1");
    struct stat st;
    TEST_CHECK(lstat(TDIR "/l2", &st) == 0 && S_ISLNK(st.st_mode)); /* the link stays a link */
    TEST_CHECK(stat(TDIR "/target", &st) == 0 && (st.st_mode & 0777) == 0640);
    TEST_CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
    snprintf(abs, sizeof(abs), "%s/" TDIR, cwd);
    TEST_CHECK(symlink(abs, TDIR "/dl") == 0);
    TEST_EQ_INT(write_via(TDIR "/dl/./dl/../util_file/target", "t2", 0), 0);
    unit_file_is(TDIR "/target", "t2");
    /* A dangling link makes its target. */
    unlink(TDIR "/made");
    unlink(TDIR "/dangling");
    TEST_CHECK(symlink("made", TDIR "/dangling") == 0);
    TEST_EQ_INT(write_via(TDIR "/dangling", "m", 0), 0);
    unit_file_is(TDIR "/made", "m");
    /* A loop. */
    unlink(TDIR "/loop");
    TEST_CHECK(symlink("loop", TDIR "/loop") == 0);
    TEST_EQ_INT(write_via(TDIR "/loop", "x", 0), -ELOOP);
    TEST_EQ_INT(leftovers(TDIR), 0);
}

/* fs.protected_symlinks' rule in a sticky world-writable directory (root only: links owned by
 * another user are made with lchown). */
static void test_protected(void)
{
    const char *sticky = TDIR "/sticky";
    struct file_out o;

    if (geteuid() != 0) {
        fprintf(stderr, "# util_file: protected symlinks not tested (needs root for lchown)\n");
        return;
    }
    mkdir(sticky, 0755);
    TEST_CHECK(chmod(sticky, 01777) == 0 && chown(sticky, 0, 0) == 0);
    put(TDIR "/victim", "v", 0644);
    unlink(TDIR "/sticky/other");
    unlink(TDIR "/sticky/mine");
    TEST_CHECK(symlink("../victim", TDIR "/sticky/other") == 0 &&
               lchown(TDIR "/sticky/other", 65534, 65534) == 0);
    TEST_CHECK(symlink("../victim", TDIR "/sticky/mine") == 0);
    TEST_EQ_INT(file_out_open(&o, TDIR "/sticky/other", 0), -FILE_ERR_PROTECTED_LINK);
    TEST_EQ_INT(write_via(TDIR "/sticky/other/../x", "x", 0), -FILE_ERR_PROTECTED_LINK);
    TEST_EQ_INT(file_out_check(TDIR "/sticky/other"), -FILE_ERR_PROTECTED_LINK);
    TEST_CHECK(strstr(file_strerror(-FILE_ERR_PROTECTED_LINK), "symlink") != NULL);
    unit_file_is(TDIR "/victim", "v");
    TEST_EQ_INT(write_via(TDIR "/sticky/mine", "m", 0), 0); /* its owner's own link */
    unit_file_is(TDIR "/victim", "m");
    /* The directory's owner's link is followed; so is any link outside a sticky directory, or
     * in one that is not world-writable. */
    TEST_CHECK(chown(sticky, 65534, 65534) == 0);
    TEST_EQ_INT(write_via(TDIR "/sticky/other", "o", 0), 0);
    unit_file_is(TDIR "/victim", "o");
    TEST_CHECK(chown(sticky, 0, 0) == 0 && chmod(sticky, 01775) == 0);
    TEST_EQ_INT(write_via(TDIR "/sticky/other", "p", 0), 0);
    unit_file_is(TDIR "/victim", "p");
    TEST_CHECK(chmod(sticky, 0777) == 0);
    TEST_EQ_INT(write_via(TDIR "/sticky/other", "q", 0), 0);
    unit_file_is(TDIR "/victim", "q");
    TEST_EQ_INT(leftovers(sticky), 0);
}

static void test_bad_paths(void)
{
    char name[sizeof(TDIR) + NAME_MAX + 2];
    struct file_out o;

    TEST_EQ_INT(write_via(TDIR, "x", 0), -EISDIR);
    TEST_EQ_INT(write_via(TDIR "/", "x", 0), -EISDIR);
    TEST_EQ_INT(write_via(TDIR "/newdir/", "x", 0), -EISDIR);
    TEST_EQ_INT(write_via(TDIR "/..", "x", 0), -EISDIR);
    TEST_EQ_INT(write_via("/", "x", 0), -EISDIR);
    TEST_EQ_INT(write_via("", "x", 0), -ENOENT);
    TEST_EQ_INT(write_via("/nonexistent-dir/x", "x", 0), -ENOENT);
    put(TDIR "/plain", "p", 0644);
    TEST_EQ_INT(write_via(TDIR "/plain/x", "x", 0), -ENOTDIR);
    TEST_EQ_INT(file_out_check("/nonexistent-dir/x"), -ENOENT);
    TEST_EQ_INT(file_out_check(TDIR), -EISDIR);
    TEST_EQ_INT(file_out_check("/dev/full"), 0); /* not opened */
    TEST_EQ_INT(file_out_check("-"), 0);
    unlink(TDIR "/checked");
    TEST_EQ_INT(file_out_check(TDIR "/checked"), 0);
    TEST_CHECK(access(TDIR "/checked", F_OK) != 0);
    TEST_EQ_INT(leftovers(TDIR), 0);

    /* A name of NAME_MAX bytes still gets a temporary name that fits. */
    memset(name, 'n', sizeof(name));
    memcpy(name, TDIR "/", strlen(TDIR "/"));
    name[strlen(TDIR "/") + NAME_MAX] = '\0';
    put(name, "long", 0644);
    TEST_EQ_INT(file_out_open(&o, name, 0), 0);
    TEST_CHECK(o.tmp && strlen(o.tmp) <= NAME_MAX);
    TEST_EQ_INT(file_out_close(&o, 0), 0);
    unit_file_is(name, "");
    unlink(name);
}

/* Bytes written to f's file so far (f unbuffered). */
static long written(FILE *f)
{
    struct stat st;
    return fstat(fileno(f), &st) == 0 ? (long)st.st_size : -1;
}

static void test_w_spill(void)
{
    FILE *f = tmpfile();
    struct file_w w;
    size_t cap = 0;
    int failed = 0;

    TEST_CHECK(f != NULL);
    if (!f)
        return;
    setvbuf(f, NULL, _IONBF, 0); /* every fwrite reaches the file */
    file_w_init(&w, f);
    for (int i = 0; i < FILE_W_SPILL - 1; i++)
        sbuf_addc(&w.b, 'a');
    TEST_EQ_INT(file_w_spill(&w), 0);
    TEST_EQ_INT(written(f), 0); /* below the threshold: kept */
    TEST_EQ_INT(w.b.len, FILE_W_SPILL - 1);
    sbuf_addc(&w.b, 'b');
    TEST_EQ_INT(file_w_spill(&w), 0);
    TEST_EQ_INT(written(f), FILE_W_SPILL); /* at it: all written, the buffer empty */
    TEST_EQ_INT(w.b.len, 0);
    sbuf_adds(&w.b, "cd");
    TEST_EQ_INT(file_w_flush(&w), 0); /* flush writes whatever is there */
    TEST_EQ_INT(written(f), FILE_W_SPILL + 2);

    /* 16 MiB in 1000-byte pieces, spilled after each: the buffer never grows past about one
     * spill and one piece */
    for (int i = 0; i < 16 * 1024 * 1024 / 1000; i++) {
        sbuf_printf(&w.b, "%0999d\n", i);
        failed += file_w_spill(&w) != 0;
        cap = w.b.cap > cap ? w.b.cap : cap;
    }
    TEST_EQ_INT(failed, 0);
    TEST_CHECK(cap <= 2 * FILE_W_SPILL);
    sbuf_adds(&w.b, "end\n");
    TEST_EQ_INT(file_w_finish(&w), 0);
    TEST_EQ_INT(written(f), FILE_W_SPILL + 2 + 16 * 1024 * 1024 / 1000 * 1000 + 4);
    TEST_CHECK(w.b.buf == NULL); /* freed */
    fclose(f);
}

static void test_w_errors(void)
{
    FILE *f = fopen("/dev/full", "w");
    struct file_w w;
    int fd[2];

    TEST_CHECK(f != NULL);
    if (!f)
        return;
    setvbuf(f, NULL, _IONBF, 0);
    file_w_init(&w, f);
    sbuf_adds(&w.b, "x");
    TEST_EQ_INT(file_w_spill(&w), 0); /* nothing written yet: no error yet */
    TEST_EQ_INT(file_w_flush(&w), -ENOSPC);
    TEST_EQ_INT(w.b.len, 0);
    for (int i = 0; i < 3 * FILE_W_SPILL; i++) /* a writer that goes on appending */
        sbuf_addc(&w.b, 'y');
    TEST_EQ_INT(file_w_spill(&w), -ENOSPC); /* dropped, not written, not kept */
    TEST_EQ_INT(w.b.len, 0);
    sbuf_adds(&w.b, "z");
    TEST_EQ_INT(file_w_finish(&w), -ENOSPC);
    fclose(f);

    /* stdio's own buffer takes the bytes; the failure shows when file_w_finish flushes f */
    f = fopen("/dev/full", "w");
    TEST_CHECK(f != NULL);
    if (!f)
        return;
    setvbuf(f, NULL, _IOFBF, 4 * FILE_W_SPILL);
    file_w_init(&w, f);
    sbuf_adds(&w.b, "fits in stdio's buffer");
    TEST_EQ_INT(file_w_flush(&w), 0);
    TEST_EQ_INT(file_w_finish(&w), -ENOSPC);
    fclose(f);

    /* a pipe whose reader is gone: -EPIPE is the first error and stays */
    TEST_CHECK(pipe(fd) == 0);
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    close(fd[0]);
    f = fdopen(fd[1], "w");
    TEST_CHECK(f != NULL);
    if (f) {
        setvbuf(f, NULL, _IONBF, 0);
        file_w_init(&w, f);
        for (int i = 0; i < FILE_W_SPILL; i++)
            sbuf_addc(&w.b, 'p');
        TEST_EQ_INT(file_w_spill(&w), -EPIPE);
        TEST_EQ_INT(file_w_finish(&w), -EPIPE);
        fclose(f);
    }
    signal(SIGPIPE, old);
}

void test_util_file(void)
{
    mkdir("out", 0755);
    mkdir(TDIR, 0755);
    test_w_spill();
    test_w_errors();
    test_new_and_replace();
    test_failures_keep();
    test_stream();
    test_stdout_and_proc();
    test_links();
    test_protected();
    test_bad_paths();
}
