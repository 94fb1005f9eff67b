/* Unit tests for proc_status (fixtures captured on this machine: a Python process, a process
 * of user nobody, a zombie, kthreadd, and kthreadd's without its Kthread line as kernels
 * before 6.x write it) and for proc_access_explain's rule, one fact changed at a time; and the
 * facts of our own process and of a kernel thread read live.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_access.h"
#include "proc_status.h"
#include "suites.h"
#include "test.h"

static int load(const char *path, struct proc_status *st)
{
    size_t len;
    char *text = test_read_fixture(path, &len);
    int rc;

    if (!text)
        return -ENOENT;
    rc = proc_status_parse(text, len, st);
    free(text);
    return rc;
}

static int parse_str(const char *text, struct proc_status *st)
{
    return proc_status_parse(text, strlen(text), st);
}

static void test_parse(void)
{
    struct proc_status st;

    TEST_EQ_INT(load("fixtures/status/python.txt", &st), 0);
    TEST_EQ_STR(st.name, "python3");
    TEST_EQ_INT(st.state, 'R');
    TEST_EQ_INT(st.kthread, 0);
    TEST_EQ_INT(st.uid[0], 0);
    TEST_EQ_INT(st.vm_hwm, 8224 * 1024);
    TEST_CHECK(st.cap_eff == 0x1fffeffffffull && st.cap_prm == 0x1fffeffffffull);

    TEST_EQ_INT(load("fixtures/status/nobody.txt", &st), 0);
    TEST_EQ_STR(st.name, "cat");
    TEST_CHECK(st.uid[0] == 65534 && st.uid[1] == 65534 && st.uid[2] == 65534);
    TEST_CHECK(st.cap_eff == 0 && st.cap_prm == 0);

    TEST_EQ_INT(load("fixtures/status/zombie.txt", &st), 0);
    TEST_EQ_INT(st.state, 'Z');
    TEST_EQ_INT(st.kthread, 0);
    TEST_EQ_INT(st.vm_hwm, 0);
    TEST_CHECK(st.ppid > 1);

    TEST_EQ_INT(load("fixtures/status/kthreadd.txt", &st), 0);
    TEST_EQ_STR(st.name, "kthreadd");
    TEST_EQ_INT(st.kthread, 1);
    TEST_EQ_INT(st.ppid, 0);
    TEST_CHECK(st.cap_prm == 0x1ffffffffffull);
    /* Without the Kthread line: a live task without memory lines. */
    TEST_EQ_INT(load("fixtures/status/kthreadd_no_kthread_line.txt", &st), 0);
    TEST_EQ_INT(st.kthread, 1);

    /* Malformed or missing lines the rule needs. */
    TEST_EQ_INT(parse_str("Name:\tx\nState:\tS\nPPid:\t1\n", &st), -EINVAL);
    TEST_EQ_INT(parse_str("Name:\tx\nState:\ts\nPPid:\t1\nUid:\t0\t0\t0\t0\n", &st), -EINVAL);
    TEST_EQ_INT(parse_str("Name:\tx\nState:\tS\nPPid:\tq\nUid:\t0\t0\t0\t0\n", &st), -EINVAL);
    TEST_EQ_INT(parse_str("Name:\tx\nState:\tS\nPPid:\t1\nUid:\t0\t0\t0\n", &st), -EINVAL);
    TEST_EQ_INT(parse_str("Name:\tx\nState:\tS\nPPid:\t1\nUid:\t1\t2\t3\t4\nCapEff:\tzz\n", &st),
                -EINVAL);
    TEST_EQ_INT(parse_str("Name:\tx\nState:\tS\nPPid:\t1\nUid:\t1\t2\t3\t4", &st), 0);
    TEST_EQ_INT(st.uid[3], 4);
    TEST_EQ_INT(st.kthread, 1); /* no memory lines, alive */
    TEST_EQ_INT(parse_str("", &st), -EINVAL);
}

/* Facts of a root process reading a root target with every rule passing, then one change at a
 * time. */
static void base_facts(struct proc_access_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->exists = 1;
    load("fixtures/status/python.txt", &f->target);
    load("fixtures/status/python.txt", &f->self);
    f->owner_uid = 0;
    f->yama = -1;
    f->same_userns = 1;
}

static void test_explain(void)
{
    struct proc_access_facts f;

    base_facts(&f);
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_UNKNOWN);
    f.lsm = PROC_ACCESS_LANDLOCK; /* as on this machine, reading PID 1 */
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_LSM);
    f.same_userns = 0;
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_USERNS);
    f.yama = 3;
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_YAMA3);

    base_facts(&f);
    f.exists = 0;
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_GONE);
    base_facts(&f);
    load("fixtures/status/kthreadd.txt", &f.target);
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_KTHREAD);
    load("fixtures/status/zombie.txt", &f.target);
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_ZOMBIE);

    /* Without CAP_SYS_PTRACE: as user nobody. */
    base_facts(&f);
    load("fixtures/status/nobody.txt", &f.self);
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_OTHER_USER); /* root's process */
    load("fixtures/status/nobody.txt", &f.target);
    f.owner_uid = 65534;
    f.target.uid[2] = 0; /* a saved uid of root: a setuid program that dropped to nobody */
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_OTHER_USER);
    f.target.uid[2] = 65534;
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_UNKNOWN);
    f.owner_uid = 0; /* /proc/PID is root's: not dumpable */
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_NOT_DUMPABLE);
    f.owner_uid = 65534;
    f.yama = 2;
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_YAMA2);
    f.yama = 1;
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_YAMA1);
    f.descendant = 1;
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_UNKNOWN);
    f.target.cap_prm = 1ull << 10; /* it holds CAP_NET_BIND_SERVICE */
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_PRIVILEGED);
    f.target.cap_prm = 0;
    f.lsm = PROC_ACCESS_SELINUX;
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_LSM);
}

/* Live: ourselves (a program, no refusal rule), kthreadd (pid 2 in the initial pid namespace;
 * checked only when it is kthreadd), a pid that does not exist. */
static void test_live(void)
{
    struct proc_access_facts f;

    TEST_EQ_INT(proc_access_read(getpid(), &f), 0);
    TEST_CHECK(f.exists && !f.target.kthread && f.target.state != 'Z');
    TEST_EQ_INT(f.same_userns, 1);
    TEST_CHECK(proc_access_explain(&f) != PROC_ACCESS_KTHREAD);
    TEST_EQ_INT(proc_access_read(0x3ffffffe, &f), 0);
    TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_GONE);
    if (proc_access_read(2, &f) == 0 && f.exists && strcmp(f.target.name, "kthreadd") == 0)
        TEST_EQ_INT(proc_access_explain(&f), PROC_ACCESS_KTHREAD);
}

void test_proc_access(void)
{
    test_parse();
    test_explain();
    test_live();
}
