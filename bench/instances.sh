#!/usr/bin/env bash
# bench/instances.sh: issue 7's comparison. The echo loss knee of `udp-server.jar echo --instances 1` against
# `--instances 2`, each found by `udp-client.jar flood --sockets 4 --find-max-rate` (4 flows, so SO_REUSEPORT can
# spread them over the instances), in alternating order over rounds; medians and the 2/1 ratio at the end.
#
# usage: bench/instances.sh [--rounds N] [--rcvbuf "LIST"] [--max-loss PERCENT] [--duration D]
#   --rounds N        rounds (default 3); each measures both configurations, which one goes first alternates
#   --rcvbuf "LIST"   SO_RCVBUF requests to compare, the same for the server's and the client's sockets; "default"
#                     leaves the kernel's default (net.core.rmem_default) (default: "default 4194304")
#   --max-loss P      the knee's loss threshold in percent (default 0.1)
#   --duration D      each probe's send phase (default 2s)
# Environment: UDPLAB_HOME (the checkout whose jars are measured; default this one), JAVA (default java),
#   PORT (first UDP port, default 39300; each search takes the next), BENCH_OUT (raw output; default
#   bench/out/instances-TIMESTAMP).
# Output: one line per search, then a table of medians. Exit: 0 ok, 2 bad usage, 4 build or start-up failure.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UDPLAB_HOME=$(cd "${UDPLAB_HOME:-$(dirname "$BENCH_DIR")}" && pwd)
JAVA=${JAVA:-java}
SERVER_JAR="$UDPLAB_HOME/server-verticle/target/udp-server.jar"
CLIENT_JAR="$UDPLAB_HOME/client-verticle/target/udp-client.jar"
ROUNDS=3 RCVBUFS="default 4194304" MAX_LOSS=0.1 DURATION=2s
PORT=${PORT:-39300}
source "$BENCH_DIR/../.ci/lib.sh" instances.sh
on_exit_cleanup

usage() { echo "bench/instances.sh: $1 (usage: bench/instances.sh [--rounds N] [--rcvbuf \"LIST\"] [--max-loss PERCENT] [--duration D])" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage "--rounds needs a positive number"; ROUNDS=$2; shift ;;
    --rcvbuf) [[ ${2:-} =~ ^(default|[1-9][0-9]*)( +(default|[1-9][0-9]*))*$ ]] \
                || usage "--rcvbuf needs a list of byte counts or 'default'"; RCVBUFS=$2; shift ;;
    --max-loss) [[ ${2:-} =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage "--max-loss needs a percentage"; MAX_LOSS=$2; shift ;;
    --duration) [[ -n ${2:-} ]] || usage "--duration needs a value"; DURATION=$2; shift ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage "unknown argument '$1'" ;;
  esac
  shift
done

if [[ ! -f $SERVER_JAR || ! -f $CLIENT_JAR ]]; then
  say "building the jars (mvn -B -q package -DskipTests in $UDPLAB_HOME)"
  (cd "$UDPLAB_HOME" && mvn -B -q package -DskipTests) || die 4 "the build failed"
fi
command -v python3 > /dev/null || die 4 "python3 is needed to read the flood's JSON"

OUT=${BENCH_OUT:-$BENCH_DIR/out/instances-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"

# knee RCVBUF INSTANCES ROUND: one search against a fresh server; prints the knee in pps.
knee() {
  local rcvbuf=$1 n=$2 round=$3 tag="rcvbuf-$1-instances-$2-round-$3" buffers=()
  # knee runs in $(...), a subshell: the parent's trap cannot see this server, so this one ends it, also on
  # Ctrl-C (a background JVM of a script ignores SIGINT)
  on_exit_cleanup
  [[ $rcvbuf == default ]] || buffers=(--rcvbuf "$rcvbuf")
  "$JAVA" -jar "$SERVER_JAR" echo --port "$PORT" --metrics-port 0 --quiet --instances "$n" "${buffers[@]}" \
    > "$OUT/$tag.server.log" 2>&1 &
  server=$!
  track "$server"
  wait_line "$OUT/$tag.server.log" '^listening' 10 "$server" \
    || die 4 "the server did not start: $(head -1 "$OUT/$tag.server.log")"
  # The server's JIT warms up before anything is measured, as in bench/run.sh: 200,000 datagrams unpaced.
  "$JAVA" -jar "$CLIENT_JAR" flood --to "127.0.0.1:$PORT" --sockets 4 --count 200000 --drain 500ms --metrics-port 0 \
    --json "${buffers[@]}" > "$OUT/$tag.warm-up.json" 2> "$OUT/$tag.warm-up.log"
  # --json: one document with maxRate; exit 1 when no probed rate passed, which is a knee of 0, not a failure
  "$JAVA" -jar "$CLIENT_JAR" flood --to "127.0.0.1:$PORT" --sockets 4 --find-max-rate --max-loss "$MAX_LOSS" \
    --duration "$DURATION" --drain 500ms --metrics-port 0 --json "${buffers[@]}" \
    > "$OUT/$tag.json" 2> "$OUT/$tag.client.log"
  local status=$?
  stop_pid "$server"
  [[ $status -le 1 && -s $OUT/$tag.json ]] || die 4 "flood failed (exit $status): $(tail -1 "$OUT/$tag.client.log")"
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["maxRate"])' "$OUT/$tag.json"
}

echo "echo loss knee (< $MAX_LOSS % loss), flood --sockets 4 --find-max-rate, probes of $DURATION; $(nproc) CPUs;" \
  "raw output in $OUT"
results=()
for rcvbuf in $RCVBUFS; do
  for round in $(seq "$ROUNDS"); do
    order="1 2"
    (( round % 2 == 0 )) && order="2 1"
    for n in $order; do
      PORT=$((PORT + 1))  # here, not in knee: that runs in a subshell
      rate=$(knee "$rcvbuf" "$n" "$round") || exit $?
      echo "rcvbuf $rcvbuf round $round instances $n: knee $rate pps (load $(cut -d' ' -f1 /proc/loadavg))"
      results+=("$rcvbuf $n $rate")
    done
  done
done

printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
knees = {}
for line in sys.stdin:
    rcvbuf, n, rate = line.split()
    knees.setdefault(rcvbuf, {}).setdefault(n, []).append(int(rate))
print("%-10s %14s %14s %8s   %s" % ("rcvbuf", "instances 1", "instances 2", "2/1", "rounds (1 | 2)"))
for rcvbuf, by_n in knees.items():
    one, two = statistics.median(by_n["1"]), statistics.median(by_n["2"])
    ratio = "%.2f" % (two / one) if one else "n/a"
    print("%-10s %14.0f %14.0f %8s   %s | %s" % (rcvbuf, one, two, ratio,
        " ".join(map(str, by_n["1"])), " ".join(map(str, by_n["2"]))))
'
