/* Loading a saved profile: the whole file is read, then parsed as raw or collapsed.
 * SPDX-License-Identifier: MIT */
#include "cli_profile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agg_collapsed.h"
#include "cli.h"
#include "cli_msg.h"
#include "util_file.h"
#include "util_xalloc.h"

static int load_raw(const char *name, const char *text, size_t len, struct cli_profile *p)
{
    char why[200];
    int err;

    p->raw = 1;
    p->tl = agg_timeline_new();
    err = agg_raw_parse(p->a, p->tl, text, len, &p->info, why, sizeof(why));
    if (err == -ENODATA) {
        cli_msg(stderr, "spyglass: %s is a raw profile cut before its first record (%s)\n", name,
                why);
        return EXIT_ERROR;
    }
    if (err) {
        cli_msg(stderr, "spyglass: %s is not a valid raw profile: %s\n", name, why);
        return EXIT_ERROR;
    }
    p->info.meta.timeline = p->tl;
    if (!p->info.complete)
        cli_msg(stderr,
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
        cli_msg(stderr, "spyglass: %s is larger than %llu MiB\n", path, CLI_PROFILE_MAX >> 20);
        return EXIT_ERROR;
    }
    if (err) {
        cli_msg(stderr, "spyglass: cannot read %s: %s\n", path, strerror(-err));
        return EXIT_ERROR;
    }
    if (agg_raw_is(text, len)) {
        rc = load_raw(path, text, len, p);
    } else if (agg_collapsed_parse(p->a, text, len, why, sizeof(why)) != 0) {
        cli_msg(stderr, "spyglass: %s is not a collapsed profile: %s\n", path, why);
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

/* Add one directory of --sources (len bytes of dir). Returns 0 or -1 after one line. */
static int add_dir(struct cli_sources *s, const char *dir, size_t len)
{
    char name[PATH_MAX], real[PATH_MAX];
    struct stat st;

    if (len == 0)
        return 0;
    if (len >= sizeof(name)) {
        fprintf(stderr, "spyglass: --sources: a directory name is too long\n");
        return -1;
    }
    memcpy(name, dir, len);
    name[len] = '\0';
    if (!realpath(name, real) || stat(real, &st) != 0) {
        cli_msg(stderr, "spyglass: --sources: %s: %s\n", name, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        cli_msg(stderr, "spyglass: --sources: %s is not a directory\n", name);
        return -1;
    }
    if (s->ndirs == PROC_SRC_DIRS_MAX) {
        fprintf(stderr, "spyglass: --sources: at most %d directories\n", PROC_SRC_DIRS_MAX);
        return -1;
    }
    s->dirs[s->ndirs++] = xstrdup(real);
    return 0;
}

int cli_sources_add(struct cli_sources *s, const char *arg)
{
    for (const char *p = arg;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (add_dir(s, p, len) != 0)
            return -1;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

const struct agg_src_stats *cli_sources_attach(struct cli_sources *s, struct agg *a)
{
    struct proc_src_limits lim = {.dirs = (const char *const *)s->dirs, .ndirs = s->ndirs};

    memset(&s->st, 0, sizeof(s->st));
    if (s->off) {
        agg_clear_sources(a);
        s->st.off = 1;
        snprintf(s->st.rule, sizeof(s->st.rule), "none (--no-sources)");
        return &s->st;
    }
    proc_src_attach(a, 0, &lim, &s->st);
    uint32_t ruled = s->st.denied + s->st.unreadable + s->st.special;
    if (ruled)
        fprintf(stderr,
                "spyglass: note: %u of %u source files left out of the page: %u in a protected "
                "directory%s, %u not readable%s, %u not regular files (the page lists what it "
                "holds)\n",
                ruled, s->st.files, s->st.denied, s->ndirs ? " or outside --sources" : "",
                s->st.unreadable, s->ndirs || !proc_src_privileged() ? "" : " without privilege",
                s->st.special);
    return &s->st;
}

void cli_sources_destroy(struct cli_sources *s)
{
    for (size_t i = 0; i < s->ndirs; i++)
        free(s->dirs[i]);
    s->ndirs = 0;
}
