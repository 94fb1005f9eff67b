/* Earlier exports read back: size cap, jansson, schema tag.
 * SPDX-License-Identifier: MIT */
#include "base_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util_file.h"

int base_json_fail(char *why, size_t size, const char *msg)
{
    snprintf(why, size, "%s", msg);
    return -EINVAL;
}

int base_json_seconds(double v)
{
    return v == 0 || (v >= BASE_JSON_MIN_S && v <= BASE_JSON_MAX_S); /* false for NaN */
}

int base_json_parse(const char *text, size_t len, const char *schema, const char *what,
                    json_t **root, char *why, size_t size)
{
    json_error_t jerr;
    json_t *r = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *tag;

    if (!r) {
        snprintf(why, size, "not JSON: %s (line %d)", jerr.text, jerr.line);
        for (char *c = why; *c; c++) /* jansson quotes the input near the error */
            *c = (unsigned char)*c < 0x20 || *c == 0x7f ? ' ' : *c;
        return -EINVAL;
    }
    tag = json_string_value(json_object_get(r, "schema"));
    if (!tag || strcmp(tag, schema) != 0) {
        snprintf(why, size, "not a spyglass %s export (\"schema\" is not %s)", what, schema);
        json_decref(r);
        return -EINVAL;
    }
    *root = r;
    return 0;
}

int base_json_load(const char *path, const char *schema, const char *what, json_t **root, char *why,
                   size_t size)
{
    char *buf = NULL;
    size_t len = 0;
    int err = file_read(path, BASE_JSON_MAX_BYTES, &buf, &len);

    if (err == -EFBIG)
        return base_json_fail(why, size, "larger than 256 MiB");
    if (err < 0)
        return err;
    err = base_json_parse(buf, len, schema, what, root, why, size);
    free(buf);
    return err;
}
