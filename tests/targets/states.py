"""Target of tests/functional/states.sh: one thread per kind of wait, driven from stdin.

usage: states.py BIGFILE OUTDIR

Threads (named as below, so that `spyglass record -t` tells them apart):
  net       blocked in sock.recv on a 127.0.0.1 TCP connection whose peer never sends
  sleeper   in time.sleep
  locked    blocked acquiring a threading.Lock that the main thread holds
  spin1/2   two CPU loops contending for the GIL, while the phase is "go"
  reader    reading BIGFILE whole in one call (posix_fadvise DONTNEED first: not cached),
            again and again while "go"
  writer    on "write N": write_file() writes N MiB to OUTDIR/written.bin and fsyncs
  alloc     on "alloc N": allocate() makes N MiB of touched memory and keeps it
Commands on stdin, each answered by a line on stdout: "go" (start spin1/2 and the reader),
"stop" (pause them), "write N" ("wrote"), "alloc N" ("allocated"), "quit". Prints "ready" first,
followed by NAME=TID for each thread.
"""
import mmap
import os
import queue
import socket
import sys
import threading
import time

BIG, OUT = sys.argv[1], sys.argv[2]
running = threading.Event()
held = threading.Lock()
held.acquire()
kept = []


def net(conn):
    conn.recv(1)


def sleeper():
    time.sleep(3600)


def locked():
    held.acquire()


def spin():
    n = 0
    while True:
        running.wait()
        for _ in range(20000):
            n += 1


def reader():
    # O_DIRECT: storage straight into the (page-aligned) buffer, little CPU to take from the
    # spinners; one call per pass, as each call releases the GIL and must win it back.
    buf = mmap.mmap(-1, os.path.getsize(BIG))
    try:
        fd = os.open(BIG, os.O_RDONLY | os.O_DIRECT)
    except OSError:  # a file system without O_DIRECT (tmpfs): buffered
        fd = os.open(BIG, os.O_RDONLY)
    while True:
        running.wait()
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.preadv(fd, [buf], 0)


def write_file(mib):
    block = b"w" * (1 << 20)
    with open(os.path.join(OUT, "written.bin"), "wb", buffering=0) as f:
        for _ in range(mib):
            f.write(block)
        os.fsync(f.fileno())
    time.sleep(0.3)  # still in this function at the samples that follow the last write


def allocate(mib):
    kept.extend(b"%c" % (65 + i % 26) * (1 << 20) for i in range(mib))
    time.sleep(0.3)


def worker(q, fn, reply):
    while True:
        arg = q.get()
        fn(arg)
        print(reply, flush=True)


def start(name, fn, *args):
    t = threading.Thread(target=fn, args=args, name=name, daemon=True)
    t.start()
    return t


def main():
    sys.setswitchinterval(0.0005)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    client = socket.create_connection(srv.getsockname())
    peer, _ = srv.accept()
    writes, allocs = queue.Queue(), queue.Queue()
    threads = [start("net", net, client), start("sleeper", sleeper), start("locked", locked),
               start("spin1", spin), start("spin2", spin), start("reader", reader),
               start("writer", worker, writes, write_file, "wrote"),
               start("alloc", worker, allocs, allocate, "allocated")]
    print("ready", " ".join("%s=%d" % (t.name, t.native_id) for t in threads), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        if cmd[0] == "go":
            running.set()
            print("going", flush=True)
        elif cmd[0] == "stop":
            running.clear()
            time.sleep(0.2)  # the reader ends its pass
            print("stopped", flush=True)
        elif cmd[0] == "write":
            writes.put(int(cmd[1]))
        elif cmd[0] == "alloc":
            allocs.put(int(cmd[1]))
    peer.close()


main()
