#!/usr/bin/env bash
# Runs the lab sheets' own Python clients (lab-clients.py) against 'udp-server.jar all' on the default ports.
# Usage: server-verticle/src/test/resources/lab-check.sh   (after mvn package; needs python3)
# Exit code: that of lab-clients.py (0 = every answer right), or 4 if the server did not start.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../../../../.ci/lib.sh" lab-check
on_exit_cleanup
jar="$here/../../../target/udp-server.jar"
workdir work udplab-lab-check
out=$work/server.out
java -Xmx128m -jar "$jar" all --metrics-port 0 >"$out" 2>&1 &
server=$!
track "$server"
wait_line "$out" '^listening mode=sink' 30 "$server" \
  || { (($? == 1)) && say "server did not start in 30 s"; cat "$out" >&2; exit 4; }
python3 "$here/lab-clients.py" 127.0.0.1
