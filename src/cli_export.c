/* Export files of bench and timeit: checked before the run, written after it.
 * SPDX-License-Identifier: MIT */
#include "cli_export.h"

#include <string.h>

#include "cli_attach.h"
#include "util_file.h"

static int is_stdout(const char *path)
{
    return strcmp(path, "-") == 0;
}

int cli_export_check(const char *const *paths, int n)
{
    for (int i = 0; i < n; i++) {
        int err = paths[i] ? file_out_check(paths[i]) : 0;

        if (err) {
            cli_write_error(paths[i], err);
            return -1;
        }
    }
    return 0;
}

/* Write export kind to path. Returns 0 or -1 (printed). */
static int write_one(const char *path, int kind, cli_export_fn fn, const void *ctx)
{
    struct file_out out;
    int err = file_out_open(&out, path, 0);

    if (!err)
        err = file_out_close(&out, fn(out.f, kind, ctx));
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
