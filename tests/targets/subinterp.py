"""Target of the 'subinterp' functional checks: a thread that runs code in a subinterpreter
while the main thread waits for it (it does not spin: before 3.12 the interpreters share one
GIL, and a spinning main thread would keep the subinterpreter importing for seconds).

The thread 'subworker' calls run_in(), which creates an interpreter and runs CODE in it (PEP
734's concurrent.interpreters in 3.14+, the private _interpreters / _xxsubinterpreters modules
before). While sub_spin runs, the kernel thread has a thread state in each interpreter, both
with frames: a profiler must show one stack, run_in's frames under sub_spin's.

usage: subinterp.py DURATION
Exits 3 when this Python has no subinterpreter module.
"""
import sys
import threading

try:
    from concurrent import interpreters

    def run_in(code):
        interp = interpreters.create()
        interp.exec(code)

except ImportError:
    try:
        import _interpreters as _i
    except ImportError:
        try:
            import _xxsubinterpreters as _i
        except ImportError:
            sys.exit(3)

    def run_in(code):
        iid = _i.create()
        if hasattr(_i, "run_string"):
            _i.run_string(iid, code)
        else:
            _i.exec(iid, code)


CODE = """
import time
def sub_spin(d):
    end = time.perf_counter() + d
    while time.perf_counter() < end:
        pass
sub_spin(%r)
"""


def worker(d):
    run_in(CODE % d)


def main():
    d = float(sys.argv[1])
    t = threading.Thread(target=worker, args=(d,), name="subworker")
    t.start()
    t.join()


main()
