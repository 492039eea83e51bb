#!/usr/bin/env bash
# Ack latency (docs/acks.md): from a robot's write to the ack that covers its last event, at a given offered rate.
#
#   perf/e2e/ack-latency.sh [RATE] [DURATION] [ROBOTS] [ROUNDS]      e.g. perf/e2e/ack-latency.sh 200000 10s 4 3
#
# Starts a just-built service on its own ports and data directory, sends one unmeasured pass (the JIT's warm-up;
# WARMUP=0 skips it, so round 1 is the service just started: the cold figure), then ROUNDS measured passes of pipeline-load websocket --acks at RATE events/s for DURATION over ROBOTS
# connections (64 events per message), and prints each pass's ack latency percentiles (HdrHistogram) and the
# service's fsyncs per second. Pass AckInterval etc. with PIPELINE_ARGS="--Pipeline:Acks:AckInterval=00:00:00.050".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
rate=${1:-200000}; duration=${2:-10s}; robots=${3:-4}; rounds=${4:-3}
http=${E2E_HTTP_PORT:-5280}; tcp=${E2E_TCP_PORT:-5290}
work=$(mktemp -d); trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet build "$root/src/Ingest" -c Release -v quiet -clp:ErrorsOnly --nologo >/dev/null
dotnet build "$root/loadtests/Pipeline.LoadTests" -c Release -v quiet -clp:ErrorsOnly --nologo >/dev/null
pipeline="$root/src/Ingest/bin/Release/net10.0/pipeline.dll"
load="$root/loadtests/Pipeline.LoadTests/bin/Release/net10.0/pipeline-load.dll"
Pipeline__Robots__LifecycleEvents=false dotnet "$pipeline" --Pipeline:DataDir="$work/data" --Pipeline:Ingest:HttpUrl="http://127.0.0.1:$http" \
  --Pipeline:Ingest:TcpEndpoint="127.0.0.1:$tcp" --Logging:LogLevel:Default=Warning ${PIPELINE_ARGS:-} > "$work/log.txt" 2>&1 &
pid=$!
until curl -sf "localhost:$http/healthz" >/dev/null; do kill -0 "$pid" 2>/dev/null || { cat "$work/log.txt" >&2; exit 1; }; sleep 0.1; done
fsyncs() { curl -s "localhost:$http/metrics" | awk '/^pipeline_sink_fsyncs_total\{sink="files"\}/{print $2}'; }
[ "${WARMUP:-1}" = 0 ] || dotnet "$load" websocket --url "ws://127.0.0.1:$http/ingest" --robots "$robots" --rate 0 --events 1000000 \
  --lines-per-write 256 --acks >/dev/null
for r in $(seq "$rounds"); do
  f0=$(fsyncs); t0=$(date +%s.%N)
  out=$(dotnet "$load" websocket --url "ws://127.0.0.1:$http/ingest" --robots "$robots" --rate "$rate" --duration "$duration" \
    --lines-per-write 64 --acks)
  f1=$(fsyncs); t1=$(date +%s.%N)
  echo "round $r: $(grep '^events' <<<"$out" | sed 's/^events *//')"
  echo "  $(grep '^ack latency' <<<"$out")   fsyncs/s $(echo "($f1 - $f0) / ($t1 - $t0)" | bc)"
done
