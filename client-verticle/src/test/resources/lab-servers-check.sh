#!/usr/bin/env bash
# Runs udp-client's send against the lab sheets' own Python servers (lab-servers.py) and checks every answer:
# the greeting, two lines upper-cased, one client talking to two servers, and the sink printing what it got.
# Usage: client-verticle/src/test/resources/lab-servers-check.sh   (after mvn package; needs python3)
# Exit: 0 every answer right; 1 an answer was wrong or missing; 4 the Python servers did not start.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../../../target/udp-client.jar"
out="$(mktemp)"
python3 -u "$here/lab-servers.py" 127.0.0.1 >"$out" 2>&1 &
servers=$!
trap 'kill "$servers" 2>/dev/null || true; wait "$servers" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 100); do
  grep -q '^ports ' "$out" && break
  kill -0 "$servers" 2>/dev/null || { cat "$out" >&2; exit 4; }
  sleep 0.1
done
ports=$(grep -m1 '^ports ' "$out") || { echo "lab-servers-check: the Python servers did not start" >&2; exit 4; }
port() { sed -E "s/.* $1=([0-9]+).*/\1/" <<<"$ports"; }
greeting=$(port greeting) uppercase=$(port uppercase) sink=$(port sink)

failed=0
expect() { # expect WHAT EXPECTED-SUBSTRING ACTUAL
  if grep -qF -- "$2" <<<"$3"; then echo "lab-servers-check: ok   $1"
  else echo "lab-servers-check: FAIL $1: expected '$2' in:"; echo "$3"; failed=1; fi
}
client() { java -Xmx128m -jar "$jar" send --metrics-port 0 "$@" 2>&1; }

expect "greeting server answers" "Hello UDP Client" \
  "$(client "Hello UDP Server" --to "127.0.0.1:$greeting")"
expect "uppercase server answers every stdin line in capitals" "SECOND LINE" \
  "$(printf 'input lowercase sentence\nsecond line\n' | client --to "127.0.0.1:$uppercase")"
expect "uppercase server, first line" "INPUT LOWERCASE SENTENCE" \
  "$(printf 'input lowercase sentence\n' | client --to "127.0.0.1:$uppercase")"
two=$(client "Hello UDP Server" --to "127.0.0.1:$greeting" --to "127.0.0.1:$uppercase")
expect "one client, two servers: the greeting" "Hello UDP Client" "$two"
expect "one client, two servers: the capitals" "HELLO UDP SERVER" "$two"
client "Hello, World!" --to "127.0.0.1:$sink" --no-reply >/dev/null
for _ in $(seq 1 50); do grep -q 'received message: Hello, World!' "$out" && break; sleep 0.1; done
expect "sink prints the one-way message" "received message: Hello, World!" "$(cat "$out")"
expect "greeting server printed the client's message" "message from client: Hello UDP Server" "$(cat "$out")"
exit "$failed"
