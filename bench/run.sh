#!/usr/bin/env bash
# bench/run.sh: udplab's echo round trip against a C reference pair (recvmmsg/sendmmsg), side by side.
#
# usage: bench/run.sh [--quick] [--json] [--rounds N] [--sizes "64 1024"] [--c-only] [--no-flood]
#   --quick    one round, short probes, fewer bisection steps: a smoke run (about two minutes when idle)
#   --json     the summary as one JSON object on stdout (the table then goes to stderr)
#   --rounds N rounds of alternating C and Java phases (default 3); medians are over rounds
#   --sizes    payload sizes in bytes (default "64 1024")
#   --c-only   only the C pair (no jars needed)
#   --no-flood leave out the scenarios with udp-client.jar flood as generator (jc, jj)
# Environment: UDPLAB_HOME (the checkout whose jars are measured; default: this one), JAVA (default java),
#   SERVER_JAVA_OPTS / CLIENT_JAVA_OPTS (default empty: the targets are about default flags),
#   JAVA_SERVER_CMD (measure another echo server in the Java phase: a command line with {port} in it, e.g.
#   "java -jar /tmp/x/udp-server.jar echo --port {port} --metrics-port 0 --quiet --instances 2"),
#   BENCH_OUT (raw per-run output; default bench/out/TIMESTAMP),
#   BENCH_NICE (e.g. -10, as root: every measured process runs under `nice -n BENCH_NICE`, C and Java alike,
#   so that other work on a shared machine disturbs the figures less; default: unset, normal priority).
# Scenarios, on loopback, per size: (1) loss knee (< 0.1 % loss, bisection over paced probes) of the C echo
# server and of udp-server.jar echo, both driven by the C generator; (2) the same knee with udp-client.jar
# flood as the generator against the C echo server; (3) unpaced send and echo rates; (4) RTT percentiles at
# 10,000 pps; (5) peak RSS (VmHWM) of server and client, and time from launch to the port answering an echo.
# Exit: 0 ok, 2 bad usage, 4 build or start-up failure.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UDPLAB_HOME=${UDPLAB_HOME:-$(dirname "$BENCH_DIR")}
UDPLAB_HOME=$(cd "$UDPLAB_HOME" && pwd)
JAVA=${JAVA:-java}
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:-}
CLIENT_JAVA_OPTS=${CLIENT_JAVA_OPTS:-}
BUILD="$BENCH_DIR/build"
SERVER_JAR="$UDPLAB_HOME/server-verticle/target/udp-server.jar"
CLIENT_JAR="$UDPLAB_HOME/client-verticle/target/udp-client.jar"

QUICK=0 JSON=0 ROUNDS= SIZES="64 1024" C_ONLY=0 NO_FLOOD=0
usage() { echo "bench/run.sh: $1 (usage: bench/run.sh [--quick] [--json] [--rounds N] [--sizes \"64 1024\"] [--c-only] [--no-flood])" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) QUICK=1 ;;
    --json) JSON=1 ;;
    --rounds) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage "--rounds needs a positive number"; ROUNDS=$2; shift ;;
    --sizes) [[ ${2:-} =~ ^[0-9]+( [0-9]+)*$ ]] || usage "--sizes needs a list like \"64 1024\""; SIZES=$2; shift ;;
    --c-only) C_ONLY=1 ;;
    --no-flood) NO_FLOOD=1 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) usage "unknown option $1" ;;
  esac
  shift
done
# 40: flood's smallest datagram (its header); 1472: one Ethernet-sized datagram, as on a real network
for s in $SIZES; do (( s >= 40 && s <= 1472 )) || usage "sizes must be 40..1472 bytes"; done

if (( QUICK )); then
  ROUNDS=${ROUNDS:-1} PROBE_SECONDS=0.5 KNEE_STEPS=5 KNEE_LO=10000 KNEE_HI=640000 KNEE_RETRY=0 UNPACED_COUNT=200000 RTT_SECONDS=1
else
  ROUNDS=${ROUNDS:-3} PROBE_SECONDS=1.5 KNEE_STEPS=7 KNEE_LO=5000 KNEE_HI=1000000 KNEE_RETRY=1 UNPACED_COUNT=1000000 RTT_SECONDS=3
fi
MAX_LOSS=0.1 RTT_RATE=10000 DRAIN_SECONDS=0.3
NICE=()
if [[ -n ${BENCH_NICE:-} ]]; then
  [[ $BENCH_NICE =~ ^-?[0-9]+$ ]] || usage "BENCH_NICE must be a number such as -10"
  NICE=(nice -n "$BENCH_NICE")
fi
OUT=${BENCH_OUT:-"$BENCH_DIR/out/$(date -u +%Y%m%dT%H%M%SZ)"}
mkdir -p "$OUT" || exit 4
RESULTS="$OUT/results.tsv"
: >"$RESULTS"

source "$BENCH_DIR/../.ci/lib.sh" bench
# Every process this script starts is tracked and ended by pid on exit.
on_exit_cleanup

# run_child OUT ERR TRACK_RSS CMD...: runs CMD in the background (so a signal reaches the trap at once),
# waits, and leaves its exit code in CHILD_RC and, if TRACK_RSS=1, its peak RSS in KiB in CHILD_HWM_KB.
run_child() {
  local out=$1 err=$2 track=$3 pid v
  shift 3
  "${NICE[@]}" "$@" >"$out" 2>"$err" &
  pid=$!
  track "$pid"
  CHILD_HWM_KB=0
  if (( track )); then
    while kill -0 "$pid" 2>/dev/null; do
      v=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null)
      [[ -n $v ]] && CHILD_HWM_KB=$v
      sleep 0.1
    done
  fi
  wait "$pid"
  CHILD_RC=$?
  untrack "$pid"
}

# json_get FILE KEY.PATH: one value of the one JSON object in FILE (the last line that parses), or nan.
json_get() {
  python3 - "$1" "$2" <<'PY'
import json, sys
value = float("nan")
try:
    for line in reversed(open(sys.argv[1]).read().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            node = json.loads(line)
            for part in sys.argv[2].split("."):
                node = node[part]
            value = node
            break
except (OSError, ValueError, KeyError, TypeError):
    pass
print(value)
PY
}

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"; }  # metric size round value

load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# ---------------------------------------------------------------- build
build() {
  mkdir -p "$BUILD" || exit 4
  local src
  for src in udp_echo udp_flood; do
    if [[ ! -x $BUILD/$src || $BENCH_DIR/c/$src.c -nt $BUILD/$src || $BENCH_DIR/c/udp_socket.h -nt $BUILD/$src ]]; then
      cc -O2 -Wall -Wextra -o "$BUILD/$src" "$BENCH_DIR/c/$src.c" -lm || die 4 "cannot compile c/$src.c"
    fi
  done
  if (( ! C_ONLY )) && [[ -z ${JAVA_SERVER_CMD:-} || $NO_FLOOD == 0 ]] && [[ ! -f $SERVER_JAR || ! -f $CLIENT_JAR ]]; then
    say "building the jars in $UDPLAB_HOME (mvn -B -q package -DskipTests)"
    (cd "$UDPLAB_HOME" && mvn -B -q package -DskipTests) >"$OUT/mvn.log" 2>&1 \
      || die 4 "the jar build failed; see $OUT/mvn.log"
  fi
  FLOOD_OK=0 SERVER_OK=0
  if (( ! C_ONLY )); then
    if [[ -n ${JAVA_SERVER_CMD:-} ]]; then
      [[ $JAVA_SERVER_CMD == *'{port}'* ]] || usage "JAVA_SERVER_CMD must contain {port}"
      SERVER_OK=1
    elif "$JAVA" -jar "$SERVER_JAR" echo --help 2>&1 | grep -q -- --port; then
      SERVER_OK=1
    else
      say "udp-server.jar does not run 'echo --help': the udp-server.jar phase is skipped"
    fi
    if (( NO_FLOOD )); then
      :
    elif "$JAVA" -jar "$CLIENT_JAR" flood --help 2>&1 | grep -q -- --rate; then
      FLOOD_OK=1
    else
      say "udp-client.jar has no working 'flood' command: scenarios with flood as generator are skipped"
    fi
  fi
}

# ---------------------------------------------------------------- servers
# start_server c|java: sets SERVER_PID and SERVER_PORT; records the start-up time (launch to first echo).
start_server() {
  local kind=$1 t0 t1 line
  free_port SERVER_PORT
  SERVER_LOG="$OUT/server-$kind-r$ROUND"
  t0=$(date +%s%N)
  if [[ $kind == c ]]; then
    "${NICE[@]}" "$BUILD/udp_echo" --port "$SERVER_PORT" >"$SERVER_LOG.out" 2>"$SERVER_LOG.err" &
  elif [[ -n ${JAVA_SERVER_CMD:-} ]]; then
    # shellcheck disable=SC2086
    "${NICE[@]}" ${JAVA_SERVER_CMD//\{port\}/$SERVER_PORT} >"$SERVER_LOG.out" 2>"$SERVER_LOG.err" &
  else
    # shellcheck disable=SC2086
    "${NICE[@]}" "$JAVA" $SERVER_JAVA_OPTS -jar "$SERVER_JAR" echo --port "$SERVER_PORT" --metrics-port 0 --quiet \
      >"$SERVER_LOG.out" 2>"$SERVER_LOG.err" &
  fi
  SERVER_PID=$!
  track "$SERVER_PID"
  # the C prober, not wait_udp_echo: the start-up figures in RESULTS.md are launch to its first echo
  if ! "$BUILD/udp_flood" --to "127.0.0.1:$SERVER_PORT" --wait-echo 20 >/dev/null 2>&1; then
    say "the $kind echo server did not answer on port $SERVER_PORT within 20 s; its stderr:"
    tail -5 "$SERVER_LOG.err" >&2
    stop_server
    return 1
  fi
  t1=$(date +%s%N)
  record "startup_ms.$kind" all "$ROUND" $(( (t1 - t0) / 1000000 ))
  line=$(grep -m1 '^listening mode=echo ' "$SERVER_LOG.out")
  if [[ $line =~ address=127\.0\.0\.1:$SERVER_PORT\ .*transport=([a-z_]+) ]]; then
    [[ $kind == java ]] && JAVA_TRANSPORT=${BASH_REMATCH[1]}
  else
    say "warning: the $kind server printed no contract start-up line 'listening mode=echo address=127.0.0.1:$SERVER_PORT ... transport=...'"
  fi
  return 0
}

stop_server() {
  local v
  v=$(awk '/^VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null)
  [[ -n $v ]] && record "rss_server_mib.$SERVER_KIND" all "$ROUND" "$(awk -v k="$v" 'BEGIN { printf "%.1f", k / 1024 }')"
  stop_pid "$SERVER_PID"
}

# ---------------------------------------------------------------- generators
# flood GEN SIZE RATE COUNT TAG [TRACK_RSS]: one run of the C generator (GEN=c) or udp-client.jar flood
# (GEN=java) against the running server; the JSON report lands in $OUT/TAG.json.
flood() {
  local gen=$1 size=$2 rate=$3 count=$4 tag=$5 track=${6:-0}
  if [[ $gen == c ]]; then
    run_child "$OUT/$tag.json" "$OUT/$tag.err" "$track" "$BUILD/udp_flood" --to "127.0.0.1:$SERVER_PORT" \
      --rate "$rate" --count "$count" --size "$size" --drain "$DRAIN_SECONDS"
  else
    # shellcheck disable=SC2086
    run_child "$OUT/$tag.json" "$OUT/$tag.err" "$track" "$JAVA" $CLIENT_JAVA_OPTS -jar "$CLIENT_JAR" flood \
      --to "127.0.0.1:$SERVER_PORT" --rate "$rate" --count "$count" --size "$size" \
      --drain "$(awk -v s="$DRAIN_SECONDS" 'BEGIN { printf "%dms", s * 1000 }')" --metrics-port 0 --json
  fi
}

# probe_ok FILE RATE: the probe lost less than MAX_LOSS % and its generator really sent at >= 95 % of RATE
# (a generator that cannot keep the pace has reached its own knee, whatever the loss).
probe_ok() {
  local loss achieved
  loss=$(json_get "$1" lossPercent)
  achieved=$(json_get "$1" sendRate)
  PROBE_NOTE="loss $loss %, sent at $achieved pps"
  awk -v l="$loss" -v m="$MAX_LOSS" -v a="$achieved" -v r="$2" \
    'BEGIN { exit !(l == l + 0 && l < m && a == a + 0 && a >= 0.95 * r) }'
}

# knee GEN SIZE CONFIG: bisection (geometric) for the highest paced rate with loss < MAX_LOSS %.
knee() {
  local gen=$1 size=$2 config=$3 lo=$KNEE_LO hi=$KNEE_HI mid step passed=0 count tag
  for (( step = 1; step <= KNEE_STEPS; step++ )); do
    mid=$(awk -v a="$lo" -v b="$hi" 'BEGIN { printf "%d", int(sqrt(a * b) / 100 + 0.5) * 100 }')
    count=$(awk -v r="$mid" -v s="$PROBE_SECONDS" 'BEGIN { printf "%d", r * s }')
    tag="knee-$config-$size-r$ROUND-p$step"
    flood "$gen" "$size" "$mid" "$count" "$tag"
    if (( KNEE_RETRY )) && ! probe_ok "$OUT/$tag.json" "$mid"; then
      # one retry: on a shared machine a single scheduling hiccup of a few ms overflows the receive buffer
      say "  knee $config ${size}B probe $step: $mid pps -> $PROBE_NOTE, once more"
      tag="$tag-retry"
      flood "$gen" "$size" "$mid" "$count" "$tag"
    fi
    if probe_ok "$OUT/$tag.json" "$mid"; then
      lo=$mid passed=1
    else
      hi=$mid
    fi
    say "  knee $config ${size}B probe $step: $mid pps -> $PROBE_NOTE"
  done
  if (( ! passed )); then
    count=$(awk -v r="$lo" -v s="$PROBE_SECONDS" 'BEGIN { printf "%d", r * s }')
    tag="knee-$config-$size-r$ROUND-p0"
    flood "$gen" "$size" "$lo" "$count" "$tag"
    if probe_ok "$OUT/$tag.json" "$lo"; then
      say "  knee $config ${size}B lower bound $lo pps passed: $PROBE_NOTE"
    else
      say "  knee $config ${size}B lower bound $lo pps failed: $PROBE_NOTE"
      lo=0
    fi
  fi
  record "knee_pps.$config" "$size" "$ROUND" "$lo"
  say "knee $config ${size}B: $lo pps (load $(load_average))"
}

unpaced() {
  local gen=$1 size=$2 config=$3 tag="unpaced-$3-$2-r$ROUND"
  flood "$gen" "$size" 0 "$UNPACED_COUNT" "$tag" 1
  record "unpaced_send_pps.$config" "$size" "$ROUND" "$(json_get "$OUT/$tag.json" sendRate)"
  record "unpaced_echo_pps.$config" "$size" "$ROUND" "$(json_get "$OUT/$tag.json" receiveRate)"
  record "unpaced_loss_pct.$config" "$size" "$ROUND" "$(json_get "$OUT/$tag.json" lossPercent)"
  record "rss_client_mib.$gen" all "$ROUND" "$(awk -v k="$CHILD_HWM_KB" 'BEGIN { printf "%.1f", k / 1024 }')"
  say "unpaced $config ${size}B: send $(json_get "$OUT/$tag.json" sendRate) pps, echo $(json_get "$OUT/$tag.json" receiveRate) pps (load $(load_average))"
}

rtt() {
  local gen=$1 size=$2 config=$3 tag="rtt-$3-$2-r$ROUND" q
  flood "$gen" "$size" "$RTT_RATE" "$(( RTT_RATE * RTT_SECONDS ))" "$tag"
  for q in p50Millis p99Millis p999Millis; do
    record "rtt_${q%Millis}_us.$config" "$size" "$ROUND" \
      "$(awk -v v="$(json_get "$OUT/$tag.json" "rtt.$q")" 'BEGIN { printf "%.1f", v * 1000 }')"
  done
  say "rtt $config ${size}B at $RTT_RATE pps: p50 $(json_get "$OUT/$tag.json" rtt.p50Millis) ms, p99.9 $(json_get "$OUT/$tag.json" rtt.p999Millis) ms"
}

# ---------------------------------------------------------------- phases
# The C echo server phase: C generator and flood against it (configs cc and jc).
phase_c() {
  SERVER_KIND=c
  start_server c || exit 4
  local size
  for size in $SIZES; do
    knee c "$size" cc
    (( FLOOD_OK )) && knee java "$size" jc
    unpaced c "$size" cc
    (( FLOOD_OK )) && unpaced java "$size" jc
    rtt c "$size" cc
    (( FLOOD_OK )) && rtt java "$size" jc
  done
  stop_server
}

# The udp-server.jar phase: C generator and flood against it (configs cj and jj).
phase_java() {
  SERVER_KIND=java
  if ! start_server java; then
    say "skipping the udp-server.jar phase of round $ROUND"
    return
  fi
  local size
  # warm the JIT before anything is measured
  flood c 64 0 200000 "warmup-r$ROUND"
  for size in $SIZES; do
    knee c "$size" cj
    unpaced c "$size" cj
    (( FLOOD_OK )) && unpaced java "$size" jj
    rtt c "$size" cj
    (( FLOOD_OK )) && rtt java "$size" jj
  done
  stop_server
}

# ---------------------------------------------------------------- main
build
COMMIT=$(git -C "$UDPLAB_HOME" rev-parse --short HEAD 2>/dev/null || echo unknown)
BENCH_COMMIT=$(git -C "$BENCH_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
JAVA_TRANSPORT=n/a
LOAD_START=$(load_average)
STARTED=$(date +%s)
say "rounds $ROUNDS, sizes $SIZES, probes ${PROBE_SECONDS}s x $KNEE_STEPS steps; raw output in $OUT; load $LOAD_START"
for (( ROUND = 1; ROUND <= ROUNDS; ROUND++ )); do
  if (( C_ONLY )); then
    phase_c
  elif (( ROUND % 2 )); then
    phase_c; (( SERVER_OK )) && phase_java
  else
    (( SERVER_OK )) && phase_java; phase_c
  fi
done
LOAD_END=$(load_average)

META=$(python3 -c 'import json, sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
  date "$(date -u +%Y-%m-%dT%H:%MZ)" \
  machine "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)" \
  server "${JAVA_SERVER_CMD:-udp-server.jar echo}" commit "$COMMIT" benchCommit "$BENCH_COMMIT" rounds "$ROUNDS" quick "$QUICK" javaTransport "$JAVA_TRANSPORT" \
  nice "${BENCH_NICE:-0}" loadStart "$LOAD_START" loadEnd "$LOAD_END" seconds "$(( $(date +%s) - STARTED ))" sizes "$SIZES")
python3 "$BENCH_DIR/summarize.py" "$RESULTS" "$META" "$JSON" "$OUT"
