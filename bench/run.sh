#!/usr/bin/env bash
# bench/run.sh: udplab's echo round trip against a C reference pair (recvmmsg/sendmmsg), side by side.
#
# usage: bench/run.sh [--quick] [--json] [--rounds N] [--sizes "64 1024"] [--c-only] [--no-flood]
#   --quick    one round, short probes, fewer bisection steps, one cold start per rate, the 4 MiB knees, the
#              50,000 pps RTT and flood's --warmup 0s RTT at the first size only: a smoke run (about three
#              minutes when idle; twelve at load 11-14, where each JVM launch costs seconds)
#   --json     the summary as one JSON object on stdout (the table then goes to stderr)
#   --rounds N rounds of alternating C and Java phases (default 5); medians (and min-max) are over rounds
#   --sizes    payload sizes in bytes (default "64 1024")
#   --c-only   only the C pair (no jars needed)
#   --no-flood leave out the scenarios with udp-client.jar flood as generator (jc, jj)
# Environment: UDPLAB_HOME (the checkout whose jars are measured; default: this one), JAVA (default java),
#   SERVER_JAVA_OPTS / CLIENT_JAVA_OPTS (default empty: the targets are about default flags),
#   JAVA_SERVER_CMD (measure another echo server in the Java phase: a command line with {port} in it, e.g.
#   "java -jar /tmp/x/udp-server.jar echo --port {port} --metrics-port 0 --quiet --instances 2"; the 4 MiB
#   knee appends "--rcvbuf 4194304" to it),
#   BENCH_OUT (raw per-run output; default bench/out/TIMESTAMP),
#   BENCH_NICE (e.g. -10, as root: every measured process runs under `nice -n BENCH_NICE`, C and Java alike,
#   so that other work on a shared machine disturbs the figures less; default: unset, normal priority).
# Scenarios, on loopback, per size: (1) loss knee (< 0.1 % loss, bisection over paced probes) of the C echo
# server and of udp-server.jar echo, both driven by the C generator; (2) the same knee with udp-client.jar
# flood as the generator against the C echo server; (3) unpaced send and echo rates; (4) RTT percentiles at
# 10,000 pps; (5) peak RSS (VmHWM) of server and client, and time from launch to the port answering an echo;
# (6) cold start: the C generator's loss against a fresh server right after its `listening` line (5,000
# datagrams at 5,000 and at 20,000 pps, 3 fresh starts each; quick: 1); (7) flood's RTT, loss and pacing gap
# error (p50/p99/max) next to the C generator's, both against the C echo, at 10,000 and 50,000 pps, flood with its
# default 400 ms warm-up (left out of its figures) and, at 10,000 pps, also with --warmup 0s (exactly N datagrams,
# as the C generator sends), with the largest stall of flood's own event loop; (8) CPU us per datagram
# (utime+stime of all threads from /proc/PID/stat over the steady part of a paced 20,000 pps run) of both
# servers and both generators; (9) the knees of (1) again with 4 MiB socket buffers (server and generator).
# The load average before and after each phase goes into the summary.
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

FIRST_SIZE=${SIZES%% *}
if (( QUICK )); then
  ROUNDS=${ROUNDS:-1} PROBE_SECONDS=0.5 KNEE_STEPS=5 KNEE_LO=10000 KNEE_HI=640000 KNEE_RETRY=0 UNPACED_COUNT=200000 RTT_SECONDS=1
  COLD_STARTS=1 CPU_SKIP=0.5 CPU_WINDOW=1 BIG_KNEE_SIZES=$FIRST_SIZE HIGH_RTT_SIZES=$FIRST_SIZE NO_WARMUP_SIZES=$FIRST_SIZE
else
  ROUNDS=${ROUNDS:-5} PROBE_SECONDS=1.5 KNEE_STEPS=7 KNEE_LO=5000 KNEE_HI=1000000 KNEE_RETRY=1 UNPACED_COUNT=1000000 RTT_SECONDS=3
  COLD_STARTS=3 CPU_SKIP=1 CPU_WINDOW=3 BIG_KNEE_SIZES=$SIZES HIGH_RTT_SIZES=$SIZES NO_WARMUP_SIZES=$SIZES
fi
MAX_LOSS=0.1 RTT_RATE=10000 RTT_RATE_HIGH=50000 DRAIN_SECONDS=0.3
# cold start: the issue's own measurement (5,000 datagrams of 64 B, default buffers, from the `listening` line)
COLD_RATES="5000 20000" COLD_COUNT=5000 COLD_SIZE=64 COLD_DRAIN=0.5
# CPU per datagram: one paced rate every program keeps on this machine, 64 B; CPU_SKIP s after sending starts
# (a JVM's first second is JIT work), then CPU_WINDOW s sampled
CPU_RATE=20000 CPU_SIZE=64 CPU_TAIL=1
BIG_RCVBUF=4194304
# flood's warm-up (its default, stated here so the summary can say it): sent at the probe's own rate before each
# flood run and left out of every figure of its report, as sockperf leaves out its first 400 ms; the server still
# gets those datagrams. The C generator has none (nothing to warm). The "flood --warmup 0s" RTT row sends exactly
# N like the C generator, so that a loss a cold flood adds is seen too. A flood without --warmup (a checkout from
# before issue 13) gets none.
FLOOD_WARMUP=400ms FLOOD_WARMUP_SECONDS=0.4
# flood waits up to this long for the warm-up's replies before its run starts (README, Warm-up)
FLOOD_WARMUP_WAIT_SECONDS=0.2
CLK_TCK=$(getconf CLK_TCK)
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

# json_get FILE KEY.PATH [SCALE]: one value of the one JSON object in FILE (the last line that parses), times
# SCALE when given (printed with one decimal), or nan when the file, the key or the figure is missing (flood
# writes null for a figure it cannot know, e.g. rtt.p50Millis when no reply came).
json_get() {
  python3 - "$1" "$2" "${3:-}" <<'PY'
import json, sys
value = float("nan")
try:
    for line in reversed(open(sys.argv[1]).read().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            node = json.loads(line)
            for part in sys.argv[2].split("."):
                node = node[part]
            value = float("nan") if node is None else node
            break
except (OSError, ValueError, KeyError, TypeError):
    pass
if sys.argv[3] and isinstance(value, (int, float)) and not isinstance(value, bool):
    value = "%.1f" % (value * float(sys.argv[3]))
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
  FLOOD_OK=0 SERVER_OK=0 FLOOD_HAS_WARMUP=0
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
    elif "$JAVA" -jar "$CLIENT_JAR" flood --help >"$OUT/flood-help.txt" 2>&1 && grep -q -- --rate "$OUT/flood-help.txt"; then
      FLOOD_OK=1
      grep -q -- --warmup "$OUT/flood-help.txt" && FLOOD_HAS_WARMUP=1
    else
      say "udp-client.jar has no working 'flood' command: scenarios with flood as generator are skipped"
    fi
  fi
}

# ---------------------------------------------------------------- servers
# launch_server c|java LOG [RCVBUF]: starts an echo server on a free port (SERVER_PORT) in the background
# (SERVER_PID, launched at LAUNCHED_US), stdout and stderr in LOG.out and LOG.err; RCVBUF empty: the kernel's
# default buffers.
launch_server() {
  local kind=$1 log=$2 rcvbuf=${3:-} buffers=()
  [[ -n $rcvbuf ]] && buffers=(--rcvbuf "$rcvbuf")
  free_port SERVER_PORT
  LAUNCHED_US=$(lib_now_us)
  if [[ $kind == c ]]; then
    "${NICE[@]}" "$BUILD/udp_echo" --port "$SERVER_PORT" "${buffers[@]}" >"$log.out" 2>"$log.err" &
  elif [[ -n ${JAVA_SERVER_CMD:-} ]]; then
    # shellcheck disable=SC2086
    "${NICE[@]}" ${JAVA_SERVER_CMD//\{port\}/$SERVER_PORT} "${buffers[@]}" >"$log.out" 2>"$log.err" &
  else
    # shellcheck disable=SC2086
    "${NICE[@]}" "$JAVA" $SERVER_JAVA_OPTS -jar "$SERVER_JAR" echo --port "$SERVER_PORT" --metrics-port 0 --quiet \
      "${buffers[@]}" >"$log.out" 2>"$log.err" &
  fi
  SERVER_PID=$!
  track "$SERVER_PID"
}

# start_server c|java [RCVBUF]: launch_server, then waits for the first echo. With default buffers it records the
# start-up time (launch to first echo) and, at stop_server, the peak RSS; a RCVBUF server records neither.
start_server() {
  local kind=$1 rcvbuf=${2:-} t1 line
  SERVER_LOG="$OUT/server-$kind-r$ROUND${rcvbuf:+-rcvbuf$rcvbuf}"
  SERVER_RECORDS=$([[ -z $rcvbuf ]] && echo 1 || echo 0)
  launch_server "$kind" "$SERVER_LOG" "$rcvbuf"
  # the C prober, not wait_udp_echo: the start-up figures in RESULTS.md are launch to its first echo
  if ! "$BUILD/udp_flood" --to "127.0.0.1:$SERVER_PORT" --wait-echo 20 >/dev/null 2>&1; then
    say "the $kind echo server did not answer on port $SERVER_PORT within 20 s; its stderr:"
    tail -5 "$SERVER_LOG.err" >&2
    stop_server
    return 1
  fi
  t1=$(lib_now_us)
  (( SERVER_RECORDS )) && record "startup_ms.$kind" all "$ROUND" $(( (t1 - LAUNCHED_US) / 1000 ))
  # udp-server.jar answers while its own warm-up runs, before it prints the line (README, server)
  wait_line "$SERVER_LOG.out" '^listening ' 20 "$SERVER_PID"
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
  [[ -n $v ]] && (( SERVER_RECORDS )) && record "rss_server_mib.$SERVER_KIND" all "$ROUND" "$(awk -v k="$v" 'BEGIN { printf "%.1f", k / 1024 }')"
  stop_pid "$SERVER_PID"
}

# ---------------------------------------------------------------- generators
# generator_command GEN SIZE RATE COUNT [DRAIN_SECONDS] [RCVBUF] [WARMUP]: GEN_CMD = the command line of the C
# generator (GEN=c) or of udp-client.jar flood (GEN=java, with --warmup WARMUP, default FLOOD_WARMUP, when it has
# the option) against the running server, its JSON report on stdout.
generator_command() {
  local gen=$1 size=$2 rate=$3 count=$4 drain=${5:-$DRAIN_SECONDS} rcvbuf=${6:-} warmup=${7:-$FLOOD_WARMUP} buffers=() warm=()
  [[ -n $rcvbuf ]] && buffers=(--rcvbuf "$rcvbuf")
  (( FLOOD_HAS_WARMUP )) && warm=(--warmup "$warmup")
  if [[ $gen == c ]]; then
    GEN_CMD=("$BUILD/udp_flood" --to "127.0.0.1:$SERVER_PORT" --rate "$rate" --count "$count" --size "$size"
      --drain "$drain" "${buffers[@]}")
  else
    # shellcheck disable=SC2206
    GEN_CMD=("$JAVA" $CLIENT_JAVA_OPTS -jar "$CLIENT_JAR" flood --to "127.0.0.1:$SERVER_PORT" --rate "$rate"
      --count "$count" --size "$size" --drain "$(awk -v s="$drain" 'BEGIN { printf "%dms", s * 1000 }')"
      --metrics-port 0 --json "${buffers[@]}" "${warm[@]}")
  fi
}

# flood GEN SIZE RATE COUNT TAG [TRACK_RSS] [RCVBUF] [WARMUP]: one run of generator_command; the JSON report lands
# in $OUT/TAG.json.
flood() {
  local gen=$1 size=$2 rate=$3 count=$4 tag=$5 track=${6:-0} rcvbuf=${7:-} warmup=${8:-}
  generator_command "$gen" "$size" "$rate" "$count" "$DRAIN_SECONDS" "$rcvbuf" "$warmup"
  run_child "$OUT/$tag.json" "$OUT/$tag.err" "$track" "${GEN_CMD[@]}"
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

# knee GEN SIZE CONFIG [RCVBUF]: bisection (geometric) for the highest paced rate with loss < MAX_LOSS %
# (the generator's socket asks for RCVBUF when given).
knee() {
  local gen=$1 size=$2 config=$3 rcvbuf=${4:-} lo=$KNEE_LO hi=$KNEE_HI mid step passed=0 count tag
  for (( step = 1; step <= KNEE_STEPS; step++ )); do
    mid=$(awk -v a="$lo" -v b="$hi" 'BEGIN { printf "%d", int(sqrt(a * b) / 100 + 0.5) * 100 }')
    count=$(awk -v r="$mid" -v s="$PROBE_SECONDS" 'BEGIN { printf "%d", r * s }')
    tag="knee-$config-$size-r$ROUND-p$step"
    flood "$gen" "$size" "$mid" "$count" "$tag" 0 "$rcvbuf"
    if (( KNEE_RETRY )) && ! probe_ok "$OUT/$tag.json" "$mid"; then
      # one retry: on a shared machine a single scheduling hiccup of a few ms overflows the receive buffer
      say "  knee $config ${size}B probe $step: $mid pps -> $PROBE_NOTE, once more"
      tag="$tag-retry"
      flood "$gen" "$size" "$mid" "$count" "$tag" 0 "$rcvbuf"
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
    flood "$gen" "$size" "$lo" "$count" "$tag" 0 "$rcvbuf"
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

# json_gap FILE: "P50 P99 MAX" of the generator's pacing gap error in us (|gap to the previous datagram - 1/rate|),
# each nan when its report has none (unpaced, or a flood before issue 13): the C generator writes
# pacing.gapErrorP50Micros..., flood pacing.gapErrorMicros.{p50,p99,max} (null unless it paced per datagram).
json_gap() {
  python3 - "$1" <<'PY'
import json, sys
nan = float("nan")
figures = [nan, nan, nan]
try:
    for line in reversed(open(sys.argv[1]).read().splitlines()):
        if line.strip().startswith("{"):
            pacing = json.loads(line).get("pacing") or {}
            flood = pacing.get("gapErrorMicros") or {}
            for i, (c_key, flood_key) in enumerate((("gapErrorP50Micros", "p50"), ("gapErrorP99Micros", "p99"),
                                                    ("gapErrorMaxMicros", "max"))):
                value = pacing.get(c_key, flood.get(flood_key))
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    figures[i] = value
            break
except (OSError, ValueError, AttributeError):
    pass
print(*figures)
PY
}

# rtt GEN SIZE CONFIG [RATE] [SUFFIX] [WARMUP]: RTT percentiles, loss and pacing gap error of one paced run (and,
# for flood, the largest stall of its own event loop); the metrics carry SUFFIX (none at RTT_RATE, the historical
# keys; "_50k" at RTT_RATE_HIGH). WARMUP: flood's --warmup (default FLOOD_WARMUP). Figures a run cannot know
# (RTT with no reply) are recorded as nan, which the summary leaves out.
rtt() {
  local gen=$1 size=$2 config=$3 rate=${4:-$RTT_RATE} suffix=${5:-} warmup=${6:-} tag q gap json
  tag="rtt-$config-$size-$rate-r$ROUND"
  [[ $rate == "$RTT_RATE" ]] && tag="rtt-$config-$size-r$ROUND"
  flood "$gen" "$size" "$rate" "$(( rate * RTT_SECONDS ))" "$tag" 0 "" "$warmup"
  json="$OUT/$tag.json"
  for q in p50Millis p99Millis p999Millis; do
    record "rtt_${q%Millis}_us$suffix.$config" "$size" "$ROUND" "$(json_get "$json" "rtt.$q" 1000)"
  done
  record "rtt_lost$suffix.$config" "$size" "$ROUND" "$(json_get "$json" lost)"
  read -r -a gap <<<"$(json_gap "$json")"
  record "gap_err_p50_us$suffix.$config" "$size" "$ROUND" "${gap[0]}"
  record "gap_err_p99_us$suffix.$config" "$size" "$ROUND" "${gap[1]}"
  record "gap_err_max_us$suffix.$config" "$size" "$ROUND" "${gap[2]}"
  [[ $gen == java ]] && record "stall_max_ms$suffix.$config" "$size" "$ROUND" "$(json_get "$json" clientStalls.maxMillis)"
  say "rtt $config ${size}B at $rate pps: p50 $(json_get "$json" rtt.p50Millis) ms, p99.9 $(json_get "$json" rtt.p999Millis) ms, lost $(json_get "$json" lost), gap error p50/p99/max ${gap[0]}/${gap[1]}/${gap[2]} us"
}

# cpu_ticks PID: utime+stime of every thread of PID so far, in clock ticks (fields 14 and 15 of /proc/PID/stat,
# counted after the command name, which may hold spaces); empty when PID is gone.
cpu_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  awk '{ print $12 + $13 }' <<<"$stat"
}

# cpu GEN CONFIG: CPU us per datagram of the running server and of the generator GEN, paced at CPU_RATE with
# CPU_SIZE bytes: both processes' utime+stime sampled CPU_SKIP s after the generator starts sending and again
# CPU_WINDOW s later, divided by the datagrams sent in between (CPU_RATE x window, or fewer when the generator
# fell short of the rate). flood's start of sending is its header line on stderr, printed before its warm-up:
# its CPU_SKIP counts from the end of the warm-up and of the wait for its replies, so that both generators are
# sampled as long after their run began and flood's window holds no warm-up and no pause.
cpu() {
  local gen=$1 config=$2 tag="cpu-$2-r$ROUND" pid t1 t2 g1 g2 s1 s2 count rate server_us client_us skip=$CPU_SKIP
  count=$(awk -v r="$CPU_RATE" -v a="$CPU_SKIP" -v b="$CPU_WINDOW" -v c="$CPU_TAIL" 'BEGIN { printf "%d", r * (a + b + c) }')
  generator_command "$gen" "$CPU_SIZE" "$CPU_RATE" "$count"
  "${NICE[@]}" "${GEN_CMD[@]}" >"$OUT/$tag.json" 2>"$OUT/$tag.err" &
  pid=$!
  track "$pid"
  if [[ $gen == java ]] && ! wait_line "$OUT/$tag.err" '^flood ' 30 "$pid"; then
    say "cpu $config: flood printed no header line within 30 s"
  fi
  [[ $gen == java ]] && (( FLOOD_HAS_WARMUP )) && skip=$(awk -v a="$CPU_SKIP" -v w="$FLOOD_WARMUP_SECONDS" \
    -v p="$FLOOD_WARMUP_WAIT_SECONDS" 'BEGIN { print a + w + p }')
  sleep "$skip"
  t1=$(lib_now_us) g1=$(cpu_ticks "$pid") s1=$(cpu_ticks "$SERVER_PID")
  sleep "$CPU_WINDOW"
  t2=$(lib_now_us) g2=$(cpu_ticks "$pid") s2=$(cpu_ticks "$SERVER_PID")
  wait "$pid"
  untrack "$pid"
  rate=$(json_get "$OUT/$tag.json" sendRate)
  # the generator must still have been sending at the second sample: its send phase is SKIP+WINDOW+TAIL long
  awk -v r="$rate" -v c="$CPU_RATE" 'BEGIN { exit !(r == r + 0 && r > 0.5 * c) }' || g2= s2=
  read -r server_us client_us < <(awk -v t1="$t1" -v t2="$t2" -v g1="$g1" -v g2="$g2" -v s1="$s1" -v s2="$s2" \
    -v r="$rate" -v c="$CPU_RATE" -v hz="$CLK_TCK" 'BEGIN {
      n = (r < c ? r : c) * (t2 - t1) / 1e6
      if (g1 == "" || g2 == "" || n <= 0) { print "nan nan"; exit }
      printf "%.2f %.2f\n", (s2 - s1) * 1e6 / hz / n, (g2 - g1) * 1e6 / hz / n }')
  record "cpu_server_us.$config" "$CPU_SIZE" "$ROUND" "$server_us"
  record "cpu_client_us.$config" "$CPU_SIZE" "$ROUND" "$client_us"
  say "cpu $config ${CPU_SIZE}B at $CPU_RATE pps: server $server_us us, generator $client_us us per datagram (sent at $rate pps; load $(load_average))"
}

# cold KIND RATE START: a fresh echo server (default buffers) and, as soon as its `listening` line is there,
# COLD_COUNT datagrams from the C generator at RATE: the loss and the RTT maximum of that first burst.
cold() {
  local kind=$1 rate=$2 start=$3 log="$OUT/cold-$1-$2-s$3" tag="cold-$1-$2-s$3" t0 t1 deadline
  launch_server "$kind" "$log"
  t0=$LAUNCHED_US deadline=$(( LAUNCHED_US + 30000000 ))
  # polled every 5 ms, not wait_line's 100 ms: the burst is to begin right at the line, as a user's would
  until grep -q '^listening ' "$log.out" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null || (( $(lib_now_us) > deadline )); then
      say "cold $kind: no listening line within 30 s; its stderr:"
      tail -5 "$log.err" >&2
      stop_pid "$SERVER_PID"
      record "cold_lost_r$rate.$kind" "$COLD_SIZE" "$start" nan
      return
    fi
    sleep 0.005
  done
  t1=$(lib_now_us)
  generator_command c "$COLD_SIZE" "$rate" "$COLD_COUNT" "$COLD_DRAIN"
  run_child "$OUT/$tag.json" "$OUT/$tag.err" 0 "${GEN_CMD[@]}"
  stop_pid "$SERVER_PID"
  record "cold_lost_r$rate.$kind" "$COLD_SIZE" "$start" "$(json_get "$OUT/$tag.json" lost)"
  record "cold_rtt_max_ms_r$rate.$kind" "$COLD_SIZE" "$start" "$(json_get "$OUT/$tag.json" rtt.maxMillis)"
  record "cold_listening_ms.$kind" all "$start" $(( (t1 - t0) / 1000 ))
  say "cold $kind start $start at $rate pps: lost $(json_get "$OUT/$tag.json" lost) of $COLD_COUNT, RTT max $(json_get "$OUT/$tag.json" rtt.maxMillis) ms, listening after $(( (t1 - t0) / 1000 )) ms"
}

# ---------------------------------------------------------------- phases
# phase_load NAME before|after: the load average (and the time) at a phase's start and end, into loads.tsv and
# the summary.
phase_load() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$ROUND" "$1" "$2" "$(load_average)" "$(date +%s)" >>"$OUT/loads.tsv"
  say "phase $1 of round $ROUND: load $2 $(load_average)"
}

# The C echo server phase: C generator and flood against it (configs cc and jc), then the C generator against a
# C echo with 4 MiB buffers (cc4).
phase_c() {
  SERVER_KIND=c
  phase_load c before
  start_server c || exit 4
  local size
  for size in $SIZES; do
    knee c "$size" cc
    (( FLOOD_OK )) && knee java "$size" jc
    unpaced c "$size" cc
    (( FLOOD_OK )) && unpaced java "$size" jc
    rtt c "$size" cc
    (( FLOOD_OK )) && rtt java "$size" jc
    (( FLOOD_OK && FLOOD_HAS_WARMUP )) && [[ " $NO_WARMUP_SIZES " == *" $size "* ]] && rtt java "$size" jc0 "$RTT_RATE" "" 0s
    [[ " $HIGH_RTT_SIZES " == *" $size "* ]] || continue
    rtt c "$size" cc "$RTT_RATE_HIGH" _50k
    (( FLOOD_OK )) && rtt java "$size" jc "$RTT_RATE_HIGH" _50k
  done
  cpu c cc
  (( FLOOD_OK )) && cpu java jc
  stop_server
  start_server c "$BIG_RCVBUF" || exit 4
  for size in $BIG_KNEE_SIZES; do
    knee c "$size" cc4 "$BIG_RCVBUF"
  done
  stop_server
  phase_load c after
}

# The udp-server.jar phase: C generator and flood against it (configs cj and jj), then the C generator against
# udp-server.jar with 4 MiB buffers (cj4). Each server's JIT is warmed first; the cold rows have their own.
phase_java() {
  SERVER_KIND=java
  phase_load java before
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
  cpu c cj
  stop_server
  if start_server java "$BIG_RCVBUF"; then
    flood c 64 0 200000 "warmup-rcvbuf-r$ROUND"
    for size in $BIG_KNEE_SIZES; do
      knee c "$size" cj4 "$BIG_RCVBUF"
    done
    stop_server
  fi
  phase_load java after
}

# Fresh servers, before any round: COLD_STARTS starts per rate and kind, C and Java alternating.
phase_cold() {
  local start rate kinds kind
  phase_load cold before
  for (( start = 1; start <= COLD_STARTS; start++ )); do
    for rate in $COLD_RATES; do
      kinds="c java"
      (( start % 2 )) || kinds="java c"
      (( C_ONLY || ! SERVER_OK )) && kinds=c
      for kind in $kinds; do cold "$kind" "$rate" "$start"; done
    done
  done
  phase_load cold after
}

# ---------------------------------------------------------------- main
build
COMMIT=$(git -C "$UDPLAB_HOME" rev-parse --short HEAD 2>/dev/null || echo unknown)
BENCH_COMMIT=$(git -C "$BENCH_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
JAVA_TRANSPORT=n/a
LOAD_START=$(load_average)
STARTED=$(date +%s)
say "rounds $ROUNDS, sizes $SIZES, probes ${PROBE_SECONDS}s x $KNEE_STEPS steps; raw output in $OUT; load $LOAD_START"
: >"$OUT/loads.tsv"
ROUND=0
phase_cold
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
  nice "${BENCH_NICE:-0}" loadStart "$LOAD_START" loadEnd "$LOAD_END" seconds "$(( $(date +%s) - STARTED ))" sizes "$SIZES" \
  coldStarts "$COLD_STARTS" coldRates "$COLD_RATES" cpuRate "$CPU_RATE" bigRcvbuf "$BIG_RCVBUF" bigKneeSizes "$BIG_KNEE_SIZES" \
  rttRateHigh "$RTT_RATE_HIGH" floodWarmup "$( (( FLOOD_HAS_WARMUP )) && echo "$FLOOD_WARMUP" || echo none)")
python3 "$BENCH_DIR/summarize.py" "$RESULTS" "$META" "$JSON" "$OUT"
