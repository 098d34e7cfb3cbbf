# shellcheck shell=bash
# deploy/nginx/lb-conf.sh: the one place that turns udplab-lb.conf into a runnable nginx config, sourced by
# deploy/nginx/check.sh (loopback) and deploy/netlab/netlab.sh (a balancer host in a namespace).
#
#   lb_conf DIR LISTEN SINK_LISTEN ACCESS_LOG BACKEND1 BACKEND2 BACKEND3 [COMMAND...]
# writes DIR/udplab-lb.conf (the committed template with its two listen addresses, its three echo backends and
# its log path rewritten, nothing else, each rewrite checked so template and scripts cannot drift apart
# silently) and DIR/nginx.conf (daemon off, one worker, pid and error log in DIR), and runs `nginx -t` on them.
# LISTEN, SINK_LISTEN and BACKENDn are ADDRESS:PORT; COMMAND runs `nginx -t`, which binds the listen addresses
# (e.g. `ip netns exec NS` where they live). Returns 1 with the reason in LB_CONF_ERROR.
# Start nginx with: nginx -p DIR/ -c DIR/nginx.conf -e DIR/error.log

LB_CONF_TEMPLATE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/udplab-lb.conf
LB_CONF_STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so

lb_conf() {
  local dir=$1 listen=$2 sink_listen=$3 log=$4 backends=("$5" "$6" "$7") want load_module=""
  shift 7
  LB_CONF_ERROR=
  sed -e "s/listen 20001 udp/listen $listen udp/" \
      -e "s/listen 5005 udp/listen $sink_listen udp/" \
      -e "s/127\.0\.0\.1:21001 /${backends[0]} /" \
      -e "s/127\.0\.0\.1:21002 /${backends[1]} /" \
      -e "s/127\.0\.0\.1:21003 /${backends[2]} /" \
      -e "s#/var/log/nginx/udplab-stream.log#$log#" \
      "$LB_CONF_TEMPLATE" > "$dir/udplab-lb.conf"
  for want in "listen $listen udp" "listen $sink_listen udp" "$log" "${backends[0]} " "${backends[1]} " "${backends[2]} "; do
    grep -qF -- "$want" "$dir/udplab-lb.conf" \
      || { LB_CONF_ERROR="template $LB_CONF_TEMPLATE no longer has the line to rewrite to '$want'"; return 1; }
  done
  if nginx -V 2>&1 | grep -q -- '--with-stream=dynamic'; then
    [[ -f $LB_CONF_STREAM_MODULE ]] || {
      LB_CONF_ERROR="nginx wants the stream module as $LB_CONF_STREAM_MODULE: apt-get install libnginx-mod-stream"
      return 1
    }
    load_module="load_module $LB_CONF_STREAM_MODULE;"
  fi
  cat > "$dir/nginx.conf" <<CONF
$load_module
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
include $dir/udplab-lb.conf;
CONF
  "$@" nginx -t -q -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" 2>"$dir/nginx-t.err" \
    || { LB_CONF_ERROR="nginx rejects the generated config: $(tr '\n' ' ' < "$dir/nginx-t.err")"; return 1; }
}
