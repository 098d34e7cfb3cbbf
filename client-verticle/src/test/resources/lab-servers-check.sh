#!/usr/bin/env bash
# Runs udp-client's send against the lab sheets' own Python servers (lab-servers.py) and checks every answer:
# the greeting, two lines upper-cased, one client talking to two servers, and the sink printing what it got.
# Usage: client-verticle/src/test/resources/lab-servers-check.sh   (after mvn package; needs python3)
# Exit: 0 every answer right; 1 an answer was wrong or missing; 4 the Python servers did not start.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../../../../.ci/lib.sh" lab-servers-check stdout
on_exit_cleanup
jar="$here/../../../target/udp-client.jar"
workdir work udplab-lab-servers-check
out=$work/servers.out
python3 -u "$here/lab-servers.py" 127.0.0.1 >"$out" 2>&1 &
servers=$!
track "$servers"
wait_line "$out" '^ports ' 10 "$servers" || { (($? == 2)) && { cat "$out" >&2; exit 4; }; }
ports=$(grep -m1 '^ports ' "$out") || die 4 "the Python servers did not start"
port() { sed -E "s/.* $1=([0-9]+).*/\1/" <<<"$ports"; }
greeting=$(port greeting) uppercase=$(port uppercase) sink=$(port sink)

contains() { # contains EXPECTED-SUBSTRING ACTUAL
  grep -qF -- "$1" <<<"$2" || { EXPECT_WHY="expected '$1' in:"$'\n'"$2"; return 1; }
}
client() { java -Xmx128m -jar "$jar" send --metrics-port 0 "$@" 2>&1; }

expect "greeting server answers" contains "Hello UDP Client" \
  "$(client "Hello UDP Server" --to "127.0.0.1:$greeting")"
expect "uppercase server answers every stdin line in capitals" contains "SECOND LINE" \
  "$(printf 'input lowercase sentence\nsecond line\n' | client --to "127.0.0.1:$uppercase")"
expect "uppercase server, first line" contains "INPUT LOWERCASE SENTENCE" \
  "$(printf 'input lowercase sentence\n' | client --to "127.0.0.1:$uppercase")"
two=$(client "Hello UDP Server" --to "127.0.0.1:$greeting" --to "127.0.0.1:$uppercase")
expect "one client, two servers: the greeting" contains "Hello UDP Client" "$two"
expect "one client, two servers: the capitals" contains "HELLO UDP SERVER" "$two"
client "Hello, World!" --to "127.0.0.1:$sink" --no-reply >/dev/null
wait_line "$out" 'received message: Hello, World!' 5 || true
expect "sink prints the one-way message" contains "received message: Hello, World!" "$(cat "$out")"
expect "greeting server printed the client's message" contains "message from client: Hello UDP Server" "$(cat "$out")"
exit $((CHECKS_FAILED > 0))
