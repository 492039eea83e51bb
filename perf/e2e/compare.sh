#!/usr/bin/env bash
# End-to-end throughput of Pipeline against rsyslog and syslog-ng on the same data and loader
# (../shared/bench): 1M robot events over 4 TCP connections, parsed and written to files.
#
#   perf/e2e/compare.sh [EVENTS] [CONNECTIONS] [ROUNDS]
#   SYSTEMS="pipeline-tcp pipeline-tcp-nomine" perf/e2e/compare.sh 1000000 4 5   # the pattern-mine block's cost
#   SYSTEMS="pipeline-tcp pipeline-tcp-rabbitmq" BENCH_DIR=/work/shared/bench perf/e2e/compare.sh 1000000 4 5   # the RabbitMQ sink's cost
#   SYSTEMS="pipeline-tcp pipeline-tcp-alerts50" perf/e2e/compare.sh 1000000 4 5   # the alert block's cost with 50 rules
#   SYSTEMS="pipeline-tcp pipeline-tcp-noring" perf/e2e/compare.sh 1000000 4 5   # the robots' recent-events ring's cost
#   WARMUPS=3 SYSTEMS="pipeline-tcp pipeline-tcp-tail20" perf/e2e/compare.sh 1000000 4 5   # 20 filtered live-tail viewers' cost
#   SYSTEMS="pipeline-websocket pipeline-websocket-acks" perf/e2e/compare.sh 1000000 4 5   # acknowledged delivery's cost (docs/acks.md)
#
# SYSTEMS picks what to measure (default: rsyslog syslog-ng pipeline-tcp pipeline-websocket);
# pipeline-tcp-nomine is Pipeline over TCP with the pattern-mine block off (Pipeline:PatternMine:Enabled=false);
# pipeline-tcp-mine2 runs that block with MaxDegreeOfParallelism 2; pipeline-tcp-noring keeps no recent events per
# robot (Pipeline:Robots:RecentEvents=0: the price of /api/robots/{id}/logs?source=pipeline); pipeline-tcp-tail20 has 20
# live-tail viewers (curl on GET /api/tail, each with its own filters: see start_tails) open for the measured pass;
# pipeline-tcp-alerts50 adds the alert block with
# the 50 rules of perf/e2e/alerts/bench-50-rules.json (threshold, rate, attribute, absent, anomaly; grouped by
# robot_id; no channels, so the cost is matching and evaluation); pipeline-tcp-rabbitmq adds the RabbitMQ sink
# in Batch mode (RABBITMQ_MODE to change it) to the files sink, publishing to a private broker
# (scripts/rabbitmq-test-server.sh, started once) drained by pipeline-load rabbitmq-drain (a durable
# queue bound with '#'); its clock stops when both the files and the rabbitmq written counters reach
# the events sent, the consumer must count them all, and the broker's CPU for the pass is printed.
# PIPELINE_ARGS adds settings to every Pipeline run; ALERT_RULES replaces the rules file of pipeline-tcp-alerts50
# (to price a subset of the rules). WARMUPS (default 1) is the number of warm-up passes before the measured one:
# a block's cost is only steady once tiered PGO has recompiled its hot loop, which one pass of 1M events does not
# always reach (the rounds then scatter by ±10%); WARMUPS=3 measures the service that has been running.
# Each round measures rsyslog, syslog-ng, Pipeline over TCP and Pipeline over WebSocket, one after
# another on this machine; the table reports medians over the rounds. For Pipeline the clock stops when
# pipeline_sink_written_events_total{sink="files"} reaches the events sent (after a warm-up pass of the
# same data), and the rolling files are checked to hold every event. Needs root when rsyslog or
# syslog-ng are in SYSTEMS (installs the peers).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
bench=${BENCH_DIR:-$root/../shared/bench}
events=${1:-1000000}; conns=${2:-4}; rounds=${3:-3}
work=${PEERS_WORK:-/tmp/pipeline-peers}; mkdir -p "$work"
data="$work/events-$events.ndjson"
http=${E2E_HTTP_PORT:-5180}; tcp=${E2E_TCP_PORT:-5190}

systems=${SYSTEMS:-rsyslog syslog-ng pipeline-tcp pipeline-websocket}
[ -s "$data" ] || python3 "$bench/gen_events.py" "$events" > "$data"
bytes=$(stat -c %s "$data")
if [[ " $systems " == *" rsyslog "* || " $systems " == *" syslog-ng "* ]]; then
  "$bench/peers.sh" install >/dev/null
  # peers.sh unpacks syslog-ng without libwrap0, which its network() driver needs.
  dpkg -s libwrap0 >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libwrap0 >/dev/null
fi
. "$here/binaries.sh"

# The broker for pipeline-tcp-rabbitmq: one node for the whole run, stopped on exit.
mqdir="$work/rabbitmq" mquri= beam=
if [[ " $systems " == *" pipeline-tcp-rabbitmq "* ]]; then
  "$root/scripts/rabbitmq-test-server.sh" stop "$mqdir" >/dev/null 2>&1 || true
  mquri=$("$root/scripts/rabbitmq-test-server.sh" start "$mqdir" | tail -1)
  beam=$(cat "$mqdir/pid")
  trap '"$root/scripts/rabbitmq-test-server.sh" stop "$mqdir" >/dev/null 2>&1 || true' EXIT
fi

# WAIT_SINKS: the sinks whose written counters must all reach N (default: files).
written() { # [SINK] -> that sink's written events (0 before its first write)
  curl -s "localhost:$http/metrics" | awk -v s="${1:-files}" '$1 == "pipeline_sink_written_events_total{sink=\"" s "\"}" {n = int($2)} END {print n + 0}'
}
wait_written() { # N TIMEOUT_S
  local n=$1 limit=$2 sink; SECONDS=0
  for sink in ${WAIT_SINKS:-files}; do
    until [ "$(written "$sink")" -ge "$n" ]; do
      [ "$SECONDS" -ge "$limit" ] && { echo "timeout: $sink at $(written "$sink") of $n" >&2; return 1; }; sleep 0.02
    done
  done
}

# TAILS=N: N viewers of the live tail, opened before the warm-up (viewers that have been watching: the tail's code is
# as warm as the rest); TAILS_OPEN=after opens them just before the measured pass (viewers that just came: the pass
# also pays for compiling the tail's path and the endpoints). With filters
# such as people use: one robot, one robot's warnings, a grep, a sampled level, a regex. curl reads as fast as it can.
tail_filters=("robot=robot-1" "robot=robot-2" "robot=robot-3" "robot=robot-4" "robot=robot-5" "robot=robot-6" "robot=robot-7"
  "robot=robot-8" "robot=robot-9" "robot=robot-10" "robot=robot-11&level=warning" "robot=robot-12&level=warning"
  "robot=robot-13&level=error" "robot=robot-14&level=error" "level=critical&sample=10" "level=error&sample=100"
  "grep=timeout&robot=robot-15" "grep=Door%20405" "grep=%2FBattery%20level%201%5B0-9%5D%20%2F" "type=status&robot=robot-16")
tail_pids=()
start_tails() { # N
  local i
  for i in $(seq 0 $(($1 - 1))); do
    curl -sN "localhost:$http/api/tail?${tail_filters[$((i % ${#tail_filters[@]}))]}" > /dev/null &
    tail_pids+=($!)
  done
  until [ "$(curl -s "localhost:$http/metrics" | awk '$1 == "pipeline_tail_subscribers" {print int($2)}')" = "$1" ]; do sleep 0.05; done
}
stop_tails() {
  [ "${#tail_pids[@]}" -gt 0 ] || return 0
  kill "${tail_pids[@]}" 2>/dev/null || true; wait "${tail_pids[@]}" 2>/dev/null || true; tail_pids=()
}

run_pipeline() { # MODE (tcp|websocket) [EXTRA ARGS...] -> "eps rss_mb cpu_s"
  local mode=$1 d="$work/pipeline" pid start end secs; shift
  rm -rf "$d"; mkdir -p "$d"
  local drain=
  if [ -n "${DRAIN:-}" ]; then
    # The queue must exist before the first publish (mandatory: unroutable otherwise); stops by itself
    # once it has counted both passes.
    dotnet "$load" rabbitmq-drain --uri "$mquri" --queue pipeline.compare --binding '#' --purge \
      --events $((events * (${WARMUPS:-1} + 1))) --duration 900s > "$d/drain.txt" 2>&1 &
    drain=$!
    until grep -qs '^rabbitmq-drain: consuming' "$d/drain.txt"; do
      kill -0 "$drain" 2>/dev/null || { cat "$d/drain.txt" >&2; return 1; }; sleep 0.1
    done
  fi
  dotnet "$pipeline" --Pipeline:DataDir="$d/data" --Pipeline:Ingest:HttpUrl="http://127.0.0.1:$http" \
    --Pipeline:Ingest:TcpEndpoint="127.0.0.1:$tcp" --Logging:LogLevel:Default=Warning ${PIPELINE_ARGS:-} "$@" > "$d/log.txt" 2>&1 &
  pid=$!
  until curl -sf "localhost:$http/healthz" >/dev/null; do sleep 0.1; done
  [ -n "${TAILS:-}" ] && [ "${TAILS_OPEN:-before}" = before ] && start_tails "$TAILS"
  # Warm-up: WARMUPS passes of the same data, so the JIT has reached its optimised, profile-guided tier
  # (tiered PGO needs a few hundred batches) — the state of a service that has been running.
  local pass
  for pass in $(seq "${WARMUPS:-1}"); do
    PEERS_WORK="$work" "$bench/send.sh" 127.0.0.1 "$tcp" "$data" "$conns" >/dev/null
    wait_written $((events * pass)) 300
  done
  [ -n "${TAILS:-}" ] && [ "${TAILS_OPEN:-before}" = after ] && start_tails "$TAILS"
  # CPU seconds (user + system) the process spends on the measured pass: steadier than wall time on a
  # shared machine, and what a block's cost adds up to when the machine is saturated.
  cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  local b0; [ -n "$drain" ] && b0=$(awk '{print $14 + $15}' "/proc/$beam/stat")
  start=$(date +%s.%N)
  if [ "$mode" = tcp ]; then
    PEERS_WORK="$work" "$bench/send.sh" 127.0.0.1 "$tcp" "$data" "$conns" >/dev/null
  else
    dotnet "$load" websocket --url "ws://127.0.0.1:$http/ingest" --robots "$conns" --rate 0 \
      --events "$events" --lines-per-write 256 --fixed-timestamps ${LOAD_ARGS:-} > "$d/load.txt"
  fi
  wait_written $((events * (${WARMUPS:-1} + 1))) 300
  end=$(date +%s.%N)
  cpu=$(awk -v c0="$cpu0" -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15 - c0) / hz}' "/proc/$pid/stat")
  rss=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$pid/status")
  if [ -n "$drain" ]; then
    awk -v c0="$b0" -v hz="$(getconf CLK_TCK)" '{printf "  broker (beam.smp) CPU for the pass: %.2f s\n", ($14 + $15 - c0) / hz}' "/proc/$beam/stat" >&2
    wait "$drain" || echo "WARNING: the consumer did not count $((events * (${WARMUPS:-1} + 1))) events: $(grep '^events' "$d/drain.txt")" >&2
  fi
  if [ -n "${TAILS:-}" ]; then
    curl -s "localhost:$http/metrics" | awk '/^pipeline_tail_(events|dropped_events|process_seconds)_total/ {printf "  tail: %s %s\n", $1, $2}' >&2
    stop_tails
  fi
  kill -TERM "$pid"; wait "$pid" || true
  # The robots' events only: the service's own connection and presence events (protocol internal) are extra.
  local lines; lines=$(lz4cat "$d"/data/logs/*.lz4 2>/dev/null | grep -vc '"protocol":"internal"' || true)
  [ "$lines" -eq $((events * (${WARMUPS:-1} + 1))) ] || echo "WARNING: files hold $lines lines, expected $((events * (${WARMUPS:-1} + 1)))" >&2
  secs=$(echo "$end - $start" | bc -l)
  echo "$(echo "$events / $secs" | bc) $rss $cpu"
}

run_peer() { # NAME -> "eps rss_mb"
  local out eps sampler pattern
  # peers.sh kills the daemon when it is done: sample its peak RSS (VmHWM) while it runs.
  [ "$1" = rsyslog ] && pattern='rsyslogd -f' || pattern='sbin/syslog-ng'
  rm -f "$work/rss.peer"
  ( while :; do p=$(pgrep -of "$pattern" || true)
      [ -n "$p" ] && awk '/VmHWM/{print int($2/1024)}' "/proc/$p/status" > "$work/rss.tmp" 2>/dev/null && mv "$work/rss.tmp" "$work/rss.peer"
      sleep 0.2; done ) &
  sampler=$!
  out=$(PEERS_WORK="$work" "$bench/peers.sh" "$1" "$data" "$conns" | tail -1)
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  eps=$(sed -n 's/.*eps=\([0-9]*\).*/\1/p' <<<"$out")
  echo "$eps $(cat "$work/rss.peer" 2>/dev/null || echo -) -"
}

median() { sort -n | awk '{a[NR]=$1} END{print (NR%2)? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

declare -A eps rss cpu
for r in $(seq "$rounds"); do
  for sys in $systems; do
    case $sys in
      pipeline-tcp) res=$(run_pipeline tcp) ;;
      pipeline-tcp-nomine) res=$(run_pipeline tcp --Pipeline:PatternMine:Enabled=false) ;;
      pipeline-tcp-mine2) res=$(run_pipeline tcp --Pipeline:Blocks:PatternMine:MaxDegreeOfParallelism=2) ;;
      pipeline-tcp-noring) res=$(run_pipeline tcp --Pipeline:Robots:RecentEvents=0) ;;
      pipeline-tcp-tail20) res=$(TAILS=20 run_pipeline tcp) ;;
      pipeline-tcp-alerts50) res=$(run_pipeline tcp --Pipeline:Alerts:RulesPath="${ALERT_RULES:-$here/alerts/bench-50-rules.json}") ;;
      pipeline-websocket) res=$(run_pipeline websocket) ;;
      pipeline-websocket-acks) res=$(LOAD_ARGS=--acks run_pipeline websocket) ;;
      pipeline-tcp-rabbitmq) res=$(DRAIN=1 WAIT_SINKS="files rabbitmq" run_pipeline tcp --Pipeline:Sinks:RabbitMq:Uri="$mquri" \
        --Pipeline:Sinks:RabbitMq:Mode="${RABBITMQ_MODE:-Batch}") ;;
      *) res=$(run_peer "$sys") ;;
    esac
    read -r e m c <<<"$res"
    eps[$sys]+="$e "; rss[$sys]+="$m "; cpu[$sys]+="$c "
    echo "round $r: $sys $e events/s, CPU $c s" >&2
  done
done

# Ratios are against rsyslog when it was measured, else against the first system measured.
ref=rsyslog; [[ " $systems " == *" rsyslog "* ]] || ref=${systems%% *}
echo "| system | events/s (median of $rounds) | MB/s | peak RSS (MiB) | CPU s for the pass (median) | vs $ref |"
echo "|---|---:|---:|---:|---:|---:|"
base=$(tr ' ' '\n' <<<"${eps[$ref]}" | grep . | median)
for sys in $systems; do
  e=$(tr ' ' '\n' <<<"${eps[$sys]}" | grep . | median)
  m=$(tr ' ' '\n' <<<"${rss[$sys]}" | grep -v -- - | grep . | median 2>/dev/null || true)
  c=$(tr ' ' '\n' <<<"${cpu[$sys]}" | grep -v -- - | grep . | sort -n | awk '{a[NR]=$1} END{if (NR) print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}' || true)
  mbs=$(echo "scale=1; $e * $bytes / $events / 1000000" | bc)
  echo "| $sys | $e | $mbs | ${m:--} | ${c:--} | $(echo "scale=2; $e / $base" | bc)× |"
done

# A component's cost, round by round (each round measures both systems, one after the other):
# loss LABEL WITH WITHOUT — the throughput loss of WITH against WITHOUT, median and range over the rounds.
loss() {
  [[ -n "${eps[$2]:-}" && -n "${eps[$3]:-}" ]] || return 0
  paste -d' ' <(tr ' ' '\n' <<<"${eps[$2]}" | grep .) <(tr ' ' '\n' <<<"${eps[$3]}" | grep .) |
    awk '{print 100 * (1 - $1 / $2)}' | sort -n |
    awk -v label="$1" '{a[NR]=$1} END{printf "%s: throughput loss per round, median %.1f%% (min %.1f%%, max %.1f%%)\n", label, (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2, a[1], a[NR]}'
}
loss "pattern-mine block" pipeline-tcp pipeline-tcp-nomine
loss "alert block (50 rules)" pipeline-tcp-alerts50 pipeline-tcp
loss "RabbitMQ sink (${RABBITMQ_MODE:-Batch} mode) against files only" pipeline-tcp-rabbitmq pipeline-tcp
loss "recent events per robot (RecentEvents 100)" pipeline-tcp pipeline-tcp-noring
loss "acknowledged delivery over WebSocket" pipeline-websocket-acks pipeline-websocket
loss "20 filtered live-tail viewers" pipeline-tcp-tail20 pipeline-tcp
