#!/usr/bin/env bash
# Whole stacks (goal: spyglass cut <= 0.5%): on tests/targets/pipelines.py (shapes gen,
# yieldfrom, genexpr, asyncgen, gather: generator, coroutine and async-generator frames, see its
# docstring), the share of written stacks that are cut, for spyglass and py-spy in the same run.
#
# Method: one target per Python version and shape, started pinned to TARGET_CPU; once it runs
# the shape (its ready file), each of spyglass, py-spy --nonblocking and py-spy (blocking) is
# attached in turn with --pid at --rate RATE (1000) for DURATION (3) s, REPS (3) times, on
# PROF_CPU. A stack is counted when it has a frame of pipelines.py; it is cut when its outermost
# frame is not pipelines.py's <module> (every whole stack of the target's main thread starts
# there). Also printed: spyglass's invalid thread samples ("N invalid thread samples (...)")
# as a share of written + invalid, py-spy's "Errors" as a share of its "Samples" + "Errors"
# (sampling instants whose read failed), and each tool's stacks written per second (py-spy may
# not keep up with 1000 Hz, blocking least of all). Medians over REPS. PYTHONS (3.11 3.12) get
# REPS runs; EXTRA_PYTHONS (default: every other pyenv CPython 3.8+ and Debian's
# /usr/bin/python3.11; EXTRA_PYTHONS="" skips them) get EXTRA_REPS (1). A version is skipped,
# with the reason, when either tool's `dump` cannot read it. ~6 min for PYTHONS, ~1 min for each
# extra version.
#
# How the figure could mislead:
# * Only stacks with a frame of pipelines.py count. A stack cut so short that it holds none
#   (e.g. just asyncio's `sleep`, which py-spy --nonblocking writes) is not counted as cut; it
#   lands among the stacks "without pipelines.py", whose share is printed per run and in the
#   RESULT lines. In attach mode all of them are cut stacks: start-up and import stacks (no
#   pipelines.py frame) are never sampled, the tools attach once the target runs its shape, and
#   the target has one thread.
# * A cut share is of the stacks a tool wrote. spyglass leaves out what it cannot prove whole
#   (dropped); a profiler that drops more writes fewer cut stacks, so read cut and dropped
#   together. Dropped samples are not random: fast-switching stacks are dropped more often.
# * py-spy (blocking) stops the target (ptrace) for every sample: it reads a still process, so
#   its cut share is what remains when the target was stopped half-way through a generator
#   switch, and the target runs slower while it is sampled. py-spy --nonblocking, like spyglass,
#   reads the running target, the harder case. spyglass never stops the target.
# * py-spy by default leaves out the stacks of threads it judges idle (no --idle), and counts
#   them nowhere; spyglass (wall mode) writes every thread's stack. In these CPU-bound shapes the
#   main thread is rarely idle (asyncio.sleep(0) does not wait), but asyncio's selector call is
#   such a moment.
# * On a loaded machine the target is often preempted; a preempted target stays in whatever
#   state it was in, and a sample taken meanwhile sees the same (possibly half-switched) state
#   for as long as it waits: load changes the figures of every tool. The load average is printed
#   per version.
source "$(dirname "$0")/lib/common.sh"
bench_setup
# shellcheck disable=SC2086
harness whole --pythons ${PYTHONS:-3.11 3.12} --extra-pythons ${EXTRA_PYTHONS-auto} \
    --extra-reps "${EXTRA_REPS:-1}" --shapes ${SHAPES:-gen yieldfrom genexpr asyncgen gather} \
    --rate "${RATE:-1000}" --duration "${DURATION:-3}" --reps "${REPS:-3}" "$@"
