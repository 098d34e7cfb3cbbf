#!/usr/bin/env bash
# Reply loops between two hosts on public binds: two network namespaces joined by a veth pair (198.18.0.1 and
# 198.18.0.2, 198.18.0.0/15 is for benchmarks, no route out), 'udp-server.jar all' in each, and one datagram with a
# forged source sent through a raw socket (spoof-udp.py) for every pair of answering modes. Each loop must end after
# the number of replies LoopDetectorTest simulates (up to 6 more when a loaded machine delays a hop), with one drop
# counted under reason="loop"; a datagram forged from a host's own address and port (wildcard bind: the interface
# address is "us") must get no reply at all.
# Runs twice: both servers on the wildcard (0.0.0.0), then each on its own address.
# Usage: server-verticle/src/test/resources/loop-namespaces-check.sh   (after mvn package; root, ip, python3, curl)
# Exit code: 0 every check passed, 1 a check failed, 4 the environment could not be set up; 0 with a "skipped" line
# where namespaces or raw sockets are not allowed (not root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../../../../.ci/lib.sh" loop-namespaces
on_exit_cleanup
jar="$here/../../../target/udp-server.jar"
spoofer="$here/spoof-udp.py"
[[ -f $jar ]] || die 4 "no $jar: run mvn -B package first"
if [[ $(id -u) != 0 ]] || ! command -v ip >/dev/null; then
  say "skipped: needs root and iproute2 to create network namespaces"
  exit 0
fi
for tool in python3 curl; do command -v "$tool" >/dev/null || die 4 "needs $tool"; done
# the system's own python3 when there is one: a version manager's shim costs a second per start
python=python3
[[ -x /usr/bin/python3 ]] && python=/usr/bin/python3

ns_a=udplab-loop-a-$$
ns_b=udplab-loop-b-$$
on_exit() { ip netns del "$ns_a" 2>/dev/null || true; ip netns del "$ns_b" 2>/dev/null || true; }
ip netns add "$ns_a" && ip netns add "$ns_b" || die 4 "cannot create network namespaces"
ip link add "veth-la$$" netns "$ns_a" type veth peer name "veth-lb$$" netns "$ns_b" || die 4 "cannot create a veth pair"
ip -n "$ns_a" addr add 198.18.0.1/24 dev "veth-la$$"
ip -n "$ns_b" addr add 198.18.0.2/24 dev "veth-lb$$"
for ns in "$ns_a" "$ns_b"; do
  ip -n "$ns" link set lo up
done
ip -n "$ns_a" link set "veth-la$$" up
ip -n "$ns_b" link set "veth-lb$$" up

workdir work udplab-loop-namespaces
# In namespaces of our own every port is free: the servers keep their default ports, the metrics 9101.
declare -A port=([echo]=20001 [uppercase]=12000 [greeting]=20000)
modes=(echo uppercase greeting)
# Replies of both servers together, as LoopDetectorTest and ReplyLoopTest have them: row the spoofed source's mode,
# column the target's.
declare -A replies=(
  [echo,echo]=6 [echo,uppercase]=7 [echo,greeting]=7
  [uppercase,echo]=8 [uppercase,uppercase]=7 [uppercase,greeting]=7
  [greeting,echo]=8 [greeting,uppercase]=8 [greeting,greeting]=7)

scrape() { ip netns exec "$1" curl -s --max-time 2 http://127.0.0.1:9101/metrics; }
# total NS METRIC [LABEL_FILTER]: the sum over every series of METRIC (whose labels contain LABEL_FILTER)
total() {
  scrape "$1" | awk -v name="$2" -v filter="${3:-}" '
    $1 ~ "^" name "({|$)" && index($1, filter) { sum += $NF } END { printf "%d\n", sum }'
}
loop_drops() { echo $(( $(total "$ns_a" udp_server_datagrams_dropped_total 'reason="loop"') \
  + $(total "$ns_b" udp_server_datagrams_dropped_total 'reason="loop"') )); }
# the 0.1 s polls below are bounded to 5 s; a loop ends in well under a millisecond here
sent_both() { echo $(( $(total "$ns_a" udp_server_datagrams_sent_total) + $(total "$ns_b" udp_server_datagrams_sent_total) )); }

start_server() { # start_server NS HOST OUT: 'all' in NS bound to HOST; the pid goes to $started
  ip netns exec "$1" java -Xmx128m -jar "$jar" all --host "$2" --metrics-host 127.0.0.1 --quiet >"$3" 2>&1 &
  started=$!
  track "$started"
  wait_line "$3" '^metrics ' 30 "$started" || { cat "$3" >&2; die 4 "the server in $1 did not start"; }
}

spoof_one() { # spoof_one NS SRC SPORT DST DPORT: one forged datagram, sent from inside NS
  ip netns exec "$1" "$python" "$spoofer" "$2" "$3" "$4" "$5" "a spoofed request, lower case"
}

pair_ends_after() { # pair_ends_after MODE_A MODE_B: spoof A's address and port to B, count the replies
  local a=$1 b=$2 drops sent code
  drops=$(loop_drops)
  sent=$(sent_both)
  spoof_one "$ns_a" 198.18.0.1 "${port[$a]}" 198.18.0.2 "${port[$b]}" || { code=$?; EXPECT_WHY="spoof-udp.py exit $code"; return 1; }
  local deadline=$((SECONDS + 5))
  while (( $(loop_drops) < drops + 1 && SECONDS < deadline )); do sleep 0.1; done
  local got=$(( $(sent_both) - sent )) dropped=$(( $(loop_drops) - drops ))
  EXPECT_WHY="$got replies and $dropped loop drops (want ${replies[$a,$b]}, or up to 6 more on a loaded machine, and 1)"
  # a hop delayed past the 500 ms window restarts the count of repeats: a few more replies, never fewer
  (( got >= replies[$a,$b] && got <= replies[$a,$b] + 6 && dropped == 1 ))
}

own_address_is_us() { # own_address_is_us MODE: a datagram forged from A's own address and port, to A
  local mode=$1 drops sent
  drops=$(total "$ns_a" udp_server_datagrams_dropped_total 'reason="loop"')
  sent=$(total "$ns_a" udp_server_datagrams_sent_total)
  spoof_one "$ns_a" 198.18.0.1 "${port[$mode]}" 198.18.0.1 "${port[$mode]}" || return 1
  local deadline=$((SECONDS + 5))
  while (( $(total "$ns_a" udp_server_datagrams_dropped_total 'reason="loop"') < drops + 1 && SECONDS < deadline )); do
    sleep 0.1
  done
  local got=$(( $(total "$ns_a" udp_server_datagrams_sent_total) - sent ))
  EXPECT_WHY="$got replies, $(( $(total "$ns_a" udp_server_datagrams_dropped_total 'reason="loop"') - drops )) loop drops"
  (( got == 0 && $(total "$ns_a" udp_server_datagrams_dropped_total 'reason="loop"') == drops + 1 ))
}

if ! ip netns exec "$ns_a" "$python" "$spoofer" 198.18.0.1 40000 198.18.0.1 9 probe; then
  say "skipped: raw sockets are refused here"
  exit 0
fi

for bind in wildcard address; do
  if [[ $bind == wildcard ]]; then host_a=0.0.0.0 host_b=0.0.0.0; else host_a=198.18.0.1 host_b=198.18.0.2; fi
  start_server "$ns_a" "$host_a" "$work/a-$bind.out"; server_a=$started
  start_server "$ns_b" "$host_b" "$work/b-$bind.out"; server_b=$started
  grep -q '^guards mode=echo .* amplification=drop reflector-ports=drop loops=drop$' "$work/a-$bind.out" \
    || die 1 "the public policy is not on for --host $host_a: $(grep '^guards' "$work/a-$bind.out")"
  for a in "${modes[@]}"; do
    for b in "${modes[@]}"; do
      expect "$bind binds: $a (spoofed source) and $b (target) end after ${replies[$a,$b]} replies" pair_ends_after "$a" "$b"
    done
  done
  for mode in "${modes[@]}"; do
    expect "$bind binds: $mode never answers its own address and port" own_address_is_us "$mode"
  done
  stop_pid "$server_a" "$server_b"
done

say "$CHECKS_PASSED passed, $CHECKS_FAILED failed"
((CHECKS_FAILED == 0)) || exit 1
