/* Unit tests for mon_cap: the CPU of an interval never above the CPUs times its length, the
 * excess moved back into earlier intervals with room (newest first) or carried forward, the
 * user/system split kept, totals unchanged; and a randomised run of lagging readings.
 * SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>

#include "mon_cap.h"
#include "suites.h"
#include "test.h"

#define MS 1000000LL

/* Rows as mon keeps them: the CPU columns first, then other data. */
struct row {
    struct mon_cap_row cpu;
    int64_t other;
};

static const struct mon_cap_row origin = {0, 0, 0};

static void set(struct row *r, int64_t t_ms, int64_t user_ms, int64_t sys_ms)
{
    r->cpu.t = t_ms * MS;
    r->cpu.user = user_ms * MS;
    r->cpu.sys = sys_ms * MS;
    r->other = 7;
}

static void apply(struct row *rows, size_t n, int ncpu, size_t depth, int64_t carry[2])
{
    mon_cap_apply(rows, sizeof(*rows), n, &origin, ncpu, depth, carry);
}

/* Every interval within the cap, every column non-decreasing. */
static int obeys(const struct row *rows, size_t n, int ncpu)
{
    for (size_t i = 0; i < n; i++) {
        const struct mon_cap_row *r = &rows[i].cpu, *p = i ? &rows[i - 1].cpu : &origin;

        if (r->user < p->user || r->sys < p->sys || rows[i].other != 7)
            return 0;
        if ((r->user - p->user) + (r->sys - p->sys) > (r->t - p->t) * ncpu)
            return 0;
    }
    return 1;
}

static void test_under(void)
{
    struct row rows[2];
    int64_t carry[2];

    set(&rows[0], 100, 150, 50); /* 200 ms of CPU in 100 ms on 2 CPUs: exactly full */
    set(&rows[1], 200, 200, 60);
    apply(rows, 2, 2, 8, carry);
    TEST_EQ_INT(carry[0] + carry[1], 0);
    TEST_EQ_INT(rows[0].cpu.user, 150 * MS);
    TEST_EQ_INT(rows[1].cpu.user, 200 * MS);
    TEST_EQ_INT(rows[1].cpu.sys, 60 * MS);
    TEST_CHECK(obeys(rows, 2, 2));
}

static void test_back(void)
{
    struct row rows[4];
    int64_t carry[2];

    /* 2 CPUs, 100 ms rows: 80, 200 (full), 40 ms, then 260 ms (60 over, 3:1 user:system). */
    set(&rows[0], 100, 80, 0);
    set(&rows[1], 200, 280, 0);
    set(&rows[2], 300, 320, 0);
    set(&rows[3], 400, 320 + 195, 65);
    apply(rows, 4, 2, 8, carry);
    TEST_EQ_INT(carry[0] + carry[1], 0);
    TEST_CHECK(obeys(rows, 4, 2));
    /* All 60 ms fit in the interval before; the total is unchanged. */
    TEST_EQ_INT(rows[2].cpu.user + rows[2].cpu.sys, 380 * MS);
    TEST_EQ_INT(rows[2].cpu.user, 320 * MS + 45 * MS);
    TEST_EQ_INT(rows[2].cpu.sys, 15 * MS);
    TEST_EQ_INT(rows[3].cpu.user, 515 * MS);
    TEST_EQ_INT(rows[3].cpu.sys, 65 * MS);
    TEST_EQ_INT(rows[1].cpu.user, 280 * MS);

    /* 280 over: 160 into row 2 (full now), none into the full row 1, 120 into row 0. */
    set(&rows[0], 100, 80, 0);
    set(&rows[1], 200, 280, 0);
    set(&rows[2], 300, 320, 0);
    set(&rows[3], 400, 800, 0);
    apply(rows, 4, 2, 8, carry);
    TEST_EQ_INT(carry[0] + carry[1], 0);
    TEST_CHECK(obeys(rows, 4, 2));
    TEST_EQ_INT(rows[0].cpu.user, 200 * MS);
    TEST_EQ_INT(rows[1].cpu.user, 400 * MS);
    TEST_EQ_INT(rows[2].cpu.user, 600 * MS);
    TEST_EQ_INT(rows[3].cpu.user, 800 * MS);
    /* 20 more than every earlier interval can take: carried. */
    set(&rows[0], 100, 80, 0);
    set(&rows[1], 200, 280, 0);
    set(&rows[2], 300, 320, 0);
    set(&rows[3], 400, 820, 0);
    apply(rows, 4, 2, 8, carry);
    TEST_EQ_INT(carry[0], 20 * MS);
    TEST_CHECK(obeys(rows, 4, 2));
    TEST_EQ_INT(rows[3].cpu.user, 800 * MS);
}

static void test_carry(void)
{
    struct row rows[3];
    int64_t carry[2];

    /* Depth 1: only row 1 may take (50 of room); the other 100 wait for the next rows. */
    set(&rows[0], 100, 0, 0);
    set(&rows[1], 200, 150, 0);
    set(&rows[2], 300, 150 + 200 + 150, 0);
    apply(rows, 3, 2, 1, carry);
    TEST_EQ_INT(carry[0], 100 * MS);
    TEST_EQ_INT(carry[1], 0);
    TEST_CHECK(obeys(rows, 3, 2));
    TEST_EQ_INT(rows[1].cpu.user, 200 * MS);
    TEST_EQ_INT(rows[2].cpu.user, 400 * MS);
    TEST_EQ_INT(rows[0].cpu.user, 0);

    /* No time at all between two rows: the whole interval's CPU moves. */
    set(&rows[0], 100, 10, 10);
    set(&rows[1], 100, 30, 20);
    apply(rows, 2, 2, 8, carry);
    TEST_EQ_INT(carry[0] + carry[1], 0);
    TEST_EQ_INT(rows[0].cpu.user + rows[0].cpu.sys, 50 * MS);
    TEST_CHECK(obeys(rows, 2, 2));
}

static uint64_t rng = 88172645463325252ull;

static int64_t rnd(int64_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (int64_t)(rng % (uint64_t)n);
}

/* A tree using up to all of 3 CPUs, read at irregular times with a lag: every reading misses
 * up to 4 ms per CPU and a reading is sometimes late by up to 30 ms (its CPU counted up to
 * then, its time stamped before). The rule keeps every interval within the cap, the columns
 * non-decreasing, and the last row plus the carry equal to the last reading. */
static void test_random(void)
{
    enum { N = 400, NCPU = 3 };
    static struct row rows[N];
    int64_t t = 0, truth_u = 0, truth_s = 0, carry[2] = {0, 0}, ok = 1, worst = 0;

    for (size_t i = 0; i < N; i++) {
        int64_t dt = 1 + rnd(20 * MS), late = rnd(4) == 0 ? rnd(30 * MS) : 0;
        int64_t used = rnd(dt * NCPU + 1), u = rnd(used + 1), lag = rnd(4 * MS * NCPU);
        int64_t ru, rs;

        t += dt;
        truth_u += u;
        truth_s += used - u;
        /* Read late (CPU spent after t included), then short of the lag; never back. */
        ru = truth_u + late * NCPU / 2 - lag / 2;
        rs = truth_s + late * NCPU / 2 - lag / 2;
        rows[i].cpu.t = t;
        rows[i].other = 7;
        rows[i].cpu.user = i && ru < rows[i - 1].cpu.user ? rows[i - 1].cpu.user : ru;
        rows[i].cpu.sys = i && rs < rows[i - 1].cpu.sys ? rows[i - 1].cpu.sys : rs;
        if (rows[i].cpu.user < 0)
            rows[i].cpu.user = 0;
        if (rows[i].cpu.sys < 0)
            rows[i].cpu.sys = 0;
        ru = rows[i].cpu.user;
        rs = rows[i].cpu.sys;
        apply(rows, i + 1, NCPU, 16, carry);
        ok &= obeys(rows, i + 1, NCPU);
        ok &= rows[i].cpu.user + carry[0] == ru && rows[i].cpu.sys + carry[1] == rs;
        worst = carry[0] + carry[1] > worst ? carry[0] + carry[1] : worst;
    }
    TEST_CHECK(ok);
    TEST_CHECK(worst < 200 * MS); /* carried only while no room is within reach */
}

void test_mon_cap(void)
{
    test_under();
    test_back();
    test_carry();
    test_random();
}
