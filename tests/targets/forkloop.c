/* Target of the monitor's 'forkloop' check: starts NCHILD short children, at most CONC at a
 * time; each spins for SPIN_US of its own CPU, sleeps SLEEP_MS and exits, and is reaped at
 * once. At the end it prints the truth the monitor is compared with: the CPU seconds of the
 * whole tree (its own CPU clock plus getrusage(RUSAGE_CHILDREN): every reaped child) and the
 * number of children.
 *
 * usage: forkloop NCHILD CONC SPIN_US SLEEP_MS
 * SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double clock_s(clockid_t c)
{
    struct timespec ts;

    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void child(double spin_s, long sleep_ms)
{
    struct timespec nap = {sleep_ms / 1000, (sleep_ms % 1000) * 1000000};
    double t0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);

    while (clock_s(CLOCK_PROCESS_CPUTIME_ID) - t0 < spin_s)
        ;
    nanosleep(&nap, NULL);
    _exit(0);
}

int main(int argc, char **argv)
{
    struct rusage ru;
    int n, conc, live = 0, started = 0, reaped = 0;
    double spin_s;
    long sleep_ms;

    if (argc != 5) {
        fprintf(stderr, "usage: forkloop NCHILD CONC SPIN_US SLEEP_MS\n");
        return 2;
    }
    n = atoi(argv[1]);
    conc = atoi(argv[2]);
    spin_s = atof(argv[3]) / 1e6;
    sleep_ms = atol(argv[4]);
    if (n < 0 || conc < 1)
        return 2;
    while (reaped < n) {
        while (started < n && live < conc) {
            pid_t pid = fork();

            if (pid == 0)
                child(spin_s, sleep_ms);
            if (pid < 0) {
                perror("forkloop: fork");
                return 1;
            }
            started++;
            live++;
        }
        if (wait(NULL) > 0) {
            live--;
            reaped++;
        }
    }
    getrusage(RUSAGE_CHILDREN, &ru);
    printf("%.6f %d\n",
           clock_s(CLOCK_PROCESS_CPUTIME_ID) + (double)ru.ru_utime.tv_sec +
               (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
               (double)ru.ru_stime.tv_usec * 1e-6,
           reaped);
    return 0;
}
