# shellcheck shell=bash
# .ci/lib.sh: what every udplab shell check needs, written once. Source it, naming the script's prefix and
# where say/expect lines go (stderr unless told stdout):
#     source "$root/.ci/lib.sh" nginx-lb            # say/expect lines on stderr
#     source "$root/.ci/lib.sh" check stdout        # ... on stdout
# then call on_exit_cleanup. Safe under `set -euo pipefail`; every wait is bounded. Names starting with lib_ are
# internal.
#
# Messages
#   say MESSAGE...          "PREFIX: MESSAGE" on the chosen stream
#   die CODE MESSAGE...     "PREFIX: MESSAGE" on stderr, then exit CODE (cleanup runs)
# Processes and files
#   on_exit_cleanup         traps EXIT (ends every tracked pid, calls the script's own `on_exit STATUS` when it
#                           defines one, removes the work dirs) and INT/TERM ("interrupted", exit 130); a
#                           $(...) subshell that starts processes calls it again and gets a registry of its own
#   track PID...            remember a pid to end on exit      untrack PID...   forget it
#   stop_pid PID...         TERM, up to STOP_GRACE_SECONDS (5) for it to go, then KILL; waits, untracks
#   stop_tracked            stop_pid on every tracked pid
#   workdir VAR NAME        VAR=a new /tmp/NAME.XXXXXX, removed on exit unless KEEP_WORKDIR=1 ("kept DIR")
# Waits (0 when it happened, 1 when the time was up, 2 when the process named by PID exited first)
#   wait_until SECONDS COMMAND...           COMMAND succeeds (polled every 0.1 s)
#   wait_line FILE PATTERN SECONDS [PID]    a line matching the grep PATTERN is in FILE
#   wait_tcp_port HOST PORT SECONDS [PID]   a TCP connect to HOST:PORT succeeds
#   wait_udp_echo HOST PORT SECONDS [COMMAND...]
#                                           a datagram sent to HOST:PORT comes back (probes 5 ms apart at first,
#                                           as bench's udp_flood --wait-echo, then twice as far apart each time up
#                                           to 100 ms, so that a server slow to start is not buried in probes
#                                           its small receive buffer drops; needs python3); COMMAND runs the
#                                           probe, e.g. `ip netns exec NS` to send it from another namespace
# Ports
#   free_port VAR...        each VAR = a port below the ephemeral range that no UDP or TCP socket (IPv4 or
#                           IPv6) of this namespace holds and that this script did not hand out before: the
#                           kernel never picks it for someone's bind(0) in the meantime
# Checks
#   expect DESCRIPTION COMMAND...   runs COMMAND; says "ok   DESCRIPTION" or "FAIL DESCRIPTION[: EXPECT_WHY]"
#                           (a check command may set EXPECT_WHY to explain its failure) and counts it in
#                           CHECKS_PASSED / CHECKS_FAILED; never aborts the script
# Packages
#   apt_install PACKAGE...  apt-get update then install, as root (or through sudo), without letting the
#                           packages start their system services; dies with exit 4 when it cannot
#   npm_ci DIR              `npm ci` in DIR (its package-lock.json) unless DIR/node_modules already holds what that
#                           lock pins (a stamp of the lock's sha256); dies with exit 4 when npm ci fails
# Prometheus (a real one, for the checks that evaluate the dashboard's queries)
#   need_prometheus         prometheus and promtool from the OS package when either is missing; says the version
#   prometheus_config DIR SERVER_TARGETS CLIENT_TARGETS
#                           DIR/prometheus.yml: monitoring/prometheus/prometheus.yml with its udp-server target
#                           ("127.0.0.1:9101") and udp-client target ("127.0.0.1:9102") replaced by the
#                           space-separated HOST:PORT lists, nothing else; alerts.yml beside it. Returns 1 with
#                           the reason in PROMETHEUS_CONFIG_ERROR when the committed file no longer has them
#   start_prometheus DIR ADDRESS:PORT
#                           prometheus on DIR/prometheus.yml, data in DIR/data, log in DIR/prometheus.log,
#                           tracked; its pid in PROMETHEUS_PID
#   wait_prometheus_jobs ADDRESS:PORT SECONDS JOB...
#                           every JOB has had a scrape (an `up` series, 0 or 1): Prometheus hands static targets
#                           to its scrapers only after its discovery throttle (5 s), not when it is ready

LIB_PREFIX=${1:?"source .ci/lib.sh PREFIX [stdout|stderr]"}
case ${2:-stderr} in
  stdout) LIB_SAY_FD=1 ;;
  stderr) LIB_SAY_FD=2 ;;
  *) echo ".ci/lib.sh: say stream must be stdout or stderr, not '$2'" >&2; return 2 ;;
esac
STOP_GRACE_SECONDS=${STOP_GRACE_SECONDS:-5}
LIB_PIDS=()
LIB_WORKDIRS=()
LIB_PORTS_GIVEN=" "
LIB_OWNER=$BASHPID
CHECKS_PASSED=0
CHECKS_FAILED=0

say() { printf '%s: %s\n' "$LIB_PREFIX" "$*" >&"$LIB_SAY_FD"; }
die() { local code=$1; shift; printf '%s: %s\n' "$LIB_PREFIX" "$*" >&2; exit "$code"; }

# ---------------------------------------------------------------- processes and files
track() { LIB_PIDS+=("$@"); }
untrack() {
  local keep=() pid gone
  for pid in ${LIB_PIDS[@]+"${LIB_PIDS[@]}"}; do
    for gone in "$@"; do [[ $pid == "$gone" ]] && continue 2; done
    keep+=("$pid")
  done
  LIB_PIDS=(${keep[@]+"${keep[@]}"})
}

lib_alive() { kill -0 "$1" 2>/dev/null; }

stop_pid() {
  local pid deadline=$((SECONDS + STOP_GRACE_SECONDS)) left
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  while :; do
    left=0
    for pid in "$@"; do lib_alive "$pid" && left=1; done
    ((left && SECONDS < deadline)) || break
    sleep 0.05
  done
  for pid in "$@"; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  untrack "$@"
}

stop_tracked() { ((${#LIB_PIDS[@]} == 0)) || stop_pid "${LIB_PIDS[@]}"; }

workdir() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/$2.XXXXXX") || die 4 "cannot make a work directory in ${TMPDIR:-/tmp}"
  LIB_WORKDIRS+=("$dir")
  printf -v "$1" '%s' "$dir"
}

lib_on_exit() {
  local status=$? dir
  trap - EXIT
  stop_tracked
  if declare -F on_exit >/dev/null; then on_exit "$status" || true; fi
  for dir in ${LIB_WORKDIRS[@]+"${LIB_WORKDIRS[@]}"}; do
    if [[ ${KEEP_WORKDIR:-0} == 1 ]]; then say "kept $dir"; else rm -rf "$dir"; fi
  done
  exit "$status"
}

on_exit_cleanup() {
  if [[ $LIB_OWNER != "$BASHPID" ]]; then  # a subshell: its own pids and dirs, not a copy of its parent's
    LIB_OWNER=$BASHPID LIB_PIDS=() LIB_WORKDIRS=()
  fi
  trap lib_on_exit EXIT
  # only the script's own shell says it: a Ctrl-C reaches its subshells too
  trap '[[ $BASHPID == "$$" ]] && printf "%s: interrupted\n" "$LIB_PREFIX" >&2; exit 130' INT TERM
}

# ---------------------------------------------------------------- waits
# lib_wait_for SECONDS PID COMMAND...: the loop behind the waits below (PID may be empty). The deadline is in
# microseconds of EPOCHREALTIME: SECONDS alone would make a wait of N s anything from N-1 to N.
lib_now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$((10#$t))"; }
lib_wait_for() {
  local deadline=$(( $(lib_now_us) + $1 * 1000000 )) pid=$2
  shift 2
  until "$@"; do
    if [[ -n $pid ]] && ! lib_alive "$pid"; then "$@" && return 0; return 2; fi
    (( $(lib_now_us) < deadline )) || return 1
    sleep 0.1
  done
}

wait_until() { local seconds=$1; shift; lib_wait_for "$seconds" "" "$@"; }

lib_has_line() { grep -q -- "$2" "$1" 2>/dev/null; }
wait_line() { lib_wait_for "$3" "${4:-}" lib_has_line "$1" "$2"; }

# bash's own /dev/tcp; the subshell closes the connection again at once
lib_tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_tcp_port() { lib_wait_for "$3" "${4:-}" lib_tcp_open "$1" "$2"; }

wait_udp_echo() {
  local host=$1 port=$2 seconds=$3
  shift 3
  "$@" python3 - "$host" "$port" "$seconds" <<'PY'
import socket, sys, time
host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
family = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0][0]
s = socket.socket(family, socket.SOCK_DGRAM)
s.connect((host, port))
interval = 0.005
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    s.settimeout(interval)
    try:
        s.send(b"udplab wait-echo")
        s.recv(2048)
        sys.exit(0)
    except (socket.timeout, ConnectionRefusedError):
        interval = min(0.1, 2 * interval)
sys.exit(1)
PY
}

# ---------------------------------------------------------------- ports
# ports held by any UDP or TCP socket of this namespace, one per line (column 2 of /proc/net/*: ADDR:PORT in hex)
lib_ports_in_use() {
  local f
  for f in /proc/net/udp /proc/net/udp6 /proc/net/tcp /proc/net/tcp6; do
    [[ -r $f ]] && awk 'NR > 1 { n = split($2, a, ":"); print a[n] }' "$f"
  done | sort -u | while read -r hex; do echo $((16#$hex)); done
}

free_port() {
  local var port first range_start in_use
  read -r range_start _ < /proc/sys/net/ipv4/ip_local_port_range
  first=20000
  ((range_start > first + 1000)) || first=10000
  in_use=" $(lib_ports_in_use | tr '\n' ' ') "
  for var in "$@"; do
    while :; do
      port=$((first + (RANDOM * 32768 + RANDOM) % (range_start - first)))
      [[ $in_use == *" $port "* || $LIB_PORTS_GIVEN == *" $port "* ]] || break
    done
    LIB_PORTS_GIVEN+="$port "
    printf -v "$var" '%s' "$port"
  done
}

# ---------------------------------------------------------------- checks
expect() {
  local what=$1
  shift
  EXPECT_WHY=
  if "$@"; then
    CHECKS_PASSED=$((CHECKS_PASSED + 1))
    say "ok   $what"
  else
    CHECKS_FAILED=$((CHECKS_FAILED + 1))
    say "FAIL $what${EXPECT_WHY:+: $EXPECT_WHY}"
  fi
  return 0
}

# ---------------------------------------------------------------- packages
apt_install() {
  local sudo=() policy=/usr/sbin/policy-rc.d placed=0 try
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || die 4 "need $*: run as root or apt-get install them"
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null || die 4 "need $* and there is no apt-get: install them and re-run"
  say "installing $*"
  for try in 1 2 3; do  # another apt may hold the lists lock for a while
    "${sudo[@]}" apt-get update -q >/dev/null 2>&1 && break
    ((try < 3)) || die 4 "apt-get update failed: install $* by hand and re-run"
    sleep 10
  done
  # Debian's way to keep a package from starting its service (policy-rc.d, exit 101): the checks start their
  # own on free ports, and a system nginx or Prometheus would only hold the default ones.
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null && "${sudo[@]}" chmod 755 "$policy" && placed=1
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "$@" >/dev/null || rc=$?
  ((placed)) && "${sudo[@]}" rm -f "$policy"
  ((rc == 0)) || die 4 "apt-get install $* failed: install them by hand and re-run"
}

npm_ci() {
  local dir=$1 stamp=$1/node_modules/.udplab-lock-sha256 sum
  sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1) || die 4 "cannot read $dir/package-lock.json"
  [[ -f $stamp && $(cat "$stamp") == "$sum" ]] && return 0
  say "installing the npm packages of $dir/package-lock.json"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die 4 "npm ci in $dir failed"
  echo "$sum" > "$stamp"
}

# ---------------------------------------------------------------- Prometheus
LIB_MONITORING=$(cd "$(dirname "${BASH_SOURCE[0]}")/../monitoring" && pwd)

lib_quoted() { local list; list=$(printf '"%s", ' "$@"); echo "${list%, }"; }  # "a", "b" for a YAML list

need_prometheus() {
  command -v promtool >/dev/null && command -v prometheus >/dev/null || apt_install prometheus
  say "$(prometheus --version 2>&1 | head -n 1)"
}

prometheus_config() {
  local dir=$1 servers=() clients=() target quoted
  read -r -a servers <<<"$2"
  read -r -a clients <<<"$3"
  mkdir -p "$dir"
  sed -e "s/\"127\.0\.0\.1:9101\"/$(lib_quoted "${servers[@]}")/" -e "s/\"127\.0\.0\.1:9102\"/$(lib_quoted "${clients[@]}")/" \
    "$LIB_MONITORING/prometheus/prometheus.yml" > "$dir/prometheus.yml"
  cp "$LIB_MONITORING/prometheus/alerts.yml" "$dir/alerts.yml"
  for target in "${servers[@]}" "${clients[@]}"; do
    quoted="\"$target\""
    grep -qF -- "$quoted" "$dir/prometheus.yml" || {
      PROMETHEUS_CONFIG_ERROR="$LIB_MONITORING/prometheus/prometheus.yml no longer scrapes \"127.0.0.1:9101\" and \"127.0.0.1:9102\"; update .ci/lib.sh's prometheus_config with it"
      return 1
    }
  done
}

start_prometheus() {
  prometheus --config.file="$1/prometheus.yml" --storage.tsdb.path="$1/data" --web.listen-address="$2" \
    --log.level=warn > "$1/prometheus.log" 2>&1 &
  PROMETHEUS_PID=$!
  track "$PROMETHEUS_PID"
}

wait_prometheus_jobs() {
  python3 - "$@" <<'PY'
import json, sys, time, urllib.parse, urllib.request
address, seconds, wanted = sys.argv[1], float(sys.argv[2]), set(sys.argv[3:])
deadline = time.monotonic() + seconds
query = f"http://{address}/api/v1/query?" + urllib.parse.urlencode({"query": "up"})
while time.monotonic() < deadline:
    try:
        jobs = {r["metric"].get("job") for r in json.load(urllib.request.urlopen(query, timeout=2))["data"]["result"]}
        if wanted <= jobs:
            sys.exit(0)
    except (OSError, ValueError, KeyError):
        pass
    time.sleep(0.2)
sys.exit(1)
PY
}
