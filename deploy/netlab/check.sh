#!/usr/bin/env bash
# deploy/netlab/check.sh: udp-server.jar and udp-client.jar flood across a real (if virtual) path, built by
# netlab.sh from network namespaces, with every loss counted where it happened and compared exactly:
#   1. path loss only (drops on the input hooks both ways): flood's lost = the nftables counters' sum;
#   2. server receive buffer loss only (--rcvbuf 4096, unpaced): the server's kernel drops = sent - received;
#   3. both at once; 4. a rate-limited server (--guards on --rate-limit 500): its rate_limited drops;
#   5. IPv6 across the link; 6. --size 1472 over MTU 1500 (no fragment) and --size 2000 (what happens today);
#   7. three client hosts -> nginx on a balancer host -> three server hosts: the backends' counts add up to
#      the floods' sums.
# Usage: deploy/netlab/check.sh        (as root, after mvn -B -q package -DskipTests)
# Environment: UDPLAB_HOME (the tree whose jars run; default this one).
# Exit: 0 all passed, or skipped where network namespaces cannot be made (said in one line); 1 a check
#   failed; 4 environment (no jars, a process that did not start).
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
  if (($1 != 0)); then
    for log in "$NETLAB_STATE"/ulabck/*.log "$NETLAB_STATE"/ulabck/nginx/error.log "$WORK"/*.err; do
      [[ -s $log ]] && { echo "--- $log (last 8 lines)" >&2; tail -n 8 "$log" >&2; }
    done
  fi
  "${NETLAB[@]}" down >/dev/null 2>&1 || true
  say "finished with status $1 after $(($(date +%s) - started)) s"
}
"${NETLAB[@]}" down >/dev/null 2>&1  # the leftovers of an interrupted earlier run, if any

equal() { (($1 == $2)) || { EXPECT_WHY="$1 != $2"; return 1; }; }
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
# --duration bounds a flood that could not keep its pace; none of them needs more than 10 s
FLOOD_ARGS=(--rcvbuf 4194304 --drain 1s --duration 30s)
flood() {
  local tag=$1 host=$2 rc=0
  shift 2
  NETLAB_FLOOD_RECORD=$WORK/$tag "${NETLAB[@]}" flood "$host" "${FLOOD_ARGS[@]}" "$@" > /dev/null 2>&1 || rc=$?
  ((rc == 0)) || die 4 "flood $tag from $host exited $rc: $(grep -v '^netlab' "$WORK/$tag.err" | tail -n 2 | tr '\n' ' ')"
  read_flood "$tag"
  say "$tag: $(grep -m1 '^flood ' "$WORK/$tag.err")"
  say "$tag: sent ${F[sent]}, received ${F[received]}, lost ${F[lost]}"
}
ceil_div() { echo $(( ($1 + $2 - 1) / $2 )); }
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
flood path c1 --to "$S:20001" --count 4000 --rate 2000
into_s1=$(d path s1 path_drops) into_c1=$(d path c1 path_drops)
expect "path: nftables dropped ceil(4000 / 50) on the way into s1 ($into_s1)" equal "$into_s1" 80
expect "path: nftables dropped ceil(3920 / 40) on the way into c1 ($into_c1)" equal "$into_c1" 98
expect "path: flood's lost (${F[lost]}) = the nftables counters' sum ($((into_s1 + into_c1)))" \
  equal "${F[lost]}" $((into_s1 + into_c1))
expect "path: server received ($(d path s1:20001 received)) = sent - drops on the way in ($((4000 - into_s1)))" \
  equal "$(d path s1:20001 received)" $((4000 - into_s1))
expect "path: no kernel drop at the server ($(d path s1:20001 kernel_drops)) or at the client (${F[client_drops]})" \
  equal $(( $(d path s1:20001 kernel_drops) + ${F[client_drops]} )) 0
# PLACE FOR flood --server-metrics (issue 15 part 1): once flood has it, this flood passes
# --server-metrics http://198.19.201.21:9101/metrics and the check asserts lossAttribution.path = $into_s1 +
# $into_c1, lossAttribution.serverKernel = 0 and lossAttribution.exact = true in path.json, exactly.

# 2. server receive buffer loss only: the tiny buffer, an unpaced flood, no path impairment
step "server receive buffer loss only"
impair s1 --clear
impair c1 --clear
flood buffer c1 --to "$S:20002" --count 20000 --rate 0
sent=${F[sent]} received=$(d buffer s1:20002 received)
kernel=$(d buffer s1:20002 kernel_drops)
expect "buffer: the tiny receive buffer overflowed (kernel drops $kernel)" positive "$kernel"
expect "buffer: server kernel drops ($kernel) = flood sent - server received ($sent - $received)" \
  equal "$kernel" $((sent - received))
expect "buffer: flood's lost (${F[lost]}) = server kernel drops + client kernel drops ($kernel + ${F[client_drops]})" \
  equal "${F[lost]}" $((kernel + ${F[client_drops]}))
expect "buffer: nftables counters 0 (s1 $(d buffer s1 path_drops), c1 $(d buffer c1 path_drops))" \
  equal $(( $(value buffer.after s1 path_drops) + $(value buffer.after c1 path_drops) )) 0

# 3. both at once
step "both at once"
impair s1 --drop-every 50
impair c1 --drop-every 40
flood both c1 --to "$S:20002" --count 20000 --rate 0
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

# 4. a rate-limited server: 3000 datagrams in a second against 500/s (burst 1000)
step "a rate-limited server"
impair s1 --clear
impair c1 --clear
flood limited c1 --to "$S:20003" --count 3000 --rate 3000
received=$(d limited s1:20003 received) replied=$(d limited s1:20003 sent)
limited=$(d limited s1:20003 dropped_rate_limited)
expect "limited: the server received all 3000 ($received)" equal "$received" 3000
expect "limited: rate_limited drops ($limited) = received - replied ($received - $replied)" equal "$limited" $((received - replied))
expect "limited: flood's lost (${F[lost]}) = rate_limited ($limited) + client kernel drops (${F[client_drops]})" \
  equal "${F[lost]}" $((limited + ${F[client_drops]}))
expect "limited: the limit did cut ($limited > 0)" positive "$limited"

# 5. IPv6 across the link, with the same drops as in 1
step "IPv6"
impair s1 --drop-every 50
impair c1 --drop-every 40
flood ipv6 c1 --to "[$S6]:20001" --count 2000 --rate 2000
into_s1=$(d ipv6 s1 path_drops) into_c1=$(d ipv6 c1 path_drops)
expect "ipv6: flood's target is [$S6]:20001" same "${F[target]}" "[$S6]:20001"
expect "ipv6: nftables into s1 ($into_s1) = 40, into c1 ($into_c1) = ceil(1960 / 40) = 49" \
  equal $((into_s1 * 1000 + into_c1)) $((40 * 1000 + 49))
expect "ipv6: flood's lost (${F[lost]}) = the nftables counters' sum ($((into_s1 + into_c1)))" \
  equal "${F[lost]}" $((into_s1 + into_c1))
expect "ipv6: server received ($(d ipv6 s1:20001 received)) = 2000 - $into_s1" \
  equal "$(d ipv6 s1:20001 received)" $((2000 - into_s1))

# 6. MTU 1500: 1472 bytes of payload + 8 (UDP) + 20 (IPv4) = 1500, one frame each; 2000 does not fit
step "MTU 1500"
impair s1 --clear
impair c1 --clear
fragments() { echo "$(ip_stat c1 FragCreates) $(ip_stat s1 ReasmReqds) $(ip_stat s1 FragCreates) $(ip_stat c1 ReasmReqds)"; }
read -r c1_frag s1_reasm s1_frag c1_reasm < <(fragments)
flood mtu1472 c1 --to "$S:20001" --count 1000 --rate 2000 --size 1472
read -r c1_frag2 s1_reasm2 s1_frag2 c1_reasm2 < <(fragments)
expect "mtu 1472: every datagram came back (${F[received]} of ${F[sent]})" \
  equal "${F[received]}" "${F[sent]}"
expect "mtu 1472: no fragment either way (c1 FragCreates +$((c1_frag2 - c1_frag)), s1 ReasmReqds +$((s1_reasm2 - s1_reasm)), s1 FragCreates +$((s1_frag2 - s1_frag)), c1 ReasmReqds +$((c1_reasm2 - c1_reasm)))" \
  equal $((c1_frag2 - c1_frag + s1_reasm2 - s1_reasm + s1_frag2 - s1_frag + c1_reasm2 - c1_reasm)) 0
flood mtu2000 c1 --to "$S:20001" --count 1000 --rate 2000 --size 2000
read -r c1_frag3 s1_reasm3 s1_frag3 c1_reasm3 < <(fragments)
sent=${F[sent]}
# today: flood sends without GSO across the veth link, and the kernel splits each datagram into 2 fragments
say "mtu 2000: sent $sent, received ${F[received]}; c1 made $((c1_frag3 - c1_frag2)) fragments," \
  "s1 reassembled from $((s1_reasm3 - s1_reasm2)); s1's replies: $((s1_frag3 - s1_frag2)) fragments, c1 reassembled from $((c1_reasm3 - c1_reasm2))"
expect "mtu 2000: fragmented on the way out, 2 fragments per datagram ($((c1_frag3 - c1_frag2)) for $sent)" \
  equal $((c1_frag3 - c1_frag2)) $((2 * sent))
expect "mtu 2000: reassembled at s1 from 2 fragments each ($((s1_reasm3 - s1_reasm2)) for $(d mtu2000 s1:20001 received) received)" \
  equal $((s1_reasm3 - s1_reasm2)) $((2 * $(d mtu2000 s1:20001 received)))

# ---------------------------------------------------------------- three clients -> nginx -> three servers
step "three client hosts, nginx, three server hosts"
"${NETLAB[@]}" down > /dev/null 2>&1
"${NETLAB[@]}" up lb --clients 3 > "$WORK/up-lb.out" 2> "$WORK/up-lb.err" \
  || die 4 "netlab.sh up lb failed: $(tail -n 1 "$WORK/up-lb.err")"
"${NETLAB[@]}" start --rcvbuf 4194304 2>&1 | sed 's/^netlab: /netlab-check: /'
[[ $("${NETLAB[@]}" counters | grep -c ' received ') == 3 ]] || die 4 "the three backends did not all start"
counters lb.before
pids=()
for c in c1 c2 c3; do
  NETLAB_FLOOD_RECORD=$WORK/lb-$c "${NETLAB[@]}" flood "$c" "${FLOOD_ARGS[@]}" --count 2000 --rate 1000 --sockets 4 \
    > /dev/null 2>&1 &
  pids+=($!)
  track $!
done
for pid in "${pids[@]}"; do wait "$pid" || die 4 "a flood through the balancer failed: $(tail -n 3 "$WORK"/lb-c*.err | tr '\n' ' ')"; done
untrack "${pids[@]}"
counters lb.after
floods_sent=0 floods_received=0 floods_lost=0
for c in c1 c2 c3; do
  read_flood "lb-$c"
  s=${F[sent]} r=${F[received]} l=${F[lost]}
  say "lb: flood from $c: sent $s received $r lost $l"
  expect "lb: $c's received + lost = sent ($r + $l = $s)" equal $((r + l)) "$s"
  floods_sent=$((floods_sent + s)) floods_received=$((floods_received + r)) floods_lost=$((floods_lost + l))
done
backends_in=0 backends_sent=0 path=0
printf '%-10s %10s %12s %10s\n' backend received kernel_drops sent >&2
for b in s1 s2 s3; do
  r=$(d lb "$b:20001" received) k=$(d lb "$b:20001" kernel_drops)
  t=$(d lb "$b:20001" sent)
  printf '%-10s %10d %12d %10d\n' "$b" "$r" "$k" "$t" >&2
  expect "lb: backend $b got its share ($r)" positive "$r"
  backends_in=$((backends_in + r + k)) backends_sent=$((backends_sent + t))
done
for h in c1 c2 c3 lb s1 s2 s3; do
  path=$((path + $(d lb "$h" path_drops) + $(d lb "$h" queue_drops) + $(d lb "$h" wire_drops)))
done
lb_drops=$(( $(d lb lb:20001 socket_drops) + $(d lb lb:20001 no_live_upstream) ))
say "lb: floods sent $floods_sent; nginx dropped $lb_drops (its listening socket's buffer, no live upstream); path drops $path"
expect "lb: backends' received + kernel drops ($backends_in) = floods' sent - nginx's drops - path ($floods_sent - $lb_drops - $path)" \
  equal "$backends_in" $((floods_sent - lb_drops - path))
expect "lb: floods' received ($floods_received) = backends' replies ($backends_sent)" equal "$floods_received" "$backends_sent"
expect "lb: floods' lost ($floods_lost) = nginx's drops + backends' kernel drops + backends' unanswered ($lb_drops + $((backends_in - backends_sent)))" \
  equal "$floods_lost" $((lb_drops + backends_in - backends_sent))

step "done"
echo "netlab-check: $CHECKS_PASSED passed, $CHECKS_FAILED failed"
((CHECKS_FAILED == 0)) || exit 1
