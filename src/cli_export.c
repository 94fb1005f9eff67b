/* Export files of bench and timeit: checked before the run, written after it.
 * SPDX-License-Identifier: MIT */
#include "cli_export.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli_attach.h"

static int is_stdout(const char *path)
{
    return strcmp(path, "-") == 0;
}

int cli_export_check(const char *const *paths, int n)
{
    for (int i = 0; i < n; i++) {
        if (!paths[i] || is_stdout(paths[i]) || access(paths[i], F_OK) == 0)
            continue;
        FILE *f = fopen(paths[i], "w");

        if (!f) {
            cli_write_error(paths[i], -errno);
            return -1;
        }
        fclose(f);
        unlink(paths[i]);
    }
    return 0;
}

/* Write export kind to path. Returns 0 or -1 (printed). */
static int write_one(const char *path, int kind, cli_export_fn fn, const void *ctx)
{
    FILE *f = is_stdout(path) ? stdout : fopen(path, "w");
    int err;

    if (!f) {
        cli_write_error(path, -errno);
        return -1;
    }
    err = fn(f, kind, ctx);
    if (f == stdout) {
        if (fflush(f) != 0 && !err)
            err = -errno;
    } else if (fclose(f) != 0 && !err) {
        err = -errno;
    }
    if (err) {
        cli_write_error(is_stdout(path) ? "standard output" : path, err);
        return -1;
    }
    return 0;
}

int cli_export_write(const char *const *paths, int n, cli_export_fn fn, const void *ctx)
{
    int rc = 0;

    for (int i = 0; i < n; i++)
        if (paths[i] && write_one(paths[i], i, fn, ctx) < 0)
            rc = -1;
    return rc;
}

int cli_export_run(const char *const *paths, cli_export_fn fn, const void *ctx)
{
    int rc = 0;

    if (fn(stdout, CLI_EXPORT_REPORT, ctx) < 0 || fflush(stdout) != 0)
        rc = -1;
    if (cli_export_write(paths, CLI_EXPORTS, fn, ctx) < 0)
        rc = -1;
    return rc;
}
