#!/usr/bin/env bash
# Functional tests of the one-line messages of record, dump and monitor (--pid) for a process
# that cannot be read: a kernel thread, a zombie, PID 1 (refused even to root here), another
# user's process, and a Python interpreter under a directory the user of spyglass cannot search.
# Each must be named for what it is, exit 1, in one line, never "no process with PID N".
#
# usage: SPYGLASS=/abs/path/to/spyglass tests/functional/messages.sh [REGEX]
#   REGEX: run only the groups whose name matches: kthread, zombie, pid1, user, interp.
# Prints 'ok - NAME' or 'FAIL - NAME: WHY' per check, then 'N passed, N failed'.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lib_init messages "$@"

ROOTED=0
[[ $(id -u) == 0 ]] && id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null && ROOTED=1
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
# A directory user nobody may write to, for record's output.
NB=$(mktemp -d /tmp/spyglass-messages.XXXXXX)
chmod 1777 "$NB"
lib_at_exit 'chmod -R u+rwx "$NB" 2>/dev/null; rm -rf "$NB"'

# each NAME PID WANT [RUNNER...]: record, dump and monitor of PID (through RUNNER, e.g.
# "${NOBODY[@]}") must each exit 1 with one line on stderr matching the extended regex WANT.
each() {
    local name=$1 pid=$2 want=$3 cmd
    shift 3
    for cmd in dump record monitor; do
        check_begin "$name: $cmd"
        case $cmd in
        dump) run "$name-$cmd" "$@" "$SG" dump --pid "$pid" ;;
        record) run "$name-$cmd" "$@" "$SG" record -q -d 0.5 -o "$NB/$name.txt" --pid "$pid" ;;
        monitor) run "$name-$cmd" "$@" "$SG" monitor -q -d 0.5 --pid "$pid" ;;
        esac
        expect_rc 1 "$name-$cmd"
        [[ $(wc -l <"$T/$name-$cmd.err") == 1 ]] || why "not one line"
        grep -qE "$want" "$T/$name-$cmd.err" || why "no /$want/"
        grep -q "no process with PID" "$T/$name-$cmd.err" && why "says there is no such process"
        show "$T/$name-$cmd.err"
        check_end
    done
}

if want kthread; then
    # kthreadd is PID 2 in the initial pid namespace; else any task marked Kthread.
    K=
    for p in 2 /proc/[0-9]*; do
        p=${p#/proc/}
        grep -qE '^Kthread:[[:space:]]*1' "/proc/$p/status" 2>/dev/null && K=$p && break
    done
    if [[ -z $K ]]; then
        echo "# kthread: no kernel thread is visible here (a pid namespace of its own): skipped"
    else
        KN=$(cat "/proc/$K/comm")
        each kthread "$K" "^spyglass: process $K \\($KN\\) is a kernel thread: it runs no program"
    fi
fi

if want zombie; then
    # A child that exits under a parent that never waits (sleep execs over the subshell).
    (
        sleep 0.01 &
        exec sleep 60
    ) &
    ZP=$!
    lib_at_exit "kill $ZP 2>/dev/null"
    Z=
    for _ in $(seq 100); do
        Z=$(cat "/proc/$ZP/task/$ZP/children" 2>/dev/null | awk '{print $1}')
        [[ -n $Z ]] && [[ $(awk '{print $3}' "/proc/$Z/stat" 2>/dev/null) == Z ]] && break
        sleep 0.05
    done
    if [[ -z $Z ]]; then
        fail "zombie: setup" "no zombie child of $ZP appeared"
    else
        each zombie "$Z" "^spyglass: process $Z \\(sleep\\) has exited: it is a zombie until its parent \\(process $ZP\\) collects"
    fi
    kill "$ZP" 2>/dev/null
fi

if want pid1; then
    if head -c1 /proc/1/maps >/dev/null 2>&1; then
        echo "# pid1: PID 1 can be read here: nothing is refused, skipped"
    else
        # Who refuses: with CAP_SYS_PTRACE (bit 19 of CapEff), no Yama 3, and the same user
        # namespace, only a security module can; Landlock when it is the only one active.
        EFF=$(awk '/^CapEff/ {print $2}' /proc/self/status)
        YAMA=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo -)
        LL=$("$JPY" -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1) > 0)')
        OTHER=0
        grep -q 1 /sys/fs/selinux/enforce 2>/dev/null && OTHER=1
        grep -q Y /sys/module/apparmor/parameters/enabled 2>/dev/null && OTHER=1
        if (((0x$EFF >> 19) & 1)) && [[ $YAMA != 3 ]] && cmp -s /proc/1/uid_map /proc/self/uid_map; then
            WANT="^spyglass: not permitted to read process 1, even with CAP_SYS_PTRACE: a Linux security module forbids it"
            [[ $LL == True && $OTHER == 0 ]] && WANT="$WANT \\(Landlock, the only one active: spyglass runs in a Landlock sandbox"
            each pid1 1 "$WANT"
            for f in "$T"/pid1-*.err; do
                grep -q "run spyglass as root" "$f" && fail "pid1: advice" "advises root to run as root: $(cat "$f")"
            done
        else
            echo "# pid1: spyglass lacks CAP_SYS_PTRACE or Yama forbids: checked as another user below"
        fi
        if ((ROOTED)); then
            each pid1-nobody 1 "^spyglass: not permitted to read process 1: it runs as user root \\(uid 0\\) and spyglass as user nobody \\(uid 65534\\)" "${NOBODY[@]}"
        fi
    fi
fi

if want user; then
    if ((ROOTED)); then
        sleep 60 &
        SP=$!
        lib_at_exit "kill $SP 2>/dev/null"
        each user "$SP" "^spyglass: not permitted to read process $SP: it runs as user root \\(uid 0\\) and spyglass as user nobody" "${NOBODY[@]}"
        kill "$SP" 2>/dev/null
    else
        echo "# user: not root: another user's process cannot be made here, skipped"
    fi
fi

if want interp; then
    # A copy of Debian's static python3.11 (its runtime is in the executable) in a directory
    # that becomes unsearchable (chmod 000) once the interpreter runs there as nobody. spyglass,
    # as nobody too, may read the process but not open the file: dump and record say so; root
    # is not bound by the directory's mode and reads it; monitor needs no file and works.
    PY11=/usr/bin/python3.11
    if ((!ROOTED)) || [[ ! -x $PY11 ]]; then
        echo "# interp: needs root (to act as nobody) and $PY11: skipped"
    else
        D=$NB/interp
        mkdir -p "$D/bin" && cp "$PY11" "$D/bin/python3.11" && chmod -R a+rX "$D"
        "${NOBODY[@]}" "$D/bin/python3.11" -c 'import time; time.sleep(60)' </dev/null >/dev/null 2>&1 &
        IP=$!
        lib_at_exit "kill $IP 2>/dev/null; chmod 755 '$D/bin' 2>/dev/null"
        for _ in $(seq 100); do
            [[ $(readlink "/proc/$IP/exe" 2>/dev/null) == "$D/bin/python3.11" ]] && break
            sleep 0.05
        done
        sleep 0.3
        chmod 000 "$D/bin"
        for cmd in dump record; do
            check_begin "interp: $cmd"
            if [[ $cmd == dump ]]; then
                run "interp-$cmd" "${NOBODY[@]}" "$SG" dump --pid "$IP"
            else
                run "interp-$cmd" "${NOBODY[@]}" "$SG" record -q -d 0.5 -o "$NB/interp.txt" --pid "$IP"
            fi
            expect_rc 1 "interp-$cmd"
            [[ $(wc -l <"$T/interp-$cmd.err") == 1 ]] || why "not one line"
            grep -qF "spyglass: process $IP: cannot open $D/bin/python3.11: permission denied" "$T/interp-$cmd.err" ||
                why "no 'cannot open FILE: permission denied'"
            grep -q "_PyRuntime" "$T/interp-$cmd.err" && why "blames the file's contents"
            show "$T/interp-$cmd.err"
            check_end
        done
        check_begin "interp: root reads it; monitor as nobody needs no file"
        run interp-root "$SG" dump --pid "$IP"
        expect_rc 0 interp-root
        grep -q "Python 3.11" "$T/interp-root.out" || why "root's dump does not name Python 3.11"
        run interp-monitor "${NOBODY[@]}" "$SG" monitor -q -d 0.3 --pid "$IP"
        expect_rc 0 interp-monitor
        check_end
        chmod 755 "$D/bin"
        kill "$IP" 2>/dev/null
    fi
fi

lib_finish
