/* Unit tests for cli_msg: messages and profile text reach a terminal with their control
 * characters escaped, one line per message.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_msg.h"
#include "suites.h"
#include "test.h"

static int hostile_writer(FILE *f, void *ctx)
{
    fputs("root;f\x1b[2J 3\nroot;g 1\n", f);
    return *(int *)ctx;
}

static void test_through(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int err = 0;

    if (!f)
        return;
    TEST_EQ_INT(cli_msg_through(f, hostile_writer, &err), 0);
    err = -ENOSPC; /* the writer's error is returned, and nothing is shown */
    TEST_EQ_INT(cli_msg_through(f, hostile_writer, &err), -ENOSPC);
    fclose(f);
    TEST_EQ_STR(buf, "root;f\\x1b[2J 3\nroot;g 1\n");
    free(buf);
}

void test_cli_msg(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        return;
    TEST_EQ_INT(cli_msg(f, "spyglass: cannot read %s: %s\n", "/tmp/a\x1b[2J\nb", "gone"), 0);
    TEST_EQ_INT(cli_msg(f, "unit %s ", "\xc2\x9b\x07"), 0);
    static const char text[] = "root;f\x1b]0;t\x07 3\nroot;\xe2\x80\xae 2\nno newline\r";
    TEST_EQ_INT(cli_msg_text(f, text, sizeof(text) - 1), 0);
    fclose(f);
    TEST_EQ_STR(buf, "spyglass: cannot read /tmp/a\\x1b[2J\\x0ab: gone\n"
                     "unit \\u009b\\x07 "
                     "root;f\\x1b]0;t\\x07 3\nroot;\\u202e 2\nno newline\\x0d");
    free(buf);
    char *e = cli_msg_escape("p\x1b[1m\xff");
    TEST_EQ_STR(e, "p\\x1b[1m\\xff");
    free(e);
    test_through();
}
