/* Baselines: raw wall times per command from an earlier `spyglass bench --export-json`.
 * Parsed with jansson; the file is untrusted input.
 * SPDX-License-Identifier: MIT */
#include "bench_base.h"

#include <stdlib.h>
#include <string.h>

#include "base_json.h"
#include "bench.h"
#include "util_vec.h"
#include "util_xalloc.h"
struct base_cmd {
    char *name;
    double *times;
    size_t n, cap;
};

struct bench_base {
    struct base_cmd *cmds;
    size_t ncmds;
};

static int read_commands(struct bench_base *b, json_t *cmds, char *why, size_t size)
{
    size_t i;
    json_t *c;

    if (!json_is_array(cmds))
        return base_json_fail(why, size, "no \"commands\" array");
    b->ncmds = json_array_size(cmds);
    b->cmds = xcalloc(b->ncmds ? b->ncmds : 1, sizeof(*b->cmds));
    json_array_foreach(cmds, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));

        if (!name)
            return base_json_fail(why, size, "a command without a \"name\"");
        b->cmds[i].name = xstrdup(name);
    }
    return 0;
}

static int read_runs(struct bench_base *b, json_t *runs, char *why, size_t size)
{
    size_t i;
    json_t *r;

    if (!json_is_array(runs))
        return base_json_fail(why, size, "no \"runs\" array");
    json_array_foreach(runs, i, r)
    {
        json_t *cmd = json_object_get(r, "command"), *wall = json_object_get(r, "wall");
        json_t *to = json_object_get(r, "timed_out");
        json_int_t k;
        double w;

        if (!json_is_integer(cmd) || !json_is_number(wall))
            return base_json_fail(why, size,
                                  "a run without an integer \"command\" and a \"wall\" time");
        k = json_integer_value(cmd);
        w = json_number_value(wall);
        if (k < 0 || (size_t)k >= b->ncmds)
            return base_json_fail(why, size, "a run with an out-of-range \"command\"");
        if (!base_json_seconds(w))
            return base_json_fail(why, size,
                                  "a run whose \"wall\" is not 0 or from 1e-12 to 1e7 seconds");
        if (json_is_true(to))
            continue;
        struct base_cmd *c = &b->cmds[k];

        if (c->n == c->cap)
            c->times = vec_grow(c->times, &c->cap, c->n + 1, sizeof(double), 64);
        c->times[c->n++] = w;
    }
    return 0;
}

/* The baseline in root (released here). */
static int from_root(json_t *root, struct bench_base **out, char *why, size_t size)
{
    struct bench_base *b = xcalloc(1, sizeof(*b));
    int err = read_commands(b, json_object_get(root, "commands"), why, size);

    if (err == 0)
        err = read_runs(b, json_object_get(root, "runs"), why, size);
    json_decref(root);
    if (err < 0) {
        bench_base_free(b);
        return err;
    }
    *out = b;
    return 0;
}

int bench_base_parse(const char *text, size_t len, struct bench_base **out, char *why, size_t size)
{
    json_t *root;
    int err = base_json_parse(text, len, BENCH_SCHEMA, "bench", &root, why, size);

    return err < 0 ? err : from_root(root, out, why, size);
}

int bench_base_load(const char *path, struct bench_base **out, char *why, size_t size)
{
    json_t *root;
    int err = base_json_load(path, BENCH_SCHEMA, "bench", &root, why, size);

    return err < 0 ? err : from_root(root, out, why, size);
}

const double *bench_base_times(const struct bench_base *b, const char *name, size_t *n)
{
    for (size_t i = 0; i < b->ncmds; i++) {
        if (strcmp(b->cmds[i].name, name) == 0 && b->cmds[i].n > 0) {
            *n = b->cmds[i].n;
            return b->cmds[i].times;
        }
    }
    return NULL;
}

void bench_base_free(struct bench_base *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->ncmds; i++) {
        free(b->cmds[i].name);
        free(b->cmds[i].times);
    }
    free(b->cmds);
    free(b);
}
