/* The CPU rule of the monitor's series: no interval shows more CPU than the machine has (its
 * online CPUs times the interval's length), and the total is never changed.
 *
 * A row holds the tree's cumulative CPU read at time t. A reading can hold CPU that was spent
 * before the previous row: the kernel's per-process CPU clock adds a running thread's time
 * only at a scheduler tick or switch (up to one tick per CPU missing, docs/linux.md §8), the
 * processes of a tree are read one after the other, a child found late is counted from its
 * birth, and what reaped children did after their last reading is learnt from their parent's
 * stat. Such an excess belongs to the earlier intervals, so it is
 * moved back into the newest earlier ones that have room; what none within reach can take is
 * carried forward (the row shows less than it read, and the next rows show the rest).
 * docs/monitor-cpu.md tells the whole story.
 * SPDX-License-Identifier: MIT */
#ifndef MON_CAP_H
#define MON_CAP_H

#include <stddef.h>
#include <stdint.h>

/* The CPU columns of one row. */
struct mon_cap_row {
    int64_t t;    /* CLOCK_MONOTONIC ns of the reading */
    int64_t user; /* cumulative CPU, ns, as the kernel's tick sampling splits it */
    int64_t sys;
};

/* Apply the rule to the newest row, rows[n - 1], of a table whose rows are stride bytes apart
 * (the mon_cap_row at the start of each); origin is the reading before rows[0] (never
 * changed). rows[0..n-2] already obey the rule and every column is non-decreasing. Raises rows
 * [n-1-depth, n-2] by what row n-1 has too much (split between user and system as row n-1's
 * own interval is), as far as their room allows, and lowers row n-1 by the rest, which the next
 * rows will show (their readings include it). ncpu is the number of CPUs (at least 1). Sets
 * carry[0] and carry[1] to the user and system ns carried forward: row n-1's reading minus
 * what it shows now. Returns the excess, in ns: what was moved back plus what was carried
 * (0 when row n-1 was within the rule). */
int64_t mon_cap_apply(void *rows, size_t stride, size_t n, const struct mon_cap_row *origin,
                      int ncpu, size_t depth, int64_t carry[2]);

#endif
