#!/usr/bin/env bash
# Tests monitoring/ against a real Prometheus: the configs pass promtool, the alert rules fire on recorded
# stories, the dashboard is structurally valid, and every dashboard expression returns series from a real
# server and several floods at once (as a Kubernetes flood Job runs them), whose loss and kernel drops the
# dashboard must report exactly as the floods and the server saw them, added up over the floods, also after
# the floods have exited and their endpoints are gone.
#
# Usage: monitoring/check.sh            (after `mvn -B package` or `mvn -B verify` built the two jars)
# Environment: UDPLAB_HOME   the checkout whose jars to run (default: the parent of this folder)
#              FLOODS                    floods at once, each with its own metrics endpoint (default 2)
#              FLOOD_RATE, FLOOD_DURATION   the floods: flood i of N at FLOOD_RATE * i / N per second (default
#                                        15000: 7500/s and 15000/s) for 4 s. Several scrapes see them, a cold
#                                        server with a 4 KiB buffer cannot keep up even on a fast box, and floods
#                                        of different sizes tell a ratio of sums from a mean of ratios.
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
FLOODS=${FLOODS:-2}
FLOOD_RATE=${FLOOD_RATE:-15000}
FLOOD_DURATION=${FLOOD_DURATION:-4s}
CHECK_TIMEOUT=${CHECK_TIMEOUT:-40}
JAVA_OPTS=(-Xms32m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
SERVER_RCVBUF=4096
SCRAPE_INTERVAL=1
started=$(date +%s)

source "$HERE/../.ci/lib.sh" check stdout
on_exit_cleanup
workdir tmp udplab-monitoring
on_exit() {
  local log
  if [ "$1" -ne 0 ]; then
    for log in prometheus.log server.out server.err flood*.json flood*.err; do
      [ -s "$tmp/$log" ] && { echo "--- $log (last 15 lines)" >&2; tail -n 15 "$tmp/$log" >&2; }
    done
  fi
  say "finished with status $1 after $(( $(date +%s) - started ))s"
}

# 1. Prometheus from the OS packages, installed when missing.
need_prometheus

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
free_port prom_port server_metrics udp_port
client_metrics=()
for ((i = 1; i <= FLOODS; i++)); do free_port client_port; client_metrics+=("$client_port"); done
say "ports: prometheus $prom_port, server udp $udp_port metrics $server_metrics, client metrics ${client_metrics[*]}"

# The client job scrapes every flood's endpoint: "127.0.0.1:9102" becomes "127.0.0.1:P1", "127.0.0.1:P2", ...
prometheus_config "$tmp" "127.0.0.1:$server_metrics" "$(printf '127.0.0.1:%s ' "${client_metrics[@]}")" \
  || die 1 "$PROMETHEUS_CONFIG_ERROR"

since=$(date +%s.%N)
start_prometheus "$tmp" "127.0.0.1:$prom_port"
java "${JAVA_OPTS[@]}" -jar "$SERVER_JAR" echo --port "$udp_port" --metrics-port "$server_metrics" \
  --rcvbuf "$SERVER_RCVBUF" --quiet >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
track "$server_pid"

wait_line "$tmp/server.out" "^listening mode=echo" "$CHECK_TIMEOUT" "$server_pid" || case $? in
  2) die 4 "the server exited before it was ready" ;;
  *) die 4 "the server not ready after ${CHECK_TIMEOUT}s" ;;
esac
say "server: $(grep -m1 '^listening' "$tmp/server.out")"
# Ready is not scraping (see wait_prometheus_jobs), so the flood waits for the first scrape of both jobs (the
# client's is down until the flood serves it). A 4 s flood started at /-/ready was over before the first scrape on
# a fast machine.
wait_prometheus_jobs "127.0.0.1:$prom_port" "$CHECK_TIMEOUT" udp-server udp-client \
  || die 4 "Prometheus did not start scraping on 127.0.0.1:$prom_port"
say "Prometheus is scraping both jobs"

# Each flood lingers 15 s: long enough for the scrape of its final counts and the checks that need it up; then it
# exits and prometheus_check.py checks what the dashboard shows once its endpoint is gone.
floods=()
for ((i = 1; i <= FLOODS; i++)); do
  port=${client_metrics[i - 1]} rate=$((FLOOD_RATE * i / FLOODS))
  java "${JAVA_OPTS[@]}" -jar "$CLIENT_JAR" flood --to "127.0.0.1:$udp_port" --count 0 --duration "$FLOOD_DURATION" \
    --rate "$rate" --metrics-port "$port" --linger 15s --json >"$tmp/flood$i.json" 2>"$tmp/flood$i.err" &
  track $!
  floods+=(--flood-json "$tmp/flood$i.json" --flood-instance "127.0.0.1:$port" --flood-pid $!)
done
say "floods: $FLOODS, the fastest at ${FLOOD_RATE}/s, for $FLOOD_DURATION to 127.0.0.1:$udp_port, server --rcvbuf $SERVER_RCVBUF"

# 4. Every dashboard expression, the loss panel and the kernel-drop series, against the real scrapes.
python3 "$HERE/prometheus_check.py" --url "http://127.0.0.1:$prom_port" "${floods[@]}" \
  --target "127.0.0.1:$udp_port" --mode echo --server-port "$udp_port" --since "$since" \
  --scrape-interval "$SCRAPE_INTERVAL" --timeout "$CHECK_TIMEOUT" || exit $?
say "all monitoring checks passed"
