#!/bin/sh
# Install what a build, lint or fuzz run needs, from Debian's packages, if it is missing.
# Usage: scripts/deps.sh build|lint|fuzz|test
set -e
case "$1" in
build) pkgs="gcc make libelf-dev libjansson-dev zlib1g-dev" ;;
lint) pkgs="clang-format cppcheck" ;;
fuzz) pkgs="clang libelf-dev libjansson-dev zlib1g-dev libxml2-dev pkg-config" ;;
test)
    # The tests run on every CPython in pyenv's versions directory. pyenv cannot download 3.14
    # and 3.15 here, so Debian unstable's builds are installed there (scripts/cpython.sh), and
    # its debug build of 3.15 (python3.15d, about 100 MB to download) for the debug-build check;
    # without network the tests go on with the versions there are.
    root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
    for s in 3.14 3.15 3.15-dbg; do
        case $s in
        *-dbg) have=$(ls -d "$root/versions/${s%-dbg}".*-debug 2>/dev/null || true) ;;
        *) have=$(ls -d "$root/versions/$s".* 2>/dev/null | grep -v -- '-debug$' || true) ;;
        esac
        [ -n "$have" ] || "$(dirname "$0")/cpython.sh" "$s" >/dev/null ||
            echo "spyglass: warning: CPython $s could not be installed; testing without it" >&2
    done
    # tests/functional/exports.sh reads pprof files with the real `go tool pprof` (Debian's
    # golang-go: about 80 MB to download, seconds to install).
    if ! command -v go >/dev/null 2>&1 && ! ls /usr/lib/go-*/bin/go >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ]; then
            echo "installing: golang-go (Debian) for go tool pprof" >&2
            { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                    golang-go; } >/dev/null 2>&1 ||
                echo "spyglass: warning: golang-go could not be installed; pprof checks will fail" >&2
        else
            echo "spyglass: warning: no go tool pprof (run: sudo apt-get install golang-go)" >&2
        fi
    fi
    # tests/functional/html.sh loads the HTML reports in headless Chromium (Debian's chromium).
    if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ]; then
            echo "installing: chromium (Debian) for the HTML report's browser tests" >&2
            { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                    chromium; } >/dev/null 2>&1 ||
                echo "spyglass: warning: chromium could not be installed; html checks will fail" >&2
        else
            echo "spyglass: warning: no chromium (run: sudo apt-get install chromium)" >&2
        fi
    fi
    # make webtest runs the report page's model under node's test runner and lints the page's
    # JavaScript with eslint (Debian's nodejs and eslint; a node already installed is kept).
    need=""
    command -v node >/dev/null 2>&1 || need=" nodejs"
    command -v eslint >/dev/null 2>&1 || need="$need eslint"
    if [ -n "$need" ]; then
        if [ "$(id -u)" = 0 ]; then
            echo "installing:$need (Debian) for make webtest" >&2
            # shellcheck disable=SC2086 # $need: package names
            { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                    $need; } >/dev/null 2>&1 ||
                echo "spyglass: warning:$need could not be installed; webtest checks will fail" >&2
        else
            echo "spyglass: warning: no$need (run: sudo apt-get install$need)" >&2
        fi
    fi
    # The functional tests check JSON exports against their schema with Python's jsonschema.
    python3 -c 'import jsonschema' 2>/dev/null && exit 0
    echo "installing: jsonschema (PyPI) for python3" >&2
    python3 -m pip install -q jsonschema >/dev/null 2>&1 || {
        echo "spyglass: cannot install jsonschema (run: python3 -m pip install jsonschema)" >&2
        exit 1
    }
    exit 0
    ;;
*) echo "usage: $0 build|lint|fuzz|test" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "spyglass: missing Debian packages:$missing (run: sudo apt-get install$missing)" >&2
    exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq $missing >/dev/null
