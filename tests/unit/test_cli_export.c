/* Unit tests for cli_export: paths checked before a run (created and removed, existing files
 * left alone, an impossible one refused in one line), exports written to files and to standard
 * output, the writer's error, a full disk (/dev/full) and an impossible path each reported in
 * one line without stopping the other exports; the report on standard output before them.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_export.h"
#include "suites.h"
#include "test.h"
#include "unit_files.h"

#define DIR "out/cli_export"

/* Standard error (or output) of the code between redirect() and restore() goes to a file. */
struct redirect {
    int fd, saved;
    FILE *stream;
};

static void redirect(struct redirect *r, FILE *stream, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    fflush(stream);
    r->stream = stream;
    r->fd = fileno(stream);
    r->saved = dup(r->fd);
    dup2(fd, r->fd);
    close(fd);
}

static void restore(struct redirect *r)
{
    fflush(r->stream);
    clearerr(r->stream);
    dup2(r->saved, r->fd);
    close(r->saved);
}

static int count_lines(const char *s)
{
    int n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_check(void)
{
    const char *fresh[] = {NULL, "-", DIR "/fresh.json"};
    const char *bad[] = {DIR "/ok.csv", "/nonexistent-dir/x.json", DIR "/never.md"};
    struct redirect r;
    FILE *f;

    unlink(DIR "/fresh.json");
    TEST_EQ_INT(cli_export_check(fresh, 3), 0);
    TEST_CHECK(access(DIR "/fresh.json", F_OK) != 0); /* created, then removed */
    f = fopen(DIR "/kept.json", "w");
    TEST_CHECK(f && fputs("old contents", f) >= 0);
    if (f)
        fclose(f);
    fresh[2] = DIR "/kept.json";
    TEST_EQ_INT(cli_export_check(fresh, 3), 0);
    unit_file_is(DIR "/kept.json", "old contents"); /* an existing file is not touched */

    redirect(&r, stderr, DIR "/err");
    TEST_EQ_INT(cli_export_check(bad, 3), -1);
    restore(&r);
    unit_file_is(DIR "/err",
                 "spyglass: cannot write /nonexistent-dir/x.json: No such file or directory\n");
    TEST_CHECK(access(DIR "/ok.csv", F_OK) != 0 && access(DIR "/never.md", F_OK) != 0);
}

/* A writer that writes its kind's name, and fails for kind CLI_EXPORT_CSV (and the report)
 * when asked. */
static int writer(FILE *f, int kind, const void *ctx)
{
    const int *fail_csv = ctx;
    static const char *const names[] = {"json\n", "csv\n", "markdown\n", "report\n"};

    if (*fail_csv && (kind == CLI_EXPORT_CSV || kind == CLI_EXPORT_REPORT))
        return -EDOM;
    return fputs(names[kind], f) < 0 ? -EIO : 0;
}

static void test_write(void)
{
    const char *paths[CLI_EXPORTS] = {DIR "/w.json", NULL, DIR "/w.md"};
    struct redirect r, o;
    int fail_csv = 0;
    char *s;

    TEST_EQ_INT(cli_export_write(paths, CLI_EXPORTS, writer, &fail_csv), 0);
    unit_file_is(DIR "/w.json", "json\n");
    unit_file_is(DIR "/w.md", "markdown\n");

    /* "-" is standard output, left open. */
    paths[0] = "-";
    paths[2] = NULL;
    redirect(&o, stdout, DIR "/stdout");
    TEST_EQ_INT(cli_export_write(paths, CLI_EXPORTS, writer, &fail_csv), 0);
    TEST_CHECK(fputs("after\n", stdout) >= 0);
    restore(&o);
    unit_file_is(DIR "/stdout", "json\nafter\n");

    /* A full disk, a writer's error and an impossible path: one line each, the rest written. */
    paths[0] = "/dev/full";
    paths[1] = DIR "/w.csv";
    paths[2] = "/nonexistent-dir/w.md";
    fail_csv = 1;
    unlink(DIR "/w.md");
    redirect(&r, stderr, DIR "/err");
    TEST_EQ_INT(cli_export_write(paths, CLI_EXPORTS, writer, &fail_csv), -1);
    restore(&r);
    s = unit_slurp(DIR "/err");
    TEST_EQ_INT(count_lines(s), 3);
    TEST_CHECK(strstr(s, "spyglass: cannot write /dev/full: No space left on device\n") == s);
    TEST_CHECK(strstr(s, "spyglass: cannot write " DIR "/w.csv: Numerical argument") != NULL);
    TEST_CHECK(strstr(s, "spyglass: cannot write /nonexistent-dir/w.md: No such file") != NULL);
    free(s);
    fail_csv = 0;
    paths[0] = NULL;
    paths[2] = DIR "/w.md";
    TEST_EQ_INT(cli_export_write(paths, CLI_EXPORTS, writer, &fail_csv), 0);
    unit_file_is(DIR "/w.csv", "csv\n");
}

/* The report on standard output, then the exports; a failed report is no line of its own. */
static void test_run(void)
{
    const char *paths[CLI_EXPORTS] = {NULL, DIR "/r.csv", NULL};
    struct redirect r, o;
    int fail = 0;

    redirect(&o, stdout, DIR "/stdout");
    TEST_EQ_INT(cli_export_run(paths, writer, &fail), 0);
    restore(&o);
    unit_file_is(DIR "/stdout", "report\n");
    unit_file_is(DIR "/r.csv", "csv\n");

    fail = 1;
    paths[1] = NULL;
    paths[2] = DIR "/r.md";
    redirect(&r, stderr, DIR "/err");
    TEST_EQ_INT(cli_export_run(paths, writer, &fail), -1);
    restore(&r);
    unit_file_is(DIR "/err", "");
    unit_file_is(DIR "/r.md", "markdown\n"); /* written although the report failed */
}

void test_cli_export(void)
{
    mkdir("out", 0755);
    mkdir(DIR, 0755);
    test_check();
    test_write();
    test_run();
}
