#!/usr/bin/env bash
# Runs every test: installs what the tests need when it is missing, builds, runs `dotnet test`
# on the whole solution, and ends with the totals as one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

need=()
command -v lz4 >/dev/null || need+=(lz4)
command -v nc >/dev/null || need+=(netcat-openbsd)
command -v curl >/dev/null || need+=(curl)
[ -x /usr/sbin/clickhouse-server ] || command -v clickhouse-server >/dev/null || need+=(clickhouse-server)
[ -x /usr/sbin/rabbitmq-server ] || need+=(rabbitmq-server)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || need+=(python3-aiosmtpd)
# The Python client (clients/python) and its tests: websockets for ws://, pytest, and lz4 to read the files.
/usr/bin/python3 -c 'import websockets' 2>/dev/null || need+=(python3-websockets)
/usr/bin/python3 -c 'import pytest' 2>/dev/null || need+=(python3-pytest)
/usr/bin/python3 -c 'import pytest_asyncio' 2>/dev/null || need+=(python3-pytest-asyncio)
/usr/bin/python3 -c 'import lz4.frame' 2>/dev/null || need+=(python3-lz4)
# The dashboard's browser tests (tests/Pipeline.Dashboard.Tests) drive Debian's chromium, headless.
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]} from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null
fi

results=$(mktemp -d)

# A ClickHouse server of the tests' own (loopback, temporary directory, its own ports), stopped on
# every exit. The ClickHouse tests read its URL; they skip only when the variable is unset.
clickhouse_dir="$results/clickhouse"
rabbitmq_dir="$results/rabbitmq"
smtp_dir="$results/smtp"
trap 'scripts/clickhouse-test-server.sh stop "$clickhouse_dir" >/dev/null 2>&1 || true; scripts/rabbitmq-test-server.sh stop "$rabbitmq_dir" >/dev/null 2>&1 || true; scripts/smtp-test-server.sh stop "$smtp_dir" >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
PIPELINE_TEST_CLICKHOUSE_URL=$(scripts/clickhouse-test-server.sh start "$clickhouse_dir") || { echo "0 passed, 1 failed"; exit 1; }
export PIPELINE_TEST_CLICKHOUSE_URL
# The same for RabbitMQ: a node of the tests' own (node name, ports, EPMD, dirs), stopped on exit.
# The RabbitMQ tests read its URI; tests that stop or stall a broker start private nodes themselves.
PIPELINE_TEST_RABBITMQ_URI=$(scripts/rabbitmq-test-server.sh start "$rabbitmq_dir") || { echo "0 passed, 1 failed"; exit 1; }
export PIPELINE_TEST_RABBITMQ_URI
echo "test.sh: RabbitMQ at $PIPELINE_TEST_RABBITMQ_URI" >&2
# An SMTP server of the tests' own (aiosmtpd, loopback): the e-mail channel's tests send to it and
# read each message back from its Maildir ($PIPELINE_TEST_SMTP_DIR/maildir/new).
PIPELINE_TEST_SMTP=$(scripts/smtp-test-server.sh start "$smtp_dir") || { echo "0 passed, 1 failed"; exit 1; }
PIPELINE_TEST_SMTP_DIR=$smtp_dir
export PIPELINE_TEST_SMTP PIPELINE_TEST_SMTP_DIR
echo "test.sh: SMTP at $PIPELINE_TEST_SMTP" >&2
echo "test.sh: ClickHouse $(curl -s "$PIPELINE_TEST_CLICKHOUSE_URL/?query=SELECT%20version()") at $PIPELINE_TEST_CLICKHOUSE_URL" >&2
dotnet restore Pipeline.sln --nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }
dotnet build Pipeline.sln -c Release --no-restore --nologo -v quiet -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }
dotnet test Pipeline.sln -c Release --no-build --nologo \
  --logger "trx;LogFilePrefix=results" --results-directory "$results" "$@" 2>&1 | tee "$results/console.txt"
status=${PIPESTATUS[0]}

# The Python client's tests, against the service the build above produced (they start it themselves).
pipeline_dll="$PWD/src/Ingest/bin/Release/net10.0/pipeline.dll"
(cd clients/python && PIPELINE_TEST_DLL="$pipeline_dll" /usr/bin/python3 -m pytest tests -q -p no:cacheprovider --junitxml="$results/python.xml") 2>&1 | tee "$results/python-console.txt"
py_status=${PIPESTATUS[0]}

# Sum the outcomes of every test project from its .trx file.
passed=0; failed=0; skipped=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$c"); passed=$((passed + ${p:-0}))
  x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$c"); failed=$((failed + ${x:-0}))
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$c"); skipped=$((skipped + ${n:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
# And pytest's, from its JUnit XML: tests − failures − errors − skipped passed.
py_failed=0
if [ -f "$results/python.xml" ]; then
  c=$(grep -o '<testsuite [^>]*>' "$results/python.xml" | head -1)
  t=$(sed -n 's/.* tests="\([0-9]*\)".*/\1/p' <<<"$c"); f=$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$c")
  e=$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$c"); s=$(sed -n 's/.* skipped="\([0-9]*\)".*/\1/p' <<<"$c")
  py_failed=$(( ${f:-0} + ${e:-0} ))
  passed=$((passed + ${t:-0} - py_failed - ${s:-0})); failed=$((failed + py_failed)); skipped=$((skipped + ${s:-0}))
fi
if [ "$py_status" -ne 0 ] && [ "$py_failed" -eq 0 ]; then failed=$((failed + 1)); fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -ne 0 ] && exit "$status"
exit "$py_status"
