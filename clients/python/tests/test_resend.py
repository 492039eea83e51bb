"""Re-send of everything unacknowledged: after the client aborts its socket, and while the service is
SIGKILLed and restarted. The files hold every seq exactly once, in order."""
from __future__ import annotations

import asyncio

import pytest

from infrastructure.service import eventually
from pipeline_client import PipelineClient


def assert_exactly_once_in_order(seqs, n):
    assert len(seqs) == n and seqs == list(range(1, n + 1)), _describe(seqs, n)


def _describe(seqs, n):
    seen = set(seqs)
    dupes = len(seqs) - len(seen)
    missing = [s for s in range(1, n + 1) if s not in seen][:10]
    out_of_order = next((i for i in range(1, len(seqs)) if seqs[i] <= seqs[i - 1]), None)
    return f"{len(seqs)} stored, {dupes} duplicates, first missing {missing}, first out of order at index {out_of_order}"


async def produce(client, n, every=1000):
    for i in range(1, n + 1):
        await client.send_async({"msg": "tick", "i": i})
        if i % every == 0:
            await asyncio.sleep(0)  # let the client's tasks run between bursts, as a real producer would


@pytest.mark.parametrize("transport", ["websocket", "tcp"])
async def test_aborting_the_socket_mid_stream_resends_what_was_not_acknowledged(service, robot_id, transport):
    service.start()
    url = service.ws_url if transport == "websocket" else service.tcp_url
    # A buffer much smaller than n: the producer cannot run ahead of the acks, so each abort is mid-stream.
    client = PipelineClient(url, robot_id, max_buffered=3_000, backoff_min=0.01, backoff_max=0.1)
    await client.start()
    n = 30_000
    producer = asyncio.create_task(produce(client, n))
    for i, at in enumerate((5_000, 12_000, 20_000)):
        await eventually(lambda: client.counters.acked_seq >= at, 60, f"{at} acknowledged", client)
        await eventually(lambda: client.connected, 60, "connected", client)
        client.abort_connection()
        assert not producer.done()
        await eventually(lambda: client.counters.reconnects > i, 60, f"reconnect {i + 1}", client)
    await producer
    assert await client.flush(60), client.last_error
    c = client.counters
    await client.close(5)

    assert c.reconnects >= 3
    assert c.sent - c.resent == n  # every event sent once, plus the re-sends
    assert_exactly_once_in_order(service.seqs(client.boot_id), n)


@pytest.mark.parametrize("transport", ["websocket", "tcp"])
async def test_200000_events_through_two_sigkills_and_a_socket_abort_arrive_exactly_once(service, robot_id, transport):
    service.start()
    url = service.ws_url if transport == "websocket" else service.tcp_url
    # The buffer (20,000) keeps the producer within 20,000 of the acks: every disruption below is mid-stream.
    client = PipelineClient(url, robot_id, max_buffered=20_000, backoff_min=0.05, backoff_max=0.5)
    await client.start()
    n = 200_000
    producer = asyncio.create_task(produce(client, n))

    async def disrupt(at, what, action):
        before = client.counters.reconnects
        await eventually(lambda: client.counters.acked_seq >= at and client.connected, 120, f"{at} acknowledged", client)
        await action()
        assert not producer.done(), f"the {what} came after the last event"
        await eventually(lambda: client.counters.reconnects > before, 120, f"the reconnect after the {what}", client)

    async def restart():
        await asyncio.to_thread(service.kill)
        await asyncio.to_thread(service.start)

    async def abort():
        client.abort_connection()

    await disrupt(30_000, "first SIGKILL", restart)
    await disrupt(80_000, "socket abort", abort)
    await disrupt(120_000, "second SIGKILL", restart)

    await asyncio.wait_for(producer, 300)
    assert await client.flush(120), client.last_error
    c = client.counters
    await client.close(5)

    assert c.reconnects >= 3 and c.dropped == 0
    events = service.events(client.boot_id)
    assert_exactly_once_in_order([e["attrs"]["seq"] for e in events if "seq" in e["attrs"]], n)
    assert len({e["conn_id"] for e in events}) >= 2  # more than one session wrote them
