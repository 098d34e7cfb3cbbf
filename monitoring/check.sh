#!/usr/bin/env bash
# Tests monitoring/ against a real Prometheus: the configs pass promtool, the alert rules fire on recorded
# stories, the dashboard is structurally valid, and every dashboard expression returns series from a real
# server + flood, whose loss and kernel drops the dashboard must report exactly as the flood and server saw them.
#
# Usage: monitoring/check.sh            (after `mvn -B package` or `mvn -B verify` built the two jars)
# Environment: UDPLAB_HOME   the checkout whose jars to run (default: the parent of this folder)
#              FLOOD_RATE, FLOOD_DURATION   the flood (default 20000/s for 4 s: several scrapes see it, and
#                                        a cold server with a 4 KiB buffer cannot keep up, even on a fast box)
#              CHECK_TIMEOUT             seconds to wait for each condition (default 40)
# Needs: bash, python3 (stdlib only), a JDK; installs the OS `prometheus` package (promtool + prometheus) when
# missing, which needs root or sudo and network access to the package archive.
# Exit codes: 0 all checks passed; 1 a check failed; 4 environment (jar missing, Prometheus not installable,
# a process did not start).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
UDPLAB_HOME=${UDPLAB_HOME:-$(dirname "$HERE")}
SERVER_JAR=$UDPLAB_HOME/server-verticle/target/udp-server.jar
CLIENT_JAR=$UDPLAB_HOME/client-verticle/target/udp-client.jar
FLOOD_RATE=${FLOOD_RATE:-20000}
FLOOD_DURATION=${FLOOD_DURATION:-4s}
CHECK_TIMEOUT=${CHECK_TIMEOUT:-40}
JAVA_OPTS=(-Xms32m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
SERVER_RCVBUF=4096
SCRAPE_INTERVAL=1
started=$(date +%s)

say() { echo "check: $*"; }
die() { local code=$1; shift; echo "check: $*" >&2; exit "$code"; }

pids=()
tmp=$(mktemp -d "${TMPDIR:-/tmp}/udplab-monitoring.XXXXXX")
cleanup() {
  local status=$?
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    local log
    for log in prometheus.log server.out server.err flood.json flood.err; do
      [ -s "$tmp/$log" ] && { echo "--- $log (last 15 lines)" >&2; tail -n 15 "$tmp/$log" >&2; }
    done
  fi
  rm -rf "$tmp"
  echo "check: finished with status $status after $(( $(date +%s) - started ))s"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. Prometheus from the OS packages, installed when missing.
if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  command -v apt-get >/dev/null || die 4 "promtool/prometheus missing and no apt-get: install Prometheus 2.x and re-run"
  say "installing the OS prometheus package"
  "${sudo[@]}" apt-get update -qq >/dev/null || die 4 "apt-get update failed: install the prometheus package by hand"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
    || die 4 "apt-get install prometheus failed: install it by hand and re-run"
  # The package may start a system Prometheus on :9090; this check uses its own, so stop the one it started.
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    "${sudo[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/prometheus ]; then
    "${sudo[@]}" /etc/init.d/prometheus stop >/dev/null 2>&1 || true
  fi
fi
say "$(prometheus --version 2>&1 | head -n 1)"

# 2. Static checks: configs, rules, rule tests, dashboard structure.
promtool check config "$HERE/prometheus/prometheus.yml" >/dev/null || die 1 "promtool check config failed"
promtool check rules "$HERE/prometheus/alerts.yml" >/dev/null || die 1 "promtool check rules failed"
promtool test rules "$HERE/prometheus/alerts_test.yml" >/dev/null || die 1 "promtool test rules failed"
say "promtool: config, rules and rule tests ok"
python3 "$HERE/validate_dashboard.py" || die 1 "dashboard is not structurally valid"

# 3. A real Prometheus, server and flood on free loopback ports.
for jar in "$SERVER_JAR" "$CLIENT_JAR"; do
  [ -f "$jar" ] || die 4 "$jar not found: build it first with 'mvn -B package -DskipTests' in $UDPLAB_HOME"
done
free_port() { # $1 = tcp|udp
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=="udp" else socket.SOCK_STREAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"
}
prom_port=$(free_port tcp); server_metrics=$(free_port tcp); client_metrics=$(free_port tcp); udp_port=$(free_port udp)
while [ "$server_metrics" = "$prom_port" ] || [ "$client_metrics" = "$prom_port" ] || [ "$client_metrics" = "$server_metrics" ]; do
  client_metrics=$(free_port tcp); server_metrics=$(free_port tcp)
done
say "ports: prometheus $prom_port, server udp $udp_port metrics $server_metrics, client metrics $client_metrics"

sed -e "s/127\.0\.0\.1:9101/127.0.0.1:$server_metrics/" -e "s/127\.0\.0\.1:9102/127.0.0.1:$client_metrics/" \
  "$HERE/prometheus/prometheus.yml" > "$tmp/prometheus.yml"
cp "$HERE/prometheus/alerts.yml" "$tmp/alerts.yml"
[ "$(grep -c -e "127.0.0.1:$server_metrics" -e "127.0.0.1:$client_metrics" "$tmp/prometheus.yml")" -eq 2 ] \
  || die 1 "prometheus.yml no longer scrapes 127.0.0.1:9101 and 127.0.0.1:9102; update check.sh with it"

since=$(date +%s.%N)
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
pids+=($!)
java "${JAVA_OPTS[@]}" -jar "$SERVER_JAR" echo --port "$udp_port" --metrics-port "$server_metrics" \
  --rcvbuf "$SERVER_RCVBUF" --quiet >"$tmp/server.out" 2>"$tmp/server.err" &
pids+=($!)
server_pid=$!

wait_line() { # $1 file, $2 pattern, $3 pid, $4 what
  for _ in $(seq $((CHECK_TIMEOUT * 10))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || die 4 "$4 exited before it was ready"
    sleep 0.1
  done
  die 4 "$4 not ready after ${CHECK_TIMEOUT}s"
}
wait_line "$tmp/server.out" "^listening mode=echo" "$server_pid" "the server"
say "server: $(grep -m1 '^listening' "$tmp/server.out")"
# Ready is not scraping: Prometheus hands static targets to the scrapers only after its discovery throttle
# (5 s), so the flood waits for the first scrape of both jobs (the client's is down until the flood serves it).
# A 4 s flood started at /-/ready was over before the first scrape on a fast machine.
python3 - "$prom_port" "$CHECK_TIMEOUT" <<'EOF' || die 4 "Prometheus did not start scraping on 127.0.0.1:$prom_port"
import json, sys, time, urllib.parse, urllib.request
deadline = time.monotonic() + float(sys.argv[2])
query = f"http://127.0.0.1:{sys.argv[1]}/api/v1/query?" + urllib.parse.urlencode({"query": "up"})
while time.monotonic() < deadline:
    try:
        jobs = {r["metric"].get("job") for r in json.load(urllib.request.urlopen(query, timeout=2))["data"]["result"]}
        if {"udp-server", "udp-client"} <= jobs:
            sys.exit(0)
    except (OSError, ValueError, KeyError):
        pass
    time.sleep(0.2)
sys.exit(1)
EOF
say "Prometheus is scraping both jobs"

java "${JAVA_OPTS[@]}" -jar "$CLIENT_JAR" flood --to "127.0.0.1:$udp_port" --count 0 --duration "$FLOOD_DURATION" \
  --rate "$FLOOD_RATE" --metrics-port "$client_metrics" --linger 15s --json >"$tmp/flood.json" 2>"$tmp/flood.err" &
pids+=($!)
flood_pid=$!
say "flood: ${FLOOD_RATE}/s for $FLOOD_DURATION to 127.0.0.1:$udp_port, server --rcvbuf $SERVER_RCVBUF"

# 4. Every dashboard expression, the loss panel and the kernel-drop series, against the real scrapes.
python3 "$HERE/prometheus_check.py" --url "http://127.0.0.1:$prom_port" --flood-json "$tmp/flood.json" \
  --target "127.0.0.1:$udp_port" --mode echo --server-port "$udp_port" --since "$since" --flood-pid "$flood_pid" \
  --scrape-interval "$SCRAPE_INTERVAL" --timeout "$CHECK_TIMEOUT" || exit $?
say "all monitoring checks passed"
