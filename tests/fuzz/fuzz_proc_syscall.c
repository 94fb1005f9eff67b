/* libFuzzer harness for proc_syscall_parse() and the classifier behind it: no crash, out written
 * only on success, and every parsed reading in one of the three forms.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc_syscall.h"
#include "thread_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proc_syscall sc = {.running = 7, .nr = 7, .sp = 7, .pc = 7};
    int err = proc_syscall_parse((const char *)data, size, &sc);

    if (err != 0 && err != -EINVAL)
        abort();
    if (err != 0) {
        if (sc.running != 7 || sc.nr != 7 || sc.sp != 7 || sc.pc != 7)
            abort();
        return 0;
    }
    if (sc.running && (sc.nr || sc.sp || sc.pc || sc.args[0]))
        abort();
    if (sc.nr < -1 || (sc.nr < 0 && (sc.args[0] || sc.args[5])))
        abort();
    /* Classify with inputs taken from the data: stat letter, fd kind, GIL range. */
    char stat = size ? (char)data[0] : 0;
    enum proc_fd_kind fd = (enum proc_fd_kind)(size > 1 ? data[1] % 5 : 0);
    uint64_t off = size > 2 ? data[2] % 208 : 0;
    uint64_t gil = off <= sc.args[0] ? sc.args[0] - off : 0; /* a range holding args[0] */
    enum thread_state s = thread_state_classify(&sc, stat, fd, gil, 208);
    if ((unsigned)s >= THREAD_STATE_N)
        abort();
    if (sc.running && s != THREAD_STATE_CPU)
        abort();
    if (!sc.running && sc.nr >= 0 && proc_syscall_call(sc.nr) == PROC_CALL_FUTEX && gil &&
        s != THREAD_STATE_GIL)
        abort();
    return 0;
}
