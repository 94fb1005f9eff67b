/* Baselines: per-loop values per worker from an earlier `spyglass timeit --export-json`
 * (docs/timeit-schema.json). Parsed with jansson; the file is untrusted input.
 * SPDX-License-Identifier: MIT */
#include "timeit_base.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base_json.h"
#include "timeit.h"
#include "util_xalloc.h"
struct base_bench {
    size_t python, stmt; /* indices in pythons and stmts */
    double *x;           /* every value, grouped by worker */
    size_t *len;         /* values per worker, workers without values left out */
    size_t nclusters;
};

struct timeit_base {
    char **pythons; /* names */
    size_t npythons;
    char **stmts;
    size_t nstmts;
    struct base_bench *benches;
    size_t nbenches;
};

/* The strings of array arr into *out (n of them): arr's items themselves, or with key, the
 * string member key of each item. */
static int read_strings(json_t *arr, const char *key, char ***out, size_t *n)
{
    size_t i;
    json_t *v;

    if (!json_is_array(arr))
        return -EINVAL;
    *n = json_array_size(arr);
    *out = xcalloc(*n ? *n : 1, sizeof(**out));
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(key ? json_object_get(v, key) : v);

        if (!s)
            return -EINVAL;
        (*out)[i] = xstrdup(s);
    }
    return 0;
}

/* The "values" arrays of workers into bb, after checking every one. */
static int read_workers(json_t *workers, struct base_bench *bb, char *why, size_t size)
{
    size_t i, j, total = 0, at = 0;
    json_t *w, *v;

    if (!json_is_array(workers))
        return base_json_fail(why, size, "a benchmark without a \"workers\" array");
    json_array_foreach(workers, i, w)
    {
        json_t *values = json_object_get(w, "values");

        if (!json_is_array(values))
            return base_json_fail(why, size, "a worker without a \"values\" array");
        json_array_foreach(values, j, v)
        {
            if (!json_is_number(v) || !base_json_seconds(json_number_value(v)))
                return base_json_fail(why, size,
                                      "a value that is not 0 or from 1e-12 to 1e7 seconds");
        }
        total += json_array_size(values);
    }
    bb->x = xreallocarray(NULL, total ? total : 1, sizeof(*bb->x));
    bb->len = xreallocarray(NULL, json_array_size(workers) + 1, sizeof(*bb->len));
    json_array_foreach(workers, i, w)
    {
        json_t *values = json_object_get(w, "values");

        if (json_array_size(values) == 0)
            continue;
        bb->len[bb->nclusters++] = json_array_size(values);
        for (j = 0; j < json_array_size(values); j++)
            bb->x[at++] = json_number_value(json_array_get(values, j));
    }
    return 0;
}

/* An integer member key of o in [0, n), into *out. */
static int index_of(json_t *o, const char *key, size_t n, size_t *out)
{
    json_t *v = json_object_get(o, key);
    json_int_t k;

    if (!json_is_integer(v))
        return -EINVAL;
    k = json_integer_value(v);
    if (k < 0 || (size_t)k >= n)
        return -EINVAL;
    *out = (size_t)k;
    return 0;
}

static int read_benches(struct timeit_base *b, json_t *arr, char *why, size_t size)
{
    size_t i;
    json_t *o;

    if (!json_is_array(arr))
        return base_json_fail(why, size, "no \"benchmarks\" array");
    b->benches = xcalloc(json_array_size(arr) + 1, sizeof(*b->benches));
    json_array_foreach(arr, i, o)
    {
        struct base_bench *bb = &b->benches[b->nbenches++];
        int err;

        if (index_of(o, "python", b->npythons, &bb->python) < 0 ||
            index_of(o, "statement", b->nstmts, &bb->stmt) < 0)
            return base_json_fail(why, size,
                                  "a benchmark without a valid \"python\" and \"statement\" index");
        err = read_workers(json_object_get(o, "workers"), bb, why, size);
        if (err < 0)
            return err;
    }
    return 0;
}

static int read_root(struct timeit_base *b, json_t *root, char *why, size_t size)
{
    if (read_strings(json_object_get(root, "pythons"), "name", &b->pythons, &b->npythons) < 0)
        return base_json_fail(why, size, "no \"pythons\" array of objects with a \"name\"");
    if (read_strings(json_object_get(root, "statements"), NULL, &b->stmts, &b->nstmts) < 0)
        return base_json_fail(why, size, "no \"statements\" array of strings");
    return read_benches(b, json_object_get(root, "benchmarks"), why, size);
}

/* The baseline in root (released here). */
static int from_root(json_t *root, struct timeit_base **out, char *why, size_t size)
{
    struct timeit_base *b = xcalloc(1, sizeof(*b));
    int err = read_root(b, root, why, size);

    json_decref(root);
    if (err < 0) {
        timeit_base_free(b);
        return err;
    }
    *out = b;
    return 0;
}

int timeit_base_parse(const char *text, size_t len, struct timeit_base **out, char *why,
                      size_t size)
{
    json_t *root;
    int err = base_json_parse(text, len, TIMEIT_SCHEMA, "timeit", &root, why, size);

    return err < 0 ? err : from_root(root, out, why, size);
}

int timeit_base_load(const char *path, struct timeit_base **out, char *why, size_t size)
{
    json_t *root;
    int err = base_json_load(path, TIMEIT_SCHEMA, "timeit", &root, why, size);

    return err < 0 ? err : from_root(root, out, why, size);
}

int timeit_base_find(const struct timeit_base *b, const char *stmt, const char *python,
                     struct stats_clusters *out)
{
    for (size_t i = 0; i < b->nbenches; i++) {
        const struct base_bench *bb = &b->benches[i];

        if (bb->nclusters && strcmp(b->stmts[bb->stmt], stmt) == 0 &&
            strcmp(b->pythons[bb->python], python) == 0) {
            *out = (struct stats_clusters){.x = bb->x, .len = bb->len, .nclusters = bb->nclusters};
            return 0;
        }
    }
    return -ENOENT;
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

void timeit_base_free(struct timeit_base *b)
{
    if (!b)
        return;
    free_strings(b->pythons, b->npythons);
    free_strings(b->stmts, b->nstmts);
    for (size_t i = 0; i < b->nbenches; i++) {
        free(b->benches[i].x);
        free(b->benches[i].len);
    }
    free(b->benches);
    free(b);
}
