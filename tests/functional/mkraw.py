"""Write a crafted spyglass raw profile (docs/raw-format.md, written here from the document, not
with spyglass) whose every string is hostile: the unit, title, command, Python version and mode
(META fields), function, file, thread and state names, and a source text carry markup that
would run script if a writer let it out of its text or attribute context (<script>, a quote
closing an attribute then <svg onload=...>, <img onerror=...>, javascript: URLs, a CDATA end,
</script> in the source), and ESC, BEL, CSI and bidirectional-override bytes for the terminal.

Every payload, if it ran, sets the attribute data-pwned="yes" on the document's root element and
the document title to PWNED; neither string appears literally in the file (they are built by
concatenation in the script), so finding either in a browser's DOM means a payload ran.

usage: python3 mkraw.py OUT [--benign] [--unit UNIT]
       python3 mkraw.py --markup FIELD
  --benign: the same profile (same shapes, weights and facts) with plain names, whose page gives
  the set of elements the viewer makes when nothing is injected.
  --unit UNIT: that unit instead.
  --markup FIELD: print the hostile FIELD (e.g. unit) without its control bytes, for a control
  page that writes it raw.
"""
import struct
import sys

RUN = ("document.documentElement.setAttribute('data-pw'+'ned','y'+'es');"
       "document.title='PW'+'NED'")
# clear screen, window title, BEL, CSI as UTF-8 (U+009B) and as a raw byte, right-to-left override
ESC = "\x1b[2J\x1b]0;title\x07\x9b\udc9b\u202e"


def hostile(tag):
    return {
        # well-formed inside an XML <title>: it would run in an SVG that wrote it raw
        "unit": f'samples</title><script>{RUN}</script><title>"><svg onload="{RUN}"/>{ESC}',
        "title": f"</title><script>{RUN}</script>{ESC}",
        "command": f"python3 app.py <img src=x onerror=\"{RUN}\">{ESC}",
        "python": f"3.12<script>{RUN}</script>",
        "mode": f"wall\x1b[1m<b onmouseover=\"{RUN}\">",
        "names": [
            f"<script>{RUN}</script>",
            f"\"><svg onload=\"{RUN}\"><a href=\"javascript:{RUN}\">x</a>",
            f"']]><script>{RUN}</script><![CDATA[",
            f"esc{ESC}bel",
        ],
        "file": f"/tmp/</script><script>{RUN}</script>/{ESC}app.py",
        "thread": f"thread <img src=x onerror=\"{RUN}\">{ESC} (4242)",
        "state": f"<{ESC}<script>{RUN}</script>>",
        "source": f"def f():\n    pass  # </script><script>{RUN}</script> \u2028 <!-- {ESC}\n",
    }[tag]


def benign(tag):
    return {
        "unit": "samples", "title": "benign", "command": "python3 app.py", "python": "3.12",
        "mode": "wall", "names": ["one", "two", "three", "four"], "file": "/tmp/app.py",
        "thread": "thread MainThread (4242)", "state": "<sleep>",
        "source": "def f():\n    pass\n",
    }[tag]


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def record(kind, payload):
    return bytes([kind]) + varint(len(payload)) + payload


def field_str(num, s):
    b = s.encode("utf-8", "surrogateescape")
    return varint(num << 3 | 2) + varint(len(b)) + b


def field_double(num, v):
    return varint(num << 3 | 1) + struct.pack("<d", v)


def field_varint(num, v):
    return varint(num << 3 | 0) + varint(v)


def main():
    if sys.argv[1] == "--markup":
        print(hostile(sys.argv[2]).replace(ESC, ""))
        return
    out = sys.argv[1]
    base = benign if "--benign" in sys.argv[2:] else hostile
    unit = sys.argv[sys.argv.index("--unit") + 1] if "--unit" in sys.argv[2:] else None

    def s(tag):
        return unit if tag == "unit" and unit is not None else base(tag)
    strings = []

    def sid(text):
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    body = bytearray()

    def string_rec(text):
        body.extend(record(2, text.encode("utf-8", "surrogateescape")))

    meta = (field_str(1, s("title")) + field_str(2, s("command")) + field_str(3, s("python")) +
            field_str(4, s("mode")) + field_str(5, s("unit")) + field_double(6, 1.0) +
            field_double(7, 100.0) + field_double(8, 100.0) + field_double(9, 0.01) +
            field_varint(10, 100) + field_varint(11, 0) + field_varint(12, 1))
    body.extend(record(1, meta))
    texts = [s("thread"), s("file"), s("state")] + s("names")
    for t in texts:
        sid(t)
        string_rec(t)
    thread, file_, state = sid(s("thread")), sid(s("file")), sid(s("state"))
    frames = []
    # FRAME: name, file + 1 (0: none), line, kind (0 Python, 1 thread, 2 state)
    frames.append((thread, 0, 0, 1))
    for i, n in enumerate(s("names")):
        frames.append((sid(n), file_ + 1, 2 + i, 0))
    frames.append((state, 0, 0, 2))
    for f in frames:
        body.extend(record(3, b"".join(varint(x) for x in f)))
    stacks = [[0, 1], [0, 1, 2], [0, 1, 2, 3], [0, 4], [0, 4, 5]]
    for st in stacks:
        body.extend(record(4, b"".join(varint(x) for x in st)))
    for tick in range(100):  # one thread, 10 ms apart: 20 samples of each stack
        body.extend(record(5, varint(10_000_000) + varint(tick % 5) + varint(1) + varint(4242)))
    # TOTALS (weights without times) make the stacks' weights differ: 50, 40, 30, 20, 20
    body.extend(record(6, b"".join(varint(i) + varint(w) for i, w in enumerate([30, 20, 10]))))
    src = s("source").encode("utf-8", "surrogateescape")
    body.extend(record(7, varint(file_) + src))
    body.extend(record(1, meta))
    body.extend(record(8, b""))
    with open(out, "wb") as f:
        f.write(b"\x89SPYRAW\n" + varint(1) + bytes(body))


main()
