#!/usr/bin/env bash
# Three udp-server.jar echo backends behind nginx's UDP load balancer (deploy/nginx/udplab-lb.conf),
# all on 127.0.0.1: floods through the balancer and checks that the counts on every hop agree exactly,
# then kills one backend mid-flood and checks that it shows up as loss, not as a client failure.
#
# Usage: deploy/nginx/check.sh            (after `mvn package` or `mvn verify` built the two jars)
# Env:   UDPLAB_HOME   tree holding server-verticle/target and client-verticle/target (default: this repo)
#        CHECK_COUNT   datagrams per flood (default 6000)   CHECK_RATE  datagrams/s (default 2000)
# Exit:  0 all checks passed; 1 a check failed; 4 environment (missing jar, nginx not installable,
#        a process that did not start).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UDPLAB_HOME=${UDPLAB_HOME:-$(cd "$SCRIPT_DIR/../.." && pwd)}
SERVER_JAR=$UDPLAB_HOME/server-verticle/target/udp-server.jar
CLIENT_JAR=$UDPLAB_HOME/client-verticle/target/udp-client.jar
COUNT=${CHECK_COUNT:-6000}
RATE=${CHECK_RATE:-2000}
JAVA_FLAGS=(-Xms32m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)

source "$SCRIPT_DIR/../../.ci/lib.sh" nginx-lb
source "$SCRIPT_DIR/lb-conf.sh"
on_exit_cleanup
die_env() { KEEP_WORKDIR=1; die 4 "$@"; }

[[ -f $SERVER_JAR && -f $CLIENT_JAR ]] \
    || die_env "missing $SERVER_JAR or $CLIENT_JAR: build them first (mvn -B package -DskipTests)"

packages=()
command -v nginx >/dev/null && [[ -f $LB_CONF_STREAM_MODULE ]] || packages+=(nginx libnginx-mod-stream)
command -v curl >/dev/null || packages+=(curl)
command -v jq >/dev/null || packages+=(jq)
command -v ss >/dev/null || packages+=(iproute2)
((${#packages[@]} == 0)) || apt_install "${packages[@]}"

workdir WORK udplab-nginx-check
# Loopback ports below the ephemeral range that no socket uses yet (UDP and TCP alike).
free_port LB_PORT SINK_LB_PORT 'BACKEND_PORTS[0]' 'BACKEND_PORTS[1]' 'BACKEND_PORTS[2]' \
    'METRICS_PORTS[0]' 'METRICS_PORTS[1]' 'METRICS_PORTS[2]'
ACCESS_LOG=$WORK/stream.log

# The committed conf is the one template: only ports and the log path are rewritten (lb-conf.sh).
lb_conf "$WORK" "127.0.0.1:$LB_PORT" "127.0.0.1:$SINK_LB_PORT" "$ACCESS_LOG" "127.0.0.1:${BACKEND_PORTS[0]}" \
    "127.0.0.1:${BACKEND_PORTS[1]}" "127.0.0.1:${BACKEND_PORTS[2]}" || die_env "$LB_CONF_ERROR"

nginx -p "$WORK/" -c "$WORK/nginx.conf" -e "$WORK/error.log" 2>>"$WORK/error.log" &
NGINX_PID=$!
track "$NGINX_PID"

BACKEND_PIDS=()
for i in 0 1 2; do
    java "${JAVA_FLAGS[@]}" -jar "$SERVER_JAR" echo --port "${BACKEND_PORTS[$i]}" \
        --metrics-port "${METRICS_PORTS[$i]}" --quiet > "$WORK/backend-$i.out" 2> "$WORK/backend-$i.err" &
    BACKEND_PIDS+=($!)
    track $!
done

udp_bound() { ss -Hlnu "sport = :$1" | grep -q .; }
scrape() { curl -fsS --max-time 2 "http://127.0.0.1:$1/metrics"; }
# metric PORT NAME: sum over all series of NAME (0 when absent), as an integer
metric() {
    scrape "$1" | awk -v name="$2" '
        $1 == name || index($1, name "{") == 1 { sum += $NF }
        END { printf "%d\n", sum + 0 }'
}
alive() { # alive PID NAME LOG: fail fast, with the process's own words, when it has exited
    kill -0 "$1" 2>/dev/null || die_env "$2 exited early: $(tail -n 3 "$3" | tr '\n' ' ')"
}
nginx_ready() { alive "$NGINX_PID" nginx "$WORK/error.log" && udp_bound "$LB_PORT"; }
backend_ready() {
    alive "${BACKEND_PIDS[$1]}" "backend $1" "$WORK/backend-$1.err"
    udp_bound "${BACKEND_PORTS[$1]}" && scrape "${METRICS_PORTS[$1]}" >/dev/null 2>&1
}

wait_until 10 nginx_ready || die_env "timed out waiting for nginx to listen on 127.0.0.1:$LB_PORT"
for i in 0 1 2; do
    wait_until 40 backend_ready "$i" || die_env "timed out waiting for backend $i (see $WORK/backend-$i.err)"
done
say "nginx 127.0.0.1:$LB_PORT -> echo backends ${BACKEND_PORTS[*]} (metrics ${METRICS_PORTS[*]})"

# kernel drops on nginx's listening socket (the drops column of /proc/net/udp for its port)
listen_drops() {
    local hex
    hex=$(printf ':%04X' "$LB_PORT")
    awk -v port="$hex" '$2 ~ (port "$") { sum += $NF } END { printf "%d\n", sum + 0 }' /proc/net/udp
}

# machine-wide drops of the per-CPU input backlog (column 2 of /proc/net/softnet_stat): loopback datagrams
# lost there reach no socket, so no socket counter has them; reported, and used only to explain a gap
softnet_drops() {
    local sum=0 col
    while read -r _ col _; do sum=$((sum + 16#$col)); done < /proc/net/softnet_stat
    echo "$sum"
}
# equal_or_backlog WANT GOT: WANT = GOT, or WANT exceeds GOT by no more than the backlog drops of the run
equal_or_backlog() {
    (($1 == $2)) && return 0
    (($1 > $2 && $1 - $2 <= backlog_dropped)) || return 1
    say "     gap of $(($1 - $2)) is within the $backlog_dropped machine-wide backlog drops during the flood"
}

# The flood through the balancer. Started as a plain command, never inside a function or subshell, so
# that $! is the JVM itself and the cleanup's kill reaches it.
FLOOD=(java "${JAVA_FLAGS[@]}" -jar "$CLIENT_JAR" flood --to "127.0.0.1:$LB_PORT" --sockets 8
       --count "$COUNT" --rate "$RATE" --metrics-port 0 --json)
field() { jq -r ".$2" "$1"; }

# ---- 1. every hop agrees -------------------------------------------------------------------------------
drops_before=$(listen_drops)
backlog_before=$(softnet_drops)
flood_rc=0
"${FLOOD[@]}" > "$WORK/flood1.json" 2> "$WORK/flood1.json.err" || flood_rc=$?
expect "flood through nginx exits 0 (got $flood_rc)" test "$flood_rc" -eq 0
sent=$(field "$WORK/flood1.json" sent)
received=$(field "$WORK/flood1.json" received)
lost=$(field "$WORK/flood1.json" lost)
# flood's warm-up goes through nginx too (it is in no report figure): what reached the balancer
through=$((sent + $(field "$WORK/flood1.json" warmup.sent)))
nginx_dropped=$(( $(listen_drops) - drops_before ))
backlog_dropped=$(( $(softnet_drops) - backlog_before ))

# A session is logged when it ends: at its reply, or proxy_timeout after its datagram when none came.
log_complete() { (( $(wc -l < "$ACCESS_LOG") + nginx_dropped >= through )); }
deadline=$((SECONDS + 5))
until log_complete || ((SECONDS >= deadline)); do sleep 0.1; done

sessions=$(wc -l < "$ACCESS_LOG")
# per backend from nginx's log: datagrams forwarded (sessions that sent bytes upstream) and their bytes
forwarded_by() {
    awk -v up="127.0.0.1:$1" '$2 == up { split($6, b, "="); if (b[2] > 0) { n++; bytes += b[2] } }
        END { printf "%d %d\n", n + 0, bytes + 0 }' "$ACCESS_LOG"
}
replied=$(awk '{ split($5, b, "="); if (b[2] > 0) n++ } END { printf "%d\n", n + 0 }' "$ACCESS_LOG")

sum_forwarded=0
sum_received=0
sum_sent=0
printf '%-16s %10s %10s %12s %12s %8s %10s\n' backend forwarded received fwd_bytes rcvd_bytes k_drops replied >&2
for i in 0 1 2; do
    read -r fwd fwd_bytes < <(forwarded_by "${BACKEND_PORTS[$i]}")
    port=${METRICS_PORTS[$i]}
    rcv=$(metric "$port" udp_server_datagrams_received_total)
    rcv_bytes=$(metric "$port" udp_server_bytes_received_total)
    kdrops=$(metric "$port" udp_server_kernel_drops_total)
    snt=$(metric "$port" udp_server_datagrams_sent_total)
    printf '%-16s %10d %10d %12d %12d %8d %10d\n' "127.0.0.1:${BACKEND_PORTS[$i]}" \
        "$fwd" "$rcv" "$fwd_bytes" "$rcv_bytes" "$kdrops" "$snt" >&2
    expect "backend $i received traffic ($rcv datagrams)" test "$rcv" -gt 0
    expect "backend $i: forwarded by nginx ($fwd) = received ($rcv) + kernel drops ($kdrops)" \
        equal_or_backlog "$fwd" $((rcv + kdrops))
    if ((kdrops == 0)); then
        expect "backend $i: bytes forwarded by nginx ($fwd_bytes) = bytes received ($rcv_bytes)" \
            test "$fwd_bytes" -eq "$rcv_bytes"
    else  # the kernel counts dropped datagrams, not their bytes
        expect "backend $i: bytes forwarded by nginx ($fwd_bytes) >= bytes received ($rcv_bytes), $kdrops datagrams dropped" \
            test "$fwd_bytes" -ge "$rcv_bytes"
    fi
    sum_forwarded=$((sum_forwarded + fwd))
    sum_received=$((sum_received + rcv + kdrops))
    sum_sent=$((sum_sent + snt))
done
say "flood: sent=$sent received=$received lost=$lost; nginx: sessions=$sessions replied=$replied listen-socket drops=$nginx_dropped; backlog drops (machine-wide)=$backlog_dropped"
expect "flood loss accounting: received ($received) + lost ($lost) = sent ($sent)" test $((received + lost)) -eq "$sent"
expect "nginx saw every datagram: sessions ($sessions) + listen-socket drops ($nginx_dropped) = sent ($sent) + warm-up ($((through - sent)))" \
    equal_or_backlog "$through" $((sessions + nginx_dropped))
expect "sum of backends' received + kernel drops ($sum_received) = datagrams nginx forwarded ($sum_forwarded)" \
    equal_or_backlog "$sum_forwarded" "$sum_received"
expect "flood received ($received) <= replies nginx relayed ($replied) <= backends' sent ($sum_sent)" \
    test "$received" -le "$replied" -a "$replied" -le "$sum_sent"

# ---- 2. a backend dies mid-flood ---------------------------------------------------------------------------
victim=1
victim_before=$(metric "${METRICS_PORTS[$victim]}" udp_server_datagrams_received_total)
log_before=$(wc -l < "$ACCESS_LOG")
drops_before=$(listen_drops)
# no warm-up: the kill must land in the run, and a warm-up would be the traffic that first reaches the victim
"${FLOOD[@]}" --warmup 0s > "$WORK/flood2.json" 2> "$WORK/flood2.json.err" &
FLOOD_PID=$!
track "$FLOOD_PID"
victim_busy() { (( $(metric "${METRICS_PORTS[$victim]}" udp_server_datagrams_received_total) > victim_before + RATE / 10 )); }
wait_until 20 victim_busy || die_env "timed out waiting for the second flood to reach backend $victim"
{ kill -KILL "${BACKEND_PIDS[$victim]}" && wait "${BACKEND_PIDS[$victim]}"; } 2>/dev/null || true
say "killed backend $victim (pid ${BACKEND_PIDS[$victim]}, port ${BACKEND_PORTS[$victim]}) mid-flood"
flood_rc=0
wait "$FLOOD_PID" || flood_rc=$?
expect "flood with a backend killed still exits 0 (got $flood_rc; stderr in flood2.json.err)" test "$flood_rc" -eq 0
sent=$(field "$WORK/flood2.json" sent)
received=$(field "$WORK/flood2.json" received)
lost=$(field "$WORK/flood2.json" lost)
loss_percent=$(field "$WORK/flood2.json" lossPercent)
unexpected=$(field "$WORK/flood2.json" unexpected)
through=$((sent + $(field "$WORK/flood2.json" warmup.sent)))
nginx_dropped=$(( $(listen_drops) - drops_before ))
# sessions that found the dead backend end at its refusal or at proxy_timeout: wait for their log lines
log_complete() { (( $(wc -l < "$ACCESS_LOG") - log_before + nginx_dropped >= through )); }
deadline=$((SECONDS + 5))
until log_complete || ((SECONDS >= deadline)); do sleep 0.1; done
unanswered_victim=$(tail -n +$((log_before + 1)) "$ACCESS_LOG" | awk -v up="127.0.0.1:${BACKEND_PORTS[$victim]}" \
    '$2 == up { split($5, b, "="); if (b[2] == 0) n++ } END { printf "%d\n", n + 0 }')
say "flood with a dead backend: sent=$sent received=$received lost=$lost lossPercent=$loss_percent unexpected=$unexpected"
elsewhere=$((lost - nginx_dropped - unanswered_victim))
# a session can end unanswered after flood already counted its datagram's reply as late (unexpected)
say "     lost: $nginx_dropped at nginx's listening socket, $unanswered_victim sessions to the dead backend without reply$( ((elsewhere >= 0)) && echo ", $elsewhere elsewhere")"
expect "the dead backend shows up as loss (lost $lost > 0, lossPercent $loss_percent > 0)" \
    awk -v l="$lost" -v p="$loss_percent" 'BEGIN { exit !(l > 0 && p > 0) }'
expect "loss accounting stays exact: received ($received) + lost ($lost) = sent ($sent)" \
    test $((received + lost)) -eq "$sent"
expect "nginx logged the refused backend" grep -q "Connection refused" "$WORK/error.log"
expect "nginx's log shows sessions to the dead backend without reply ($unanswered_victim)" test "$unanswered_victim" -gt 0

printf 'nginx-lb: %d passed, %d failed\n' "$CHECKS_PASSED" "$CHECKS_FAILED"
((CHECKS_FAILED == 0)) || { KEEP_WORKDIR=1; exit 1; }
