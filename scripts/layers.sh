#!/bin/sh
# The include graph of src/ follows the layers of docs/style.md §2 (run by `make lint`):
#   - the core (every file but out_*, cli*, main.c: engines, *_base readers, proc_*, py_*,
#     agg_*, stats*, util_*, verdict...) includes no writer (out_*) and no CLI (cli*) header;
#   - a writer (out_*) includes no CLI header, and no proc_* or target* header (it sees only
#     the data it is given).
# Prints one line per violation and exits 1 when there is one, else one summary line and 0.
# usage: scripts/layers.sh [SRC_DIR]      (default: src/ of this repository)
set -u

src=${1:-$(dirname "$0")/../src}
if [ ! -d "$src" ]; then
    echo "layers: no directory $src" >&2
    exit 2
fi

bad=0
files=0
for f in "$src"/*.c "$src"/*.h; do
    [ -e "$f" ] || continue
    files=$((files + 1))
    name=$(basename "$f")
    case $name in
    main.c | cli.[ch] | cli_*) continue ;; # the top: may include anything
    out_*) layer=writer ;;
    *) layer=core ;;
    esac
    # The quoted includes of f, one name a line.
    incs=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
    for inc in $incs; do
        why=
        case $layer:$inc in
        core:out_*) why="the core includes no writer's header" ;;
        *:cli.h | *:cli_*) why="only cli* files and main.c include a CLI header" ;;
        writer:proc_* | writer:target*) why="a writer sees only the data it is given" ;;
        esac
        if [ -n "$why" ]; then
            echo "layers: src/$name includes $inc: $why (docs/style.md §2)"
            bad=1
        fi
    done
done
if [ "$bad" -ne 0 ]; then
    exit 1
fi
echo "layers: $files files in src/, the include graph follows docs/style.md §2"
