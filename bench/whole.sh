#!/usr/bin/env bash
# Whole stacks (goal: at most 0.5% of spyglass's written stacks cut): on
# tests/targets/pipelines.py (shapes gen, yieldfrom, genexpr, asyncgen, gather: generator,
# coroutine and async-generator frames, see its docstring), the share of written stacks that are
# cut, for spyglass and py-spy in the same run.
#
# Method: one target per Python version and shape, started pinned to TARGET_CPU; once it runs
# the shape (its ready file), each of spyglass, py-spy --nonblocking and py-spy (blocking) is
# attached in turn with --pid at --rate RATE (1000) for DURATION (3) s, REPS (3) times, on
# PROF_CPU. Stacks are counted in the profile each tool wrote. A stack with a frame of
# pipelines.py is cut when its outermost frame is not pipelines.py's <module> (every whole
# stack of the target's one thread starts there): "cut%" is of those stacks. "+none%" is the
# share of all written stacks with no frame of pipelines.py at all; in attach mode they are cut
# too, so the goal is checked on both together (stacks not starting at <module>, of all
# written). "dropped%" (spyglass) is the share of its sampling instants ("N samples") that wrote
# no stack: its "N invalid thread samples (...)" and reads that found no frame at all (one
# thread: one stack per instant); "errors%" (py-spy) is its "Errors" (instants whose read
# failed) / ("Samples" + "Errors"). "Hz" is stacks written per second of sampling; py-spy may
# not keep up with 1000 Hz (blocking least of all), and catches up late samples in bursts.
# Medians over REPS. PYTHONS (3.11 3.12) get REPS runs; EXTRA_PYTHONS (default: the newest
# patch release of every other pyenv CPython 3.8+, and Debian's /usr/bin/python3.11;
# EXTRA_PYTHONS="" skips them) get EXTRA_REPS (1). A version is skipped, with the reason, when
# either tool's `dump` cannot read it. ~10 min in all (~1 min per extra version).
#
# How the figure could mislead:
# * "cut%" counts only stacks with a frame of pipelines.py. A stack cut so short that it holds
#   none (asyncio's `sleep` alone from py-spy --nonblocking; `call_soon;_call_soon` alone from
#   spyglass on 3.13 asyncgen before its entry-frame check) is in "+none%" instead. In attach mode all of those are cut: the
#   tools attach once the target runs its shape, so start-up and import stacks (no pipelines.py
#   frame) are never sampled, and the target has one thread.
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
