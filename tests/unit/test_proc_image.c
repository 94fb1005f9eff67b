/* Unit tests for proc_image (the personality parser; exec and exit of a forked child seen
 * through /proc/PID/mem; the layout rule) and py_exec's outcomes that need no Python (a stop,
 * a process gone).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_image.h"
#include "py_exec.h"
#include "suites.h"
#include "test.h"

static int mapped_byte = 42; /* at the same address in a forked child */

static void check_bad(const char *text)
{
    unsigned long v = 7;
    TEST_EQ_INT(proc_image_parse_personality(text, &v), -EINVAL);
    TEST_EQ_INT(v, 7);
}

static void test_parse(void)
{
    unsigned long v = 7;
    TEST_EQ_INT(proc_image_parse_personality("00000000\n", &v), 0);
    TEST_EQ_INT(v, 0);
    TEST_EQ_INT(proc_image_parse_personality("00040000\n", &v), 0);
    TEST_EQ_INT(v, ADDR_NO_RANDOMIZE);
    TEST_EQ_INT(proc_image_parse_personality("0440000", &v), 0);
    TEST_EQ_INT(v, 0x440000);
    TEST_EQ_INT(proc_image_parse_personality("ffffFFFFffffFFFF\n", &v), 0);
    TEST_CHECK(v == UINT64_MAX);
    check_bad("");
    check_bad("\n");
    check_bad("0x40000\n");
    check_bad("-1\n");
    check_bad(" 1\n");
    check_bad("1 \n");
    check_bad("1\n\n");
    check_bad("g\n");
    check_bad("00000000000000000\n"); /* 17 digits */
}

/* A child that waits for a byte on go, then execs /bin/sleep; *done gets EOF at its exec (the
 * write end is close-on-exec). Returns its pid. */
static pid_t exec_child(int *go, int *done)
{
    int g[2], d[2];
    if (pipe(g) != 0 || pipe2(d, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(g[1]);
        close(d[0]);
        if (read(g[0], &c, 1) == 1)
            execl("/bin/sleep", "sleep", "30", (char *)NULL);
        _exit(127);
    }
    close(g[0]);
    close(d[1]);
    *go = g[1];
    *done = d[0];
    return pid;
}

static void test_exec_and_exit(void)
{
    struct proc_image before, after, zombie;
    int go = -1, done = -1, status;
    char c;
    pid_t pid = exec_child(&go, &done);

    TEST_CHECK(pid > 0);
    if (pid <= 0)
        return;
    TEST_EQ_INT(proc_image_open(pid, &before), 0);
    TEST_EQ_INT(proc_image_gone(&before), 0); /* address 0: EIO, the image lives */
    before.addr = (uint64_t)(uintptr_t)&mapped_byte;
    TEST_EQ_INT(proc_image_gone(&before), 0); /* a mapped byte */
    TEST_CHECK(write(go, "x", 1) == 1);
    TEST_EQ_INT(read(done, &c, 1), 0); /* the exec is past its point of no return */
    TEST_EQ_INT(proc_image_gone(&before), 1);
    TEST_EQ_INT(proc_image_open(pid, &after), 0);
    TEST_EQ_INT(proc_image_gone(&after), 0);
    kill(pid, SIGKILL);
    TEST_EQ_INT(waitid(P_PID, (id_t)pid, &(siginfo_t){0}, WEXITED | WNOWAIT), 0); /* a zombie */
    TEST_EQ_INT(proc_image_gone(&after), 1);
    int err = proc_image_open(pid, &zombie);
    TEST_CHECK(err == -ESRCH || err == -EAGAIN);
    TEST_EQ_INT(zombie.fd, -1);
    TEST_CHECK(waitpid(pid, &status, 0) == pid);
    TEST_EQ_INT(proc_image_open(pid, &zombie), -ESRCH);
    proc_image_close(&before);
    proc_image_close(&before); /* twice is fine */
    proc_image_close(&after);
    TEST_EQ_INT(proc_image_gone(&before), -EBADF);
    close(go);
    close(done);
}

/* Address randomisation as the kernel applies it, read without proc_image. */
static int randomised(int pers)
{
    char buf[8] = "";
    FILE *f = fopen("/proc/sys/kernel/randomize_va_space", "r");
    if (!f)
        return -1;
    if (!fgets(buf, sizeof(buf), f))
        buf[0] = '\0';
    fclose(f);
    return buf[0] == '2' && !(pers & ADDR_NO_RANDOMIZE);
}

static void test_layout(void)
{
    int hold[2], ready[2], status;
    char c;
    int own = personality(0xffffffff);

    TEST_EQ_INT(proc_image_fixed_layout(getpid()), !randomised(own));
    if (pipe(hold) != 0 || pipe(ready) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) { /* randomisation off, as setarch -R does before its exec */
        close(hold[1]);
        close(ready[0]);
        personality((unsigned long)own | ADDR_NO_RANDOMIZE);
        if (write(ready[1], "x", 1) != 1 || read(hold[0], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(hold[0]);
    close(ready[1]);
    TEST_EQ_INT(read(ready[0], &c, 1), 1);
    TEST_EQ_INT(proc_image_fixed_layout(pid), 1);
    close(hold[1]);
    close(ready[0]);
    TEST_CHECK(waitpid(pid, &status, 0) == pid);
    TEST_EQ_INT(proc_image_fixed_layout(pid), -ESRCH);
}

static void test_follow(void)
{
    struct py_exec_info info;
    struct py_proc *p = NULL;
    volatile sig_atomic_t stop = 1;
    int status;

    TEST_EQ_INT(py_exec_follow(getpid(), 0, &stop, &p, &info), -ENOEXEC);
    TEST_EQ_INT(info.outcome, PY_EXEC_STOPPED);
    TEST_CHECK(p == NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    TEST_CHECK(waitpid(pid, &status, 0) == pid);
    TEST_EQ_INT(py_exec_follow(pid, 0, NULL, &p, &info), -ENOEXEC);
    TEST_EQ_INT(info.outcome, PY_EXEC_EXITED);
    TEST_EQ_STR(info.exe, "");
    TEST_EQ_STR(py_exec_outcome_name(PY_EXEC_NOT_PYTHON), "not Python");
    TEST_EQ_STR(py_exec_outcome_name((enum py_exec_outcome)99), "?");
}

void test_proc_image(void)
{
    test_parse();
    test_exec_and_exit();
    test_layout();
    test_follow();
}
