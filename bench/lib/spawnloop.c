/* The floor of command timing: N posix_spawn + wait4 runs of a command with stdin/stdout/stderr
 * on /dev/null, timed with CLOCK_MONOTONIC around spawn..reap and nothing else; prints each
 * run's time in microseconds, one per line. usage: spawnloop N CMD [ARGS...]
 * SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    posix_spawn_file_actions_t fa;
    int n = argc > 2 ? atoi(argv[1]) : 0;
    double *t;

    if (n <= 0) {
        fprintf(stderr, "usage: spawnloop N CMD [ARGS...]\n");
        return 2;
    }
    t = malloc(sizeof(double) * (size_t)n);
    posix_spawn_file_actions_init(&fa);
    for (int fd = 0; fd < 3; fd++)
        posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
    for (int i = 0; i < n; i++) {
        struct rusage ru;
        pid_t pid;
        int st;
        double t0 = now();

        if (posix_spawnp(&pid, argv[2], &fa, NULL, argv + 2, environ) != 0) {
            perror("posix_spawnp");
            return 1;
        }
        if (wait4(pid, &st, 0, &ru) < 0) {
            perror("wait4");
            return 1;
        }
        t[i] = now() - t0;
    }
    for (int i = 0; i < n; i++)
        printf("%.3f\n", t[i]);
    return 0;
}
