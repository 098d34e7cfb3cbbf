#!/usr/bin/env bash
# deploy/netlab/check.sh: udp-server.jar and udp-client.jar flood across a real (if virtual) path, built by
# netlab.sh from network namespaces, with every loss counted where it happened and compared exactly. Every flood
# to a server host passes --server-metrics (the server's endpoint on the management network), and flood's own
# split of the loss (lossAttribution) must equal the lab's counters, part by part:
#   1. path loss only (drops on the input hooks both ways): lost = path = the nftables counters' sum;
#   2. server receive buffer loss only (--rcvbuf 4096, unpaced): serverKernel = sent - server received, path 0;
#   3. both at once, each part; 4. a rate-limited server (--guards on --rate-limit 500): serverDropped.rate_limited;
#   5. IPv6 across the link; 6. --size 1472 with --gso auto over MTU 1500 (no fragment) and --size 2000;
#   7. a second client talking to the server meanwhile: exact false, and the text says so;
#   8. three client hosts -> nginx on a balancer host -> three server hosts, one of them paused for a moment,
#      scraped by a real Prometheus over the management network: the dashboard's loss and "where lost" queries
#      equal the sums of the floods' reports and of the servers' counters.
# Usage: deploy/netlab/check.sh        (as root, after mvn -B -q package -DskipTests)
# Environment: UDPLAB_HOME (the tree whose jars run; default this one).
# Needs what netlab.sh needs, and Prometheus (the OS package, installed when missing, as monitoring/check.sh does).
# Exit: 0 all passed, or skipped where network namespaces cannot be made (said in one line); 1 a check
#   failed; 4 environment (no jars, a process that did not start, no Prometheus).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../../.ci/lib.sh" netlab-check
UDPLAB_HOME=$(cd "${UDPLAB_HOME:-$HERE/../..}" && pwd)
started=$(date +%s)
# A prefix and management network of its own: a class's lab (prefix ulab, index 0) may be up meanwhile.
NETLAB=(bash "$HERE/netlab.sh" --prefix ulabck --index 201)

if [[ $(id -u) != 0 ]]; then
  say "skipped: network namespaces need root (CI runs this as root)"
  exit 0
fi
if ! ip netns add ulabck-probe 2>/dev/null; then
  say "skipped: this machine cannot make network namespaces (ip netns add failed)"
  exit 0
fi
ip netns del ulabck-probe
for jar in server-verticle/target/udp-server.jar client-verticle/target/udp-client.jar; do
  [[ -f $UDPLAB_HOME/$jar ]] || die 4 "$UDPLAB_HOME/$jar not found: build it first with 'mvn -B -q package -DskipTests'"
done
export UDPLAB_HOME

on_exit_cleanup
workdir WORK udplab-netlab-check
export NETLAB_STATE=$WORK/state
on_exit() {
  local log
  [[ -n ${PAUSED:-} ]] && kill -CONT "$PAUSED" 2>/dev/null
  if (($1 != 0)); then
    for log in "$NETLAB_STATE"/ulabck/*.log "$NETLAB_STATE"/ulabck/nginx/error.log "$WORK"/*.err "$WORK"/prometheus/prometheus.log; do
      [[ -s $log ]] && { echo "--- $log (last 8 lines)" >&2; tail -n 8 "$log" >&2; }
    done
  fi
  "${NETLAB[@]}" down >/dev/null 2>&1 || true
  say "finished with status $1 after $(($(date +%s) - started)) s"
}
"${NETLAB[@]}" down >/dev/null 2>&1  # the leftovers of an interrupted earlier run, if any

equal() {  # an empty or non-numeric side (a key missing from a report) fails, never counts as 0
  [[ $1 =~ ^-?[0-9]+$ && $2 =~ ^-?[0-9]+$ ]] || { EXPECT_WHY="'$1' and '$2' are not both numbers"; return 1; }
  (($1 == $2)) || { EXPECT_WHY="$1 != $2"; return 1; }
}
same() { [[ $1 == "$2" ]] || { EXPECT_WHY="'$1' != '$2'"; return 1; }; }
positive() { (($1 > 0)) || { EXPECT_WHY="got $1"; return 1; }; }

# counters NAME: the lab's counters now, in $WORK/NAME; value NAME WHERE WHAT: one of them; d TAG WHERE WHAT:
# its change over the flood TAG (netlab.sh flood records the counters just before and just after it)
counters() { "${NETLAB[@]}" counters > "$WORK/$1"; }
value() {
  local where what v
  while read -r where what v; do [[ $where == "$2" && $what == "$3" ]] && { echo "$v"; return; }; done < "$WORK/$1"
  echo 0
}
d() { echo $(( $(value "$1.after" "$2" "$3") - $(value "$1.before" "$2" "$3") )); }
declare -A F  # the last flood's report (netlab.sh's): F[sent], F[received], F[lost], F[target], F[client_drops]
read_flood() {
  local key val
  F=()
  while read -r key val; do F[$key]=$val; done < "$WORK/$1.report"
}
# ip_stat HOST NAME: a counter of the Ip: lines of HOST's /proc/net/snmp (ReasmReqds, FragCreates, ...)
ip_stat() {
  "${NETLAB[@]}" exec "$1" cat /proc/net/snmp | awk -v name="$2" '
    $1 == "Ip:" && !header { for (i = 2; i <= NF; i++) column[$i] = i; header = 1; next }
    $1 == "Ip:" { print $column[name] }'
}
# flood TAG HOST ARGS...: netlab.sh flood, its JSON in $WORK/TAG.json, its text in $WORK/TAG.err; the lab's
# counters just before and after in $WORK/TAG.before and .after
# --duration bounds a flood that could not keep its pace; none of them needs more than 10 s. netlab.sh flood adds
# --gso off unless --gso is given: the nftables counters count packets, and a GSO super-packet crosses the lab's
# veth links whole, so a rule would drop up to 64 datagrams and count 1 (measured: with --gso on at 2000/s, 90
# lost into s1 against a counter of 38). Only the MTU floods ask for --gso auto, which is what they test.
# --drain 2s: at a load of 12 the server's replies stalled for a second and 16 came after a 1 s drain.
FLOOD_ARGS=(--rcvbuf 4194304 --drain 2s --duration 30s)
flood() {
  local tag=$1 host=$2 rc=0
  shift 2
  NETLAB_FLOOD_RECORD=$WORK/$tag "${NETLAB[@]}" flood "$host" "${FLOOD_ARGS[@]}" "$@" > /dev/null 2>&1 || rc=$?
  ((rc == 0)) || die 4 "flood $tag from $host exited $rc: $(grep -v '^netlab' "$WORK/$tag.err" | tail -n 2 | tr '\n' ' ')"
  read_flood "$tag"
  say "$tag: $(grep -m1 '^flood ' "$WORK/$tag.err")"
  say "$tag: sent ${F[sent]}, received ${F[received]}, lost ${F[lost]}"
  grep '^lost [0-9,]* = ' "$WORK/$tag.err" | sed "s/^/netlab-check: $tag: /" >&2 || true
}
ceil_div() { echo $(( ($1 + $2 - 1) / $2 )); }
commas() { sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta' <<<"$1"; }  # 19636 -> 19,636, as flood prints it

# Every flood to a server host passes that server's endpoint on the management network, so that flood itself
# splits the loss: s1:20001 (roomy, metrics 9101), s1:20002 (tiny, 9102), s1:20003 (rate-limited, 9103)
MGMT=198.19.201
ROOMY=(--server-metrics "http://$MGMT.21:9101/metrics")
TINY=(--server-metrics "http://$MGMT.21:9102/metrics")
LIMITED=(--server-metrics "http://$MGMT.21:9103/metrics")
# expect_split TAG PATH SERVER_KERNEL DROPPED: flood's own split of TAG's loss (lossAttribution in its JSON, the
# "lost N = ..." line in its text) is exactly PATH on the path, SERVER_KERNEL in the server's receive buffer and
# DROPPED dropped by the server (every reason), the parts add up to lost with the client's own kernel drops, and
# flood says it is exact
expect_split() {
  local tag=$1 path=$2 kernel=$3 dropped=$4 client=${F[attribution_client_kernel]:-}
  expect "$tag: lossAttribution.path (${F[attribution_path]:-none}) = $path" equal "${F[attribution_path]:-}" "$path"
  expect "$tag: lossAttribution.serverKernel (${F[attribution_server_kernel]:-none}) = $kernel" \
    equal "${F[attribution_server_kernel]:-}" "$kernel"
  expect "$tag: lossAttribution.serverDropped, every reason (${F[attribution_dropped]:-none}) = $dropped" \
    equal "${F[attribution_dropped]:-}" "$dropped"
  expect "$tag: lost (${F[lost]}) = path + serverKernel + serverDropped + clientKernel ($path + $kernel + $dropped + ${client:-none})" \
    equal "${F[lost]}" $((path + kernel + dropped + ${client:-0}))
  expect "$tag: lossAttribution.exact" same "${F[attribution_exact]:-none}" true
  local said=("lost $(commas "${F[lost]}") = $(commas "$kernel") in the server's receive buffer" "$(commas "$dropped") dropped by the server" \
    "$(commas "${client:-0}") in this client's receive buffer" "$(commas "$path") on the path")
  # the same line as a pattern: its +s literal, the server's reasons in brackets after its drops when there are any
  expect "$tag: flood's text says it: ${said[0]} + ${said[1]} + ${said[2]} + ${said[3]}" \
    grep -qE "^${said[0]} \+ ${said[1]}( \([a-z_ 0-9,]*\))? \+ ${said[2]} \+ ${said[3]}\$" "$WORK/$tag.err"
}
step_started=$(date +%s)
step() { say "-- $* (the last step took $(($(date +%s) - step_started)) s)"; step_started=$(date +%s); }

# ---------------------------------------------------------------- one client host, one server host
"${NETLAB[@]}" up pair > "$WORK/up.out" 2> "$WORK/up.err" || die 4 "netlab.sh up failed: $(tail -n 1 "$WORK/up.err")"
say "$(grep -m1 'is up' "$WORK/up.err"); sch_netem: $(awk -F= '$1 == "netem" { print $2 }' "$NETLAB_STATE/ulabck/topology")"
S=198.18.1.21 S6=2001:2:0:1::21
# s1:20001 roomy (--rcvbuf 4M, granted 8M), s1:20002 tiny (4096, granted 8192), s1:20003 rate-limited; three
# JVMs starting at once take half the time of one after the other
"${NETLAB[@]}" start --rcvbuf 4194304 2>&1 | sed 's/^netlab: /netlab-check: /' &
"${NETLAB[@]}" server s1 --port 20002 --metrics-port 9102 --rcvbuf 4096 2>&1 | sed 's/^netlab: /netlab-check: /' &
"${NETLAB[@]}" server s1 --port 20003 --metrics-port 9103 --guards on --rate-limit 500 --rcvbuf 4194304 2>&1 \
  | sed 's/^netlab: /netlab-check: /' &
wait
[[ $("${NETLAB[@]}" counters | grep -c ' received ') == 3 ]] || die 4 "the three servers on s1 did not all start"

# The numgen inc rules start counting at the rule: the first datagram after it is number 0 and dropped, so
# "every Nth" of C datagrams drops exactly ceil(C / N).
impair() { "${NETLAB[@]}" impair "$@" 2>&1 | sed 's/^netlab: /netlab-check: /'; }

# 1. path loss only: every 50th datagram into s1, every 40th into c1
step "path loss only"
impair s1 --drop-every 50
impair c1 --drop-every 40
flood path c1 --to "$S:20001" --count 4000 --rate 2000 "${ROOMY[@]}"
into_s1=$(d path s1 path_drops) into_c1=$(d path c1 path_drops)
expect "path: nftables dropped ceil(4000 / 50) on the way into s1 ($into_s1)" equal "$into_s1" 80
expect "path: nftables dropped ceil(3920 / 40) on the way into c1 ($into_c1)" equal "$into_c1" 98
expect "path: flood's lost (${F[lost]}) = the nftables counters' sum ($((into_s1 + into_c1)))" \
  equal "${F[lost]}" $((into_s1 + into_c1))
expect "path: server received ($(d path s1:20001 received)) = sent - drops on the way in ($((4000 - into_s1)))" \
  equal "$(d path s1:20001 received)" $((4000 - into_s1))
expect "path: no kernel drop at the server ($(d path s1:20001 kernel_drops)) or at the client (${F[client_drops]})" \
  equal $(( $(d path s1:20001 kernel_drops) + ${F[client_drops]} )) 0
expect_split path $((into_s1 + into_c1)) 0 0

# 2. server receive buffer loss only: the tiny buffer, an unpaced flood, no path impairment
step "server receive buffer loss only"
impair s1 --clear
impair c1 --clear
flood buffer c1 --to "$S:20002" --count 20000 --rate 0 "${TINY[@]}"
sent=${F[sent]} received=$(d buffer s1:20002 received)
kernel=$(d buffer s1:20002 kernel_drops)
expect "buffer: the tiny receive buffer overflowed (kernel drops $kernel)" positive "$kernel"
expect "buffer: server kernel drops ($kernel) = flood sent - server received ($sent - $received)" \
  equal "$kernel" $((sent - received))
expect "buffer: flood's lost (${F[lost]}) = server kernel drops + client kernel drops ($kernel + ${F[client_drops]})" \
  equal "${F[lost]}" $((kernel + ${F[client_drops]}))
expect "buffer: nftables counters 0 (s1 $(d buffer s1 path_drops), c1 $(d buffer c1 path_drops))" \
  equal $(( $(value buffer.after s1 path_drops) + $(value buffer.after c1 path_drops) )) 0
expect_split buffer 0 $((sent - received)) 0

# 3. both at once
step "both at once"
impair s1 --drop-every 50
impair c1 --drop-every 40
flood both c1 --to "$S:20002" --count 20000 --rate 0 "${TINY[@]}"
sent=${F[sent]} received=$(d both s1:20002 received)
kernel=$(d both s1:20002 kernel_drops) replied=$(d both s1:20002 sent)
into_s1=$(d both s1 path_drops) into_c1=$(d both c1 path_drops)
expect "both: nftables into s1 ($into_s1) = ceil($sent / 50)" equal "$into_s1" "$(ceil_div "$sent" 50)"
expect "both: nftables into c1 ($into_c1) = ceil(replies $replied / 40)" equal "$into_c1" "$(ceil_div "$replied" 40)"
expect "both: server received ($received) = sent - path drops in - kernel drops ($sent - $into_s1 - $kernel)" \
  equal "$received" $((sent - into_s1 - kernel))
expect "both: flood's lost (${F[lost]}) = path ($into_s1 + $into_c1) + server kernel ($kernel) + client kernel (${F[client_drops]})" \
  equal "${F[lost]}" $((into_s1 + into_c1 + kernel + ${F[client_drops]}))
expect "both: the buffer overflowed too ($kernel)" positive "$kernel"
expect_split both $((into_s1 + into_c1)) "$kernel" 0

# 4. a rate-limited server: 3000 datagrams in a second against 500/s (burst 1000)
step "a rate-limited server"
impair s1 --clear
impair c1 --clear
flood limited c1 --to "$S:20003" --count 3000 --rate 3000 "${LIMITED[@]}"
received=$(d limited s1:20003 received) replied=$(d limited s1:20003 sent)
limited=$(d limited s1:20003 dropped_rate_limited)
expect "limited: the server received all 3000 ($received)" equal "$received" 3000
expect "limited: rate_limited drops ($limited) = received - replied ($received - $replied)" equal "$limited" $((received - replied))
expect "limited: flood's lost (${F[lost]}) = rate_limited ($limited) + client kernel drops (${F[client_drops]})" \
  equal "${F[lost]}" $((limited + ${F[client_drops]}))
expect "limited: the limit did cut ($limited > 0)" positive "$limited"
expect "limited: lossAttribution.serverDropped.rate_limited (${F[attribution_dropped_rate_limited]:-none}) = $limited" \
  equal "${F[attribution_dropped_rate_limited]:-}" "$limited"
expect_split limited 0 0 "$limited"
expect "limited: flood's text names the reason (rate_limited $(commas "$limited"))" \
  grep -qF "dropped by the server (rate_limited $(commas "$limited"))" "$WORK/limited.err"

# 5. IPv6 across the link, with the same drops as in 1
step "IPv6"
impair s1 --drop-every 50
impair c1 --drop-every 40
flood ipv6 c1 --to "[$S6]:20001" --count 2000 --rate 2000 "${ROOMY[@]}"
into_s1=$(d ipv6 s1 path_drops) into_c1=$(d ipv6 c1 path_drops)
expect "ipv6: flood's target is [$S6]:20001" same "${F[target]}" "[$S6]:20001"
expect "ipv6: nftables into s1 ($into_s1) = 40, into c1 ($into_c1) = ceil(1960 / 40) = 49" \
  equal $((into_s1 * 1000 + into_c1)) $((40 * 1000 + 49))
expect "ipv6: flood's lost (${F[lost]}) = the nftables counters' sum ($((into_s1 + into_c1)))" \
  equal "${F[lost]}" $((into_s1 + into_c1))
expect "ipv6: server received ($(d ipv6 s1:20001 received)) = 2000 - $into_s1" \
  equal "$(d ipv6 s1:20001 received)" $((2000 - into_s1))
expect_split ipv6 $((into_s1 + into_c1)) 0 0

# 6. MTU 1500: 1472 bytes of payload + 8 (UDP) + 20 (IPv4) = 1500, one frame each; 2000 does not fit
step "MTU 1500"
impair s1 --clear
impair c1 --clear
fragments() { echo "$(ip_stat c1 FragCreates) $(ip_stat s1 ReasmReqds) $(ip_stat s1 FragCreates) $(ip_stat c1 ReasmReqds)"; }
read -r c1_frag s1_reasm s1_frag c1_reasm < <(fragments)
flood mtu1472 c1 --to "$S:20001" --count 1000 --rate 2000 --size 1472 --gso auto "${ROOMY[@]}"
read -r c1_frag2 s1_reasm2 s1_frag2 c1_reasm2 < <(fragments)
expect "mtu 1472: every datagram came back (${F[received]} of ${F[sent]})" \
  equal "${F[received]}" "${F[sent]}"
expect "mtu 1472: no fragment either way (c1 FragCreates +$((c1_frag2 - c1_frag)), s1 ReasmReqds +$((s1_reasm2 - s1_reasm)), s1 FragCreates +$((s1_frag2 - s1_frag)), c1 ReasmReqds +$((c1_reasm2 - c1_reasm)))" \
  equal $((c1_frag2 - c1_frag + s1_reasm2 - s1_reasm + s1_frag2 - s1_frag + c1_reasm2 - c1_reasm)) 0
expect_split mtu1472 0 0 0
flood mtu2000 c1 --to "$S:20001" --count 1000 --rate 2000 --size 2000 --gso auto "${ROOMY[@]}"
read -r c1_frag3 s1_reasm3 s1_frag3 c1_reasm3 < <(fragments)
sent=${F[sent]}
# today: flood sends without GSO across the veth link, and the kernel splits each datagram into 2 fragments
say "mtu 2000: sent $sent, received ${F[received]}; c1 made $((c1_frag3 - c1_frag2)) fragments," \
  "s1 reassembled from $((s1_reasm3 - s1_reasm2)); s1's replies: $((s1_frag3 - s1_frag2)) fragments, c1 reassembled from $((c1_reasm3 - c1_reasm2))"
expect "mtu 2000: fragmented on the way out, 2 fragments per datagram ($((c1_frag3 - c1_frag2)) for $sent)" \
  equal $((c1_frag3 - c1_frag2)) $((2 * sent))
expect "mtu 2000: reassembled at s1 from 2 fragments each ($((s1_reasm3 - s1_reasm2)) for $(d mtu2000 s1:20001 received) received)" \
  equal $((s1_reasm3 - s1_reasm2)) $((2 * $(d mtu2000 s1:20001 received)))
expect_split mtu2000 0 0 0

# 7. a second client talks to s1:20001 all through the flood: the server's counters moved by more than the flood
# sent, so flood's split cannot be exact, and says so. The other client: a plain socket in c1, about 1000
# datagrams a second until told to stop (a file), 30 s at most.
step "a second client at the same time"
other() {
  "${NETLAB[@]}" exec c1 python3 - "$S" 20001 "$WORK/other.ready" "$WORK/other.stop" <<'PY'
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((sys.argv[1], int(sys.argv[2])))
deadline = time.monotonic() + 30
while time.monotonic() < deadline and not os.path.exists(sys.argv[4]):
    for _ in range(10):
        try:
            s.send(b"udplab netlab: the other client")
        except OSError:  # an ICMP error from an earlier datagram; the next send goes on
            pass
    if not os.path.exists(sys.argv[3]):
        open(sys.argv[3], "w").close()
    time.sleep(0.01)
PY
}
other &
other_pid=$!
track "$other_pid"
wait_until 60 test -e "$WORK/other.ready" || die 4 "the other client in c1 did not start"
flood shared c1 --to "$S:20001" --count 2000 --rate 2000 "${ROOMY[@]}"
touch "$WORK/other.stop"
wait "$other_pid" || true
untrack "$other_pid"
took=$(d shared s1:20001 received)
expect "shared: the server received more than the flood sent ($took > ${F[sent]}): the other client's too" \
  positive $((took - ${F[sent]}))
expect "shared: lossAttribution.exact" same "${F[attribution_exact]:-none}" false
expect "shared: flood's text says why: (not exact: the server took in N datagrams while this flood sent $(commas "${F[sent]}"), so someone else is talking to it)" \
  grep -qE "^lost .* \(not exact: the server took in [0-9,]+ datagrams while this flood sent $(commas "${F[sent]}"), so someone else is talking to it\)\$" \
  "$WORK/shared.err"

# ---------------------------------------------------------------- three clients -> nginx -> three servers
# 8. Each client host floods the balancer at its own rate, its replies thinned on the way back by its own
# nftables rule; s1 is paused for 1.5 s while all three send, so its receive buffer (65536 asked, 131072 granted:
# about 150 datagrams) overflows. A real Prometheus in this namespace scrapes the three servers and the three
# floods over the management network, and the dashboard's own queries must say what the floods reported and what
# the servers counted.
step "three client hosts, nginx, three server hosts, a real Prometheus"
"${NETLAB[@]}" down > /dev/null 2>&1
need_prometheus
prometheus_config "$WORK/prometheus" "$MGMT.21:9101 $MGMT.22:9101 $MGMT.23:9101" \
  "$MGMT.11:9102 $MGMT.12:9102 $MGMT.13:9102" || die 4 "$PROMETHEUS_CONFIG_ERROR"
free_port prom_port
since=$(date +%s.%N)
# started first: its 5 s discovery throttle passes while the lab is built
start_prometheus "$WORK/prometheus" "127.0.0.1:$prom_port"
"${NETLAB[@]}" up lb --clients 3 > "$WORK/up-lb.out" 2> "$WORK/up-lb.err" \
  || die 4 "netlab.sh up lb failed: $(tail -n 1 "$WORK/up-lb.err")"
"${NETLAB[@]}" start --rcvbuf 65536 2>&1 | sed 's/^netlab: /netlab-check: /'
[[ $("${NETLAB[@]}" counters | grep -c ' received ') == 3 ]] || die 4 "the three backends did not all start"
impair c1 --drop-every 50
impair c2 --drop-every 40
impair c3 --drop-every 30
wait_prometheus_jobs "127.0.0.1:$prom_port" 30 udp-server udp-client \
  || die 4 "Prometheus on 127.0.0.1:$prom_port did not start scraping: $(tail -n 2 "$WORK/prometheus/prometheus.log" | tr '\n' ' ')"
say "lb: Prometheus $(prometheus --version 2>&1 | awk 'NR == 1 { print $3 }') on 127.0.0.1:$prom_port scrapes the servers at $MGMT.21-23:9101 and the floods at $MGMT.11-13:9102"
counters lb.before
# 3 s each at different rates, so that the loss of all of them (the ratio of the sums) is not the mean of their
# loss ratios; --drain 3s outlasts the pause; --linger until the last scrape (ended below, 30 s at most)
declare -A COUNT=([c1]=4500 [c2]=3000 [c3]=1500) RATE=([c1]=1500 [c2]=1000 [c3]=500)
pids=() floods=()
for c in c1 c2 c3; do
  NETLAB_FLOOD_RECORD=$WORK/lb-$c "${NETLAB[@]}" flood "$c" --count "${COUNT[$c]}" --rate "${RATE[$c]}" --sockets 4 \
    --rcvbuf 4194304 --drain 3s --duration 30s --metrics-host "$MGMT.1${c#c}" --metrics-port 9102 --linger 30s \
    > /dev/null 2>&1 &
  pids+=($!)
  track $!
  floods+=(--flood "$WORK/lb-$c.json" "$MGMT.1${c#c}:9102" $!)
done
not_sending() { local c; for c in c1 c2 c3; do grep -q '^flood ' "$WORK/lb-$c.err" 2>/dev/null || echo "$c"; done; }
all_sending() { [[ -z $(not_sending) ]]; }
# three JVMs starting at once on 2 busy vCPUs: one took 29 s to its first datagram at a load of 10
wait_until 90 all_sending || die 4 "the floods from $(not_sending | paste -sd' ') did not start within 90 s"
s1_pid=$(awk '$1 == "s1" && $2 == 20001 { print $4 }' "$NETLAB_STATE/ulabck/servers")
kill -STOP "$s1_pid"
PAUSED=$s1_pid
sleep 1.5  # the experiment's pause, not a wait for something
kill -CONT "$s1_pid"
PAUSED=
python3 "$HERE/dashboard_values.py" --url "http://127.0.0.1:$prom_port" "${floods[@]}" --servers 3 \
  --target 198.18.1.2:20001 --mode echo --server-port 20001 --since "$since" > "$WORK/dashboard" \
  || die 4 "the dashboard's values did not come from Prometheus"
# every final count is scraped: end the floods' linger (SIGTERM, by pid: the flood JVM is the one process in its
# host), and each netlab.sh flood returns flood's own exit code
for c in c1 c2 c3; do
  for pid in $(ip netns pids "ulabck-$c"); do
    grep -qF udp-client.jar "/proc/$pid/cmdline" 2>/dev/null && kill -TERM "$pid"
  done
done
for pid in "${pids[@]}"; do wait "$pid" || die 4 "a flood through the balancer failed: $(tail -n 3 "$WORK"/lb-c*.err | tr '\n' ' ')"; done
untrack "${pids[@]}"
counters lb.after
floods_sent=0 floods_received=0 floods_lost=0 mean_ratio=0
for c in c1 c2 c3; do
  read_flood "lb-$c"
  s=${F[sent]} r=${F[received]} l=${F[lost]}
  say "lb: flood from $c: sent $s received $r lost $l"
  expect "lb: $c's received + lost = sent ($r + $l = $s)" equal $((r + l)) "$s"
  floods_sent=$((floods_sent + s)) floods_received=$((floods_received + r)) floods_lost=$((floods_lost + l))
  mean_ratio=$(awk -v m="$mean_ratio" -v l="$l" -v s="$s" 'BEGIN { printf "%.10f", m + 100 * l / s / 3 }')
done
backends_in=0 backends_sent=0 kernel_all=0 dropped_all=0
printf '%-10s %10s %12s %10s\n' backend received kernel_drops sent >&2
for b in s1 s2 s3; do
  r=$(d lb "$b:20001" received) k=$(d lb "$b:20001" kernel_drops)
  t=$(d lb "$b:20001" sent)
  printf '%-10s %10d %12d %10d\n' "$b" "$r" "$k" "$t" >&2
  expect "lb: backend $b got its share ($r)" positive "$r"
  backends_in=$((backends_in + r + k)) backends_sent=$((backends_sent + t))
  # since the server started, as the dashboard's "since the processes started" panel counts
  kernel_all=$((kernel_all + $(value lb.after "$b:20001" kernel_drops)))
  for reason in rate_limited amplification reflector_port send_failed; do
    dropped_all=$((dropped_all + $(value lb.after "$b:20001" "dropped_$reason")))
  done
done
kernel_before=0
for b in s1 s2 s3; do kernel_before=$((kernel_before + $(value lb.before "$b:20001" kernel_drops))); done
expect "lb: the servers' warm-up overflowed no buffer (kernel drops before the floods: $kernel_before)" equal "$kernel_before" 0
expect "lb: the pause overflowed s1's receive buffer ($(d lb s1:20001 kernel_drops) kernel drops)" positive "$(d lb s1:20001 kernel_drops)"
path_there=0 path_back=0
for h in lb s1 s2 s3; do path_there=$((path_there + $(d lb "$h" path_drops) + $(d lb "$h" queue_drops) + $(d lb "$h" wire_drops))); done
for h in c1 c2 c3; do path_back=$((path_back + $(d lb "$h" path_drops) + $(d lb "$h" queue_drops) + $(d lb "$h" wire_drops))); done
lb_drops=$(( $(d lb lb:20001 socket_drops) + $(d lb lb:20001 no_live_upstream) + $(d lb lb:20001 out_of_connections) ))
say "lb: floods sent $floods_sent; nginx dropped $lb_drops (its listening socket's buffer, no live upstream, out of worker_connections); path drops $path_there on the way to the servers, $path_back on the way back; the machine's backlog dropped $(d lb machine backlog_drops) (no socket sees those)"
expect "lb: backends' received + kernel drops ($backends_in) = floods' sent - nginx's drops - path there ($floods_sent - $lb_drops - $path_there)" \
  equal "$backends_in" $((floods_sent - lb_drops - path_there))
expect "lb: floods' received ($floods_received) = backends' replies - path back ($backends_sent - $path_back)" \
  equal "$floods_received" $((backends_sent - path_back))
expect "lb: floods' lost ($floods_lost) = nginx's drops + path + backends' kernel drops and unanswered ($lb_drops + $((path_there + path_back)) + $((backends_in - backends_sent)))" \
  equal "$floods_lost" $((lb_drops + path_there + path_back + backends_in - backends_sent))
declare -A D=()
while read -r key val; do D[$key]=$val; done < "$WORK/dashboard"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", 100 * a / b }'; }
say "lb: the dashboard says loss ${D[loss_received]}% (1 - received/sent) and ${D[loss_lost]}% (lost/sent); kernel ${D[kernel]}, dropped ${D[dropped]}, rest ${D[rest]}; the floods' mean loss ratio would be $(printf '%.4f' "$mean_ratio")%"
expect "dashboard: loss, 1 - received/sent ($(printf '%.4f' "${D[loss_received]:-}")%) = the floods' Σ(sent - received) / Σ sent ($(ratio $((floods_sent - floods_received)) "$floods_sent")%)" \
  same "$(printf '%.4f' "${D[loss_received]:-}")" "$(ratio $((floods_sent - floods_received)) "$floods_sent")"
expect "dashboard: loss, lost/sent ($(printf '%.4f' "${D[loss_lost]:-}")%) = the floods' Σ lost / Σ sent ($(ratio "$floods_lost" "$floods_sent")%)" \
  same "$(printf '%.4f' "${D[loss_lost]:-}")" "$(ratio "$floods_lost" "$floods_sent")"
expect "dashboard: where lost, server socket buffer full (${D[kernel]:-none}) = Σ the servers' kernel drops ($kernel_all)" \
  equal "${D[kernel]:-}" "$kernel_all"
expect "dashboard: where lost, server dropped (${D[dropped]:-none}) = Σ the servers' drops ($dropped_all)" \
  equal "${D[dropped]:-}" "$dropped_all"
expect "dashboard: where lost, rest (${D[rest]:-none}) = the floods' Σ lost - kernel drops - server drops ($floods_lost - $kernel_all - $dropped_all)" \
  equal "${D[rest]:-}" $((floods_lost - kernel_all - dropped_all))

step "done"
echo "netlab-check: $CHECKS_PASSED passed, $CHECKS_FAILED failed"
((CHECKS_FAILED == 0)) || exit 1
