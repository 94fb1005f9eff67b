/* Loading a saved profile: the whole file is read, then parsed as raw or collapsed.
 * SPDX-License-Identifier: MIT */
#include "cli_profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_collapsed.h"
#include "cli.h"
#include "util_file.h"

static int load_raw(const char *name, const char *text, size_t len, struct cli_profile *p)
{
    char why[200];
    int err;

    p->raw = 1;
    p->tl = agg_timeline_new();
    err = agg_raw_parse(p->a, p->tl, text, len, &p->info, why, sizeof(why));
    if (err == -ENODATA) {
        fprintf(stderr, "spyglass: %s is a raw profile cut before its first record (%s)\n", name,
                why);
        return EXIT_ERROR;
    }
    if (err) {
        fprintf(stderr, "spyglass: %s is not a valid raw profile: %s\n", name, why);
        return EXIT_ERROR;
    }
    p->info.meta.timeline = p->tl;
    if (!p->info.complete)
        fprintf(stderr,
                "spyglass: warning: %s was cut short (its recording did not end): %llu of its "
                "%zu bytes read, %llu samples\n",
                name, (unsigned long long)p->info.kept, len, (unsigned long long)p->info.samples);
    return 0;
}

int cli_profile_load(const char *path, struct cli_profile *p)
{
    const char *file = strcmp(path, "-") == 0 ? "/dev/stdin" : path;
    char *text = NULL, why[160];
    size_t len = 0;
    int err, rc = 0;

    memset(p, 0, sizeof(*p));
    p->a = agg_new();
    err = file_read(file, CLI_PROFILE_MAX, &text, &len);
    if (err == -EFBIG) {
        fprintf(stderr, "spyglass: %s is larger than %llu MiB\n", path, CLI_PROFILE_MAX >> 20);
        return EXIT_ERROR;
    }
    if (err) {
        fprintf(stderr, "spyglass: cannot read %s: %s\n", path, strerror(-err));
        return EXIT_ERROR;
    }
    if (agg_raw_is(text, len)) {
        rc = load_raw(path, text, len, p);
    } else if (agg_collapsed_parse(p->a, text, len, why, sizeof(why)) != 0) {
        fprintf(stderr, "spyglass: %s is not a collapsed profile: %s\n", path, why);
        rc = EXIT_ERROR;
    }
    free(text);
    return rc;
}

void cli_profile_destroy(struct cli_profile *p)
{
    agg_free(p->a);
    agg_timeline_free(p->tl);
    agg_raw_info_destroy(&p->info);
    memset(p, 0, sizeof(*p));
}
