/* One `spyglass timeit` worker: a Python interpreter running the embedded driver, which
 * compiles the setup and the statement into a timing loop and then times as many loops as it is
 * told, one value at a time, over two pipes. The driver's output lines are parsed here (pure
 * parsers, fuzzed). No printing.
 * SPDX-License-Identifier: MIT */
#ifndef TIMEIT_RUN_H
#define TIMEIT_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The Python source of the driver (3.8+). Run as `PY -c DRIVER SETUP STMT TEARDOWN`: it reads
 * loop counts, one per line, from fd 3 and writes lines to fd 4:
 *   "hello VERSION RESOLUTION COST EXECUTABLE"
 *                                    first, before the setup runs (seconds, Python floats;
 *                                    EXECUTABLE is sys.executable, any bytes to the end of the
 *                                    line, empty when unknown or holding a newline)
 *   "SECONDS CPU"                    per loop count received: the time of that many loops,
 *                                    and the CPU time the thread used meanwhile (both seconds)
 *   "end"                            after fd 3 reached EOF (or a count of 0) and the teardown
 *                                    ran.
 * Setup, statement and teardown are each compiled alone first, so a syntax error names its
 * part. Any exception ends it with the traceback on stderr and exit code 1. */
extern const char timeit_run_driver[];

/* What the driver says about its interpreter. */
struct timeit_hello {
    char version[32];      /* "3.11.7" */
    double clock_res;      /* resolution of time.perf_counter, seconds */
    double clock_cost;     /* seconds one perf_counter() call takes (with its loop) */
    char executable[4096]; /* sys.executable; "" when unknown */
};

enum timeit_msg_kind {
    TIMEIT_MSG_HELLO = 0,
    TIMEIT_MSG_VALUE,
    TIMEIT_MSG_END,
};

struct timeit_msg {
    enum timeit_msg_kind kind;
    struct timeit_hello hello; /* TIMEIT_MSG_HELLO */
    double value;              /* TIMEIT_MSG_VALUE: seconds, finite and >= 0 */
    double cpu;                /* TIMEIT_MSG_VALUE: the thread's CPU seconds around it; -1 when
                                  the line has the time alone */
};

/* Parse one line of the driver's output (len bytes, no newline; need not be NUL-terminated).
 * Returns 0 and *out, or -EINVAL when the line is not one of the three forms (a version that is
 * not digits and dots, a number that is not finite, negative, or has trailing bytes; an
 * executable with a NUL or longer than the field). A hello without the executable part is
 * accepted with executable "". */
int timeit_run_parse(const char *line, size_t len, struct timeit_msg *out);

/* Copy the last non-blank line of text[0..len) into buf (size > 0, NUL-terminated, cut to
 * fit; control bytes become spaces), e.g. "ZeroDivisionError: division by zero" out of a
 * traceback. Returns its length, 0 when there is none. */
size_t timeit_run_last_line(const char *text, size_t len, char *buf, size_t size);

/* How workers run. */
struct timeit_run_opts {
    double timeout; /* seconds from the start until the worker is killed; 0: none */
    const volatile sig_atomic_t *stop; /* when it becomes non-zero the worker is killed and the
                                          call returns -EINTR; may be NULL. It is checked when a
                                          signal (SIGINT, SIGTERM or SIGHUP, from a handler
                                          installed without SA_RESTART) interrupts a wait: no
                                          polling */
};

struct timeit_worker;

/* Start python (a path, or a name searched in PATH) on the driver with setup, stmt and
 * teardown (blank ones become `pass`), in a process group of its own, with stdin and stdout on
 * /dev/null and stderr captured. Returns 0, -ENOENT or -EACCES when python cannot be started,
 * or another negative errno. Caller frees with timeit_worker_free(). */
int timeit_worker_start(const char *python, const char *setup, const char *stmt,
                        const char *teardown, const struct timeit_run_opts *opts,
                        struct timeit_worker **out);

/* Wait for the driver's hello (the interpreter has started; the setup runs next). Returns 0,
 * or an error as timeit_worker_time(). */
int timeit_worker_hello(struct timeit_worker *w, struct timeit_hello *out);

/* Time `loops` loops of the statement (the first call runs the setup first, untimed). Returns
 * 0 and *seconds (the whole value, not per loop) and *cpu (may be NULL: the CPU seconds of the
 * driver's thread around the value, -1 when unknown); -ECHILD when the driver ended without
 * answering (an exception, a syntax error, a crash: see timeit_worker_message()); -ETIMEDOUT
 * when the timeout passed (the worker was killed); -EINTR when stopped; -EPROTO when it wrote
 * something that is not a value; another negative errno on a system failure. */
int timeit_worker_time(struct timeit_worker *w, uint64_t loops, double *seconds, double *cpu);

/* Send a last loop count and the end at once, without waiting: the driver times those loops,
 * runs the teardown and exits while the caller does something else (samples it). Returns 0 or
 * an error as timeit_worker_time(). */
int timeit_worker_run_last(struct timeit_worker *w, uint64_t loops);

/* Tell the driver to finish (it runs the teardown), and reap it. Values still on their way are
 * skipped. Returns 0 when it said "end" and exited 0; otherwise an error as timeit_worker_time().
 * *cpu (may be NULL) receives the seconds of CPU (user + system) the worker used, or -1 when not
 * reaped. */
int timeit_worker_finish(struct timeit_worker *w, double *cpu);

/* The worker's pid (its process group too), or -1 once reaped. */
pid_t timeit_worker_pid(const struct timeit_worker *w);

/* Why the worker failed, in one line: the last line of its stderr (the exception), else
 * "killed by signal N" or "exited with code N", "timed out after S s" after a timeout; "" when
 * nothing is known. Valid until timeit_worker_free(). */
const char *timeit_worker_message(struct timeit_worker *w);

/* Kill the worker's process group if it still runs, reap it, free everything. NULL is fine. */
void timeit_worker_free(struct timeit_worker *w);

#endif
