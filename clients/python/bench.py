"""Throughput of the Python client from one process: events given to send() until all are acknowledged.

    python3 bench.py --dll ../../src/Ingest/bin/Release/net10.0/pipeline.dll      # starts a service of its own
    python3 bench.py --url ws://127.0.0.1:5080 --events 1000000                   # against a running one

Prints one line per run: events/s end to end (acked = written and fsynced by the service), and the send
rate alone (the caller's cost per event).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "tests"))

from pipeline_client import PipelineClient  # noqa: E402


async def run(url: str, events: int, batch_size: int, max_buffered: int) -> None:
    client = PipelineClient(url, f"bench-{uuid.uuid4().hex[:6]}", batch_size=batch_size, max_buffered=max_buffered)
    await client.start()
    started = time.perf_counter()
    send = client.send_async
    for i in range(events):
        await send({"ts": 1764870000000 + i, "level": "INFO", "type": "telemetry",
                    "msg": "wheel odometry updated", "battery": 81, "x": 9.413, "y": 58.279, "i": i})
    sent = time.perf_counter()
    ok = await client.flush(120)
    acked = time.perf_counter()
    c = client.counters
    await client.close(5)
    if not ok:
        raise SystemExit(f"not all acknowledged: {c}")
    print(f"{url.split(':')[0]:9} {events:>9,} events  {events / (acked - started):>9,.0f} events/s acked end to end"
          f"  (send() alone {events / (sent - started):,.0f}/s; batch {batch_size}, resent {c.resent})")


def run_handler(url: str, events: int, batch_size: int, max_buffered: int) -> None:
    """The same through logging: a synchronous caller, the client on the handler's thread."""
    import logging

    from pipeline_client import PipelineHandler

    handler = PipelineHandler(url, f"bench-{uuid.uuid4().hex[:6]}", batch_size=batch_size, max_buffered=max_buffered)
    log = logging.getLogger("bench")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    started = time.perf_counter()
    for i in range(events):
        log.info("wheel odometry updated", extra={"battery": 81, "x": 9.413, "y": 58.279, "i": i})
    sent = time.perf_counter()
    ok = handler.flush(120)
    acked = time.perf_counter()
    log.removeHandler(handler)
    handler.close(5)
    if not ok:
        raise SystemExit(f"not all acknowledged: {handler.counters}")
    print(f"{url.split(':')[0]:9} {events:>9,} records {events / (acked - started):>9,.0f} records/s acked end to end"
          f"  (logging calls alone {events / (sent - started):,.0f}/s; PipelineHandler)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="ws://… or tcp://… of a running service")
    parser.add_argument("--dll", help="pipeline.dll: start a service on loopback with a temporary data directory")
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--max-buffered", type=int, default=100_000)
    parser.add_argument("--transport", choices=["websocket", "tcp", "both"], default="both")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--handler", action="store_true", help="also through logging.Handler (PipelineHandler)")
    args = parser.parse_args()

    service = None
    if args.url:
        urls = [args.url]
    else:
        if not args.dll:
            parser.error("--url or --dll")
        from infrastructure.service import Service

        service = Service(Path(tempfile.mkdtemp(prefix="pipeline-bench-")), dll=args.dll).start()
        urls = {"websocket": [service.ws_url], "tcp": [service.tcp_url],
                "both": [service.ws_url, service.tcp_url]}[args.transport]
    try:
        for _ in range(args.runs):
            for url in urls:
                asyncio.run(run(url, args.events, args.batch_size, args.max_buffered))
                if args.handler:
                    run_handler(url, args.events, args.batch_size, args.max_buffered)
    finally:
        if service is not None:
            service.stop()


if __name__ == "__main__":
    main()
