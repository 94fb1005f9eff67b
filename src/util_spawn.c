/* posix_spawnp with own process group, default signals and moved descriptors.
 * SPDX-License-Identifier: MIT */
#include "util_spawn.h"

#include <errno.h>
#include <signal.h>

extern char **environ;

int util_spawn_init(struct util_spawn *s, const int *fds, int nfds)
{
    sigset_t none, all;
    int rc;

    sigemptyset(&none);
    sigfillset(&all);
    if ((rc = posix_spawnattr_init(&s->attr)) != 0)
        return -rc;
    s->attr_ok = 1;
    if ((rc = posix_spawn_file_actions_init(&s->fa)) != 0)
        return -rc;
    s->fa_ok = 1;
    rc = posix_spawnattr_setflags(&s->attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                POSIX_SPAWN_SETSIGDEF);
    if (!rc)
        rc = posix_spawnattr_setpgroup(&s->attr, 0);
    if (!rc)
        rc = posix_spawnattr_setsigmask(&s->attr, &none);
    if (!rc)
        rc = posix_spawnattr_setsigdefault(&s->attr, &all);
    for (int i = 0; i < nfds && !rc; i++)
        if (fds[i] >= 0)
            rc = posix_spawn_file_actions_adddup2(&s->fa, fds[i], i);
    return -rc;
}

int util_spawn_run(const struct util_spawn *s, const char *file, char *const argv[], pid_t *pid)
{
    int rc = posix_spawnp(pid, file, &s->fa, &s->attr, argv, environ);

    switch (rc) {
    case 0:
        return 0;
    case ENOENT:
    case ENOTDIR:
        return -ENOENT;
    case EACCES:
    case EPERM:
    case EISDIR:
        return -EACCES;
    case ENOEXEC:
    case ELIBBAD:
        return -ENOEXEC;
    default:
        return -rc;
    }
}

void util_spawn_destroy(struct util_spawn *s)
{
    if (s->attr_ok)
        posix_spawnattr_destroy(&s->attr);
    if (s->fa_ok)
        posix_spawn_file_actions_destroy(&s->fa);
    s->attr_ok = s->fa_ok = 0;
}
