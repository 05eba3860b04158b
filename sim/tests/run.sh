#!/bin/sh
# Simulator tests: replay every recording (4.0 and 3.6 profiles) on its own transport, the FIFO edge
# cases, the faults, the base module set and crash emulation. Needs SIM_BIN, SIM_REPLAY, SIM_DATA
# (the wrapper the Makefile writes sets them). Exits non-zero on any mismatch.
set -u
: "${SIM_BIN:?}" "${SIM_REPLAY:?}" "${SIM_DATA:?}"
work=$(mktemp -d /tmp/sim-tests.XXXXXX)
pids=""
fail=0
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# a free port base per run, so parallel runs do not collide
base=$(( 10000 + ($$ % 20000) ))  # below the ephemeral range (32768+)

# start NAME ARGS...: the simulator on http :P, fifo, udp :P+1; sets HTTP FIFO DGRAM RDIR
start() {
    name=$1; shift
    port=$base; base=$((base + 2))
    HTTP=127.0.0.1:$port; DGRAM=127.0.0.1:$((port + 1))
    FIFO=$work/$name.fifo; RDIR=$work/$name.replies
    mkdir -p "$RDIR"
    "$SIM_BIN" --data "$SIM_DATA" --http "$HTTP" --fifo "$FIFO" --fifo-reply-dir "$RDIR/" \
        --datagram "udp:$DGRAM" --timing none "$@" 2>"$work/$name.log" &
    SIM_PID=$!
    pids="$pids $SIM_PID"
    i=0
    # up to 30 s: a sanitizer build takes that long to generate 100 000 dialogs before it listens
    while [ ! -p "$FIFO" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
    # and until its HTTP port accepts: the FIFO can come first (CI under TSan on a busy machine
    # was refused a moment after the FIFO appeared)
    while [ $i -lt 600 ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        sleep 0.05; i=$((i + 1))
    done
}
stop() {
    kill "$SIM_PID"
    wait "$SIM_PID"; rc=$?
    if [ $rc -ne 0 ]; then echo "FAIL: simulator '$name' exited $rc"; cat "$work/$name.log"; fail=1; fi
    if [ -e "$FIFO" ]; then echo "FAIL: '$name' left its FIFO behind"; fail=1; fi
}
run() {
    t0=$(date +%s)
    "$SIM_REPLAY" "$1" --data "$2" --http "$HTTP" --fifo "$FIFO" --reply-dir "$RDIR" \
        --datagram "$DGRAM" ${3:+--seq-from "$3"} ${4:+--v36 "$4"} || { echo "FAIL: $1 $2"; fail=1; }
    echo "   ($1 took $(( $(date +%s) - t0 )) s)"
}

start replay40 --dlg-linger-ms 300
run replay "$SIM_DATA/recordings" "$SIM_DATA/recordings-3.6"
stop

start replay36 --opensips 3.6 --dlg-linger-ms 300
run replay "$SIM_DATA/recordings-3.6" "" 1
stop

start edges
run edges "$SIM_DATA/recordings"
stop

start edges36 --opensips 3.6
run edges "$SIM_DATA/recordings-3.6"
stop

start faults --request-log "$work/requests.jsonl"
run faults "$SIM_DATA/recordings"
stop
n=$(grep -c '"command":"dialog:end_dlg"' "$work/requests.jsonl")
[ "$n" = 1 ] || { echo "FAIL: request log has $n dialog:end_dlg lines, want 1"; fail=1; }

start state40
run state "$SIM_DATA/recordings"
stop

start state36 --opensips 3.6
run state "$SIM_DATA/recordings-3.6" "" 1
stop

start base --modules base
run base "$SIM_DATA/recordings"
stop

# an async command with an empty FIFO reply name: OpenSIPS dies, and so does the sim with --crash exit
start crash --crash exit
printf '::{"jsonrpc":"2.0","method":"t_uac_dlg","params":{"method":"OPTIONS","ruri":"sip:ping@127.0.0.1:5060","headers":"From: <sip:mi@127.0.0.1>;tag=x\\r\\nTo: <sip:ping@127.0.0.1:5060>\\r\\n"},"id":1}\n' > "$FIFO"
i=0
while kill -0 "$SIM_PID" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
if kill -0 "$SIM_PID" 2>/dev/null; then echo "FAIL: --crash exit: still running"; fail=1; kill "$SIM_PID"; fi
wait "$SIM_PID" 2>/dev/null

# generated data: 100 000 dialogs and contacts in a few seconds
start gen --dialogs 100000 --contacts 100000
t0=$(date +%s)
out=$(printf '{"jsonrpc":"2.0","id":1,"method":"get_statistics","params":{"statistics":["active_dialogs","location-contacts"]}}' |
      "$SIM_REPLAY" post --data x --http "$HTTP" --fifo x --reply-dir x --datagram x 2>&1)
case "$out" in
*'"dialog:active_dialogs":100005'*'"usrloc:location-contacts":100020'*) ;;
*) echo "FAIL: generated data: $out"; fail=1 ;;
esac
stop
[ $fail = 0 ] && echo "sim tests: all passed" || echo "sim tests: FAILED"
exit $fail
