#!/usr/bin/env bash
# A throw-away SMTP server for the tests: Debian's python3-aiosmtpd on loopback, a port of its own,
# every message it receives written to a Maildir in DIR (DIR/maildir/new/<one file per message>),
# so tests read back what the code under test sent. Never a real mail server.
#
#   smtp-test-server.sh start DIR [PORT]   starts (or finds running) the server; prints HOST:PORT once it listens
#   smtp-test-server.sh stop DIR [--keep]  stops it (SIGKILL after 5 s); removes DIR unless --keep
#   smtp-test-server.sh addr DIR           prints HOST:PORT
#
# No TLS, no authentication: the e-mail channel is tested with StartTls=None and no User.
set -euo pipefail

usage() { sed -n '2,10p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$2

# Debian's interpreter, where python3-aiosmtpd is installed (a python3 earlier in PATH may lack it).
python=/usr/bin/python3

name=smtp-test-server
# shellcheck source=scripts/test-server-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-server-lib.sh"

alive() { [ -s "$1/pid" ] && kill -0 "$(cat "$1/pid")" 2>/dev/null; }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "$cmd" in
  start)
    "$python" -c 'import aiosmtpd' 2>/dev/null || { echo "smtp-test-server: aiosmtpd not found for $python (apt-get install python3-aiosmtpd)" >&2; exit 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ -f "$dir/port" ] || echo "${3:-$(pick_port)}" >"$dir/port"
    port=$(cat "$dir/port")
    if alive "$dir"; then echo "127.0.0.1:$port"; exit 0; fi
    mkdir -p "$dir/maildir/tmp" "$dir/maildir/new" "$dir/maildir/cur"
    # setsid: not in the caller's process group; no inherited descriptors, so $(…) sees EOF when we exit.
    (exec setsid "$python" -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$dir/maildir" \
      >"$dir/stdout.log" 2>"$dir/stderr.log" </dev/null) >/dev/null 2>&1 </dev/null &
    echo $! >"$dir/pid"
    for _ in $(seq 1 100); do
      if listening "$port"; then echo "127.0.0.1:$port"; exit 0; fi
      alive "$dir" || break
      sleep 0.1
    done
    echo "smtp-test-server: aiosmtpd did not listen on 127.0.0.1:$port within 10 s:" >&2
    tail -n 20 "$dir/stderr.log" >&2 2>/dev/null || true
    exit 1
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    if alive "$dir"; then
      stop_pid "$(cat "$dir/pid")" 50
    fi
    rm -f "$dir/pid"
    if [ "${3:-}" != "--keep" ]; then rm -rf "$dir"; fi
    ;;
  addr)
    echo "127.0.0.1:$(cat "$dir/port")"
    ;;
  *)
    usage
    ;;
esac
