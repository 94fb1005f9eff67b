/* Target of the monitor's 'wake' check: NTHREADS threads blocked on one barrier are released
 * at once, each spins for SPIN_MS of its own CPU, and all meet again; ROUNDS times, with the
 * main thread asleep for GAP_MS between rounds. At the end it prints its own CPU clock
 * (CLOCK_PROCESS_CPUTIME_ID: every thread, the exited ones included) in seconds, the truth the
 * monitor's total is compared with.
 *
 * usage: wake NTHREADS ROUNDS SPIN_MS GAP_MS
 * SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_barrier_t start, done;
static int rounds;
static double spin_s;

static double clock_s(clockid_t c)
{
    struct timespec ts;

    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *worker(void *arg)
{
    (void)arg;
    for (int r = 0; r < rounds; r++) {
        pthread_barrier_wait(&start);
        double t0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
        while (clock_s(CLOCK_THREAD_CPUTIME_ID) - t0 < spin_s)
            ;
        pthread_barrier_wait(&done);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_attr_t attr;
    pthread_t *tids;
    int n;
    long gap_ms;

    if (argc != 5) {
        fprintf(stderr, "usage: wake NTHREADS ROUNDS SPIN_MS GAP_MS\n");
        return 2;
    }
    n = atoi(argv[1]);
    rounds = atoi(argv[2]);
    spin_s = atof(argv[3]) / 1e3;
    gap_ms = atol(argv[4]);
    if (n < 1 || rounds < 1 || !(tids = calloc((size_t)n, sizeof(*tids))))
        return 2;
    pthread_barrier_init(&start, NULL, (unsigned)n + 1);
    pthread_barrier_init(&done, NULL, (unsigned)n + 1);
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (int i = 0; i < n; i++) {
        if (pthread_create(&tids[i], &attr, worker, NULL) != 0) {
            fprintf(stderr, "wake: cannot start thread %d\n", i);
            return 1;
        }
    }
    for (int r = 0; r < rounds; r++) {
        struct timespec gap = {gap_ms / 1000, (gap_ms % 1000) * 1000000};

        nanosleep(&gap, NULL);
        pthread_barrier_wait(&start); /* every thread wakes at once */
        pthread_barrier_wait(&done);
    }
    for (int i = 0; i < n; i++)
        pthread_join(tids[i], NULL);
    printf("%.6f\n", clock_s(CLOCK_PROCESS_CPUTIME_ID));
    return 0;
}
