#!/usr/bin/env bash
# Sustained TCP → ClickHouse throughput: a private ClickHouse (scripts/clickhouse-test-server.sh) and
# the service on this machine, driven for DURATION by pipeline-load over 4 TCP connections as fast as
# they go (64 lines per write).
#
#   perf/e2e/clickhouse-sustained.sh [DURATION_S]         (default 60)
#
# Rows/s = rows ClickHouse acknowledged while the load ran
# (pipeline_sink_written_events_total{sink="clickhouse"} at its end minus at its start) / DURATION.
# TCP backpressure slows the loader to what the pipeline sustains, so this is the sink's steady rate.
# After the load the script waits until the counter stops moving and checks SELECT count() against it.
# Env: E2E_HTTP_PORT (5380), E2E_TCP_PORT (5390), E2E_WORK (/tmp/pipeline-ch-sustained),
#      E2E_EXTRA="--Pipeline:Sinks:Files:Enabled=false" to measure ClickHouse alone (files sink is on by default).
#
# Measured 2026-11-23 on the project's 2-core machine (ClickHouse 18.16, loader and server on the same
# machine, parse+redact+enrich on): 266,542 rows/s with the files sink also on (16,314,048 rows, count()
# equal), 283,477 rows/s with E2E_EXTRA="--Pipeline:Sinks:Files:Enabled=false" (17,292,736 rows).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
duration=${1:-60}
http=${E2E_HTTP_PORT:-5380}; tcp=${E2E_TCP_PORT:-5390}
work=${E2E_WORK:-/tmp/pipeline-ch-sustained}
extra=${E2E_EXTRA:-}

. "$here/binaries.sh"

rm -rf "$work"; mkdir -p "$work"
chdir="$work/clickhouse"
url=$("$root/scripts/clickhouse-test-server.sh" start "$chdir" | tail -1)
pid=
cleanup() {
  [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
  "$root/scripts/clickhouse-test-server.sh" stop "$chdir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# shellcheck disable=SC2086 # E2E_EXTRA is a list of arguments
dotnet "$pipeline" --Pipeline:DataDir="$work/data" --Pipeline:Ingest:HttpUrl="http://127.0.0.1:$http" \
  --Pipeline:Ingest:TcpEndpoint="127.0.0.1:$tcp" --Pipeline:Sinks:ClickHouse:ConnectionString="$url" \
  --Logging:LogLevel:Default=Warning $extra > "$work/pipeline.log" 2>&1 &
pid=$!
until curl -sf "localhost:$http/readyz" >/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/pipeline.log" >&2; exit 1; }
  sleep 0.1
done

written() { curl -s "localhost:$http/metrics" | awk '/^pipeline_sink_written_events_total\{sink="clickhouse"\}/{print int($2)}' | tail -1; }
count() { curl -s "$url/" --data-binary "SELECT count() FROM pipeline.logs"; }

before=$(written); before=${before:-0}
start=$(date +%s.%N)
dotnet "$load" tcp --host 127.0.0.1 --port "$tcp" --robots 4 --rate 0 --duration "${duration}s" \
  --lines-per-write 64 > "$work/load.txt"
end=$(date +%s.%N)
during=$(written); during=${during:-0}

# Drain: the counter stops moving once the last INSERT (at most BatchMaxDelay later) is acknowledged.
last=-1; now=$during
while [ "$now" != "$last" ]; do last=$now; sleep 3; now=$(written); done
rows=$(count)
rss=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$pid/status")

secs=$(echo "$end - $start" | bc -l)
echo "load generator:"; sed 's/^/  /' "$work/load.txt"
printf 'acknowledged during the load: %d rows in %.1f s = %d rows/s\n' $((during - before)) "$secs" \
  "$(echo "($during - $before) / $secs" | bc)"
printf 'after draining: metric %d, SELECT count() %d, pipeline peak RSS %d MiB\n' "$now" "$rows" "$rss"
[ "$now" -eq "$rows" ] || { echo "MISMATCH: metric $now != count() $rows" >&2; exit 1; }
