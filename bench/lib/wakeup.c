/* Reference for bench/cost.sh: the CPU a process spends just waking up N times a second
 * with clock_nanosleep(TIMER_ABSTIME), doing nothing else -- the floor under any sampler's
 * per-sample cost at that rate on this machine.
 * usage: wakeup RATE SECONDS   prints the microseconds of CPU (user+sys) per wakeup. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

int main(int argc, char **argv)
{
    double rate = argc > 1 ? atof(argv[1]) : 1000, secs = argc > 2 ? atof(argv[2]) : 2;
    long n = (long)(rate * secs), step = (long)(1e9 / rate);
    struct timespec t;
    struct rusage ru;

    clock_gettime(CLOCK_MONOTONIC, &t);
    for (long i = 0; i < n; i++) {
        t.tv_nsec += step;
        while (t.tv_nsec >= 1000000000L) {
            t.tv_nsec -= 1000000000L;
            t.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
    }
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    printf("%.2f\n", n ? cpu * 1e6 / (double)n : 0.0);
    return 0;
}
