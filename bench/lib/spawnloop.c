/* Reference for the spawn floor: N raw posix_spawnp + wait4 runs of a command (no attributes,
 * no file actions, stdio inherited), each timed with CLOCK_MONOTONIC from just before the
 * spawn to just after wait4 returns, as bench_run and hyperfine -N do.
 * usage: spawnloop N CMD [ARG...]   prints "MEDIAN MAD" in microseconds (MAD: the median of
 * the absolute deviations from the median, unscaled). Exits 1 if a run fails to start. */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *v, long n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    long n = argc > 2 ? atol(argv[1]) : 0;
    double *t, *dev, med;
    struct timespec a, b;
    struct rusage ru;
    int status;
    pid_t pid;

    if (n <= 0) {
        fprintf(stderr, "usage: spawnloop N CMD [ARG...]\n");
        return 2;
    }
    t = malloc((size_t)n * sizeof(*t));
    dev = malloc((size_t)n * sizeof(*dev));
    if (!t || !dev)
        return 1;
    for (long i = 0; i < n; i++) {
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ) != 0) {
            perror(argv[2]);
            return 1;
        }
        while (wait4(pid, &status, 0, &ru) < 0) {
            if (errno != EINTR) {
                perror("wait4");
                return 1;
            }
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        t[i] = (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
    }
    med = median(t, n);
    for (long i = 0; i < n; i++)
        dev[i] = t[i] > med ? t[i] - med : med - t[i];
    printf("%.1f %.1f\n", med, median(dev, n));
    free(t);
    free(dev);
    return 0;
}
