#!/usr/bin/env bash
# Sustained TCP → RabbitMQ throughput: a private RabbitMQ node (scripts/rabbitmq-test-server.sh), a
# drain consumer (pipeline-load rabbitmq-drain, a durable queue bound with '#') and the service on this
# machine, driven for DURATION by pipeline-load over 4 TCP connections as fast as they go (64 lines per write).
#
#   perf/e2e/rabbitmq-sustained.sh [DURATION_S] [MODE]     (defaults 60, Event; MODE = Event | Batch)
#
# events/s = events the broker confirmed while the load ran
# (pipeline_sink_written_events_total{sink="rabbitmq"} at its end minus at its start) / the load's time.
# TCP backpressure slows the loader to what the pipeline sustains, so this is the sink's steady rate.
# Cold vs warm: the same counter sampled every second; "first 10 s" is the service just started.
# After the load the script waits until the counter stops moving and the consumer has gone idle, and
# checks that the consumer counted exactly the written events (MISMATCH and exit 1 otherwise).
# CPU seconds during the load: the broker (beam.smp, /proc/PID/stat utime+stime), the pipeline, the consumer.
# Env: E2E_HTTP_PORT (5480), E2E_TCP_PORT (5490), E2E_WORK (/tmp/pipeline-rmq-sustained),
#      E2E_EXTRA="--Pipeline:Sinks:Files:Enabled=false" to measure RabbitMQ alone (the files sink is on by
#      default), or any other setting, e.g. "--Pipeline:Sinks:RabbitMq:OutstandingConfirms=1024".
#
# Measured 2026-12-03 on the project's 2-core machine (RabbitMQ 3.10.8, loader, service, broker and
# consumer on the same cores, load 5-9 from other sessions), medians of 3: Event 7,689 events/s (broker
# 42-56 CPU s per run), Batch 300,365 events/s; written == consumed in every run. See the README.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
duration=${1:-60}; mode=${2:-Event}
http=${E2E_HTTP_PORT:-5480}; tcp=${E2E_TCP_PORT:-5490}
work=${E2E_WORK:-/tmp/pipeline-rmq-sustained}
extra=${E2E_EXTRA:-}
hz=$(getconf CLK_TCK)

. "$here/binaries.sh"

rm -rf "$work"; mkdir -p "$work"
mqdir="$work/rabbitmq"
uri=$("$root/scripts/rabbitmq-test-server.sh" start "$mqdir" | tail -1)
beam=$(cat "$mqdir/pid")
pid= drain= sampler=
cleanup() {
  [ -n "$sampler" ] && { kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; }
  [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
  [ -n "$drain" ] && { kill -TERM "$drain" 2>/dev/null; wait "$drain" 2>/dev/null || true; }
  "$root/scripts/rabbitmq-test-server.sh" stop "$mqdir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The queue must exist before the first publish, or the sink's mandatory messages come back unroutable.
# The consumer stops by itself: 15 s after its last message, or after a generous hard stop.
dotnet "$load" rabbitmq-drain --uri "$uri" --queue pipeline.bench --binding '#' --idle 15s \
  --duration "$((duration + 600))s" > "$work/drain.txt" 2>&1 &
drain=$!
until grep -qs '^rabbitmq-drain: consuming' "$work/drain.txt"; do
  kill -0 "$drain" 2>/dev/null || { cat "$work/drain.txt" >&2; exit 1; }
  sleep 0.1
done

# shellcheck disable=SC2086 # E2E_EXTRA is a list of arguments
dotnet "$pipeline" --Pipeline:DataDir="$work/data" --Pipeline:Ingest:HttpUrl="http://127.0.0.1:$http" \
  --Pipeline:Ingest:TcpEndpoint="127.0.0.1:$tcp" --Pipeline:Sinks:RabbitMq:Uri="$uri" \
  --Pipeline:Sinks:RabbitMq:Mode="$mode" --Logging:LogLevel:Default=Warning $extra > "$work/pipeline.log" 2>&1 &
pid=$!
until curl -sf "localhost:$http/readyz" >/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/pipeline.log" >&2; exit 1; }
  sleep 0.1
done

written() { curl -s "localhost:$http/metrics" | awk '/^pipeline_sink_written_events_total\{sink="rabbitmq"\}/{print int($2)}' | tail -1; }
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

before=$(written); before=${before:-0}
b0=$(cpu "$beam"); p0=$(cpu "$pid"); d0=$(cpu "$drain")
start=$(date +%s.%N)
( while :; do echo "$(date +%s.%N) $(written)"; sleep 1; done ) > "$work/written.txt" &
sampler=$!
dotnet "$load" tcp --host 127.0.0.1 --port "$tcp" --robots 4 --rate 0 --duration "${duration}s" \
  --lines-per-write 64 > "$work/load.txt" ||
  # Exit 1 is also a connection the server took longer than 10 s to close (Event mode drains slowly):
  # report it, the counters still say what was confirmed.
  echo "note: pipeline-load exited $? (see its summary below)" >&2
end=$(date +%s.%N)
during=$(written); during=${during:-0}
b1=$(cpu "$beam"); p1=$(cpu "$pid"); d1=$(cpu "$drain")
kill "$sampler"; wait "$sampler" 2>/dev/null || true; sampler=

# Drain: the counter stops moving once the last batch (at most BatchMaxDelay later) is confirmed; the
# consumer then ends 15 s after the last message it got.
last=-1; now=$during
while [ "$now" != "$last" ]; do last=$now; sleep 3; now=$(written); done
wait "$drain" || true; drain=
consumed=$(awk '/^events /{print $2}' "$work/drain.txt")
rss=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$pid/status")

secs=$(echo "$end - $start" | bc -l)
echo "load generator:"; sed 's/^/  /' "$work/load.txt" | tail -12
echo "consumer:"; sed -n '/--- summary/,$p' "$work/drain.txt" | sed 's/^/  /'
printf '%s mode: confirmed during the load: %d events in %.1f s = %d events/s\n' "$mode" $((during - before)) "$secs" \
  "$(echo "($during - $before) / $secs" | bc)"
# Cold (the service's first 10 s of load) and warm (the rest), from the per-second samples.
awk -v t0="$start" -v b="$before" '
  NF == 2 && $2 != "" { t = $1 - t0; if (t <= 10.5) { t10 = t; n10 = $2 } tl = t; nl = $2 }
  END { if (t10 > 0 && tl > t10) printf "cold (first %.0f s): %d events/s; warm (%.0f s to %.0f s): %d events/s\n",
          t10, (n10 - b) / t10, t10, tl, (nl - n10) / (tl - t10) }' "$work/written.txt"
printf 'CPU during the load (%.1f s wall, 2 cores = %.1f CPU s available): broker %.1f s, pipeline %.1f s, consumer %.1f s\n' \
  "$secs" "$(echo "$secs * $(nproc)" | bc -l)" "$(echo "($b1 - $b0) / $hz" | bc -l)" "$(echo "($p1 - $p0) / $hz" | bc -l)" "$(echo "($d1 - $d0) / $hz" | bc -l)"
printf 'after draining: written %d, consumed %s events, pipeline peak RSS %d MiB, broker peak RSS %d MiB\n' "$now" "$consumed" "$rss" \
  "$(awk '/VmHWM/{print int($2/1024)}' "/proc/$beam/status")"
[ "$now" -eq "${consumed:-0}" ] || { echo "MISMATCH: written $now != consumed ${consumed:-none}" >&2; exit 1; }
