#!/usr/bin/env bash
# deploy/netlab/netlab.sh: a network lab on one machine. Test hosts are network namespaces joined by veth pairs
# through a switch namespace; udp-server.jar and udp-client.jar flood run in them; the path into any host can
# lose, rate-limit (and, where the kernel has sch_netem, delay) datagrams. A lossy link for a class, and the
# project's own test bed (deploy/netlab/check.sh).
#
# usage: netlab.sh [--prefix NAME] [--index N] COMMAND [ARGS]
#   up [pair|clients|lb] [--clients N]   build the hosts: pair = c1 + s1; clients = c1..cN + s1 (N default 3);
#                                        lb = c1..cN -> lb (nginx, deploy/nginx/udplab-lb.conf) -> s1 s2 s3
#   start [SERVER OPTIONS]               udp-server.jar echo on every server host (port 20001, metrics 9101),
#                                        and nginx on lb; the options go to every server (e.g. --rcvbuf 4096)
#   server HOST [--port P] [--metrics-port M] [SERVER OPTIONS]
#                                        one more udp-server.jar echo on HOST (--guards off unless given)
#   impair HOST [--drop-every N] [--drop-percent P] [--loss P] [--rate RATE [--queue MS]]
#               [--delay MS [--jitter MS]] [--duplicate P] [--reorder P] | --clear
#                                        what happens to datagrams on their way INTO HOST (replaces HOST's
#                                        earlier impairment); --loss is netem's where the kernel has it, else
#                                        the same as --drop-percent; delay, jitter, duplicate, reorder need netem
#   flood HOST [FLOOD OPTIONS]           udp-client.jar flood in HOST (default --to the server, or the
#                                        balancer), its JSON on stdout, then where the lost datagrams went;
#                                        with --server-metrics http://MGMT:9101/metrics (netlab.sh status
#                                        lists them) flood splits the loss itself, and netlab says whether
#                                        the lab's counters agree; --gso off unless given (a GSO
#                                        super-packet would cross the lab's links, and its rules, whole)
#   counters                             every drop counter of the lab, one "WHERE WHAT VALUE" per line
#   metrics HOST [METRICS PORT]          the server's udp_server_* counters, read from this namespace
#   exec HOST COMMAND...                 run COMMAND in HOST (e.g. exec s1 ss -uanm)
#   status                               hosts, addresses, processes, impairments
#   down                                 stop every process in the lab's namespaces and remove them, also the
#                                        leftovers of an earlier run with the same --prefix
#   run [pair|clients|lb] [--clients N] [--loss P] [--count N] [--rate R] [--size S] [--server-rcvbuf B]
#                                        the whole experiment in one go: up, start, impair every host's way in
#                                        with --loss, one flood per client (--server-metrics s1's, but for lb),
#                                        the counters, down (also on Ctrl-C)
# Options: --prefix NAME names the namespaces NAME-c1, NAME-s1, ... (default ulab, or NETLAB_PREFIX);
#   --index N puts the management network on 198.19.N.0/24 (default 0, or NETLAB_INDEX): two labs with
#   different prefixes and indexes can be up at once.
# Environment: UDPLAB_HOME (the checkout whose jars run; default this one), JAVA (default java),
#   NETLAB_JAVA_OPTS (default: a small serial-GC heap, C1 only), NETLAB_STATE (default /run/udplab-netlab),
#   NETLAB_FLOOD_RECORD=PATH (flood keeps its JSON and text in PATH.json and PATH.err, the lab's counters just
#   before and after it in PATH.before and PATH.after, and sent, received, lost, target, client_drops and flood's
#   own split of the loss (attribution_*) in PATH.report, for scripts such as check.sh).
# Needs root; installs Debian's iproute2, nftables, curl and python3 when missing (nginx for lb).
# Exit: 0 ok; 2 bad usage; 4 environment (not root, no namespaces, no jars, a process that did not start, a
#   lab of that name already up); `flood` exits with flood's own code (1, 3: a threshold missed).
set -euo pipefail

NETLAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$NETLAB_DIR/../.." && pwd)
source "$REPO/.ci/lib.sh" netlab
source "$REPO/deploy/nginx/lb-conf.sh"
UDPLAB_HOME=$(cd "${UDPLAB_HOME:-$REPO}" && pwd)
SERVER_JAR=$UDPLAB_HOME/server-verticle/target/udp-server.jar
CLIENT_JAR=$UDPLAB_HOME/client-verticle/target/udp-client.jar
JAVA=${JAVA:-java}
read -r -a JAVA_OPTS <<<"${NETLAB_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
PREFIX=${NETLAB_PREFIX:-ulab}
INDEX=${NETLAB_INDEX:-0}
SERVER_PORT=20001 METRICS_PORT=9101

usage() { echo "netlab.sh: $1 (usage: netlab.sh [--prefix NAME] [--index N] up|start|server|impair|flood|counters|metrics|exec|status|down|run ...; --help lists them)" >&2; exit 2; }
help() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --prefix) [[ ${2:-} =~ ^[a-z][a-z0-9]{0,9}$ ]] || usage "--prefix needs 1 to 10 lower-case letters and digits, a letter first"
              PREFIX=$2; shift 2 ;;
    --index) [[ ${2:-} =~ ^[0-9]+$ ]] && (( $2 <= 255 )) || usage "--index needs a number 0..255"; INDEX=$2; shift 2 ;;
    -h|--help) help ;;
    -*) usage "unknown option $1" ;;
    *) break ;;
  esac
done
[[ $# -gt 0 ]] || usage "no command"
COMMAND=$1
shift
STATE=${NETLAB_STATE:-/run/udplab-netlab}/$PREFIX
SWITCH=$PREFIX-net
MGMT_BRIDGE=$PREFIX-mgmt
TOPOLOGY='' NETEM=''

# ---------------------------------------------------------------- addresses
# Inside the namespaces: 198.18.0.0/15 (RFC 2544, set aside for benchmarking, so it can never be someone's real
# network) and its IPv6 twin 2001:2::/48 (RFC 5180, the IPv6 benchmarking range; a ULA fd00::/8 would do as
# well with no route out, but could collide with a site's own ULA plan). Front segment 198.18.1.0/24 and
# 2001:2:0:1::/64 (clients, the pair's server, the balancer's front); back segment 198.18.2.0/24 and
# 2001:2:0:2::/64 (the balancer's back, its servers). Management: 198.19.INDEX.0/24 on a bridge in this
# (root) namespace, 198.19.INDEX.1 here, so this shell, and later a Prometheus here, reach every host's metrics
# endpoint without touching the data path. No host has a default route: nothing leaves the lab.
host_octet() { case $1 in lb) echo 2 ;; c*) echo $((10 + ${1#c})) ;; s*) echo $((20 + ${1#s})) ;; esac; }
mgmt_addr() { echo "198.19.$INDEX.$(host_octet "$1")"; }

need_root() { [[ $(id -u) == 0 ]] || die 4 "needs root (namespaces, veth, nftables): run it with sudo"; }
lab_is_up() { [[ -f $STATE/topology && -e /run/netns/$SWITCH ]]; }
need_lab() { lab_is_up || die 4 "no lab named $PREFIX is up: netlab.sh --prefix $PREFIX up first"; }
in_host() { local host=$1; shift; ip netns exec "$PREFIX-$host" "$@"; }
# The lab as built: $STATE/hosts has a line "NAME IPV4 IPV6 SWITCH-PORT..." per host, $STATE/topology its kind.
HOSTS=()
declare -A V4 V6 PORTS
load_lab() {
  local name v4 v6 ports
  [[ -f $STATE/hosts ]] || return 0
  while read -r name v4 v6 ports; do HOSTS+=("$name"); V4[$name]=$v4; V6[$name]=$v6; PORTS[$name]=$ports; done < "$STATE/hosts"
  [[ -f $STATE/topology ]] || return 0
  TOPOLOGY=$(awk -F= '$1 == "topology" { print $2 }' "$STATE/topology")
  NETEM=$(awk -F= '$1 == "netem" { print $2 }' "$STATE/topology")
}
load_lab
known_host() { [[ -n ${V4[$1]:-} ]]; }
need_host() { known_host "$1" || die 2 "no host '$1' in lab $PREFIX (hosts: ${HOSTS[*]})"; }

ensure_tools() {
  local packages=()
  command -v ip >/dev/null && command -v tc >/dev/null && command -v ss >/dev/null || packages+=(iproute2)
  command -v nft >/dev/null || packages+=(nftables)
  command -v curl >/dev/null || packages+=(curl)
  command -v python3 >/dev/null || packages+=(python3)
  if [[ ${1:-} == lb ]]; then
    command -v nginx >/dev/null && [[ -f $LB_CONF_STREAM_MODULE ]] || packages+=(nginx libnginx-mod-stream)
  fi
  ((${#packages[@]} == 0)) || apt_install "${packages[@]}"
}

# ---------------------------------------------------------------- up
add_switch() {
  ip netns add "$SWITCH"
  # the switch only forwards frames: no addresses, no IPv6 chatter of its own
  ip netns exec "$SWITCH" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$SWITCH" link set lo up
  local segment
  for segment in "$@"; do
    ip -n "$SWITCH" link add "$segment" type bridge
    ip -n "$SWITCH" link set "$segment" up
  done
  ip link add "$MGMT_BRIDGE" type bridge
  echo 1 > "/proc/sys/net/ipv6/conf/$MGMT_BRIDGE/disable_ipv6"
  ip addr add "198.19.$INDEX.1/24" dev "$MGMT_BRIDGE"
  ip link set "$MGMT_BRIDGE" up
}

# add_host NAME SEGMENT...: a namespace with one veth per segment (eth0, eth1) to the switch, MTU 1500, and
# mgmt0 to the management bridge here; its nftables table with the path_drops counter, no rule yet.
add_host() {
  local name=$1 ns=$PREFIX-$1 i=0 segment subnet v4 v6 ports=() octet
  shift
  octet=$(host_octet "$name")
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  for segment in "$@"; do
    subnet=$([[ $segment == front ]] && echo 1 || echo 2)
    ip link add "eth$i" netns "$ns" mtu 1500 type veth peer name "$name-$i" netns "$SWITCH" mtu 1500
    ip -n "$SWITCH" link set "$name-$i" master "$segment" up
    # nodad: the address is usable at once, not after 1-2 s of duplicate address detection
    ip -n "$ns" addr add "198.18.$subnet.$octet/24" dev "eth$i"
    ip -n "$ns" addr add "2001:2:0:$subnet::$octet/64" dev "eth$i" nodad
    ip -n "$ns" link set "eth$i" up
    ((i == 0)) && { v4=198.18.$subnet.$octet; v6=2001:2:0:$subnet::$octet; }
    ports+=("$name-$i")
    i=$((i + 1))
  done
  ip link add "$ns" type veth peer name mgmt0 netns "$ns"
  echo 1 > "/proc/sys/net/ipv6/conf/$ns/disable_ipv6"
  ip link set "$ns" master "$MGMT_BRIDGE" up
  in_host "$name" sysctl -qw net.ipv6.conf.mgmt0.disable_ipv6=1
  ip -n "$ns" addr add "$(mgmt_addr "$name")/24" dev mgmt0
  ip -n "$ns" link set mgmt0 up
  in_host "$name" nft -f - <<'NFT'
table inet netlab {
  counter path_drops {
    comment "datagrams dropped on their way into this host"
  }
  # Path drops live on the INPUT hook of the receiving host: a drop on the sender's OUTPUT hook makes its
  # sendmsg() fail with EPERM, which the sender sees (and Netty may send again), so it is not loss on a path.
  # INPUT also comes after IP reassembly: the counter counts datagrams, as flood does, never fragments.
  chain input {
    type filter hook input priority filter; policy accept;
  }
}
NFT
  echo "$name $v4 $v6 ${ports[*]}" >> "$STATE/hosts"
  HOSTS+=("$name") V4[$name]=$v4 V6[$name]=$v6 PORTS[$name]=${ports[*]}
}

probe_netem() {
  # sch_netem is a module some kernels lack (this machine's does): ask the switch's loopback, never this one's
  if tc -n "$SWITCH" qdisc add dev lo root netem delay 1ms 2>/dev/null; then
    tc -n "$SWITCH" qdisc del dev lo root
    echo yes
  else
    echo no
  fi
}

cmd_up() {
  local topology=pair clients=
  while [[ $# -gt 0 ]]; do
    case $1 in
      pair|clients|lb) topology=$1 ;;
      --clients) [[ ${2:-} =~ ^[1-9]$ ]] || usage "--clients needs 1..9"; clients=$2; shift ;;
      *) usage "up: unknown argument $1" ;;
    esac
    shift
  done
  [[ $topology == pair && -n $clients && $clients != 1 ]] && usage "pair has one client; use 'clients --clients $clients'"
  clients=${clients:-$([[ $topology == pair ]] && echo 1 || echo 3)}
  need_root
  ensure_tools "$topology"
  lab_is_up && die 4 "lab $PREFIX is up already (netlab.sh --prefix $PREFIX down removes it)"
  if ip netns list | grep -q "^$PREFIX-"; then
    die 4 "leftovers of an earlier run ($(ip netns list | grep -o "^$PREFIX-[^ ]*" | tr '\n' ' ')): netlab.sh --prefix $PREFIX down removes them"
  fi
  ip -br addr show | grep -q "198\.19\.$INDEX\.1/" && die 4 "198.19.$INDEX.1 is taken here already: choose another --index"
  ip netns add "$PREFIX-probe" 2>/dev/null || die 4 "cannot create network namespaces here (a container without CAP_SYS_ADMIN?)"
  ip netns del "$PREFIX-probe"
  rm -rf "$STATE"  # the state of a lab whose namespaces are gone (a reboot, a down with another NETLAB_STATE)
  mkdir -p "$STATE"
  : > "$STATE/hosts"
  : > "$STATE/servers"
  UP_IN_PROGRESS=1
  local i
  if [[ $topology == lb ]]; then
    add_switch front back
    for ((i = 1; i <= clients; i++)); do add_host "c$i" front; done
    add_host lb front back
    for i in 1 2 3; do add_host "s$i" back; done
  else
    add_switch front
    for ((i = 1; i <= clients; i++)); do add_host "c$i" front; done
    add_host s1 front
  fi
  TOPOLOGY=$topology NETEM=$(probe_netem)
  printf 'topology=%s\nclients=%s\nindex=%s\nnetem=%s\n' "$topology" "$clients" "$INDEX" "$NETEM" > "$STATE/topology"
  UP_IN_PROGRESS=0
  say "lab $PREFIX is up: topology $topology, namespaces $PREFIX-*, MTU 1500, no route out"
  cmd_status_hosts
}

target_host() { [[ $TOPOLOGY == lb ]] && echo lb || echo s1; }
server_hosts() { printf '%s\n' "${HOSTS[@]}" | grep '^s'; }

# ---------------------------------------------------------------- processes
# the servers file without the servers that have exited (one that failed to start, one killed by hand)
prune_servers() {
  local host port metrics pid kept=() gone=0
  while read -r host port metrics pid; do
    if kill -0 "$pid" 2>/dev/null; then kept+=("$host $port $metrics $pid"); else gone=1; fi
  done < "$STATE/servers"
  ((gone)) || return 0
  # a file of its own, then a rename: concurrent readers (floods from several hosts) see the old or the new one
  printf '%s\n' ${kept[@]+"${kept[@]}"} | grep . > "$STATE/servers.$$" || true
  mv "$STATE/servers.$$" "$STATE/servers"
}

# launch_server HOST PORT METRICS_PORT [OPTIONS...]: udp-server.jar echo on :: (IPv4 and IPv6 alike), its
# metrics on every address of HOST, so also on the management one. setsid: a Ctrl-C in this terminal later
# must not reach it; netlab.sh down ends it by pid.
launch_server() {
  local host=$1 port=$2 metrics=$3 guards=(--guards off) arg
  shift 3
  for arg in "$@"; do [[ $arg == --guards* ]] && guards=(); done
  [[ -f $SERVER_JAR ]] || die 4 "$SERVER_JAR not found: build it first with 'mvn -B -q package -DskipTests' in $UDPLAB_HOME"
  prune_servers
  awk -v h="$host" -v p="$port" -v m="$metrics" '$1 == h && ($2 == p || $3 == m) { exit 1 }' "$STATE/servers" \
    || die 2 "$host already runs a server on port $port or metrics port $metrics"
  setsid ip netns exec "$PREFIX-$host" "$JAVA" "${JAVA_OPTS[@]}" -jar "$SERVER_JAR" echo --host :: --port "$port" \
    --metrics-port "$metrics" ${guards[@]+"${guards[@]}"} --quiet "$@" > "$STATE/$host-$port.log" 2>&1 < /dev/null &
  track $!
  echo "$host $port $metrics $!" >> "$STATE/servers"
}

# warm_up HOST PORT FROM: 5000 datagrams from host FROM, never more unanswered at once than a quarter of the
# server's granted receive buffer holds (its listening line's rcvbuf=, 1 KiB a datagram, 1 to 50), 1 s of
# silence taken as loss (a cold server's first scrape held its event loop for longer than 200 ms), 15 s at most.
# A JVM that has just started answers slowly for its first second or two; without this, a class's first flood
# would show the server's warm-up as loss (replies later than --drain) and a check would not be exact. It must
# not overflow the buffer itself: the server's kernel drops then start at 0, as the dashboard's "since the
# processes started" panels need (a cold server behind a 128 KiB buffer dropped a third of an open-loop warm-up
# at 5000/s).
warm_up() {
  local granted
  granted=$(grep -m1 -o 'rcvbuf=[0-9]*' "$STATE/$1-$2.log" | cut -d= -f2)
  in_host "$3" python3 - "${V4[$1]}" "$2" "${granted:-212992}" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((sys.argv[1], int(sys.argv[2])))
s.settimeout(1)
most = max(1, min(50, int(sys.argv[3]) // 4096))
sent = unanswered = 0
deadline = time.monotonic() + 15
while sent < 5000 and time.monotonic() < deadline:
    while unanswered < most and sent < 5000:
        try:
            s.send(b"udplab netlab warm-up")
        except OSError:  # an ICMP error from an earlier datagram; the next send goes on
            pass
        sent += 1
        unanswered += 1
    try:
        s.recv(2048)
        unanswered -= 1
    except socket.timeout:
        unanswered = 0
    except OSError:
        pass
PY
}

# await_server HOST PORT: its listening line, its metrics from here, an echo across the switch from c1 (lb in
# the balancer topology), a warm-up, and one more echo: it comes back once the warm-up's queue is worked off
await_server() {
  local host=$1 port=$2 metrics pid log=$STATE/$1-$2.log
  read -r metrics pid < <(awk -v h="$host" -v p="$port" '$1 == h && $2 == p { print $3, $4 }' "$STATE/servers")
  wait_line "$log" '^listening' 60 "$pid" || die 4 "the server on $host:$port did not start: $(tail -n 2 "$log" | tr '\n' ' ')"
  wait_tcp_port "$(mgmt_addr "$host")" "$metrics" 20 "$pid" || die 4 "$host's metrics port $metrics does not answer from here"
  local from=c1 to
  to=${V4[$host]}
  [[ $TOPOLOGY == lb ]] && from=lb
  wait_udp_echo "$to" "$port" 20 ip netns exec "$PREFIX-$from" || die 4 "no echo from $host:$port to $from across the switch"
  warm_up "$host" "$port" "$from"
  wait_udp_echo "$to" "$port" 20 ip netns exec "$PREFIX-$from" || die 4 "$host:$port stopped answering after its warm-up"
  untrack "$pid"
  say "$host: $(grep -m1 '^listening' "$log")"
}

cmd_server() {
  need_root
  need_lab
  [[ $# -gt 0 ]] || usage "server needs a HOST"
  local host=$1 port=$SERVER_PORT metrics=$METRICS_PORT options=()
  need_host "$host"
  shift
  while [[ $# -gt 0 ]]; do
    case $1 in
      --port) port=${2:?--port needs a value}; shift ;;
      --metrics-port) metrics=${2:?--metrics-port needs a value}; shift ;;
      --host) usage "the lab's servers listen on :: (every address of their host)" ;;
      *) options+=("$1") ;;
    esac
    shift
  done
  launch_server "$host" "$port" "$metrics" ${options[@]+"${options[@]}"}
  await_server "$host" "$port"
}

start_balancer() {
  local dir=$STATE/nginx backends=() host
  mkdir -p "$dir"
  for host in s1 s2 s3; do backends+=("${V4[$host]}:$SERVER_PORT"); done
  lb_conf "$dir" "${V4[lb]}:$SERVER_PORT" "${V4[lb]}:5005" "$dir/stream.log" "${backends[@]}" \
    ip netns exec "$PREFIX-lb" || die 4 "$LB_CONF_ERROR"
  setsid ip netns exec "$PREFIX-lb" nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" \
    >> "$dir/error.log" 2>&1 < /dev/null &
  track $!
  local pid=$!
  lb_listens() { in_host lb ss -Hlnu "sport = :$SERVER_PORT" | grep -q .; }
  wait_until 10 lb_listens || die 4 "nginx on lb does not listen on $SERVER_PORT: $(tail -n 2 "$dir/error.log" | tr '\n' ' ')"
  wait_udp_echo "${V4[lb]}" "$SERVER_PORT" 20 ip netns exec "$PREFIX-c1" \
    || die 4 "no echo through nginx on lb from c1"
  untrack "$pid"
  say "lb: nginx ${V4[lb]}:$SERVER_PORT -> ${backends[*]} (deploy/nginx/udplab-lb.conf)"
}

cmd_start() {
  need_root
  need_lab
  local host
  local waits=() wait
  for host in $(server_hosts); do launch_server "$host" "$SERVER_PORT" "$METRICS_PORT" "$@"; done
  # the servers warm up side by side; each wait is a subshell that says why it failed
  for host in $(server_hosts); do await_server "$host" "$SERVER_PORT" & waits+=($!); done
  for wait in "${waits[@]}"; do wait "$wait" || exit 4; done
  for host in $(server_hosts); do untrack "$(awk -v h="$host" -v p="$SERVER_PORT" '$1 == h && $2 == p { print $4 }' "$STATE/servers")"; done
  [[ $TOPOLOGY == lb ]] && start_balancer
  return 0
}

# ---------------------------------------------------------------- impairments
percent_of_10000() { # "2" or "0.25" -> hundredths of a percent
  [[ $1 =~ ^[0-9]+(\.[0-9]{1,2})?$ ]] || usage "a percentage like 2 or 0.25 (two decimals at most), not '$1'"
  awk -v p="$1" 'BEGIN { v = int(p * 100 + 0.5); if (v > 10000) exit 1; print v }' || usage "a percentage is at most 100"
}

cmd_impair() {
  need_root
  need_lab
  [[ $# -gt 0 ]] || usage "impair needs a HOST"
  local host=$1 every='' percent='' loss='' rate='' queue=100 delay='' jitter='' duplicate='' reorder='' clear=0
  local netem_args=()
  need_host "$host"
  shift
  while [[ $# -gt 0 ]]; do
    case $1 in
      --drop-every) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage "--drop-every needs a count N >= 1"; every=$2; shift ;;
      --drop-percent) percent=$(percent_of_10000 "${2:-}"); shift ;;
      --loss) loss=${2:-}; percent_of_10000 "$loss" >/dev/null; shift ;;
      --rate) [[ ${2:-} =~ ^[0-9]+(bit|kbit|mbit|gbit)$ ]] || usage "--rate needs a tc rate like 800kbit or 10mbit"; rate=$2; shift ;;
      --queue) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage "--queue needs milliseconds"; queue=$2; shift ;;
      --delay) [[ ${2:-} =~ ^[0-9]+$ ]] || usage "--delay needs milliseconds"; delay=$2; shift ;;
      --jitter) [[ ${2:-} =~ ^[0-9]+$ ]] || usage "--jitter needs milliseconds"; jitter=$2; shift ;;
      --duplicate) duplicate=${2:-}; percent_of_10000 "$duplicate" >/dev/null; shift ;;
      --reorder) reorder=${2:-}; percent_of_10000 "$reorder" >/dev/null; shift ;;
      --clear) clear=1 ;;
      *) usage "impair: unknown option $1" ;;
    esac
    shift
  done
  [[ -n $every && -n $percent ]] && usage "--drop-every and --drop-percent: one of them"
  local netem
  netem=$NETEM
  if [[ -n $loss ]]; then
    if [[ $netem == yes ]]; then netem_args+=(loss "$loss%"); else
      [[ -z $every && -z $percent ]] || usage "--loss and --drop-every/--drop-percent: one of them"
      percent=$(percent_of_10000 "$loss")
    fi
  fi
  [[ -n $delay ]] && netem_args+=(delay "${delay}ms" ${jitter:+"${jitter}ms"})
  [[ -z $jitter || -n $delay ]] || usage "--jitter needs --delay"
  [[ -n $duplicate ]] && netem_args+=(duplicate "$duplicate%")
  [[ -n $reorder ]] && { [[ -n $delay ]] || usage "--reorder needs --delay (netem reorders by sending some at once)"; netem_args+=(reorder "$reorder%"); }
  if ((${#netem_args[@]} > 0)) && [[ $netem != yes ]]; then
    die 4 "this kernel has no sch_netem: --delay, --jitter, --duplicate and --reorder need it (--drop-every, --drop-percent, --loss and --rate work without)"
  fi

  # every earlier impairment of HOST goes first, so that each call says the whole story of the way in
  in_host "$host" nft flush chain inet netlab input
  in_host "$host" nft reset counter inet netlab path_drops >/dev/null
  local port
  for port in ${PORTS[$host]}; do
    tc -n "$SWITCH" qdisc del dev "$port" root 2>/dev/null || true
  done
  if ((clear)); then
    say "$host: no impairment on the way in, path_drops counter zeroed"
    return 0
  fi

  local said=()
  if [[ -n $every ]]; then
    in_host "$host" nft add rule inet netlab input iifname '"eth*"' meta l4proto udp \
      numgen inc mod "$every" == 0 counter name path_drops drop
    said+=("every ${every}th UDP datagram dropped (nftables numgen inc, input hook)")
  elif [[ -n $percent ]]; then
    in_host "$host" nft add rule inet netlab input iifname '"eth*"' meta l4proto udp \
      numgen random mod 10000 '<' "$percent" counter name path_drops drop
    said+=("$(awk -v v="$percent" 'BEGIN { print v / 100 }') % of UDP datagrams dropped at random (nftables numgen random, input hook$([[ -n $loss ]] && echo "; this kernel has no sch_netem"))")
  fi
  # Queues live on the switch's port towards HOST: that port's egress is the link into HOST.
  for port in ${PORTS[$host]}; do
    if ((${#netem_args[@]} > 0)); then
      tc -n "$SWITCH" qdisc add dev "$port" root handle 1: netem "${netem_args[@]}"
      [[ -n $rate ]] && tc -n "$SWITCH" qdisc add dev "$port" parent 1:1 handle 10: tbf rate "$rate" burst 15000 latency "${queue}ms"
    elif [[ -n $rate ]]; then
      tc -n "$SWITCH" qdisc add dev "$port" root handle 10: tbf rate "$rate" burst 15000 latency "${queue}ms"
    fi
  done
  ((${#netem_args[@]} > 0)) && said+=("netem ${netem_args[*]}")
  [[ -n $rate ]] && said+=("rate $rate with a ${queue} ms queue (tbf on the switch port)")
  ((${#said[@]} > 0)) || usage "impair $host: nothing to do (see --help)"
  local line
  line=$(printf '%s; ' "${said[@]}")
  say "$host, on the way in: ${line%; }"
}

# ---------------------------------------------------------------- counters
# "WHERE WHAT VALUE" lines: per host its nftables path drops, the drops of the switch port queue towards it
# (tbf, netem) and of its veth links; per server its counters; the balancer's listening-socket drops; the
# machine-wide per-CPU backlog drops (no socket sees those).
scrape() { curl -fsS --max-time 2 "http://$(mgmt_addr "$1"):$2/metrics" 2>/dev/null; }
metric_sum() { # metric_sum NAME [LABEL-SUBSTRING]: the sum of NAME's series on stdin, 0 when absent
  awk -v name="$1" -v label="${2:-}" '($1 == name || index($1, name "{") == 1) && index($1, label) { sum += $NF }
    END { printf "%d\n", sum + 0 }'
}

# link_drops NAMESPACE: "LINK DROPS" (rx + tx dropped) for each of its links, from one netlink dump; `ip -o`
# joins a link's lines with backslashes: name, link/ether, RX header, RX numbers, TX header, TX numbers
link_drops() {
  ip -n "$1" -s -o link show | awk '{
    n = split($0, part, /\\/); split(part[1], head, " "); name = head[2]; sub(/:$/, "", name); sub(/@.*/, "", name)
    split(part[4], rx, " "); split(part[6], tx, " "); print name, rx[4] + tx[4] }'
}
# queue_drops: "LINK DROPS" of the switch's root qdiscs (tbf, netem; a child's drops are its parent's too)
queue_drops() {
  tc -n "$SWITCH" -s qdisc show | awk '/^qdisc/ { link = ""; for (i = 1; i < NF; i++) if ($i == "dev" && $(i + 2) == "root") link = $(i + 1) }
    /dropped/ && link != "" { for (i = 1; i < NF; i++) if ($i == "(dropped") { sub(",", "", $(i + 1)); print link, $(i + 1) } }'
}
sum_of() { # sum_of LINK...: the sum of the DROPS of those links in the "LINK DROPS" lines on stdin
  awk -v links=" $* " 'index(links, " " $1 " ") { s += $2 } END { print s + 0 }'
}
backlog_drops() { # column 2 of /proc/net/softnet_stat, hex, one row per CPU
  local sum=0 dropped
  while read -r _ dropped _; do sum=$((sum + 16#$dropped)); done < /proc/net/softnet_stat
  echo "$sum"
}
# server_counters HOST PORT METRICS: that server's lines, from one scrape
server_counters() {
  local text
  text=$(scrape "$1" "$3") || { echo "$1:$2 unreachable 1"; return 0; }
  awk -v where="$1:$2" '
    function add(key) { sum[key] += $NF }
    /^udp_server_datagrams_received_total/ { add("received") }
    /^udp_server_kernel_drops_total/ { add("kernel_drops") }
    /^udp_server_datagrams_sent_total/ { add("sent") }
    /^udp_server_datagrams_dropped_total/ { if (match($1, /reason="[a-z_]+"/)) add("dropped_" substr($1, RSTART + 8, RLENGTH - 9)) }
    END {
      split("received kernel_drops sent dropped_rate_limited dropped_amplification dropped_reflector_port dropped_send_failed", keys, " ")
      for (i = 1; i in keys; i++) printf "%s %s %d\n", where, keys[i], sum[keys[i]] + 0
    }' <<<"$text"
}

cmd_counters() {
  need_lab
  prune_servers
  local host switch_links queues host_links link eths
  switch_links=$(link_drops "$SWITCH")
  queues=$(queue_drops)
  for host in "${HOSTS[@]}"; do
    echo "$host path_drops $(in_host "$host" nft list counter inet netlab path_drops | awk '/packets/ { print $2 }')"
    echo "$host queue_drops $(sum_of ${PORTS[$host]} <<<"$queues")"
    host_links=$(link_drops "$PREFIX-$host")
    eths=$(awk '$1 ~ /^eth/ { print $1 }' <<<"$host_links")
    # shellcheck disable=SC2086 # lists of link names
    echo "$host wire_drops $(( $(sum_of ${PORTS[$host]} <<<"$switch_links") + $(sum_of $eths <<<"$host_links") ))"
  done
  local port metrics pid
  while read -r host port metrics pid; do server_counters "$host" "$port" "$metrics"; done < "$STATE/servers"
  if known_host lb; then
    echo "lb:$SERVER_PORT socket_drops $(in_host lb cat /proc/net/udp /proc/net/udp6 \
      | awk -v port="$(printf ':%04X' "$SERVER_PORT")" '$2 ~ (port "$") { s += $NF } END { print s + 0 }')"
    # With max_fails=1 one unanswered datagram takes a backend out for fail_timeout; when all three are out,
    # nginx drops what comes in and logs it, one line per datagram
    echo "lb:$SERVER_PORT no_live_upstream $(grep -c 'no live upstreams' "$STATE/nginx/error.log" 2>/dev/null || true)"
    # Every datagram is a session with its own upstream socket until its reply (or proxy_timeout): when the
    # sessions waiting outnumber worker_connections, nginx drops the datagram and logs it, one line each
    echo "lb:$SERVER_PORT out_of_connections $(grep -c 'worker_connections are not enough' "$STATE/nginx/error.log" 2>/dev/null || true)"
  fi
  echo "machine backlog_drops $(backlog_drops)"
}

cmd_metrics() {
  need_lab
  [[ $# -gt 0 ]] || usage "metrics needs a HOST"
  need_host "$1"
  local metrics=${2:-$METRICS_PORT}
  scrape "$1" "$metrics" | grep '^udp_server_' || die 4 "no udplab server answers on $(mgmt_addr "$1"):$metrics"
}

# ---------------------------------------------------------------- flood
# read_counters FILE ARRAY: a counters listing into ARRAY["WHERE WHAT"]
read_counters() {
  # shellcheck disable=SC2034 # a name reference: written for the caller
  local -n into=$2
  local where what v
  while read -r where what v; do into["$where $what"]=$v; done < "$1"
}

# flood_report JSON: "KEY VALUE" lines of what flood reported in its JSON: sent, received, lost, target,
# client_drops (its clientKernelDrops) and, with --server-metrics, its own split of the loss: attribution_path,
# attribution_server_kernel, attribution_client_kernel, attribution_dropped (every reason) and
# attribution_dropped_REASON, attribution_exact (true or false). A value the report does not know (null) has no line.
flood_report() {
  python3 - "$1" <<'PY'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.loads(f.read() or "null")
except (OSError, ValueError):
    doc = None
if not isinstance(doc, dict):  # no report (flood failed first), or a sweep's array
    sys.exit(0)
def line(key, value):
    if value is not None:
        print(key, str(value).lower() if isinstance(value, bool) else value)
for key in ("sent", "received", "lost", "target"):
    line(key, doc.get(key))
line("client_drops", doc.get("clientKernelDrops") or 0)
split = doc.get("lossAttribution")
if split:
    line("attribution_path", split.get("path"))
    line("attribution_server_kernel", split.get("serverKernel"))
    line("attribution_client_kernel", split.get("clientKernel"))
    dropped = split.get("serverDropped") or {}
    line("attribution_dropped", sum(dropped.values()))
    for reason, n in sorted(dropped.items()):
        line(f"attribution_dropped_{reason}", n)
    line("attribution_exact", split.get("exact"))
PY
}

# where_lost RUN HOST: what the counters say about this flood's lost datagrams (RUN.before, RUN.after,
# RUN.report). Exact when nothing else talked on the lab meanwhile. With --server-metrics flood printed its own
# split (its "lost N = ..." line); this says whether the lab's counters agree with it.
where_lost() {
  local -A before=() after=() report=()
  local k v
  read_counters "$1.before" before
  read_counters "$1.after" after
  while read -r k v; do report[$k]=$v; done < "$1.report"
  [[ -n ${report[lost]:-} ]] || return 0
  local lost=${report[lost]} client=${report[client_drops]} path=0 server_kernel=0 server_dropped=0 lb=0
  local h key d detail=() host port metrics pid r
  for h in "${HOSTS[@]}"; do
    d=0
    for key in path_drops queue_drops wire_drops; do d=$((d + ${after[$h $key]:-0} - ${before[$h $key]:-0})); done
    ((d > 0)) && detail+=("$d into $h")
    path=$((path + d))
  done
  while read -r host port metrics pid; do
    key="$host:$port"
    server_kernel=$((server_kernel + ${after[$key kernel_drops]:-0} - ${before[$key kernel_drops]:-0}))
    for r in rate_limited amplification reflector_port send_failed; do
      server_dropped=$((server_dropped + ${after[$key dropped_$r]:-0} - ${before[$key dropped_$r]:-0}))
    done
  done < "$STATE/servers"
  key="lb:$SERVER_PORT socket_drops"
  lb=$((${after[$key]:-0} - ${before[$key]:-0}))
  key="lb:$SERVER_PORT no_live_upstream"
  local no_upstream=$((${after[$key]:-0} - ${before[$key]:-0}))
  key="lb:$SERVER_PORT out_of_connections"
  local no_connection=$((${after[$key]:-0} - ${before[$key]:-0}))
  local backlog=$((${after[machine backlog_drops]:-0} - ${before[machine backlog_drops]:-0}))
  local rest=$((lost - path - server_kernel - server_dropped - client - lb - no_upstream - no_connection)) where
  where=$(printf '%s, ' ${detail[@]+"${detail[@]}"})
  where=${where%, }
  if ((lost == 0 && rest == 0)); then
    say "nothing lost: every datagram and its echo made it"
    return 0
  fi
  say "where the $lost lost went (counter deltas around this flood from $2):"
  say "  $path on the path${where:+ ($where)}, $server_kernel in the server's receive buffer," \
    "$server_dropped dropped by the server's guards, $client in this client's receive buffer$( ((lb > 0)) && echo ", $lb in the balancer's receive buffer")$( ((no_upstream > 0)) && echo ", $no_upstream dropped by nginx with every backend marked down (max_fails=1)")$( ((no_connection > 0)) && echo ", $no_connection dropped by nginx out of worker_connections")"
  if ((rest != 0)); then
    say "  $rest not accounted for: other traffic at the same time, or the machine's backlog ($backlog dropped meanwhile)"
  fi
  [[ -n ${report[attribution_path]:-} ]] || return 0
  local own="${report[attribution_path]} on the path, ${report[attribution_server_kernel]:-?} in the server's receive buffer, ${report[attribution_dropped]:-?} dropped by the server, ${report[attribution_client_kernel]:-?} in this client's receive buffer"
  if [[ "${report[attribution_path]} ${report[attribution_server_kernel]:-?} ${report[attribution_dropped]:-?} ${report[attribution_client_kernel]:-?}" \
      == "$((path + lb + no_upstream + no_connection)) $server_kernel $server_dropped $client" ]]; then
    say "  flood's own split (--server-metrics) says the same: $own"
  else
    say "  flood's own split (--server-metrics) differs: $own$([[ ${report[attribution_exact]:-} == false ]] && echo " (flood says it is not exact)")"
  fi
}

cmd_flood() {
  need_root
  need_lab
  [[ $# -gt 0 ]] || usage "flood needs a HOST"
  local host=$1 args=() to=1 json=0 metrics=0 gso=1 warmup=1 arg
  need_host "$host"
  shift
  for arg in "$@"; do
    case $arg in
      --to|--to=*) to=0 ;; --json) json=1 ;; --metrics-port|--metrics-port=*) metrics=1 ;; --gso|--gso=*) gso=0 ;;
      --warmup|--warmup=*) warmup=0 ;;
    esac
  done
  [[ -f $CLIENT_JAR ]] || die 4 "$CLIENT_JAR not found: build it first with 'mvn -B -q package -DskipTests' in $UDPLAB_HOME"
  ((to)) && args+=(--to "${V4[$(target_host)]}:$SERVER_PORT")
  ((json)) || args+=(--json)
  ((metrics)) || args+=(--metrics-port 0)
  # One datagram per packet, as on a real link: a UDP GSO super-packet (up to 64 datagrams) crosses the veth
  # links and the switch whole, so an nftables rule would drop up to 64 datagrams and count 1 (a NIC or the
  # kernel cuts it into packets before a real wire). --gso auto|on still asks for it.
  ((gso)) && args+=(--gso off)
  # The lab's counters are read around the whole flood: flood's own warm-up (400 ms at the rate by default) would
  # pass the path's rules and the server too, and no count would be exact. The servers are warmed up at start.
  ((warmup)) && args+=(--warmup 0s)
  local run=${NETLAB_FLOOD_RECORD:-$STATE/flood-$host-$$}
  cmd_counters > "$run.before"
  local rc=0
  # Ctrl-C is flood's own (it stops sending and reports) and this one's tee's, which must copy that report: a
  # trap (reset to the default in the JVM) rather than an exit here, and a tee that ignores it
  trap 'FLOOD_INTERRUPTED=1' INT
  in_host "$host" "$JAVA" "${JAVA_OPTS[@]}" -jar "$CLIENT_JAR" flood "${args[@]}" "$@" \
    > "$run.json" 2> >(trap '' INT; exec tee "$run.err" >&2) || rc=$?
  wait $! 2>/dev/null || true  # the tee
  on_exit_cleanup  # Ctrl-C ends this script again
  cmd_counters > "$run.after"
  cat "$run.json"
  flood_report "$run.json" > "$run.report"
  where_lost "$run" "$host"
  [[ -n ${NETLAB_FLOOD_RECORD:-} ]] || rm -f "$run".{before,after,json,err,report}
  return "$rc"
}

# ---------------------------------------------------------------- status, exec, down
cmd_status_hosts() {
  printf '%-4s %-12s %-14s %-18s %s\n' host namespace data data-ipv6 "management (reach it from here)"
  local name
  for name in "${HOSTS[@]}"; do
    printf '%-4s %-12s %-14s %-18s %s\n' "$name" "$PREFIX-$name" "${V4[$name]}" "${V6[$name]}" "$(mgmt_addr "$name")"
  done
}

cmd_status() {
  need_lab
  say "lab $PREFIX: topology $TOPOLOGY, sch_netem $NETEM"
  cmd_status_hosts
  local host port metrics pid
  while read -r host port metrics pid; do
    echo "server $host:$port metrics http://$(mgmt_addr "$host"):$metrics/metrics pid $pid $(kill -0 "$pid" 2>/dev/null && echo running || echo gone)"
  done < "$STATE/servers"
  for host in "${HOSTS[@]}"; do
    in_host "$host" nft list chain inet netlab input | grep -E 'drop$' | sed "s/^[[:space:]]*/impairment into $host: nftables /" || true
    for port in ${PORTS[$host]}; do
      tc -n "$SWITCH" qdisc show dev "$port" | grep -E 'netem|tbf' | sed "s/^/impairment into $host: tc /" || true
    done
  done
}

cmd_exec() {
  need_root
  need_lab
  [[ $# -ge 2 ]] || usage "exec needs a HOST and a COMMAND"
  need_host "$1"
  in_host "$@"
}

cmd_down() {
  need_root
  local namespaces ns pids=() link
  namespaces=$(ip netns list | awk '{ print $1 }' | grep "^$PREFIX-" || true)
  for ns in $namespaces; do
    read -r -a found <<<"$(ip netns pids "$ns" | tr '\n' ' ')"
    pids+=(${found[@]+"${found[@]}"})
  done
  ((${#pids[@]} == 0)) || stop_pid "${pids[@]}"
  for ns in $namespaces; do ip netns del "$ns"; done
  for link in $(ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | grep "^$PREFIX-" || true); do
    ip link del "$link" 2>/dev/null || true
  done
  rm -rf "$STATE"
  say "lab $PREFIX is down: ${#pids[@]} processes ended, $(wc -w <<<"$namespaces") namespaces removed"
}

# ---------------------------------------------------------------- run
cmd_run() {
  local topology=pair clients=() loss=2 count=10000 rate=2000 size=64 rcvbuf=()
  while [[ $# -gt 0 ]]; do
    case $1 in
      pair|clients|lb) topology=$1 ;;
      --clients) clients=(--clients "${2:-}"); shift ;;
      --loss) loss=${2:-}; percent_of_10000 "$loss" >/dev/null; shift ;;
      --count) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage "--count needs a number"; count=$2; shift ;;
      --rate) [[ ${2:-} =~ ^[0-9]+$ ]] || usage "--rate needs datagrams per second (0 = unpaced)"; rate=$2; shift ;;
      --size) [[ ${2:-} =~ ^[0-9]+$ ]] || usage "--size needs bytes"; size=$2; shift ;;
      --server-rcvbuf) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage "--server-rcvbuf needs bytes"; rcvbuf=(--rcvbuf "$2"); shift ;;
      *) usage "run: unknown argument $1" ;;
    esac
    shift
  done
  need_root
  cmd_up "$topology" ${clients[@]+"${clients[@]}"}
  RUN_OWNS_LAB=1
  cmd_start ${rcvbuf[@]+"${rcvbuf[@]}"}
  local host split=()
  if [[ $loss != 0 ]]; then
    for host in "${HOSTS[@]}"; do cmd_impair "$host" --loss "$loss"; done
  fi
  # one flood at a time against s1: flood's own split of the loss is exact; behind the balancer no one server
  # sees a flood's datagrams, so there the lab's counters alone say where they went
  [[ $TOPOLOGY == lb ]] || split=(--server-metrics "http://$(mgmt_addr s1):$METRICS_PORT/metrics")
  for host in $(printf '%s\n' "${HOSTS[@]}" | grep '^c'); do
    NETLAB_FLOOD_RECORD=$STATE/run-$host cmd_flood "$host" --count "$count" --rate "$rate" --size "$size" \
      --rcvbuf 4194304 --drain 1s ${split[@]+"${split[@]}"} > /dev/null || true
    [[ ${FLOOD_INTERRUPTED:-0} == 0 ]] || { say "interrupted"; exit 130; }
  done
  say "the lab's counters at the end:"
  cmd_counters
}

# A lab that this call built only halfway, or that `run` built, goes again when the call ends, also on Ctrl-C.
on_exit() {
  if [[ ${UP_IN_PROGRESS:-0} == 1 || ${RUN_OWNS_LAB:-0} == 1 ]]; then
    cmd_down >/dev/null 2>&1 || true
  fi
}
on_exit_cleanup

case $COMMAND in
  up) cmd_up "$@" ;;
  start) cmd_start "$@" ;;
  server) cmd_server "$@" ;;
  impair) cmd_impair "$@" ;;
  flood) cmd_flood "$@" ;;
  counters) need_root; cmd_counters ;;
  metrics) cmd_metrics "$@" ;;
  exec) cmd_exec "$@" ;;
  status) need_root; cmd_status ;;
  down) cmd_down ;;
  run) cmd_run "$@" ;;
  help) help ;;
  *) usage "unknown command '$COMMAND'" ;;
esac
