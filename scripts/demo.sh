#!/bin/sh
# make demo: profile the built-in demo workload and write demo-out/ (an SVG flame graph,
# collapsed stacks and speedscope JSON).
set -e
bin=${1:-./spyglass}
py=$(command -v python3)
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for v in "$root"/versions/3.12.* "$root"/versions/3.11.* /usr/bin/python3; do
    [ -x "$v/bin/python3" ] && py="$v/bin/python3" && break
    [ -x "$v" ] && [ ! -d "$v" ] && py="$v" && break
done
mkdir -p demo-out
echo "profiling demo/workload.py with $py ($("$py" -V 2>&1))"
"$bin" record --rate 1000 --threads -o demo-out/profile.svg -- "$py" demo/workload.py
"$bin" record --rate 1000 --top 0 -q -o demo-out/profile.txt -- "$py" demo/workload.py
"$bin" record --rate 1000 --top 0 -q -o demo-out/profile.json -- "$py" demo/workload.py
echo
echo "wrote demo-out/profile.svg (open it in a browser), demo-out/profile.txt (collapsed stacks),"
echo "demo-out/profile.json (open it in the speedscope viewer)"
