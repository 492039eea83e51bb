#!/usr/bin/env bash
# A throw-away ClickHouse server for the tests: its own config, data and ports in a directory of
# its own, listening on loopback only. Never the system service.
#
#   clickhouse-test-server.sh start DIR [HTTP_PORT]  start (or restart, reusing DIR's config, data
#                                                    and ports); prints the HTTP URL when SELECT 1 answers
#   clickhouse-test-server.sh stop DIR [--keep]      SIGTERM, then SIGKILL after 20 s; removes DIR unless --keep
#   clickhouse-test-server.sh kill DIR               SIGKILL now (an outage), keeps DIR for a restart
#   clickhouse-test-server.sh url DIR                prints the HTTP URL
#
# Users: "default" without a password, "pipeline" with password "pipeline-secret".
set -euo pipefail

usage() { sed -n '2,12p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$2

server=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)

name=clickhouse-test-server
# shellcheck source=scripts/test-server-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-server-lib.sh"

url_of() { echo "http://127.0.0.1:$(cat "$1/http_port")"; }

alive() { [ -f "$1/pid" ] && kill -0 "$(cat "$1/pid")" 2>/dev/null; }

write_config() {
  local d=$1 http=$2 tcp=$3
  mkdir -p "$d/data" "$d/tmp" "$d/user_files" "$d/format_schemas" "$d/log"
  echo "$http" >"$d/http_port"
  echo "$tcp" >"$d/tcp_port"
  cat >"$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$d/log/server.log</log>
        <errorlog>$d/log/server.err.log</errorlog>
        <size>20M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$http</http_port>
    <tcp_port>$tcp</tcp_port>
    <path>$d/data/</path>
    <tmp_path>$d/tmp/</tmp_path>
    <user_files_path>$d/user_files/</user_files_path>
    <format_schema_path>$d/format_schemas/</format_schema_path>
    <users_config>$d/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <max_connections>512</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <mark_cache_size>268435456</mark_cache_size>
    <mlock_executable>false</mlock_executable>
</yandex>
XML
  cat >"$d/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <pipeline>
            <password>pipeline-secret</password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </pipeline>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
XML
}

wait_ready() {
  local d=$1 url
  url=$(url_of "$d")
  for _ in $(seq 1 600); do
    if ! alive "$d"; then
      echo "clickhouse-test-server: the server exited during start; last log lines:" >&2
      tail -n 20 "$d/log/stderr.log" "$d/log/server.err.log" >&2 2>/dev/null || true
      return 1
    fi
    if [ "$(curl -s --max-time 2 "$url/?query=SELECT%201" 2>/dev/null)" = "1" ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "clickhouse-test-server: no answer to SELECT 1 at $url after 60 s" >&2
  return 1
}

case "$cmd" in
  start)
    [ -x "$server" ] || { echo "clickhouse-test-server: $server not found (apt-get install clickhouse-server)" >&2; exit 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if alive "$dir"; then
      url_of "$dir"; exit 0
    fi
    if [ ! -f "$dir/config.xml" ]; then
      http=${3:-$(pick_port)}
      tcp=$(pick_port)
      while [ "$tcp" = "$http" ]; do tcp=$(pick_port); done
      write_config "$dir" "$http" "$tcp"
    fi
    # setsid: the server is not in the caller's process group, so a Ctrl-C of a test run does not
    # race the script's own stop. Its pid is the one we kill.
    setsid "$server" --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>"$dir/log/stderr.log" </dev/null &
    echo $! >"$dir/pid"
    wait_ready "$dir"
    url_of "$dir"
    ;;
  stop)
    if alive "$dir"; then
      stop_pid "$(cat "$dir/pid")" 200
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
  url)
    url_of "$dir"
    ;;
  *)
    usage
    ;;
esac
