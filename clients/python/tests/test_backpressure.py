"""With the service down nothing is acknowledged: the buffer fills and its policy applies; flush gives up
at its deadline; the disk spill holds the overflow. Once the service is up, everything kept arrives once."""
from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest

from pipeline_client import BufferFull, PipelineClient


async def test_block_policy_makes_the_sender_wait_until_acks_free_room(service, robot_id):
    client = PipelineClient(service.ws_url, robot_id, max_buffered=10, overflow="block",
                            backoff_min=0.05, backoff_max=0.2)
    await client.start()
    for i in range(10):
        await client.send_async({"i": i})  # the first ten fit

    eleventh = asyncio.create_task(client.send_async({"i": 10}))
    done, _ = await asyncio.wait({eleventh}, timeout=0.3)
    assert not done, "the eleventh send completed with nothing acknowledged"
    with pytest.raises(BufferFull):
        client.send({"i": "on the loop"})  # send() on the event loop cannot wait: it refuses
    assert client.counters.dropped == 0

    await asyncio.to_thread(service.start)
    assert await asyncio.wait_for(eleventh, 60) == 11
    assert await client.flush(60), client.last_error
    await client.close(5)
    assert service.seqs(client.boot_id) == list(range(1, 12))


def _catch(errors, f):
    try:
        f()
    except Exception as e:
        errors.append(e)


async def test_block_policy_with_a_timeout_refuses_a_thread_after_it(service, robot_id):
    client = PipelineClient(service.tcp_url, robot_id, max_buffered=5, block_timeout=0.2)
    await client.start()
    for i in range(5):
        client.send({"i": i})
    started = time.monotonic()
    with pytest.raises(BufferFull):
        await asyncio.to_thread(client.send, {"i": 5})
    assert time.monotonic() - started >= 0.2
    await client.close(0)


async def test_drop_oldest_keeps_the_newest_and_counts_what_it_dropped(service, robot_id):
    client = PipelineClient(service.ws_url, robot_id, max_buffered=10, overflow="drop_oldest",
                            backoff_min=0.05, backoff_max=0.2)
    await client.start()
    for i in range(1, 26):
        client.send({"i": i})  # never waits
    c = client.counters
    assert (c.dropped, c.pending, c.last_seq) == (15, 10, 25)

    await asyncio.to_thread(service.start)
    assert await client.flush(60), client.last_error
    if not service.stub:  # the server counts the gap the drops left (docs/acks.md §3)
        assert service.metric("pipeline_acks_gaps_total") == 15
    await client.close(5)
    assert service.seqs(client.boot_id) == list(range(16, 26))


async def test_flush_gives_up_at_its_deadline_while_the_service_is_stopped(service, robot_id):
    service.start()
    client = PipelineClient(service.ws_url, robot_id, backoff_min=0.05, backoff_max=0.2)
    await client.start()
    for i in range(5):
        client.send({"i": i})
    assert await client.flush(30), client.last_error

    await asyncio.to_thread(service.kill)
    for i in range(5, 10):
        client.send({"i": i})
    started = time.monotonic()
    assert not await client.flush(0.5)
    elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 3, elapsed
    assert client.counters.pending == 5

    await asyncio.to_thread(service.start)
    assert await client.flush(60), client.last_error
    started = time.monotonic()
    await client.close(5)
    assert service.seqs(client.boot_id) == list(range(1, 11))


async def test_close_gives_up_at_its_deadline_and_says_so(service, robot_id):
    client = PipelineClient(service.tcp_url, robot_id)
    await client.start()
    client.send({"msg": "never acknowledged"})
    started = time.monotonic()
    assert not await client.close(0.3)
    assert 0.3 <= time.monotonic() - started < 3


async def test_the_disk_spill_holds_what_memory_cannot_until_the_service_is_back(service, robot_id, tmp_path):
    spill = tmp_path / "spill"
    client = PipelineClient(service.ws_url, robot_id, max_buffered=10, spill_dir=str(spill),
                            backoff_min=0.05, backoff_max=0.2)
    await client.start()
    for i in range(1, 1001):
        await client.send_async({"i": i, "pad": "x" * 100})
    c = client.counters
    assert (c.spilled, c.pending, c.dropped) == (990, 1000, 0)
    assert sum(p.stat().st_size for p in spill.iterdir()) > 990 * 100

    await asyncio.to_thread(service.start)
    assert await client.flush(60), client.last_error
    await client.close(5)
    assert service.seqs(client.boot_id) == list(range(1, 1001))
    assert os.listdir(spill) == []
