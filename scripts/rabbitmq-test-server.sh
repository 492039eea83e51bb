#!/usr/bin/env bash
# A throw-away RabbitMQ node for the tests: its own node name, config, mnesia, logs, cookie, ports
# and EPMD in a directory of its own, listening on loopback only. Never the system service.
#
#   rabbitmq-test-server.sh start DIR [AMQP_PORT]  start (or restart, reusing DIR's config, data and
#                                                  ports); prints the AMQP URI once the node is up
#   rabbitmq-test-server.sh stop DIR [--keep]      stops the node (SIGKILL after 20 s) and its EPMD;
#                                                  removes DIR unless --keep (then start restarts it)
#   rabbitmq-test-server.sh kill DIR               SIGKILL now (an outage), keeps DIR for a restart
#   rabbitmq-test-server.sh ctl DIR ARGS...        rabbitmqctl against the node (e.g. set_vm_memory_high_watermark 0.0000001)
#   rabbitmq-test-server.sh uri DIR                prints the AMQP URI
#
# User "guest" / password "guest" (allowed from loopback). The node has its own EPMD on a port of
# its own (ERL_EPMD_PORT), started by the node and stopped with it: a shared EPMD on 4369 is never
# touched, and repeated runs leave nothing behind.
set -euo pipefail

usage() { sed -n '2,14p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$2

bin=/usr/lib/rabbitmq/bin

name=rabbitmq-test-server
# shellcheck source=scripts/test-server-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-server-lib.sh"

# Every rabbitmq script reads these; all of them point into DIR.
node_env() {
  local d=$1
  export HOME="$d/home"
  export RABBITMQ_CONF_ENV_FILE="$d/rabbitmq-env.conf"
  export RABBITMQ_NODENAME; RABBITMQ_NODENAME=$(cat "$d/node")
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT; RABBITMQ_NODE_PORT=$(cat "$d/amqp_port")
  export RABBITMQ_DIST_PORT; RABBITMQ_DIST_PORT=$(cat "$d/dist_port")
  export ERL_EPMD_PORT; ERL_EPMD_PORT=$(cat "$d/epmd_port")
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_MNESIA_BASE="$d/mnesia"
  export RABBITMQ_LOG_BASE="$d/log"
  export RABBITMQ_PID_FILE="$d/pid"
  export RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins"
  export RABBITMQ_PLUGINS_EXPAND_DIR="$d/plugins-expand"
}

write_config() {
  local d=$1 amqp=$2
  mkdir -p "$d/home" "$d/mnesia" "$d/log"
  echo "pipeline-test-$$-$RANDOM@localhost" >"$d/node"
  echo "$amqp" >"$d/amqp_port"
  local dist epmd
  dist=$(pick_port); while [ "$dist" = "$amqp" ]; do dist=$(pick_port); done
  epmd=$(pick_port); while [ "$epmd" = "$amqp" ] || [ "$epmd" = "$dist" ]; do epmd=$(pick_port); done
  echo "$dist" >"$d/dist_port"
  echo "$epmd" >"$d/epmd_port"
  head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr 'a-f' 'A-F' >"$d/home/.erlang.cookie"
  chmod 400 "$d/home/.erlang.cookie"
  : >"$d/rabbitmq-env.conf"
  echo "[]." >"$d/enabled_plugins"
  echo "[]." >"$d/advanced.config"
  cat >"$d/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$amqp
default_user = guest
default_pass = guest
loopback_users = none
log.file.level = warning
log.console = false
disk_free_limit.absolute = 10MB
vm_memory_high_watermark.relative = 0.6
CONF
}

uri_of() { echo "amqp://guest:guest@127.0.0.1:$(cat "$1/amqp_port")/"; }

alive() { [ -s "$1/pid" ] && kill -0 "$(cat "$1/pid")" 2>/dev/null; }

stop_epmd() {
  # Only our own EPMD, on the node's private port; the node is gone, so it has nothing registered.
  local port
  port=$(cat "$1/epmd_port" 2>/dev/null) || return 0
  ERL_EPMD_PORT=$port epmd -kill >/dev/null 2>&1 || true
}

case "$cmd" in
  start)
    [ -x "$bin/rabbitmq-server" ] || { echo "rabbitmq-test-server: $bin/rabbitmq-server not found (apt-get install rabbitmq-server)" >&2; exit 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ ! -f "$dir/rabbitmq.conf" ]; then
      write_config "$dir" "${3:-$(pick_port)}"
    fi
    if alive "$dir"; then uri_of "$dir"; exit 0; fi
    node_env "$dir"
    rm -f "$dir/pid"
    # setsid: not in the caller's process group, so a Ctrl-C of a test run does not race our stop.
    # The subshell's own descriptors go nowhere too: a caller reading our stdout ($(…)) must see EOF when we exit.
    (cd "$dir" && exec setsid "$bin/rabbitmq-server" >"$dir/log/stdout.log" 2>"$dir/log/stderr.log" </dev/null) >/dev/null 2>&1 </dev/null &
    # await_startup needs the pid file's node to exist; wait for the file first (the node writes it early).
    for _ in $(seq 1 300); do [ -s "$dir/pid" ] && break; sleep 0.1; done
    if ! timeout 60 "$bin/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" wait --timeout 55 "$dir/pid" >/dev/null 2>"$dir/log/wait.err" ||
       ! timeout 60 "$bin/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" await_startup --timeout 55 >/dev/null 2>>"$dir/log/wait.err"; then
      echo "rabbitmq-test-server: the node did not start within 60 s; last log lines:" >&2
      tail -n 20 "$dir/log/wait.err" "$dir/log/stdout.log" "$dir/log/stderr.log" "$dir"/log/*.log >&2 2>/dev/null || true
      exit 1
    fi
    uri_of "$dir"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    if [ -f "$dir/node" ]; then
      node_env "$dir"
      if alive "$dir"; then
        pid=$(cat "$dir/pid")
        timeout 25 "$bin/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
      fi
      stop_epmd "$dir"
    fi
    rm -f "$dir/pid"
    if [ "${3:-}" != "--keep" ]; then rm -rf "$dir"; fi
    ;;
  kill)
    if alive "$dir"; then
      pid=$(cat "$dir/pid")
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    fi
    rm -f "$dir/pid"
    ;;
  ctl)
    node_env "$dir"
    shift 2
    exec timeout 30 "$bin/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" "$@"
    ;;
  uri)
    uri_of "$dir"
    ;;
  *)
    usage
    ;;
esac
