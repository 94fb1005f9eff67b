#!/bin/sh
# Install a CPython that pyenv cannot download here (no python.org access) from Debian unstable's
# binary packages, into pyenv's versions directory, so that the tests pick it up like any pyenv
# version. Usage: scripts/cpython.sh SERIES    e.g. 3.14
# Debian's build needs a newer glibc than this machine's, so unstable's libc6 is unpacked beside it
# and the binary is pointed at it with patchelf (interpreter and run path): the interpreter itself
# is Debian's, byte for byte in its code. Every .deb is checked against the SHA-256 of the index.
# Prints the path of the installed python3; does nothing if that version is already there.
set -eu
case "${1:-}" in
3.1[0-9]) ;;
*) echo "usage: $0 SERIES (e.g. 3.14)" >&2; exit 2 ;;
esac
series=$1
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
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
set -- $(pick "python$series-minimal")
[ $# = 3 ] || {
    echo "spyglass: no python$series in Debian unstable" >&2
    exit 1
}
version=${1%%-*}
prefix=$root/versions/$version
if [ -x "$prefix/bin/python3" ]; then
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
echo "installing CPython $version (Debian unstable's build) into $prefix" >&2
for pkg in "python$series-minimal" "libpython$series-minimal" "libpython$series-stdlib" libc6; do
    set -- $(pick "$pkg")
    deb=$work/$pkg.deb
    curl -fsS --retry 3 -o "$deb" "$mirror/$2" &&
        echo "$3  $deb" | sha256sum -c --quiet - &&
        dpkg-deb -x "$deb" "$work/x" || {
        echo "spyglass: cannot fetch or check $mirror/$2" >&2
        exit 1
    }
done
rm -rf "$prefix.part"
mkdir -p "$prefix.part/bin" "$prefix.part/lib/glibc"
cp -a "$work/x/usr/lib/python$series" "$prefix.part/lib/"
cp -a "$work/x/usr/bin/python$series" "$prefix.part/bin/"
cp -a "$work/x/usr/lib/x86_64-linux-gnu/." "$prefix.part/lib/glibc/"
patchelf --set-interpreter "$prefix/lib/glibc/ld-linux-x86-64.so.2" \
    --set-rpath "$prefix/lib/glibc" "$prefix.part/bin/python$series"
ln -s "python$series" "$prefix.part/bin/python3"
ln -s "python$series" "$prefix.part/bin/python"
mv "$prefix.part" "$prefix"
"$prefix/bin/python3" -c 'import sys, threading; print(sys.version)' >&2
echo "$prefix/bin/python3"
