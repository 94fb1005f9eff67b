"""Target of the 'whole' functional checks: code whose stacks run through generator, coroutine
and async-generator frames, the frames a sampler most easily cuts short.

Every shape runs under main(), called from the module's top level, so the outermost Python frame
of every whole stack of the main thread is '<module>' of this file.

usage: pipelines.py SHAPE DURATION [READYFILE]
  gen        for v in evens(squares(numbers(n))): three generators, each pulling the next
  yieldfrom  a generator delegating with 'yield from' three deep
  genexpr    sum() of three chained generator expressions
  asyncgen   asyncio.run; 'async for' over an async generator that itself awaits
  gather     asyncio.run; gather() of 20 coroutines, each awaiting a coroutine that awaits
             another (3 deep), switching tasks at every step
READYFILE, when given, is written once the shape runs.
"""
import asyncio
import sys
import time


def numbers(n):
    for i in range(n):
        yield i


def squares(it):
    for v in it:
        yield v * v


def evens(it):
    for v in it:
        if not v & 1:
            yield v


def shape_gen(end):
    while time.perf_counter() < end:
        acc = 0
        for v in evens(squares(numbers(20000))):
            acc += v


def leaf(n):
    for i in range(n):
        yield i


def middle(n):
    yield from leaf(n)
    yield from leaf(n // 2)


def outer(n):
    yield from middle(n)


def shape_yieldfrom(end):
    while time.perf_counter() < end:
        acc = 0
        for v in outer(20000):
            acc += v


def shape_genexpr(end):
    while time.perf_counter() < end:
        sum(x + 1 for x in (y * y for y in (z for z in range(20000)) if y & 1))


async def ticks(n):
    for i in range(n):
        if i % 64 == 0:
            await asyncio.sleep(0)
        yield i


async def consume(end):
    while time.perf_counter() < end:
        acc = 0
        async for v in ticks(5000):
            acc += v * v


async def work(k, n):
    acc = 0
    for i in range(n):
        acc = (acc * 31 + i + k) % 1000003
    await asyncio.sleep(0)
    return acc


async def level2(k, end):
    while time.perf_counter() < end:
        await work(k, 300)


async def level1(k, end):
    await level2(k, end)


async def gathered(end):
    await asyncio.gather(*(level1(k, end) for k in range(20)))


def main():
    shape, duration = sys.argv[1], float(sys.argv[2])
    end = time.perf_counter() + duration
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w") as fh:
            fh.write("ready\n")
    if shape == "gen":
        shape_gen(end)
    elif shape == "yieldfrom":
        shape_yieldfrom(end)
    elif shape == "genexpr":
        shape_genexpr(end)
    elif shape == "asyncgen":
        asyncio.run(consume(end))
    elif shape == "gather":
        asyncio.run(gathered(end))
    else:
        sys.exit("unknown shape %r" % shape)


main()
