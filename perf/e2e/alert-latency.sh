#!/usr/bin/env bash
# Event → notification latency of the alert path: the service with one rule (type alert_probe, per
# robot_id, threshold 1 in 10 s) and a Webhook channel whose receiver is pipeline-load alert-latency
# itself; it sends PROBES probe events INTERVAL apart (each a new robot, so each fires once) under
# BACKGROUND events/s of other traffic, and reports p50/p90/p99/max from a probe's write to the arrival
# of the notification that names it. The issue's bound is p99 ≤ 1 s + the channel's grouping window.
#
#   perf/e2e/alert-latency.sh [PROBES] [GROUP_WAIT] [BACKGROUND]    (defaults 200, 00:00:01, 20000)
#
# Env: E2E_HTTP_PORT (5580), E2E_TCP_PORT (5590), E2E_HOOK_PORT (5599), E2E_WORK (/tmp/pipeline-alert-latency),
#      E2E_EXTRA (more --Pipeline:… settings), INTERVAL (250ms).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
probes=${1:-200}; wait=${2:-00:00:01}; background=${3:-20000}
http=${E2E_HTTP_PORT:-5580}; tcp=${E2E_TCP_PORT:-5590}; hook=${E2E_HOOK_PORT:-5599}
work=${E2E_WORK:-/tmp/pipeline-alert-latency}; interval=${INTERVAL:-250ms}
extra=${E2E_EXTRA:-}

. "$here/binaries.sh"
rm -rf "$work"; mkdir -p "$work"
pid=
trap '[ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }' EXIT

r=--Pipeline:Alerts:Rules:0; c=--Pipeline:Alerts:Channels:latency
# shellcheck disable=SC2086 # E2E_EXTRA is a list of arguments
dotnet "$pipeline" --Pipeline:DataDir="$work/data" --Pipeline:Ingest:HttpUrl="http://127.0.0.1:$http" \
  --Pipeline:Ingest:TcpEndpoint="127.0.0.1:$tcp" --Logging:LogLevel:Default=Warning \
  $r:Name=probe $r:Kind=threshold $r:Match:Types:0=alert_probe $r:Window=00:00:10 $r:Threshold=1 \
  $r:GroupBy:0=robot_id $r:Severity=critical $r:Channels:0=latency \
  $c:Type=Webhook $c:Url="http://127.0.0.1:$hook/" $c:GroupWait="$wait" $c:RatePerMinute=0 $extra > "$work/pipeline.log" 2>&1 &
pid=$!
until curl -sf "localhost:$http/readyz" >/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/pipeline.log" >&2; exit 1; }
  sleep 0.1
done

dotnet "$load" alert-latency --port "$tcp" --listen "http://127.0.0.1:$hook/" --probes "$probes" --interval "$interval" \
  --background-rate "$background" | tee "$work/latency.txt"
echo "grouping window $wait; pipeline peak RSS $(awk '/VmHWM/{print int($2/1024)}' "/proc/$pid/status") MiB"
