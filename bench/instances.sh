#!/usr/bin/env bash
# Issue 7: echo loss against total send rate for udp-server.jar --instances 1 and 2, driven by 4 C generators
# (4 flows, so SO_REUSEPORT can spread them over the instances), alternating configurations, 2 rounds.
# Usage: bench/instances.sh   (after mvn package and bench/run.sh --c-only --quick, which builds bench/build/)
# Env:   RATES  total rates in pps (default "10000 20000 30000 40000 80000 120000 160000"); PORT (default 39300)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -x bench/build/udp_flood && -f server-verticle/target/udp-server.jar ]] \
  || { echo "instances.sh: build first (mvn -B -q package -DskipTests; bench/run.sh --c-only --quick)" >&2; exit 4; }
PORT=${PORT:-39300}
tmp=$(mktemp -d)
server=
trap '[[ -n $server ]] && kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT

for round in 1 2; do
  for n in 1 2; do
    : > "$tmp/server.log"
    java -jar server-verticle/target/udp-server.jar echo --port "$PORT" --metrics-port 0 --quiet --instances "$n" \
      > "$tmp/server.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do grep -q '^listening' "$tmp/server.log" && break; sleep 0.1; done
    bench/build/udp_flood --to "127.0.0.1:$PORT" --rate 20000 --duration 2 --drain 0.5 > /dev/null  # warm-up
    line="round $round instances $n:"
    for total in ${RATES:-10000 20000 30000 40000 80000 120000 160000}; do
      generators=()
      for g in 1 2 3 4; do
        bench/build/udp_flood --to "127.0.0.1:$PORT" --rate $((total / 4)) --duration 1.5 --drain 0.5 > "$tmp/g$g.json" &
        generators+=($!)
      done
      wait "${generators[@]}"
      loss=$(python3 - "$tmp" <<'EOF'
import json, sys
sent = received = 0
for g in range(1, 5):
    report = json.loads(open("%s/g%d.json" % (sys.argv[1], g)).read().strip().splitlines()[-1])
    sent += report["sent"]
    received += report["received"]
print("%.2f%%" % (100.0 * (sent - received) / sent))
EOF
)
      line="$line $total:$loss"
    done
    echo "$line (load $(cut -d' ' -f1 /proc/loadavg))"
    kill "$server"; wait "$server" 2>/dev/null; server=
  done
done
