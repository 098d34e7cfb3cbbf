#!/usr/bin/env bash
# Runs the lab sheets' own Python clients (lab-clients.py) against 'udp-server.jar all' on the default ports.
# Usage: server-verticle/src/test/resources/lab-check.sh   (after mvn package; needs python3)
# Exit code: that of lab-clients.py (0 = every answer right), or 4 if the server did not start.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../../../target/udp-server.jar"
out="$(mktemp)"
java -Xmx128m -jar "$jar" all --metrics-port 0 >"$out" 2>&1 &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 300); do
  grep -q '^listening mode=sink' "$out" && break
  kill -0 "$server" 2>/dev/null || { cat "$out" >&2; exit 4; }
  sleep 0.1
done
grep -q '^listening mode=sink' "$out" || { echo "lab-check: server did not start in 30 s" >&2; cat "$out" >&2; exit 4; }
python3 "$here/lab-clients.py" 127.0.0.1
