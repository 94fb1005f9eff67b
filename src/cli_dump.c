/* spyglass dump --pid PID: one look at every thread's Python stack (like py-spy dump).
 * SPDX-License-Identifier: MIT */
#include "cli_dump.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_attach.h"
#include "cli_msg.h"
#include "proc_stat.h"
#include "unwind.h"
#include "util_sbuf.h"
#include "util_xalloc.h"

static const char usage[] = "usage: spyglass dump --pid PID\n"
                            "Print every thread's current Python stack once (CPython 3.8 to "
                            "3.15,\nand debug builds of 3.13 to 3.15).\n";

/* Write s as sbuf_add_term_quoted escapes it: control characters (a hostile name could move
 * the cursor or fake lines) as \xNN, '"' and '\' with '\'. */
static void put_escaped(const char *s)
{
    struct sbuf b;
    sbuf_init(&b);
    sbuf_add_term_quoted(&b, s);
    fputs(sbuf_str(&b), stdout);
    sbuf_destroy(&b);
}

/* The thread's Python name, else MainThread for the main thread, else the kernel's name. */
static void print_thread(const struct py_proc *p, struct unwinder *u, const struct unwind_sample *s,
                         const struct unwind_thread *th)
{
    char name[256] = "";
    struct proc_stat st;
    int running = th->tid && proc_stat_read(p->pid, th->tid, &st) == 0 && st.state == 'R';

    if (th->is_main)
        snprintf(name, sizeof(name), "MainThread");
    else if ((unwinder_thread_name(u, s, th, name, sizeof(name)) != 0 || !name[0]) && th->tid)
        proc_comm_read(p->pid, th->tid, name, sizeof(name));
    printf("Thread %d (%s%s): \"", th->tid, running ? "active" : "idle",
           th->holds_gil ? "+gil" : "");
    put_escaped(name);
    printf("\"%s\n", th->status == UNWIND_TORN  ? " [stack changed while read]"
                     : th->status == UNWIND_CUT ? " [stack not read whole]"
                                                : "");
    for (uint32_t i = 0; i < th->nframes; i++) {
        const struct unwind_frame *f = &s->frames[th->first + i];
        const struct unwind_code *c = unwinder_code(u, f->code);
        printf("    ");
        put_escaped(c->name);
        printf(" (");
        put_escaped(c->file);
        if (f->line >= 0)
            printf(":%d", f->line);
        printf(")\n");
    }
    if (th->status == UNWIND_TRUNCATED)
        printf("    ... (deeper frames not shown)\n");
}

int cli_dump(int argc, char **argv)
{
    static const struct option opts[] = {{"pid", required_argument, NULL, 'p'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct py_proc *p = NULL;
    struct unwinder *u = NULL;
    struct unwind_sample *s = NULL;
    int pid = -1, c, rc;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:h", opts, NULL)) != -1) {
        if (c == 'p' && (pid = cli_parse_pid(optarg)) < 0)
            return EXIT_USAGE;
        if (c == 'h') {
            fputs(usage, stdout);
            return EXIT_OK;
        }
        if (c == '?' || c == ':') {
            cli_bad_option("dump", c, argv);
            return EXIT_USAGE;
        }
    }
    if (pid < 0 || optind != argc) {
        fprintf(stderr, "spyglass: dump needs --pid PID and nothing else (try 'spyglass dump "
                        "--help')\n");
        return EXIT_USAGE;
    }
    rc = cli_attach(pid, 0, NULL, &p);
    if (rc)
        return rc;
    u = unwinder_new(p, UNWIND_GIL);
    s = xmalloc(sizeof(*s));
    int err = unwinder_sample(u, s, NULL, NULL);
    if (err != -ESRCH && py_proc_image_gone(p) == 1) { /* what was read may be the new image's */
        fprintf(stderr,
                "spyglass: process %d replaced its program (exec) or exited while its stacks "
                "were read; try again\n",
                pid);
        rc = EXIT_ERROR;
        goto out;
    }
    if (err) {
        fprintf(stderr, "spyglass: cannot read the stacks of process %d: %s\n", pid,
                err == -ESRCH ? "it exited" : strerror(-err));
        rc = EXIT_ERROR;
        goto out;
    }
    cli_msg(stdout, "Process %d: Python %s (%s)\n", pid, p->version, p->path);
    for (uint32_t i = 0; i < s->nthreads; i++) {
        printf("\n");
        print_thread(p, u, s, &s->threads[i]);
    }
    if (fflush(stdout) != 0)
        rc = EXIT_ERROR;
out:
    free(s);
    unwinder_free(u);
    py_proc_free(p);
    return rc;
}
