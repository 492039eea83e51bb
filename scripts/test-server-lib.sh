# Shared by the throw-away test servers' scripts (sourced, not run): free loopback ports, and
# stopping a server's process. Each caller sets `name` (for messages) before sourcing.

port_free() {
  # Nothing listening and nothing connected on it.
  ! ss -Htan "( sport = :$1 )" 2>/dev/null | grep -q .
}

pick_port() {
  # Below Linux's ephemeral range (32768+), so the OS never hands it to another socket meanwhile.
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  echo "$name: no free port found" >&2
  return 1
}

# stop_pid PID TENTHS: SIGTERM, then SIGKILL if it is still there after TENTHS tenths of a second.
stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 "$2"); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}
