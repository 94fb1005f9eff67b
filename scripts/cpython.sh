#!/bin/sh
# Install a CPython that pyenv cannot download here (no python.org access) from Debian unstable's
# binary packages, into pyenv's versions directory, so that the tests pick it up like any pyenv
# version. Usage: scripts/cpython.sh SERIES[-dbg]    e.g. 3.15, or 3.15-dbg
# SERIES-dbg installs Debian's debug interpreter (python3.Xd from python3.X-dbg, a Py_DEBUG
# build) into versions/3.X.Y-debug, the name pyenv gives its own debug builds; the tests profile
# it in a check of its own (tests/functional/run.sh, group debug).
# Debian's build needs a newer glibc, expat and zstd than this machine's, so unstable's libc6,
# libexpat1 and libzstd1 are unpacked beside it and the binary is pointed at them with patchelf
# (interpreter and run path): the interpreter itself is Debian's, byte for byte in its code.
# Every .deb is checked against the SHA-256 of the index.
# The archive is the one apt uses here (the first Debian archive in /etc/apt/sources.list.d/
# *.sources or /etc/apt/sources.list that is not a security archive); DEBIAN_MIRROR overrides it.
# Prints the path of the installed python3; does nothing if that version is already there and
# works (an install made before expat was unpacked beside it, whose XML parser cannot load, is
# made again).
set -eu
case "${1:-}" in
3.1[0-9]) debug= ;;
3.1[0-9]-dbg) debug=1 ;;
*) echo "usage: $0 SERIES[-dbg] (e.g. 3.15, 3.15-dbg)" >&2; exit 2 ;;
esac
series=${1%-dbg}

# The URI of the first enabled deb source of apt's configuration that is not a security archive.
apt_mirror() {
    {
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -r "$f" ] || continue
            # deb822: stanzas of Types/URIs/Suites/Enabled separated by blank lines
            awk 'function flush() {
                     if (deb && uri != "" && suites !~ /-security/ && on) print uri
                     deb = 0; uri = ""; suites = ""; on = 1 }
                 BEGIN { on = 1 }
                 /^[ \t]*$/ { flush(); next }
                 /^[ \t]*#/ { next }
                 tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
                 tolower($1) == "uris:" { uri = $2 }
                 tolower($1) == "suites:" { suites = $0 }
                 tolower($1) == "enabled:" { on = (tolower($2) != "no") }
                 END { flush() }' "$f"
        done
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -r "$f" ] || continue
            # one-line format: deb [options] URI SUITE COMPONENT...
            awk '$1 == "deb" {
                     i = 2
                     if ($i ~ /^\[/) while (i <= NF && $i !~ /\]$/) i++
                     if ($i ~ /\]$/) i++
                     if ($(i + 1) !~ /-security/) print $i }' "$f"
        done
    } | grep -v -- '-security' | head -n 1
}
mirror=${DEBIAN_MIRROR:-$(apt_mirror)}
mirror=${mirror%/}
[ -n "$mirror" ] || {
    echo "spyglass: no Debian archive in apt's sources (set DEBIAN_MIRROR to one)" >&2
    exit 1
}
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
work=${TMPDIR:-/tmp}/spyglass-cpython.$$
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/x"

curl -fsS --retry 3 -o "$work/Packages.xz" "$mirror/dists/sid/main/binary-amd64/Packages.xz" || {
    echo "spyglass: cannot fetch $mirror/dists/sid/main/binary-amd64/Packages.xz" >&2
    exit 1
}
# usage: pick PACKAGE -> "VERSION FILENAME SHA256"
pick() {
    xz -dc "$work/Packages.xz" | awk -v pkg="$1" '
        /^Package: / { p = ($2 == pkg) }
        p && /^Version: / { v = $2 }
        p && /^Filename: / { f = $2 }
        p && /^SHA256: / { s = $2 }
        /^$/ { if (p && f != "") print v, f, s; p = 0; f = "" }' | sort -V | tail -n 1
}
main=python$series-minimal
[ -z "$debug" ] || main=python$series-dbg
set -- $(pick "$main")
[ $# = 3 ] || {
    echo "spyglass: no $main in Debian unstable" >&2
    exit 1
}
version=${1%%-*}
exe=python$series
name=$version
if [ -n "$debug" ]; then
    exe=python${series}d
    name=$version-debug
fi
prefix=$root/versions/$name
# (lib/glibc marks an install of this script: any other one is left alone)
if [ -x "$prefix/bin/python3" ] && { [ ! -d "$prefix/lib/glibc" ] ||
    "$prefix/bin/python3" -c 'import pyexpat; pyexpat.ParserCreate()' 2>/dev/null; }; then
    echo "$prefix/bin/python3"
    exit 0
fi
command -v patchelf >/dev/null || {
    [ "$(id -u)" = 0 ] || {
        echo "spyglass: patchelf is missing (run: sudo apt-get install patchelf)" >&2
        exit 1
    }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq patchelf >/dev/null
}
echo "installing CPython $name (Debian unstable's build) into $prefix" >&2
pkgs="python$series-minimal libpython$series-minimal libpython$series-stdlib libc6 libexpat1
libzstd1"
# The debug interpreter and its extension modules (libpython3.X-dbg's lib-dynload).
[ -z "$debug" ] || pkgs="$pkgs python$series-dbg libpython$series-dbg"
for pkg in $pkgs; do
    set -- $(pick "$pkg")
    deb=$work/$pkg.deb
    [ $# = 3 ] && curl -fsS --retry 3 -o "$deb" "$mirror/$2" &&
        echo "$3  $deb" | sha256sum -c --quiet - &&
        dpkg-deb -x "$deb" "$work/x" || {
        echo "spyglass: cannot fetch or check $pkg (${2:-not in the index}) from $mirror" >&2
        exit 1
    }
done
rm -rf "$prefix.part"
mkdir -p "$prefix.part/bin" "$prefix.part/lib/glibc"
cp -a "$work/x/usr/lib/python$series" "$prefix.part/lib/"
cp -a "$work/x/usr/bin/$exe" "$prefix.part/bin/"
cp -a "$work/x/usr/lib/x86_64-linux-gnu/." "$prefix.part/lib/glibc/"
rm -f "$prefix.part"/lib/glibc/libpython* # the interpreter is linked statically; 45 MB unused
patchelf --set-interpreter "$prefix/lib/glibc/ld-linux-x86-64.so.2" \
    --set-rpath "$prefix/lib/glibc" "$prefix.part/bin/$exe"
ln -s "$exe" "$prefix.part/bin/python3"
ln -s "$exe" "$prefix.part/bin/python"
rm -rf "$prefix"
mv "$prefix.part" "$prefix"
"$prefix/bin/python3" -c 'import sys, threading, pyexpat
pyexpat.ParserCreate()
print(sys.version)' >&2
echo "$prefix/bin/python3"
